// Benchmark: 10,000 instances through 20 trivial instance plug-ins (200,000 pairs) with the
// convenience publish, against a bare loop calling the same process methods in the same run.
// Also: repeated discovery of an unchanged folder (a GUI Reset) must not grow memory.
import {
  Context,
  createState,
  demoPluginPath,
  discover,
  type Instance,
  InstancePlugin,
  type PluginClass,
  type ProcessApi,
  processPlugin,
  publishIter,
  Registry,
} from '@pyblish/core';

const INSTANCES = 10_000;
const PLUGINS = 20;
const families = ['model', 'rig', 'camera', 'look'];

// Twenty plug-ins spread over validation, extraction and integration; each touches the data.
const plugins: PluginClass[] = Array.from({ length: PLUGINS }, (_, n) => {
  const Plugin = class extends InstancePlugin {
    static override order = 1 + (n * 2) / PLUGINS;
    process(instance: Instance) {
      instance.data[`p${n}`] = true;
    }
  };
  Object.defineProperty(Plugin, 'name', { value: `Trivial${n}` });
  return Plugin;
});

function makeContext(): Context {
  const context = new Context();
  for (let i = 0; i < INSTANCES; i++)
    context.createInstance(`asset${i}`, { family: families[i % families.length] });
  return context;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
let peakHeap = 0;
const sample = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

interface Row {
  name: string;
  pairs: number;
  ms: number;
  peak: number;
}

async function measure(name: string, run: () => Promise<number>): Promise<Row> {
  gc();
  peakHeap = process.memoryUsage().heapUsed;
  const base = peakHeap;
  const start = performance.now();
  const pairs = await run();
  const ms = performance.now() - start;
  sample();
  return { name, pairs, ms, peak: peakHeap - base };
}

async function bareLoop(): Promise<number> {
  const context = makeContext();
  const never = new AbortController().signal;
  let pairs = 0;
  for (const Plugin of plugins) {
    for (const instance of context) {
      const api = { log: null, signal: never, context } as unknown as ProcessApi;
      await new (Plugin as unknown as new () => InstancePlugin)().process(instance, api);
      if (++pairs % 1000 === 0) sample();
    }
  }
  return pairs;
}

async function processLoop(): Promise<number> {
  const context = makeContext();
  const registry = new Registry();
  let pairs = 0;
  for (const Plugin of plugins) {
    for (const instance of context) {
      await processPlugin(Plugin, context, instance, { registry });
      if (++pairs % 1000 === 0) sample();
    }
  }
  return pairs;
}

async function convenience(): Promise<number> {
  const context = makeContext();
  let pairs = 0;
  for await (const result of publishIter({
    context,
    plugins,
    registry: new Registry(),
    state: createState(),
  })) {
    if (!result.success) throw new Error(result.error?.message);
    if (++pairs % 1000 === 0) sample();
  }
  return pairs;
}

const rows: Row[] = [];
rows.push(await measure('bare loop (same process methods)', bareLoop));
rows.push(await measure('processPlugin loop (results, capture)', processLoop));
rows.push(await measure('publishIter (+ iteration, test, progress)', convenience));
const [bare, processing, publish] = rows as [Row, Row, Row];

console.log(`${INSTANCES} instances x ${PLUGINS} plug-ins`);
console.log(
  `${'variant'.padEnd(42)}${'pairs'.padStart(9)}${'ms'.padStart(9)}${'pairs/s'.padStart(12)}${'peak heap'.padStart(12)}`,
);
for (const r of rows) {
  const rate = Math.round((r.pairs / r.ms) * 1000);
  console.log(
    `${r.name.padEnd(42)}${String(r.pairs).padStart(9)}${r.ms.toFixed(0).padStart(9)}${String(rate).padStart(12)}${mb(r.peak).padStart(12)}`,
  );
}
console.log(
  `time vs bare loop: processPlugin loop ${(processing.ms / bare.ms).toFixed(1)}x, publishIter ${(publish.ms / bare.ms).toFixed(1)}x`,
);
console.log(`peak RSS of the whole run: ${mb(process.resourceUsage().maxRSS * 1024)}`);

// A GUI Reset rediscovers the plug-ins; unchanged files must not be imported again.
const registry = new Registry();
await discover({ paths: [demoPluginPath], registry });
gc();
const before = process.memoryUsage().heapUsed;
const resets = 200;
const start = performance.now();
let imported = 0;
for (let i = 0; i < resets; i++) imported += (await discover({ paths: [demoPluginPath], registry })).imported;
const perReset = (performance.now() - start) / resets;
gc();
const growth = process.memoryUsage().heapUsed - before;
console.log(
  `discovery of the demo folder x${resets}: ${perReset.toFixed(2)} ms each, ${imported} files re-imported, heap change ${mb(growth)}`,
);
