import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { HostMethod, type RunPollJSON, type RunSpecJSON } from '@pyblish/host';
import { XmlRpcClient, type XmlRpcStruct } from '@pyblish/xmlrpc';
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BENCH_PLUGINS = fileURLToPath(new URL('../test/fixtures/bench-plugins', import.meta.url));
const CLI = join(REPO, 'packages/cli/bin/pyblish.mjs');
const n = Number(process.argv[2] ?? 10000);
const env = { ...process.env, PYBLISH_BENCH_INSTANCES: String(n) };
const extra = process.argv.slice(3);
const child = spawn(process.execPath, [...extra, CLI, 'host', '--port', '0', '--plugin-path', BENCH_PLUGINS], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const { url, token } = await new Promise<{ url: string; token: string }>((resolve) => {
  let url = '';
  createInterface({ input: child.stdout! }).on('line', (line) => {
    url = /serving (\S+)/.exec(line)?.[1] ?? url;
    const found = /token (\S+)/.exec(line)?.[1];
    if (found) resolve({ url, token: found });
  });
});
const client = new XmlRpcClient(url, { token, keepAlive: true });
let polls = 0;
const follow = async (spec: RunSpecJSON) => {
  let reply: RunPollJSON = await client.call(HostMethod.run, [spec as unknown as XmlRpcStruct]);
  while (!reply.finished) { polls++; const c = reply.current; reply = await client.call(HostMethod.pollRun, [reply.runId, reply.seq, c && c.index === reply.seq ? c.seq : -1, 1000]); }
};
for (let i = 0; i < 6; i++) {
  const t: Record<string, number> = {};
  let s = performance.now();
  const lap = (k: string) => { const now = performance.now(); t[k] = Math.round(now - s); s = now; };
  const start = s;
  polls = 0;
  await client.call(HostMethod.reset, []); lap('reset');
  await client.call(HostMethod.discover, []); lap('discover');
  await follow({ phase: 'collect', resultsAs: 'columns' }); lap('collect');
  await client.call(HostMethod.context, []); lap('context');
  await follow({ phase: 'publish', pluginsOff: [], instancesOff: [], resultsAs: 'columns' }); lap('publish');
  console.log(JSON.stringify({ ...t, total: Math.round(performance.now() - start), polls }));
}
client.close(); child.kill("SIGTERM"); await new Promise((r) => child.once("exit", r));
