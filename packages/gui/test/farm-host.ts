// A scene for "Publish on farm" tests (the GUI's and the page's): our TypeScript host serving the
// example plug-in set of docs/farm.md, with the scene's context data (assets, out, failing...)
// read from a file at each reset, so a test sets up its scene before it resets.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { examplePlugins } from '../../farm/test/support/farm.js';
import type { Gui } from '../src/index.js';

export {
  examplePlugins,
  integrated,
  outDir,
  startWorker,
  stopWorkers,
} from '../../farm/test/support/farm.js';
export { freePort, redisForTests } from '../../farm/test/support/redis-server.js';

const CLI = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'pyblish.mjs');

/**
 * Liveness for farm tests: they test the farm, not how soon a silent host is lost, and a host
 * slow to answer on a loaded machine must not end their run.
 */
export const patientLiveness = { probeAfterMs: 10_000, timeouts: { probe: 10_000, query: 60_000 } };

/** Context data of docs/farm-example's collector; `instance` adds one more model instance. */
export interface Scene {
  assets?: number;
  out?: string;
  failing?: string;
  waitMs?: number;
  instance?: { name: string; data?: Record<string, unknown> };
}

// Runs first and sets what `pyblish publish -d` would: the example's collector reads it.
const COLLECT_SCENE = `import { readFileSync } from 'node:fs';
import { type Context, ContextPlugin, Order } from '@pyblish/core';

export class CollectScene extends ContextPlugin {
  static override order = Order.Collector - 0.1;
  static override label = 'Collect scene';
  process(context: Context) {
    const scene = JSON.parse(readFileSync(new URL('./scene.json', import.meta.url), 'utf8'));
    const { instance, ...data } = scene;
    Object.assign(context.data, data);
    if (instance) context.createInstance(instance.name, { family: 'model', ...instance.data });
  }
}
`;

export interface FarmHost {
  proc: ChildProcess;
  output: string[];
  /** The scene of the next reset. */
  scene(scene: Scene): void;
  kill(): Promise<void>;
}

/**
 * Starts `pyblish host --register` on the example plug-ins and a scene; resolves once the GUI
 * shows it and its collectors ran. `farm` is sent as the host's own Farm setting.
 */
export async function farmHost(
  gui: Gui,
  env: NodeJS.ProcessEnv,
  scene: Scene,
  farm?: string,
): Promise<FarmHost> {
  const dir = mkdtempSync(join(tmpdir(), 'pyblish-farm-scene-'));
  writeFileSync(join(dir, 'collect_scene.ts'), COLLECT_SCENE);
  const setScene = (s: Scene) => writeFileSync(join(dir, 'scene.json'), JSON.stringify(s));
  setScene(scene);
  const before = new Set(gui.snapshot().hosts.map((h) => h.port));
  const args = ['host', '--register', '--gui-port', String(gui.port), '--title', 'Farm scene'];
  args.push('--plugin-path', examplePlugins, '--plugin-path', dir, ...(farm ? ['--farm', farm] : []));
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const output: string[] = [];
  proc.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  proc.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await Promise.race([
    gui.waitFor((s) => s.hosts.some((h) => h.current && !before.has(h.port)) && s.phase === 'ready', 30_000),
    exited.then(() => {
      throw new Error(`the host exited before the GUI showed it:\n${output.join('')}`);
    }),
  ]);
  return {
    proc,
    output,
    scene: setScene,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
