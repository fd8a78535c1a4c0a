import type { XmlRpcValue } from '@pyblish/xmlrpc';

/**
 * A struct-heavy payload of about `bytes` bytes of XML: instance-like records with nested data,
 * Unicode, markup characters, nil and numbers (what `context()` and log records look like).
 */
export function structPayload(bytes = 1024 * 1024): XmlRpcValue[] {
  const records: XmlRpcValue[] = [];
  // One record encodes to roughly 1.38 KB.
  const count = Math.round(bytes / 1384);
  for (let i = 0; i < count; i++) {
    records.push({
      id: `instance-${i}`,
      name: `shot_${i}_lighting <v${i % 7}> & co`,
      family: i % 3 === 0 ? 'model' : 'rig',
      families: ['review', 'publish', `layer${i % 5}`],
      publish: i % 4 !== 0,
      order: 1.5 + i / 1000,
      frame: i,
      parent: null,
      data: {
        label: `Caméra ${i} — vue`,
        frameStart: 1001,
        frameEnd: 1100 + (i % 50),
        handles: 10,
        path: `/projects/show/seq${i % 20}/shot${i}/publish/v${i % 99}.ma`,
        tags: ['a', 'b', 'c'],
      },
    });
  }
  return records;
}
