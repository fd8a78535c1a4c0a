// @pyblish/errors: the base class every Pyblish TS package derives its errors from.
export { CodedError } from './coded-error.js';
