// `pyblish-gui --open-report FILE`: the web front end showing a saved report, read-only. Only
// the page's server runs: no 9090 server, no discovery file, no host is contacted.

import { generateToken, runtimeDir } from '@pyblish/host';
import { reportView } from './saved-report-view.js';
import { readReportFile } from './session-report-reader.js';
import type { CommandReply, Report, ViewState } from './view-model.js';
import { ViewStateStore } from './view-state.js';
import { startWebServer } from './web-server.js';
import { WindowLauncher } from './window-launcher.js';

export interface ReportViewerOptions {
  /** The report to show (JSON: a pyblish-report of formatVersion 1, or `pyblish publish --json`'s). */
  file: string;
  /** The page's port (default 0: any free port). */
  webPort?: number;
  /** The secret the page presents (default: a fresh random one). */
  windowSecret?: string;
  /** Open a window at once (default false; the CLI turns it on unless --no-browser). */
  openBrowser?: boolean;
  /** The built front end (default: dist/web of this package). */
  distDir?: string;
  /** Terminal entries kept (default 20,000); a bigger report shows its newest entries. */
  terminalLimit?: number;
  /** Environment for the window's profile directory (PYBLISH_RUNTIME_DIR...). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface ReportViewer {
  webPort: number;
  /** The page's address, with the window's secret in its fragment. */
  url: string;
  windowSecret: string;
  report: Report;
  store: ViewStateStore;
  snapshot(): ViewState;
  close(): Promise<void>;
}

const READ_ONLY: CommandReply = {
  ok: false,
  error: {
    code: 'READ_ONLY',
    message:
      'This is a saved report: nothing here can be run or changed. Start pyblish-gui without --open-report to publish.',
  },
};

/** Reads the report (a ReportFileError when it cannot be shown), then serves the page. */
export async function openReportViewer(options: ReportViewerOptions): Promise<ReportViewer> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const read = readReportFile(options.file);
  const { report } = read;
  const view = reportView(read, options.file);
  const store = new ViewStateStore(20, options.terminalLimit);
  store.setInstances(view.instances);
  store.setPlugins(view.plugins);
  store.appendTerminal(view.terminal);
  store.setState(view.state);
  store.flush();

  const windowSecret = options.windowSecret ?? generateToken();
  let launcher: WindowLauncher | null = null;
  const web = await startWebServer({
    port: options.webPort ?? 0,
    secret: windowSecret,
    store,
    onClients: (count) => {
      if (count > 0) launcher?.pageConnected();
    },
    command: async () => READ_ONLY,
    report: () => structuredClone(report),
    onError: (err) =>
      log(`web request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    ...(options.distDir ? { distDir: options.distDir } : {}),
  });
  launcher = new WindowLauncher({ url: web.url, dir: runtimeDir(env), env, log });
  if (options.openBrowser) launcher.open({ size: store.state.window.size });
  let closing: Promise<void> | null = null;
  return {
    webPort: web.port,
    url: web.url,
    windowSecret,
    report,
    store,
    snapshot: () => store.snapshot(),
    close: () => {
      closing ??= (async () => {
        store.close();
        await web.close();
        launcher?.close();
      })();
      return closing;
    },
  };
}
