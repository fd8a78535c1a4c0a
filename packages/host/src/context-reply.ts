// The context() reply, encoded for the wire: each instance's part is encoded on its own once it
// has been sent unchanged twice, and reused while its wire form (its name and whitelisted data)
// stays the same, so a context in which a few instances changed costs reading the others, not
// encoding them again. A part seen for the first time (all of them, right after a collection) is
// written inline with the reply: encoding 10,000 parts one by one cost about three times as much
// as encoding them in one go, and most are sent once.
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

interface Part {
  json: InstanceJSON;
  /** Null until the part is sent unchanged a second time. */
  encoded: EncodedValue | null;
}

export class ContextEncoder {
  /** Each instance's wire form, and its encoding once made, by id, as of the last reply. */
  private parts = new Map<string, Part>();

  /** The context's wire form (formatContext's), encoded. */
  encode(context: Context): EncodedValue {
    const parts = new Map<string, Part>();
    const children: Array<EncodedValue | InstanceJSON> = [];
    for (const instance of context) {
      const json = formatInstance(instance);
      const known = this.parts.get(json.id);
      if (known && known.json.name === json.name && sameData(known.json.data, json.data)) {
        known.encoded ??= preencode(known.json as unknown as XmlRpcValue);
        parts.set(json.id, known);
        children.push(known.encoded);
      } else {
        parts.set(json.id, { json, encoded: null });
        children.push(json);
      }
    }
    this.parts = parts;
    const reply = { name: context.name, id: context.id, data: formatData(context.data), children };
    return preencode(reply as unknown as XmlRpcValue);
  }
}
