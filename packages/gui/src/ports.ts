// find_available_port: hands each host a port nobody uses. A port is skipped when a host the
// GUI knows has it, when it was handed out in the last minute (the host may not have bound it
// yet), or when something on the machine already listens there. Calls are served one at a
// time, so two hosts racing get different ports. Only the newest reservations are held: a caller
// asking in a loop cannot use up the port range and lock real hosts out for a minute.

import { createServer } from 'node:net';
import { PORT_MAX } from '@pyblish/host';

/** True when 127.0.0.1:port can be bound right now (it is released at once). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

export class PortAllocator {
  private readonly handedOut = new Map<number, number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly inUse: () => Iterable<number>,
    private readonly holdMs = 60_000,
    private readonly maxHeld = 256,
  ) {}

  /** The first free port from `start` upwards; null when none is left below 65536. */
  next(start: number): Promise<number | null> {
    const found = this.queue.then(() => this.search(start));
    this.queue = found.catch(() => undefined);
    return found;
  }

  private async search(start: number): Promise<number | null> {
    const now = performance.now();
    for (const [port, at] of this.handedOut) if (now - at > this.holdMs) this.handedOut.delete(port);
    const taken = new Set(this.inUse());
    for (let port = start; port <= PORT_MAX; port++) {
      if (taken.has(port) || this.handedOut.has(port)) continue;
      if (!(await portIsFree(port))) continue;
      this.handedOut.set(port, performance.now());
      // A Map iterates in insertion order: the first key is the oldest reservation.
      if (this.handedOut.size > this.maxHeld) this.handedOut.delete(this.handedOut.keys().next().value!);
      return port;
    }
    return null;
  }
}
