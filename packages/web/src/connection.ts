// The page's link to the GUI process: server-sent events in, JSON commands out.
// Authentication happened when the page was loaded (`/?token=T` set a cookie); the token is
// removed from the address bar so it does not linger in history or screenshots.
import type { Command, CommandReply, Notice, Patch, TerminalEntry, ViewState } from '@pyblish/gui/view-model';
import type { ViewStore } from './store.js';

export interface Connection {
  send(command: Command): Promise<CommandReply>;
  fetchReport(): Promise<unknown>;
}

export function forgetToken(): void {
  const url = new URL(window.location.href);
  if (!url.searchParams.has('token')) return;
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
}

export function connect(store: ViewStore): Connection {
  let source: EventSource | null = null;

  // The backlog comes in pages (a few MiB each): ask on from the last entry until none is left.
  let backfilling = false;
  const backfill = async (): Promise<void> => {
    if (backfilling) return;
    backfilling = true;
    try {
      for (;;) {
        const after = store.lastTerminalSeq();
        const res = await fetch(`/api/terminal?after=${after}`);
        if (!res.ok) return;
        store.appendTerminal((await res.json()) as TerminalEntry[]);
        if (store.lastTerminalSeq() <= after) return;
      }
    } finally {
      backfilling = false;
    }
  };

  const open = (): void => {
    source?.close();
    const es = new EventSource('/api/events');
    source = es;
    es.onopen = () => store.setConnected(true);
    es.onerror = () => {
      store.setConnected(false);
      // EventSource retries by itself unless the server refused the stream outright.
      if (es.readyState === EventSource.CLOSED) setTimeout(open, 1000);
    };
    es.addEventListener('snapshot', (e) => {
      const state = JSON.parse(e.data) as ViewState;
      store.applySnapshot(state);
      store.setConnected(true);
      if (state.terminalSeq > store.lastTerminalSeq()) void backfill();
    });
    es.addEventListener('patch', (e) => {
      // A gap means we missed an event: a fresh stream starts with a fresh snapshot.
      if (store.applyPatch(JSON.parse(e.data) as Patch) === 'gap') open();
    });
    es.addEventListener('terminal', (e) => {
      const data = JSON.parse(e.data) as TerminalEntry | TerminalEntry[];
      const entries = Array.isArray(data) ? data : [data];
      const first = entries[0];
      if (first && first.seq > store.lastTerminalSeq() + 1) void backfill();
      else store.appendTerminal(entries);
    });
    es.addEventListener('notice', (e) => {
      store.pushNotice(JSON.parse(e.data) as Notice);
    });
  };
  open();

  return {
    async send(command) {
      let reply: CommandReply;
      try {
        const res = await fetch('/api/commands', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(command),
        });
        reply = (await res.json()) as CommandReply;
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
      const res = await fetch('/api/report');
      if (!res.ok) throw new Error(`The GUI process refused the report (HTTP ${res.status}).`);
      return res.json();
    },
  };
}
