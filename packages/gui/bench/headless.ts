// The headless peer of the GUI benchmark: the bench plug-ins published in this process, as
// `pyblish publish` does (collect, validate, extract, integrate), each publish timed on its own
// in a fresh context. Prints the milliseconds of each as JSON.
// usage: PYBLISH_BENCH_INSTANCES=N node headless.ts RUNS
import { fileURLToPath } from 'node:url';
import { discover, publish, Registry } from '@pyblish/core';

const BENCH_PLUGINS = fileURLToPath(new URL('../test/fixtures/bench-plugins', import.meta.url));
const registry = new Registry();
registry.registerPluginPath(BENCH_PLUGINS);
const { plugins } = await discover({ registry });
const times: number[] = [];
for (let run = 0; run < Number(process.argv[2] ?? 3); run++) {
  const started = performance.now();
  await publish({ plugins, registry });
  times.push(performance.now() - started);
}
console.log(JSON.stringify(times));
