// Run with `node --expose-gc --import tsx retain.ts`: decodes many large replies, keeps a few small
// strings from each, and prints (as JSON) the heap still in use after a full GC, per decode path.
import { encodeMethodResponse, MessageDecoder, type XmlRpcValue } from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const REPLIES = 200;
const KEPT_PER_REPLY = 3;
let keptChars = 0;

/** A ~100 KB reply whose records hold 40-character strings (ASCII, or with one non-ASCII letter). */
function reply(n: number, unicode: boolean): Buffer {
  const records: XmlRpcValue[] = [];
  for (let i = 0; i < 1000; i++) {
    const text = `${unicode ? 'é' : 'e'}-reply-${n}-record-${i}-`.padEnd(40, 'x');
    records.push({ [`key-${n}-${i}-`.padEnd(20, 'k')]: text, msg: text });
  }
  return Buffer.from(encodeMethodResponse({ records, fault: `fault text of reply ${n}`.padEnd(40, '.') }));
}

type Path = { name: string; fastPath: boolean; chunk: number; unicode: boolean };
const paths: Path[] = [
  { name: 'fast, one chunk, ASCII', fastPath: true, chunk: Number.POSITIVE_INFINITY, unicode: false },
  { name: 'fast, one chunk, UTF-8', fastPath: true, chunk: Number.POSITIVE_INFINITY, unicode: true },
  { name: 'fast, 16 KB chunks', fastPath: true, chunk: 16_384, unicode: false },
  { name: 'saxes', fastPath: false, chunk: 16_384, unicode: true },
];

/** Heap bytes still used, after a full GC, by what one path's decodes left behind. */
function retainedBy(path: Path): number {
  const bodies = Array.from({ length: 4 }, (_, n) => reply(n, path.unicode));
  gc!();
  gc!();
  const before = process.memoryUsage().heapUsed;
  const kept: string[] = [];
  for (let r = 0; r < REPLIES; r++) {
    const body = bodies[r % bodies.length]!;
    // A fresh copy each time, so every decode reads a new body string.
    const bytes = Buffer.from(body);
    const d = new MessageDecoder('response', {}, { fastPath: path.fastPath });
    for (let at = 0; at < bytes.length; at += path.chunk) d.write(bytes.subarray(at, at + path.chunk));
    const out = d.endResponse();
    if (out.fault !== null) throw out.fault;
    const value = out.value as { records: Record<string, string>[]; fault: string };
    const record = value.records[r % 1000]!;
    // A string value, a member name, and a top-level string.
    kept.push(record.msg!, Object.keys(record)[0]!, value.fault);
  }
  keptChars = kept.reduce((sum, s) => sum + s.length, 0);
  gc!();
  gc!();
  const retained = process.memoryUsage().heapUsed - before;
  if (kept.length !== REPLIES * KEPT_PER_REPLY) throw new Error('lost strings');
  return retained;
}

const result: Record<string, number> = {};
for (const path of paths) result[path.name] = retainedBy(path);
console.log(JSON.stringify({ keptChars, retainedBytes: result }));
