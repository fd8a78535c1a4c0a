// The page's link to the GUI process: server-sent events in, JSON commands out, every request
// signed with the window's secret as `Authorization: Bearer`. The secret comes in the address's
// fragment (which is sent to no server); the page keeps it for this tab (sessionStorage, so a
// reload still works) and drops it from the address bar, so it does not linger in history or
// screenshots. There is no cookie: cookies ignore ports, so every local server this browser
// visits would be sent it. EventSource cannot send headers, so the event stream is read from a
// fetch (sse.ts). A refused secret is said plainly; reconnecting would not help.
import type { Command, CommandReply, Notice, Patch, TerminalEntry, ViewState } from '@pyblish/gui/view-model';
import { sseParser } from './sse.js';
import type { ViewStore } from './store.js';

export interface Connection {
  send(command: Command): Promise<CommandReply>;
  fetchReport(): Promise<unknown>;
}

const KEPT = 'pyblish-window-secret';

/** The window's secret: from the address (then removed from it), else from this tab's storage. */
export function takeSecret(): string | null {
  const url = new URL(window.location.href);
  const fragment = new URLSearchParams(url.hash.slice(1));
  const given = fragment.get('secret');
  if (given === null) {
    try {
      return sessionStorage.getItem(KEPT);
    } catch {
      return null;
    }
  }
  fragment.delete('secret');
  const rest = fragment.toString();
  window.history.replaceState(null, '', url.pathname + url.search + (rest ? `#${rest}` : ''));
  try {
    sessionStorage.setItem(KEPT, given);
  } catch {
    // Storage is off: the secret lives in memory, and a reload asks for the printed address again.
  }
  return given;
}

const NOT_AUTHORISED: CommandReply = {
  ok: false,
  error: {
    code: 'NOT_AUTHORISED',
    message: 'The GUI process does not accept this page. Open the address pyblish-gui printed.',
  },
};

export function connect(store: ViewStore, secret: string | null): Connection {
  const headers = (extra: Record<string, string> = {}): Record<string, string> =>
    secret === null ? extra : { ...extra, authorization: `Bearer ${secret}` };
  /** True (and the page says so) when the process refused the secret. */
  const refused = (res: Response): boolean => {
    if (res.status !== 401) return false;
    store.setUnauthorised();
    return true;
  };
  let stream: AbortController | null = null;
  let retryMs = 1000;

  // The backlog comes in pages (a few MiB each): ask on from the last entry until none is left.
  let backfilling = false;
  const backfill = async (): Promise<void> => {
    if (backfilling) return;
    backfilling = true;
    try {
      for (;;) {
        const after = store.lastTerminalSeq();
        const res = await fetch(`/api/terminal?after=${after}`, { headers: headers() });
        if (refused(res) || !res.ok) return;
        store.appendTerminal((await res.json()) as TerminalEntry[]);
        if (store.lastTerminalSeq() <= after) return;
      }
    } finally {
      backfilling = false;
    }
  };

  const dispatch = (type: string, data: string): void => {
    switch (type) {
      case 'snapshot': {
        const state = JSON.parse(data) as ViewState;
        store.applySnapshot(state);
        store.setConnected(true);
        if (state.terminalSeq > store.lastTerminalSeq()) void backfill();
        return;
      }
      case 'patch':
        // A gap means we missed an event: a fresh stream starts with a fresh snapshot.
        if (store.applyPatch(JSON.parse(data) as Patch) === 'gap') open();
        return;
      case 'terminal': {
        const parsed = JSON.parse(data) as TerminalEntry | TerminalEntry[];
        const entries = Array.isArray(parsed) ? parsed : [parsed];
        const first = entries[0];
        if (first && first.seq > store.lastTerminalSeq() + 1) void backfill();
        else store.appendTerminal(entries);
        return;
      }
      case 'notice':
        store.pushNotice(JSON.parse(data) as Notice);
        return;
    }
  };

  /** Reads one event stream until it ends; resolves to whether to connect again. */
  const read = async (controller: AbortController): Promise<boolean> => {
    let res: Response;
    try {
      res = await fetch('/api/events', { headers: headers(), signal: controller.signal, cache: 'no-store' });
    } catch {
      return !controller.signal.aborted;
    }
    if (refused(res)) return false;
    if (!res.ok || !res.body) return true;
    store.setConnected(true);
    const parser = sseParser({
      // Events still buffered from a stream that was replaced are not this page's state any more.
      event: (type, data) => {
        if (!controller.signal.aborted) dispatch(type, data);
      },
      retry: (ms) => {
        retryMs = ms;
      },
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || controller.signal.aborted) break;
        parser.push(value);
      }
    } catch {
      // Cut off or aborted: decided below.
    }
    return !controller.signal.aborted;
  };

  function open(): void {
    stream?.abort();
    const controller = new AbortController();
    stream = controller;
    void read(controller).then((again) => {
      if (stream !== controller || !again) return;
      store.setConnected(false);
      setTimeout(() => {
        if (stream === controller) open();
      }, retryMs);
    });
  }
  open();

  return {
    async send(command) {
      let reply: CommandReply;
      try {
        const res = await fetch('/api/commands', {
          method: 'POST',
          headers: headers({ 'content-type': 'application/json' }),
          body: JSON.stringify(command),
        });
        reply = refused(res) ? NOT_AUTHORISED : ((await res.json()) as CommandReply);
      } catch (err) {
        reply = {
          ok: false,
          error: {
            code: 'UNREACHABLE',
            message: `The GUI process did not answer (${String(err)}). Is it still running?`,
          },
        };
      }
      if (!reply.ok) store.pushNotice({ level: 'error', text: reply.error.message });
      return reply;
    },
    async fetchReport() {
      const res = await fetch('/api/report', { headers: headers() });
      refused(res);
      if (!res.ok) throw new Error(`The GUI process refused the report (HTTP ${res.status}).`);
      return res.json();
    },
  };
}
