import { Context, ContextPlugin, processPlugin, Registry } from '@pyblish/core';
import { Host } from '../src/host.js';

class Trivial extends ContextPlugin {
  static override order = 1;
  process(): void {}
}
const ctx = new Context();
let t = performance.now();
for (let i = 0; i < 3000; i++) await processPlugin(Trivial, ctx, null, { registry: new Registry() });
console.log('processPlugin us', ((performance.now() - t) / 3000) * 1000);
const host = new Host({
  registry: new Registry(),
  plugins: () => [Trivial],
  offMainThread: false,
  log: () => {},
});
await host.serve(0);
const m = host.methods;
const info = {
  signal: new AbortController().signal,
  remoteAddress: '',
  path: '/pyblish',
  headers: {},
  method: 'process',
};
t = performance.now();
for (let i = 0; i < 3000; i++)
  await m.dispatch('process', [{ id: 'Trivial' }, null, null], info, {
    introspection: false,
    maxMulticall: 1,
  });
console.log('dispatch process us', ((performance.now() - t) / 3000) * 1000);
await host.uninstall();
