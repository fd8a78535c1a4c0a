// Checking a JSON document read from a file, field by field, so a damaged one is refused with
// the path of the first bad field ("report.results[3].success must be boolean") rather than
// failing somewhere later. Shared by the two kinds of report the viewer reads.
import { Malformed } from './errors.js';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function expect(ok: boolean, at: string, what: string): void {
  if (!ok) throw new Malformed(`${at} must be ${what}`);
}

export function object(v: unknown, at: string): Json {
  expect(isObject(v), at, 'an object');
  return v as Json;
}

export function list(v: unknown, at: string): unknown[] {
  expect(Array.isArray(v), at, 'a list');
  return v as unknown[];
}

/** Checks the named fields of `o` by type name ("string", "number", "boolean", "string|null", ...). */
export function fields(o: Json, at: string, spec: Record<string, string>): void {
  for (const [key, types] of Object.entries(spec)) {
    const value = o[key];
    const optional = types.endsWith('?');
    if (optional && value === undefined) continue;
    const ok = types
      .replace('?', '')
      .split('|')
      .some((t) =>
        t === 'null'
          ? value === null
          : t === 'string[]'
            ? Array.isArray(value) && value.every((x) => typeof x === 'string')
            : t === 'object'
              ? isObject(value)
              : typeof value === t,
      );
    expect(ok, `${at}.${key}`, types.replace('?', '').replaceAll('|', ' or '));
  }
}

/** Checks every item of the list at `at` as an object with the named fields; returns the items. */
export function listOf(v: unknown, at: string, spec: Record<string, string>): Json[] {
  return list(v, at).map((item, i) => {
    const where = `${at}[${i}]`;
    const o = object(item, where);
    fields(o, where, spec);
    return o;
  });
}

/** A plug-in's error as both reports keep it (null: none). */
export function checkError(v: unknown, at: string): void {
  if (v === null) return;
  fields(object(v, at), at, {
    message: 'string',
    fname: 'string|null?',
    lineNumber: 'number|null?',
    func: 'string|null?',
    exc: 'string|null?',
    source: 'string|null?',
  });
}

/** The log records of one pair, as both reports keep them. */
export function checkRecords(v: unknown, at: string): void {
  listOf(v, at, { message: 'string', levelname: 'string', levelno: 'number' });
}

/** The fields that name an instance in both kinds of report (headless and GUI session). */
export const INSTANCE_NAMING = {
  id: 'string',
  name: 'string',
  label: 'string',
  family: 'string|null',
  families: 'string[]',
} as const;
