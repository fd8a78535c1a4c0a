// `pyblish host`: makes this Node process a Pyblish host. Serves the demo or given plug-ins at
// http://127.0.0.1:PORT/pyblish, and with --register follows the host life cycle with a GUI.
import { parseArgs } from 'node:util';
import { defaultRegistry, demoPluginPath } from '@pyblish/core';
import { Host, HostError, type ShowSettings } from '@pyblish/host';
import { UsageError } from './errors.js';
import type { OptionTable } from './usage.js';

const usage = `Usage: pyblish host [options]

Serves plug-ins to a Pyblish GUI over XML-RPC at http://127.0.0.1:PORT/pyblish.

Options:
  -p, --plugin-path DIR      a folder (or file) of plug-ins; repeatable (PYBLISH_PLUGINPATH is read too)
  --demo                     serve the demo plug-ins
  --port N                   serve on port N; 0 picks a free one and prints it (the default without --register)
  --register                 register with the GUI: ask it for a port, send heartbeats, ask it to show this host
  --gui-port N               the GUI's port (default 9090)
  --title TEXT               the window title sent to the GUI (default "Pyblish (Node)")
  --farm URL                 the farm the GUI's "Publish on farm" sends this host's instances to: local, or
                             redis://[user:password@]HOST:PORT (rediss:// for TLS); PYBLISH_FARM is read too
  --allow-unauthenticated    accept callers without a token and GUIs without a discovery file (such as the
                             Python pyblish-qml); PYBLISH_ALLOW_UNAUTHENTICATED=1 does the same
  --in-thread                serve on the main thread (a blocking plug-in then also blocks ping and heartbeats)
  -h, --help                 show this help`;

function portOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError('BAD_PORT_OPTION', `${name} must be a port number (0-65535), not "${value}"`);
  return n;
}

/** Resolves on SIGINT or SIGTERM. */
function stopSignal(): { promise: Promise<void>; dispose(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
  return {
    promise,
    dispose() {
      process.off('SIGINT', resolve);
      process.off('SIGTERM', resolve);
    },
  };
}

/** Waits `ms` or until stopped. The timer stays referenced: while waiting for a GUI it is what keeps the process alive. */
function sleep(ms: number, stop: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([new Promise<void>((r) => (timer = setTimeout(r, ms))), stop]).finally(() =>
    clearTimeout(timer),
  );
}

export async function run(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  let port: number | undefined;
  let guiPort: number | undefined;
  try {
    values = parse(argv).values;
    port = portOption(values.port, '--port');
    guiPort = portOption(values['gui-port'], '--gui-port');
  } catch (err) {
    console.error(`pyblish host: ${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }

  const registry = defaultRegistry;
  registry.registerHost('node');
  for (const path of values['plugin-path'] ?? []) registry.registerPluginPath(path);
  if (values.demo) registry.registerPluginPath(demoPluginPath);

  const host = new Host({
    registry,
    ...(guiPort !== undefined && { guiPort }),
    ...(values['allow-unauthenticated'] && { allowUnauthenticated: true }),
    ...(values['in-thread'] && { offMainThread: false }),
  });
  const stop = stopSignal();
  try {
    if (values.register) {
      if (port !== undefined) await host.serve(port);
      const farm = values.farm ?? process.env.PYBLISH_FARM;
      const settings = {
        WindowTitle: values.title ?? 'Pyblish (Node)',
        ContextLabel: 'Node',
        ...(farm && { Farm: farm }),
      };
      if (!(await register(host, settings, stop.promise))) return 0;
    } else {
      await host.serve(port ?? 0);
    }
    console.log(`pyblish host: serving ${host.url}`);
    if (host.authenticated && !values.register) console.log(`pyblish host: token ${host.token}`);
    await stop.promise;
    return 0;
  } catch (err) {
    if (err instanceof HostError) {
      console.error(`pyblish host: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    stop.dispose();
    await host.uninstall();
  }
}

/** Shows the host in the GUI, waiting (with back-off) while no GUI answers. False when stopped first. */
async function register(host: Host, settings: ShowSettings, stop: Promise<void>): Promise<boolean> {
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  for (let delay = 1000, told = false; !stopped; delay = Math.min(delay * 2, 10_000)) {
    try {
      await host.show(settings);
      return true;
    } catch (err) {
      if (!(err instanceof HostError && err.code === 'GUI_UNREACHABLE')) throw err;
      if (!told) {
        console.error(
          `pyblish host: waiting for a GUI at 127.0.0.1:${host.guiPort}, retrying with back-off (Ctrl+C to stop).\n` +
            `pyblish host: start one with \`npx pyblish-gui\` (or pass --gui-port for another port). Last error: ${err.message}`,
        );
      } else {
        console.error('pyblish host: still waiting for a GUI...');
      }
      told = true;
      await sleep(delay, stop);
    }
  }
  return false;
}

/** The command line's grammar (shared short letters: see the documented-commands test). */
export const options = {
  'plugin-path': { type: 'string', short: 'p', multiple: true },
  demo: { type: 'boolean' },
  port: { type: 'string' },
  register: { type: 'boolean' },
  'gui-port': { type: 'string' },
  title: { type: 'string' },
  farm: { type: 'string' },
  'allow-unauthenticated': { type: 'boolean' },
  'in-thread': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies OptionTable;

function parse(argv: string[]) {
  return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
}
