// The signals the GUI emits to its hosts (instanceToggled, commented, reset, published...):
// delivered one request at a time in the order they were made, each to the host it was made for
// (a comment typed for one host never reaches another), a comment only once typing settles.
// A run starts once every earlier message was delivered.
// Toggles are the bulk of it (a section of 10,000 instances is 10,000 toggles):
// - a toggle not yet delivered is taken back when the artist toggles the row back, so toggling a
//   section back cancels what has not gone yet;
// - hosts with our pyblish.emitBatch get consecutive messages in one request;
// - hosts without it (Python hosts: one emit per toggle is their protocol) get one request each,
//   and the wait is told as progress (sent of total) while it lasts.
import type { XmlRpcValue } from '@pyblish/xmlrpc';
import type { HostClient } from './host-client.js';

/** A host messages go to. */
export interface MessageHost {
  client: Pick<HostClient, 'emit' | 'emitBatch'>;
  /** What it lists in system.listMethods (pyblish.emitBatch). */
  methods: ReadonlySet<string>;
}

/** Messages being delivered: how many went, of how many (since the queue was last empty). */
export interface Delivery {
  sent: number;
  total: number;
}

export interface HostMessagesOptions {
  /** The host messages go to (the shown one), asked when a message is made. */
  host(): MessageHost | null;
  /** A host that refused a message: the user is told, later messages still go. */
  onRefused(signal: string, err: unknown): void;
  /** Told while a long delivery lasts (at least `progressFrom` messages), and null once done. */
  onProgress?(delivery: Delivery | null): void;
  /** How long typing must pause before a comment is sent (default 100 ms). */
  settleMs?: number;
}

/** Messages in one pyblish.emitBatch request at most. */
const BATCH = 10_000;
/** Deliveries this long are told as progress. */
const PROGRESS_FROM = 10;

interface Message {
  host: MessageHost;
  signal: string;
  kwargs: Record<string, XmlRpcValue>;
  /** A toggle's row (kind and id): the one it is taken back by. */
  toggle?: string;
  cancelled?: boolean;
}

export class HostMessages {
  /** Made and not yet taken for delivery from `head` on, in order (cancelled ones are skipped). */
  private queue: Message[] = [];
  private head = 0;
  /** Toggles in the queue, by row. */
  private readonly toggles = new Map<string, Message>();
  private readonly settling = new Map<string, { timer: NodeJS.Timeout; send(): void }>();
  private delivering: Promise<void> | null = null;
  private sent = 0;
  private total = 0;

  constructor(private readonly options: HostMessagesOptions) {}

  send(signal: string, kwargs: Record<string, XmlRpcValue>): void {
    const host = this.options.host();
    if (host) this.enqueue({ host, signal, kwargs });
  }

  /**
   * The artist toggled a row: the host is told, unless a toggle of that row is still waiting
   * (toggling it back takes both back).
   */
  toggle(kind: 'instance' | 'plugin', id: string, value: boolean): void {
    const host = this.options.host();
    if (!host) return;
    const key = `${kind}:${id}`;
    const waiting = this.toggles.get(key);
    if (waiting && waiting.host === host && waiting.kwargs.new_value !== value) {
      waiting.cancelled = true;
      this.toggles.delete(key);
      this.total--;
      this.report();
      return;
    }
    const signal = kind === 'instance' ? 'instanceToggled' : 'pluginToggled';
    const message: Message = {
      host,
      signal,
      kwargs: { [kind]: id, new_value: value, old_value: !value },
      toggle: key,
    };
    this.toggles.set(key, message);
    this.enqueue(message);
  }

  /** Sends once no newer message with the same key came for a moment (one change per keystroke). */
  sendSettled(key: string, signal: string, kwargs: Record<string, XmlRpcValue>): void {
    // The host is the one shown now: typing for one host must not reach the next one shown.
    const host = this.options.host();
    if (!host) return;
    clearTimeout(this.settling.get(key)?.timer);
    const send = () => {
      this.settling.delete(key);
      this.enqueue({ host, signal, kwargs });
    };
    this.settling.set(key, { timer: setTimeout(send, this.options.settleMs ?? 100), send });
  }

  /** Settles when every message made so far (settling comments too) was delivered or refused. */
  async delivered(): Promise<void> {
    for (const { timer, send } of [...this.settling.values()]) {
      clearTimeout(timer);
      send();
    }
    while (this.delivering) await this.delivering;
  }

  private enqueue(message: Message): void {
    this.queue.push(message);
    this.total++;
    this.report();
    this.delivering ??= this.deliver().finally(() => {
      this.delivering = null;
    });
  }

  private async deliver(): Promise<void> {
    // After the command that made this message: a whole section's toggles are made in one go.
    await Promise.resolve();
    for (let batch = this.nextBatch(); batch.length > 0; batch = this.nextBatch()) {
      const { host } = batch[0]!;
      try {
        if (batch.length > 1)
          await host.client.emitBatch(batch.map(({ signal, kwargs }) => ({ signal, kwargs })));
        else await host.client.emit(batch[0]!.signal, batch[0]!.kwargs);
      } catch (err) {
        this.options.onRefused(batch.length > 1 ? `${batch.length} signals` : batch[0]!.signal, err);
      }
      this.sent += batch.length;
      this.report();
    }
    this.sent = 0;
    this.total = 0;
    this.report();
  }

  /** The next request's messages: one, or as many for the same host as pyblish.emitBatch takes. */
  private nextBatch(): Message[] {
    while (this.queue[this.head]?.cancelled) this.head++;
    const first = this.queue[this.head];
    const limit = first?.host.methods.has('pyblish.emitBatch') ? BATCH : 1;
    const batch: Message[] = [];
    while (first && batch.length < limit && this.head < this.queue.length) {
      const m = this.queue[this.head]!;
      if (!m.cancelled && m.host !== first.host) break;
      this.head++;
      if (m.cancelled) continue;
      batch.push(m);
      if (m.toggle && this.toggles.get(m.toggle) === m) this.toggles.delete(m.toggle);
    }
    // Delivered messages leave the array now and then, not one at a time (10,000 shifts are slow).
    if (this.head === this.queue.length || this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private report(): void {
    const waiting = this.total - this.sent;
    this.options.onProgress?.(
      waiting > 0 && this.total >= PROGRESS_FROM ? { sent: this.sent, total: this.total } : null,
    );
  }
}
