// startGui: the whole GUI process in one call (used by `pyblish-gui`, the tests and the web
// front end's end-to-end tests). It wires the 9090 server, the host registry, the controller,
// the report and the web server together, and takes them down in the right order.

import { createRequire } from 'node:module';
import {
  generateToken,
  removeGuiDiscovery,
  runtimeDir,
  UNAUTHENTICATED_WARNING,
  unauthenticatedFromEnv,
  writeGuiDiscovery,
} from '@pyblish/host';
import type { XmlRpcServer } from '@pyblish/xmlrpc';
import { Controller } from './controller.js';
import type { FarmRunOptions } from './farm-run.js';
import { startGuiServer } from './gui-server.js';
import { DEFAULT_LIVENESS, HostRegistry, type LivenessOptions } from './host-registry.js';
import { PortAllocator } from './ports.js';
import { writeReportFile } from './session-report.js';
import type { Report, ViewState } from './view-model.js';
import { ViewStateStore } from './view-state.js';
import { startWebServer, type WebServer } from './web-server.js';
import { WindowLauncher } from './window-launcher.js';

/** This package's version (the packages share one; see CHANGELOG.md), from src/ or dist/ alike. */
export const VERSION: string = createRequire(import.meta.url)('../package.json').version;

export interface GuiOptions {
  /** Where hosts find the GUI (default 9090; 0 picks a free port, for tests). */
  port?: number;
  /** The page's port (default 0: any free port). */
  webPort?: number;
  /** The secret hosts present, in the discovery file (default: a fresh random one). */
  token?: string;
  /** The secret the page presents (default: a fresh random one, never the hosts' token). */
  windowSecret?: string;
  /** Accept hosts that send no token (Python hosts); default from PYBLISH_ALLOW_UNAUTHENTICATED. */
  allowUnauthenticated?: boolean;
  /** Validate / publish right after every reset that `show` triggers, for every host. */
  autoValidate?: boolean;
  autoPublish?: boolean;
  /** Write each run's report (JSON) here, atomically. */
  reportFile?: string;
  /** Open a window when a host shows (default false; the CLI turns it on). */
  openBrowser?: boolean;
  /** The built front end (default: dist/web of this package). */
  distDir?: string;
  /** Liveness timing; tests shorten it. */
  liveness?: Partial<LivenessOptions>;
  /** Long-poll wait for hosts with pyblish.poll (ms, default 1000). */
  pollWaitMs?: number;
  /** How long our hosts' pyblish.begin may wait for a quick pair (ms, default 250; 0: begin, then poll). */
  beginWaitMs?: number;
  /** Drive hosts as pyblish-qml did: plain process, the context after every pair (benchmarks compare). */
  naive?: boolean;
  /** Drive our hosts pair by pair too, though they can run a whole phase themselves (comparisons). */
  pairByPair?: boolean;
  /** Patch coalescing delay (ms, default 20). */
  flushMs?: number;
  /** Terminal entries kept (default 20,000); older ones are dropped, and the page is told how many. */
  terminalLimit?: number;
  /** Pair results of earlier runs kept in the report since the last reset (default 100,000). */
  reportResultLimit?: number;
  /** How long a run may take to end after Stop before the GUI gives its host up (ms, default 5000). */
  stopGraceMs?: number;
  /** Publish on farm: the GUI's farm (`farm.farm`, 'local' or redis://...) and how farms are opened. */
  farm?: FarmRunOptions;
  /** Environment for the runtime directory (PYBLISH_RUNTIME_DIR...). */
  env?: NodeJS.ProcessEnv;
  /** Lines for the console (default: none). */
  log?: (line: string) => void;
  /** Called once the GUI has shut down after quit (0) or kill (1) from a host. */
  onExit?: (code: number) => void;
}

export interface Gui {
  port: number;
  webPort: number;
  /** The page's address, with the window's secret in its fragment. */
  url: string;
  /** What hosts present (the discovery file's token). */
  token: string;
  /** What the page presents; it opens the page and nothing else. */
  windowSecret: string;
  controller: Controller;
  store: ViewStateStore;
  /** The current state (pending changes included). */
  snapshot(): ViewState;
  report(): Report;
  /** Resolves when the state satisfies `predicate` (checked at every phase change). */
  waitFor(predicate: (state: ViewState) => boolean, timeoutMs?: number): Promise<ViewState>;
  /** Ends any run (its report is written), stops serving, removes the discovery file. */
  close(): Promise<void>;
}

const errorText = (err: unknown): string => (err instanceof Error ? (err.stack ?? err.message) : String(err));

