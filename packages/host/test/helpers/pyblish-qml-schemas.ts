// Checks replies against pyblish-qml's JSON schemas, as restated in fixtures/pyblish-qml-schemas.json,
// with the farm's small JSON Schema checker. `$ref` names another schema of the fixture: it is
// written out in place, the referring entry's own keywords (a type list with null) winning.
import { readFileSync } from 'node:fs';
import { check, type Schema } from '@pyblish/farm';

type Named = 'result' | 'plugin' | 'instance' | 'error' | 'record';
type Entry = Schema & { $ref?: Named; properties?: Record<string, Entry>; items?: Entry };

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/pyblish-qml-schemas.json', import.meta.url), 'utf8'),
) as Record<Named, Entry>;

function resolve(entry: Entry): Schema {
  const { $ref, properties, items, ...rest } = entry;
  const base = $ref ? resolve(fixture[$ref]) : {};
  const own: Schema = { ...rest };
  if (properties)
    own.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, resolve(v)]));
  if (items) own.items = resolve(items);
  return { ...base, ...own };
}

const schemas = Object.fromEntries(
  (Object.keys(fixture) as (Named | 'about')[])
    .filter((k): k is Named => k !== 'about')
    .map((k) => [k, resolve(fixture[k])]),
) as Record<Named, Schema>;

/** One reply a pyblish-qml-shaped caller got, by the method that gave it. */
export interface Reply {
  method: string;
  reply: unknown;
}

/** Every way the replies break pyblish-qml's schemas ("process #3 $.action: has the unknown key ..."). */
export function schemaProblems(replies: Reply[]): string[] {
  const problems: string[] = [];
  for (const [n, { method, reply }] of replies.entries()) {
    const at = `${method} #${n}`;
    const say = (schema: Schema, value: unknown, path: string) => {
      for (const p of check(schema, value, path)) problems.push(`${at} ${p.path}: ${p.message}`);
    };
    if (method === 'process' || method === 'repair') say(schemas.result, reply, '$');
    else if (method === 'discover')
      for (const [i, p] of (reply as unknown[]).entries()) say(schemas.plugin, p, `$[${i}]`);
    else if (method === 'context') {
      const children = (reply as { children: unknown[] }).children;
      for (const [i, c] of children.entries()) say(schemas.instance, c, `$.children[${i}]`);
    }
  }
  return problems;
}
