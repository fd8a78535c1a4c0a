// Our side of the codec rows, in a fresh process as Python's are (bench/peer.py codec): the heap
// the round trips leave behind in the bench's own process slows what runs after them.
// usage: codec.ts encode|encode-bytes|decode PAYLOAD.xml ROUNDS SECONDS   (prints one JSON object)
import { readFileSync } from 'node:fs';
import { decodeMethodResponse, encodeMethodResponse, encodeMethodResponseBytes } from '@pyblish/xmlrpc';

const [mode, path, rounds, seconds] = process.argv.slice(2) as [string, string, string, string];
const data = readFileSync(path);
const value = decodeMethodResponse(data);
const run = {
  encode: () => encodeMethodResponse(value),
  'encode-bytes': () => encodeMethodResponseBytes(value),
  decode: () => decodeMethodResponse(data),
}[mode];
if (run === undefined) throw new Error(`unknown mode ${mode}`);

/** MB/s over `ms` of back-to-back runs. */
function measure(ms: number): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    run!();
    n++;
  }
  return (n * data.length) / 1e6 / ((performance.now() - start) / 1000);
}

// Python has no JIT to warm up; V8 compiles the hot loops during the first runs.
measure(200);
let best = 0;
for (let r = 0; r < Number(rounds); r++) best = Math.max(best, measure(Number(seconds) * 1000));
console.log(JSON.stringify({ mb_per_second: best }));
