// What `pyblish-gui` does with its options (read by main.ts): start the GUI process, replacing
// one that runs when asked, or show a saved report.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GuiMethod, HostError, type PingJSON, provenGuiDiscovery } from '@pyblish/host';
import { ListenError, TransportError, XmlRpcClient } from '@pyblish/xmlrpc';
import type { GuiCommandOptions } from './command-line.js';
import { ReportFileError } from './errors.js';
import { isFarm } from './farm-run.js';
import { startGui } from './gui.js';
import { portIsFree } from './ports.js';
import { openReportViewer } from './viewer.js';

/** Exit status for a bad report file (as for bad usage: the user has something to fix). */
const BAD_INPUT = 2;

function fail(message: string, status = 1): never {
  process.stderr.write(`pyblish-gui: ${message}\n`);
  process.exit(status);
}

function parsePort(value: string | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 65535)
    fail(`${name} must be a port number (${min}..65535), not "${value}"`);
  return n;
}

/** A whole number option (at least `min`), or undefined when not given. */
function whole(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`${name} must be a whole number, ${min} or more, not "${value}"`);
  return n;
}

type Existing =
  | { kind: 'none' }
  | { kind: 'gui'; client: XmlRpcClient; pid: number | null }
  | { kind: 'other' }
  | { kind: 'unproven'; message: string };

/** Who answers at the port: nobody, a Pyblish GUI, something else, or something posing as our GUI. */
async function whoIsAt(port: number): Promise<Existing> {
  if (await portIsFree(port)) return { kind: 'none' };
  let token: string | undefined;
  let pid: number | null = null;
  try {
    // The token goes only to a GUI that proves it wrote the discovery file.
    const found = await provenGuiDiscovery(port, { timeoutMs: 2000 });
    token = found.token;
    pid = found.pid;
  } catch (err) {
    if (err instanceof HostError && err.code === 'GUI_UNAUTHENTICATED')
      return { kind: 'unproven', message: err.message };
    // No usable discovery file: still try, an unauthenticated GUI answers anyway.
  }
  const client = new XmlRpcClient(
    `http://127.0.0.1:${port}`,
    token ? { token, timeout: 2000 } : { timeout: 2000 },
  );
  try {
    // Whatever answers at the port may not be a GUI: check the reply's shape.
    const reply: Partial<PingJSON> | null = await client.call(GuiMethod.ping, []);
    if (reply && typeof reply === 'object' && typeof reply.message === 'string')
      return { kind: 'gui', client, pid };
  } catch (err) {
    // A GUI that wants a token we do not have still is a GUI.
    if (err instanceof TransportError && err.code === 'HTTP_STATUS' && err.status === 401) {
      return { kind: 'gui', client, pid };
    }
  }
  client.close();
  return { kind: 'other' };
}

async function waitUntilFree(port: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await portIsFree(port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function startDemoHost(guiPort: number): ChildProcess {
  // The `pyblish` command of the @pyblish/cli this package depends on, wherever npm put it.
  const cli = fileURLToPath(new URL('bin/pyblish.mjs', import.meta.resolve('@pyblish/cli/package.json')));
  const child = spawn(
    process.execPath,
    [cli, 'host', '--demo', '--register', '--gui-port', String(guiPort)],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  child.on('error', (err) =>
    process.stderr.write(`pyblish-gui: the demo host did not start: ${err.message}\n`),
  );
  return child;
}

/** Host options mean nothing to the viewer: saying so beats ignoring them. */
const HOST_OPTIONS = [
  '--port',
  '--auto-validate',
  '--auto-publish',
  '--report',
  '--allow-unauthenticated',
  '--kill',
  '--demo',
  '--farm',
  '--farm-attempts',
  '--farm-retry-delay',
];

async function viewReport(file: string, webPort: number, openBrowser: boolean): Promise<void> {
  const given = HOST_OPTIONS.filter((name) =>
    process.argv.some((a) => a === name || a.startsWith(`${name}=`)),
  );
  if (given.length > 0) {
    fail(
      `--open-report shows a saved report and talks to no host; drop ${given.join(', ')} (it takes only --web-port and --no-browser).`,
      BAD_INPUT,
    );
  }
  let viewer: Awaited<ReturnType<typeof openReportViewer>>;
  try {
    viewer = await openReportViewer({
      file,
      webPort,
      openBrowser,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (err) {
    if (err instanceof ReportFileError) fail(err.message, BAD_INPUT);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      fail(
        `--web-port ${webPort} is in use by another program; choose another, or leave it out for any free port.`,
      );
    fail((err as Error).message);
  }
  const stop = () => void viewer.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`Pyblish GUI: showing the saved report ${file} (read-only)\n`);
  process.stdout.write(`Window: ${viewer.url}\n`);
}

export async function start(o: GuiCommandOptions): Promise<void> {
  const webPort = parsePort(o['web-port'], 0, '--web-port', 0);
  if (o['open-report'] !== undefined) return viewReport(o['open-report'], webPort, !o['no-browser']);
  const port = parsePort(o.port, 9090, '--port', 1);

  const existing = await whoIsAt(port);
  if (existing.kind === 'gui') {
    if (!o.kill) {
      fail(
        `a Pyblish GUI already runs at 127.0.0.1:${port}${existing.pid ? ` (process ${existing.pid})` : ''}; ` +
          'hosts will use that one. Stop it first with `pyblish-gui --kill`, or choose another port with --port.',
      );
    }
    await existing.client.call(GuiMethod.kill, []).catch(() => undefined);
    existing.client.close();
    if (!(await waitUntilFree(port, 5000)))
      fail(`the GUI at port ${port} did not stop within 5 s; stop its process by hand.`);
    process.stdout.write(`Stopped the Pyblish GUI at port ${port}.\n`);
  } else if (existing.kind === 'unproven') {
    fail(existing.message);
  } else if (existing.kind === 'other') {
    fail(
      `port ${port} is in use by another program (it is not a Pyblish GUI). Free it, or start with --port N ` +
        'and point your hosts at that port.',
    );
  }

  const farm = o.farm ?? process.env.PYBLISH_FARM;
  if (farm !== undefined && !isFarm(farm))
    fail(`--farm must be "local" or redis://[user:password@]HOST:PORT (rediss:// for TLS), not "${farm}"`);
  const attempts = whole(o['farm-attempts'], '--farm-attempts', 1);
  const backoffMs = whole(o['farm-retry-delay'], '--farm-retry-delay', 0);

  let demo: ChildProcess | null = null;
  let gui: Awaited<ReturnType<typeof startGui>>;
  try {
    gui = await startGui({
      port,
      webPort,
      openBrowser: !o['no-browser'],
      autoPublish: o['auto-publish'],
      autoValidate: o['auto-validate'],
      ...(o.report ? { reportFile: o.report } : {}),
      ...(o['allow-unauthenticated'] ? { allowUnauthenticated: true } : {}),
      farm: { ...(farm ? { farm } : {}), open: { attempts, backoffMs } },
      log: (line) => process.stderr.write(`${line}\n`),
      onExit: (code) => {
        demo?.kill();
        process.exit(code);
      },
    });
  } catch (err) {
    if (err instanceof ListenError && err.code === 'EADDRINUSE') {
      fail(`port ${err.port} was taken while starting; another program uses it. Free it or choose --port N.`);
    }
    fail((err as Error).message);
  }
  const stop = () => {
    demo?.kill();
    void gui.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`Pyblish GUI: hosts find it at 127.0.0.1:${gui.port}\n`);
  process.stdout.write(`Window: ${gui.url}\n`);
  if (o.demo) demo = startDemoHost(gui.port);
}
