// Pieces of the cases about what hosts send back: a hostile Python host (tests/security/python/
// hostile_host.py), the GUI as a process of its own, and the page's event stream read as a
// window reads it.

import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Gui } from '@pyblish/gui';
import type { Patch, ViewState } from '@pyblish/gui/view-model';
import { type HostProcess, watch } from '../../packages/gui/test/helpers.js';
import { type HttpReply, http, cleanup as systemCleanup, tempDir } from './system.js';

const HOSTILE = fileURLToPath(new URL('../security/python/hostile_host.py', import.meta.url));
const GUI_PROCESS = fileURLToPath(new URL('../security/fixtures/gui/gui-process.ts', import.meta.url));

const cleanups: Array<() => Promise<void> | void> = [];

/** Ends what these helpers started, then what system.ts started. */
export async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()?.();
  await systemCleanup();
}

export type HostileMode = 'i8' | 'values' | 'huge' | 'hang' | 'big';

/** The hostile Python host, registered with (and shown in) the GUI at `gui`. */
export async function hostileHost(
  gui: { port: number; token: string },
  mode: HostileMode,
  extra: string[] = [],
): Promise<HostProcess> {
  const proc = spawn(
    'python3',
    [HOSTILE, '--gui-port', String(gui.port), `--gui-token=${gui.token}`, '--mode', mode, ...extra],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const watched = watch(proc, 30_000);
  cleanups.push(() => watched.kill());
  const ready = await watched.line(/^HOST READY \d+/);
  return {
    port: Number(ready.split(' ').pop()),
    proc,
    output: watched.output,
    line: watched.line,
    send: (text) => proc.stdin?.write(`${text}\n`),
    kill: watched.kill,
  };
}

export interface GuiProcess {
  port: number;
  webPort: number;
  /** The GUI's token, for XML-RPC calls to it. */
  token: string;
  /** The window's secret, for the page's server. */
  windowSecret: string;
  proc: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** The GUI in a process of its own (tests/security/fixtures/gui/gui-process.ts). */
export async function guiProcess(): Promise<GuiProcess> {
  const runtime = tempDir('pyblish-security-run-');
  const proc = spawn(process.execPath, [GUI_PROCESS], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYBLISH_RUNTIME_DIR: runtime },
  });
  const watched = watch(proc, 30_000);
  cleanups.push(() => watched.kill());
  const first = await watched.line(/^\{"port"/);
  const { port, webPort, token, windowSecret } = JSON.parse(first) as Pick<
    GuiProcess,
    'port' | 'webPort' | 'token' | 'windowSecret'
  >;
  return { port, webPort, token, windowSecret, proc, output: watched.output, exited: watched.exited };
}

export interface ServerEvent {
  event: string;
  data: string;
}

export interface EventStream {
  events: ServerEvent[];
  /** The state as the page would hold it: the snapshot with every patch applied since. */
  state(): ViewState | null;
  /** Resolves when `predicate` holds for the state; rejects when the stream ends first or in time. */
  waitFor(predicate: (s: ViewState) => boolean, timeoutMs?: number): Promise<ViewState>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

function applyPatch(state: ViewState, patch: Patch): void {
  if (patch.state) Object.assign(state, patch.state);
  const apply = <R extends { id: string }>(
    rows: R[],
    order: string[] | undefined,
    added: R[] | undefined,
    changes: Array<Partial<R> & { id: string }> | undefined,
  ): R[] => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const a of added ?? []) byId.set(a.id, a);
    for (const c of changes ?? []) {
      const row = byId.get(c.id);
      if (row) Object.assign(row, c);
    }
    return order ? order.map((id) => byId.get(id) as R) : rows;
  };
  state.instances = apply(state.instances, patch.instanceOrder, patch.addedInstances, patch.instances);
  state.plugins = apply(state.plugins, patch.pluginOrder, patch.addedPlugins, patch.plugins);
  state.version = patch.version;
}

/** GET /api/events as a window opens it, with the window's secret as a header. */
export function eventStream(webPort: number, windowSecret: string): EventStream {
  const events: ServerEvent[] = [];
  let state: ViewState | null = null;
  const waiters = new Set<() => void>();
  let ended = false;
  let endStream!: () => void;
  const endedPromise = new Promise<void>((resolve) => {
    endStream = () => {
      ended = true;
      resolve();
      for (const w of [...waiters]) w();
    };
  });
  const req = request(
    {
      host: '127.0.0.1',
      port: webPort,
      path: '/api/events',
      headers: { Host: `127.0.0.1:${webPort}`, Authorization: `Bearer ${windowSecret}` },
    },
    (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        // Look for the end of an event only where the new text starts (an event may be megabytes long).
        const from = Math.max(0, buffer.length - 1);
        buffer += chunk;
        for (let cut = buffer.indexOf('\n\n', from); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === undefined || data === undefined) continue;
          events.push({ event, data });
          if (event === 'snapshot') state = JSON.parse(data) as ViewState;
          else if (event === 'patch' && state) applyPatch(state, JSON.parse(data) as Patch);
        }
        for (const w of [...waiters]) w();
      });
      res.on('close', endStream);
    },
  );
  req.on('error', endStream);
  req.end();
  cleanups.push(() => void req.destroy());
  return {
    events,
    state: () => state,
    waitFor: (predicate, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (state && predicate(state)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(state);
          } else if (ended) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`the event stream ended; last phase ${state?.phase ?? 'none'}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`not reached within ${timeoutMs} ms; last phase ${state?.phase ?? 'none'}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    ended: endedPromise,
    close: () => req.destroy(),
  };
}

/** Waits until the shown host is ready, validates, and resolves with the state once it finished. */
export async function validated(gui: Gui, timeoutMs = 60_000): Promise<ViewState> {
  await gui.waitFor((s) => s.phase === 'ready', timeoutMs);
  const reply = await gui.controller.command({ type: 'validate' });
  if (!reply.ok) throw new Error(`validate was refused: ${reply.error.message}`);
  return gui.waitFor((s) => s.phase === 'finished', timeoutMs);
}

/** GET `path` from the page's server with the window's secret, as the page does. */
export function webGet(gui: { webPort: number; windowSecret: string }, path: string): Promise<HttpReply> {
  return http(gui.webPort, {
    method: 'GET',
    path,
    headers: { Host: `127.0.0.1:${gui.webPort}`, Authorization: `Bearer ${gui.windowSecret}` },
  });
}
