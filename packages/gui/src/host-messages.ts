// The signals the GUI emits to its host (instanceToggled, commented, reset, published...):
// delivered one at a time in the order they were made, a comment only once typing settles.
// A run starts once every earlier message was delivered.
import type { XmlRpcValue } from '@pyblish/xmlrpc';
import type { HostClient } from './host-client.js';

export interface HostMessagesOptions {
  /** The host messages go to (the shown one), asked when a message is sent. */
  host(): { client: Pick<HostClient, 'emit'> } | null;
  /** A host that refused a message: the user is told, later messages still go. */
  onRefused(signal: string, err: unknown): void;
  /** How long typing must pause before a comment is sent (default 100 ms). */
  settleMs?: number;
}

export class HostMessages {
  private queue: Promise<void> = Promise.resolve();
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: HostMessagesOptions) {}

  send(signal: string, kwargs: Record<string, XmlRpcValue>): void {
    const host = this.options.host();
    if (!host) return;
    this.queue = this.queue.then(() =>
      host.client.emit(signal, kwargs).catch((err: unknown) => this.options.onRefused(signal, err)),
    );
  }

  /** Sends once no newer message with the same key came for a moment (one change per keystroke). */
  sendSettled(key: string, signal: string, kwargs: Record<string, XmlRpcValue>): void {
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.send(signal, kwargs);
      }, this.options.settleMs ?? 100),
    );
  }

  /** Settles when every message sent so far was delivered (or refused). */
  delivered(): Promise<void> {
    return this.queue;
  }
}
