// Callers the GUI refused for want of its token, said where the person running the GUI reads
// (its log): a pyblish-qml 0.x host cannot send a token, gets 401 at find_available_port and
// exits, and nothing else would tell anyone why. A caller is known by its User-Agent (all come
// from 127.0.0.1); each gets one line a minute at most, with the count refused in between.

import type { IncomingMessage } from 'node:http';

/** The status line and body a refused caller gets: a Python ServerProxy prints the status line. */
export const REFUSED_CALLER_ADVICE =
  'this Pyblish GUI needs its token, which a pyblish-qml 0.x host cannot send; ' +
  'restart the GUI with --allow-unauthenticated to accept such hosts';

/** Callers remembered at most (a caller could vary its User-Agent to fill memory). */
const MAX_CALLERS = 64;

export class RefusalLog {
  /** Caller -> when its last line was printed, and how many were refused since. */
  private readonly callers = new Map<string, { at: number; more: number }>();

  constructor(
    private readonly log: (line: string) => void,
    private readonly everyMs = 60_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  refused(req: IncomingMessage): void {
    const agent = String(req.headers['user-agent'] ?? '').slice(0, 80);
    const now = this.now();
    const known = this.callers.get(agent);
    if (known && now - known.at < this.everyMs) {
      known.more++;
      return;
    }
    this.callers.delete(agent);
    this.callers.set(agent, { at: now, more: 0 });
    if (this.callers.size > MAX_CALLERS) this.callers.delete(this.callers.keys().next().value as string);
    const who = agent ? `"${agent}"` : 'a caller without a User-Agent';
    const since = known?.more ? ` (and ${known.more} more from it since the last notice)` : '';
    this.log(
      `Refused a call without the GUI's token from ${who} at ${req.url ?? '/'}${since}. A pyblish-qml 0.x ` +
        '(Python) host cannot send one: to accept it, restart the GUI with --allow-unauthenticated (or ' +
        'PYBLISH_ALLOW_UNAUTHENTICATED=1). The risk: then any process on this machine may call the GUI ' +
        '(show a host of its choosing, hide or quit it); web pages still cannot.',
    );
  }
}
