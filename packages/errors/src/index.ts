// @pyblish/errors: the base class every Pyblish TS package derives its errors from.
export { CodedError, codedError } from './coded-error.js';
