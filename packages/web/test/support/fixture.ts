// A stand-in for the GUI process's web server, for the benchmark and for checks of the page
// alone: it serves the built bundle and a scripted state over the same endpoints
// (view-model.ts). The end-to-end tests use the real GUI process instead.
import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type {
  Command,
  CommandReply,
  InstanceRow,
  Patch,
  PluginRow,
  TerminalEntry,
  ViewState,
} from '@pyblish/gui/view-model';
import { DEFAULT_DIST } from '../../../gui/src/web-server.js';

/** The built page, where @pyblish/gui serves it from. */
export const DIST = normalize(DEFAULT_DIST);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface Fixture {
  url: string;
  state: ViewState;
  commands: Command[];
  /** What POST /api/commands answers (default: accepted). */
  reply: CommandReply;
  /** Applies a patch to the fixture's state and sends it to every page (unless `send` is false). */
  patch(patch: Omit<Patch, 'version'>, options?: { send?: boolean }): void;
  terminal(entries: Array<DistributiveOmit<TerminalEntry, 'seq'>>, options?: { send?: boolean }): void;
  /** Ends every event stream, as a restarting or overloaded server would. */
  drop(): void;
  close(): Promise<void>;
}

export async function startFixture(
  state: ViewState,
  extraPages: Record<string, string> = {},
): Promise<Fixture> {
  const streams = new Set<ServerResponse>();
  const entries: TerminalEntry[] = [];
  const commands: Command[] = [];
  const send = (event: string, data: unknown) => {
    for (const res of streams) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      // Reconnect quickly after drop().
      res.write('retry: 100\n\n');
      res.write(`event: snapshot\ndata: ${JSON.stringify(state)}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (url.pathname === '/api/terminal') {
      const after = Number(url.searchParams.get('after') ?? 0);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(entries.filter((e) => e.seq > after)));
      return;
    }
    if (url.pathname === '/api/commands' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      commands.push(JSON.parse(body) as Command);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(fixture.reply));
      return;
    }
    const page = extraPages[url.pathname];
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
      return;
    }
    const file = normalize(join(DIST, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!file.startsWith(DIST)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fixture: Fixture = {
    url: `http://127.0.0.1:${port}/`,
    state,
    commands,
    reply: { ok: true },
    patch(p, options) {
      state.version++;
      const full: Patch = { ...p, version: state.version };
      for (const change of p.instances ?? []) {
        const row = state.instances.find((r) => r.id === change.id);
        if (row) Object.assign(row, change);
      }
      for (const change of p.plugins ?? []) {
        const row = state.plugins.find((r) => r.id === change.id);
        if (row) Object.assign(row, change);
      }
      Object.assign(state, p.state);
      if (options?.send !== false) send('patch', full);
    },
    terminal(newEntries, options) {
      const numbered = newEntries.map((e, i) => ({ ...e, seq: entries.length + i + 1 }) as TerminalEntry);
      for (const e of numbered) entries.push(e);
      state.terminalSeq = entries.length;
      if (options?.send !== false) send('terminal', numbered);
    },
    drop() {
      for (const res of streams) res.end();
      streams.clear();
    },
    async close() {
      for (const res of streams) res.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fixture;
}

const base = {
  toggled: true,
  optional: true,
  status: 'idle',
  processed: false,
  hasError: false,
  hasWarning: false,
  succeeded: false,
  duration: 0,
  passed: 0,
  failed: 0,
} as const;

export function instanceRow(
  id: string,
  label: string,
  family: string,
  extra: Partial<InstanceRow> = {},
): InstanceRow {
  return {
    ...base,
    kind: 'instance',
    id,
    name: label,
    label,
    isContext: false,
    family,
    families: [family],
    category: family,
    comment: '',
    data: { family },
    ...extra,
  };
}

export function pluginRow(
  id: string,
  label: string,
  order: number,
  extra: Partial<PluginRow> = {},
): PluginRow {
  const verbs = ['Collect', 'Validate', 'Extract', 'Integrate'] as const;
  const types = ['Collector', 'Validator', 'Extractor', 'Integrator'] as const;
  const i = Math.min(3, Math.max(0, Math.floor(order + 0.5)));
  return {
    ...base,
    kind: 'plugin',
    id,
    name: label.replace(/\s/g, ''),
    label,
    optional: false,
    order,
    type: types[i]!,
    verb: verbs[i]!,
    doc: null,
    module: 'fixture',
    path: '/fixture/plugins.ts',
    families: ['*'],
    hasRepair: false,
    contextEnabled: false,
    instanceEnabled: true,
    compatibleCount: 0,
    hasCompatible: true,
    actions: [],
    actionState: 'none',
    ...extra,
  };
}

/** A ready state with `count` instances over a few families and `plugins` plug-ins. */
export function largeState(count: number, plugins: number): ViewState {
  const families = ['model', 'rig', 'look', 'camera', 'animation'];
  const instances: InstanceRow[] = [
    instanceRow('ctx', 'Context', '', {
      isContext: true,
      optional: false,
      family: null,
      families: [],
      category: '',
    }),
  ];
  for (let i = 0; i < count; i++) {
    const family = families[i % families.length]!;
    instances.push(instanceRow(`i${i}`, `${family}_asset_${String(i).padStart(5, '0')}`, family));
  }
  const ids = instances.map((r) => r.id);
  const pluginRows: PluginRow[] = [];
  for (let i = 0; i < plugins; i++) {
    const order = Math.floor((i * 4) / plugins);
    pluginRows.push(pluginRow(`p${i}`, `Plug-in ${i + 1}`, order, { compatibleCount: ids.length }));
  }
  return {
    version: 1,
    phase: 'ready',
    message: 'Ready',
    fault: null,
    hosts: [
      {
        key: '9001',
        port: 9001,
        pid: 1,
        label: 'Bench host',
        named: true,
        status: 'alive',
        silentFor: 0,
        busyFor: 0,
        current: true,
        authenticated: true,
      },
    ],
    window: {
      title: 'Pyblish',
      contextLabel: 'Bench',
      size: [900, 700],
      position: [0, 0],
      hiddenSections: [],
    },
    instances,
    plugins: pluginRows,
    progress: { done: 0, planned: 0, currentPlugin: null, currentInstance: null },
    comment: '',
    changedToggles: 0,
    delivery: null,
    capabilities: [],
    terminalSeq: 0,
    runStartSeq: 0,
    terminalDropped: 0,
    visible: true,
  };
}
