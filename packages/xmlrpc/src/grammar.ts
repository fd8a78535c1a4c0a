/** The XML-RPC grammar: which elements exist and what each may hold. */

export const SCALARS: ReadonlySet<string> = new Set([
  'i4',
  'int',
  'i8',
  'boolean',
  'string',
  'double',
  'dateTime.iso8601',
  'base64',
  'nil',
]);

/** Which children each element may hold; scalars and names hold only text. */
export const CHILDREN: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['methodCall', new Set(['methodName', 'params'])],
  ['methodResponse', new Set(['params', 'fault'])],
  ['params', new Set(['param'])],
  ['param', new Set(['value'])],
  ['fault', new Set(['value'])],
  ['value', new Set([...SCALARS, 'array', 'struct'])],
  ['array', new Set(['data'])],
  ['data', new Set(['value'])],
  ['struct', new Set(['member'])],
  ['member', new Set(['name', 'value'])],
]);

/** Every element name XML-RPC uses. */
export const ELEMENTS: ReadonlySet<string> = new Set([
  ...CHILDREN.keys(),
  ...[...CHILDREN.values()].flatMap((s) => [...s]),
]);
