// A small JSON Schema checker for the subset our published schemas use (type, properties,
// required, additionalProperties, items, enum, const, pattern, length and item bounds, minimum).
// Hand-written: the job schema is small and the worker must name the exact path that is wrong.

export type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

export interface Schema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: readonly unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
}

export interface Problem {
  /** Where, as a JSON path: `$.instances[3].data`. */
  path: string;
  message: string;
}

function typeOf(value: unknown): JsonType | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'string':
      return 'string';
    case 'object':
      return 'object';
    default:
      return 'other';
  }
}

export function keyPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function fits(actual: JsonType | 'other', wanted: JsonType): boolean {
  return actual === wanted || (wanted === 'number' && actual === 'integer');
}

/** Every problem of `value` against `schema` (empty when it conforms). Stops at `limit` problems. */
export function check(schema: Schema, value: unknown, path = '$', limit = 20): Problem[] {
  const problems: Problem[] = [];
  const visit = (s: Schema, v: unknown, at: string): void => {
    if (problems.length >= limit) return;
    const say = (message: string): void => {
      problems.push({ path: at, message });
    };
    const actual = typeOf(v);
    if (s.type !== undefined) {
      const wanted = Array.isArray(s.type) ? s.type : [s.type];
      if (!wanted.some((w) => fits(actual, w))) {
        say(`must be ${wanted.join(' or ')}, not ${actual}`);
        return;
      }
    }
    if (s.const !== undefined && v !== s.const) {
      say(`must be ${JSON.stringify(s.const)}`);
      return;
    }
    if (s.enum && !s.enum.includes(v)) {
      say(`must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
      return;
    }
    if (typeof v === 'string') {
      if (s.minLength !== undefined && v.length < s.minLength)
        say(`must have at least ${s.minLength} characters`);
      if (s.maxLength !== undefined && v.length > s.maxLength)
        say(`must have at most ${s.maxLength} characters`);
      if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) say(`must match ${s.pattern}`);
    }
    if (typeof v === 'number' && s.minimum !== undefined && v < s.minimum)
      say(`must be at least ${s.minimum}`);
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < s.minItems) say(`must have at least ${s.minItems} items`);
      if (s.maxItems !== undefined && v.length > s.maxItems) say(`must have at most ${s.maxItems} items`);
      if (s.items) for (const [i, item] of v.entries()) visit(s.items, item, keyPath(at, i));
    }
    if (actual === 'object') {
      const object = v as Record<string, unknown>;
      for (const key of s.required ?? [])
        if (!Object.hasOwn(object, key)) say(`lacks the required key "${key}"`);
      for (const [key, item] of Object.entries(object)) {
        const known = s.properties?.[key];
        if (known) visit(known, item, keyPath(at, key));
        else if (s.additionalProperties === false) say(`has the unknown key "${key}"`);
        else if (typeof s.additionalProperties === 'object')
          visit(s.additionalProperties, item, keyPath(at, key));
      }
    }
  };
  visit(schema, value, path);
  return problems;
}
