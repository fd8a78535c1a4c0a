/** The XML-RPC grammar: which elements exist and what each may hold, by small integer codes. */

/** Every element name XML-RPC uses; an element's code is its index here. Scalars come last. */
export const TAG_NAMES = [
  'methodCall',
  'methodResponse',
  'methodName',
  'params',
  'param',
  'fault',
  'value',
  'array',
  'data',
  'struct',
  'member',
  'name',
  'i4',
  'int',
  'i8',
  'boolean',
  'string',
  'double',
  'dateTime.iso8601',
  'base64',
  'nil',
] as const;

export const T = Object.fromEntries(TAG_NAMES.map((name, code) => [name, code])) as {
  readonly [K in (typeof TAG_NAMES)[number]]: number;
};

export const TAG_CODES: ReadonlyMap<string, number> = new Map(TAG_NAMES.map((name, code) => [name, code]));

const mask = (...names: (typeof TAG_NAMES)[number][]) => names.reduce((m, n) => m | (1 << T[n]), 0);

// The scalar types are the tail of TAG_NAMES, from i4 on.
const SCALAR_NAMES = TAG_NAMES.slice(TAG_NAMES.indexOf('i4'));
export const SCALAR_MASK = mask(...SCALAR_NAMES);
/** Elements whose text is content (everything else may hold only whitespace). */
export const TEXT_MASK = SCALAR_MASK | mask('value', 'name', 'methodName');

/** For each element code, the bit mask of the children it may hold; scalars and names hold only text. */
export const CHILDREN: readonly number[] = TAG_NAMES.map((name) => {
  switch (name) {
    case 'methodCall':
      return mask('methodName', 'params');
    case 'methodResponse':
      return mask('params', 'fault');
    case 'params':
      return mask('param');
    case 'param':
    case 'fault':
    case 'data':
      return mask('value');
    case 'value':
      return SCALAR_MASK | mask('array', 'struct');
    case 'array':
      return mask('data');
    case 'struct':
      return mask('member');
    case 'member':
      return mask('name', 'value');
    default:
      return 0;
  }
});
