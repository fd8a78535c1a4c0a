// The context() reply, encoded for the wire: each instance's part is encoded once and reused
// while its wire form (its name and whitelisted data) is the same as when it was encoded, so a
// context in which a few instances changed costs reading the others, not encoding them again.
import type { Context } from '@pyblish/core';
import { type EncodedValue, preencode, type XmlRpcValue } from '@pyblish/xmlrpc';
import { formatData, formatInstance } from './format.js';
import type { DataJSON, InstanceJSON } from './wire.js';

type Scalar = string | number | boolean;

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((v: Scalar, i) => v === b[i]);
}

/** Whether two whitelisted data (scalars and lists of scalars, formatData's) are alike. */
function sameData(a: DataJSON, b: DataJSON): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!sameValue(a[key], b[key])) return false;
  return true;
}

export class ContextEncoder {
  /** Each instance's wire form and its encoding, by id, as of the last reply. */
  private parts = new Map<string, { json: InstanceJSON; encoded: EncodedValue }>();

  /** The context's wire form (formatContext's), encoded. */
  encode(context: Context): EncodedValue {
    const parts = new Map<string, { json: InstanceJSON; encoded: EncodedValue }>();
    const children: EncodedValue[] = [];
    for (const instance of context) {
      const json = formatInstance(instance);
      const known = this.parts.get(json.id);
      const part =
        known && known.json.name === json.name && sameData(known.json.data, json.data)
          ? known
          : { json, encoded: preencode(json as unknown as XmlRpcValue) };
      parts.set(json.id, part);
      children.push(part.encoded);
    }
    this.parts = parts;
    const reply = { name: context.name, id: context.id, data: formatData(context.data), children };
    return preencode(reply as unknown as XmlRpcValue);
  }
}
