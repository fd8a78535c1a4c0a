import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { startGui } from '../src/index.js';
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BENCH_PLUGINS = fileURLToPath(new URL('../test/fixtures/bench-plugins', import.meta.url));
const CLI = join(REPO, 'packages/cli/bin/pyblish.mjs');
const n = Number(process.argv[2] ?? 10000);
const runtime = mkdtempSync(join(tmpdir(), 'pyblish-gui-prof-'));
const env = { ...process.env, PYBLISH_RUNTIME_DIR: runtime, PYBLISH_BENCH_INSTANCES: String(n) };
const gui = await startGui({ port: 0, env });
const hostArgs = (process.env.HOST_NODE_ARGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...hostArgs, CLI, 'host', '--register', '--gui-port', String(gui.port), '--plugin-path', BENCH_PLUGINS], { env, stdio: 'ignore' });
await gui.waitFor((s) => s.phase === 'ready' && s.instances.length === n + 1, 600_000);
const run = async (command: 'reset' | 'publish') => {
  const t = performance.now();
  const reply = await gui.controller.command({ type: command });
  if (!reply.ok) throw new Error(reply.error.message);
  await gui.controller.idle();
  return Math.round(performance.now() - t);
};
const session = new Session(); session.connect();
for (let i = 0; i < 6; i++) {
  if (i === 2 && process.env.PROF) { await session.post('Profiler.enable'); await session.post('Profiler.start'); }
  const r = await run('reset'); const p = await run('publish');
  console.log(JSON.stringify({ reset: r, publish: p, total: r + p, msg: gui.snapshot().message }));
}
if (process.env.PROF) { const { profile } = await session.post("Profiler.stop");
writeFileSync("/tmp/prof/gui.cpuprofile", JSON.stringify(profile)); }
child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r));
await gui.close();