export async function startGui(options: GuiOptions = {}): Promise<Gui> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const token = options.token ?? generateToken();
  const windowSecret = options.windowSecret ?? generateToken();
  const allowUnauthenticated = options.allowUnauthenticated ?? unauthenticatedFromEnv(env);
  const liveness: LivenessOptions = {
    ...DEFAULT_LIVENESS,
    ...options.liveness,
    timeouts: { ...DEFAULT_LIVENESS.timeouts, ...options.liveness?.timeouts },
  };
  const store = new ViewStateStore(options.flushMs ?? 20, options.terminalLimit, (err) =>
    log(`dropped a listener of the window's state that failed: ${errorText(err)}`),
  );
  let controller: Controller | null = null;
  const registry = new HostRegistry(liveness, {
    changed: () => controller?.hostsChanged(),
    lost: (entry) => controller?.hostLost(entry),
    told: (level, text) => {
      log(text);
      if (level === 'warning') store.notify({ level, text });
    },
  });
  controller = new Controller({
    store,
    registry,
    autoPublish: options.autoPublish ?? false,
    autoValidate: options.autoValidate ?? false,
    pollWaitMs: options.pollWaitMs ?? 1000,
    ...(options.beginWaitMs !== undefined ? { beginWaitMs: options.beginWaitMs } : {}),
    naive: options.naive ?? false,
    pairByPair: options.pairByPair ?? false,
    ...(options.reportResultLimit !== undefined ? { reportResultLimit: options.reportResultLimit } : {}),
    ...(options.stopGraceMs !== undefined ? { stopGraceMs: options.stopGraceMs } : {}),
    ...(options.farm ? { farm: options.farm } : {}),
    log,
    onRunEnd: (report) => {
      if (options.reportFile) writeReportFile(options.reportFile, report);
    },
  });
  const ctrl = controller;
  const ports = new PortAllocator(() => registry.ports());

  let launcher: WindowLauncher | null = null;
  let web: WebServer | null = null;
  let rpc: XmlRpcServer | null = null;
  let discoveryPort: number | null = null;
  let closing: Promise<void> | null = null;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      await ctrl.shutdown({ code: 'GUI_CLOSED', message: 'The GUI was closed during the run.' });
      registry.close();
      store.close();
      await Promise.all([rpc?.close(), web?.close()]);
      if (discoveryPort !== null) removeGuiDiscovery(discoveryPort, { env });
      launcher?.close();
    })();
    return closing;
  };

  // The reply to quit/kill goes out first; then everything closes.
  const exit = (code: number) => {
    setTimeout(() => void close().then(() => options.onExit?.(code)), 50);
  };

  try {
    web = await startWebServer({
      port: options.webPort ?? 0,
      secret: windowSecret,
      store,
      onClients: (count) => {
        if (count > 0) launcher?.pageConnected();
      },
      command: (c) => ctrl.command(c),
      report: () => ctrl.currentReport,
      onError: (err) =>
        log(`web request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
      ...(options.distDir ? { distDir: options.distDir } : {}),
    });
    const webServer = web;
    const windows = new WindowLauncher({ url: webServer.url, dir: runtimeDir(env), env, log });
    launcher = windows;
    rpc = await startGuiServer({
      port: options.port ?? 9090,
      token,
      allowUnauthenticated,
      log,
      onError: (err, method) =>
        log(`${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
      handlers: {
        show: (port, settings, authenticated) => {
          const entry = registry.show(port, settings, authenticated);
          log(`Host at port ${port} asked to be shown`);
          ctrl.show(entry);
          if (options.openBrowser && webServer.clients() === 0 && !windows.running) {
            windows.open({ size: store.state.window.size, position: store.state.window.position });
          }
        },
        hide: () => ctrl.hide(),
        quit: () => exit(0),
        kill: () => exit(1),
        heartbeat: (port, authenticated) => registry.heartbeat(port, authenticated),
        register: (port, settings, authenticated) => registry.register(port, settings, authenticated),
        findAvailablePort: async (start) => {
          const port = await ports.next(start);
          if (port !== null) log(`Distributing new port ${port}`);
          return port;
        },
      },
    });
    if (allowUnauthenticated) log(UNAUTHENTICATED_WARNING);
    writeGuiDiscovery(rpc.port, token, { version: VERSION, env });
    discoveryPort = rpc.port;
  } catch (err) {
    await close();
    throw err;
  }

  const rpcPort = rpc.port;
  const webServer = web;
  return {
    port: rpcPort,
    webPort: webServer.port,
    url: webServer.url,
    token,
    windowSecret,
    controller: ctrl,
    store,
    snapshot: () => store.snapshot(),
    report: () => ctrl.currentReport,
    waitFor: async (predicate, timeoutMs) => {
      await ctrl.waitFor(() => predicate(store.view() as ViewState), timeoutMs);
      return store.snapshot();
    },
    close,
  };
}
