// Every host the GUI knows, and whether each is alive, busy or lost.
// A host is heard from through heartbeats, show and replies. When it falls silent the
// registry asks it directly (pyblish.liveness where offered, else ping), which a busy host
// still answers from another thread; only a host that neither beats nor answers is lost.
// All times are monotonic (performance.now), so clock jumps and sleep do not kill hosts.
// A host whose call the GUI gave up after Stop (stop-grace.ts) is unresponsive until it answers
// again: its liveness says it is no longer busy, or (without liveness) it answers ping. Its
// heartbeats do not count, as they come from a thread its stuck plug-in does not block.
// A heartbeat naming a port the GUI does not know (or has lost) is believed only once the
// port answers: anyone on the machine may send heartbeats, and a port nobody listens on must
// neither be listed nor cost a probe per beat. Hosts known only from heartbeats are capped.
// An answer is not proof of who answers: a host that registered with a token and declared it can
// prove itself (ours) is trusted after a silence only once it answers the identity challenge
// (calls wait for it, and no token goes out before), only its authenticated heartbeats count,
// and a refused or reset connection, or a failed proof, leaves it lost until it calls show
// again. Hosts that cannot prove anything (pyblish-qml's) keep pyblish-qml's liveness.

import { performance } from 'node:perf_hooks';
import { checkIdentity, IDENTITY_SCHEME, type ShowSettings } from '@pyblish/host';
import { HostCallError } from './errors.js';
import { HostClient, type Timeouts } from './host-client.js';
import type { HostStatus, HostSummary } from './view-model.js';

export interface LivenessOptions {
  /** How often statuses are re-evaluated. */
  tickMs: number;
  /** Silence after which the host is asked directly whether it lives. */
  probeAfterMs: number;
  /** A call outstanding this long makes a live host "busy". */
  busyAfterMs: number;
  /** Lost hosts that are not shown are forgotten after this long. */
  forgetAfterMs: number;
  /** Hosts that never called show kept at most; the longest silent one goes first. */
  maxUnshown: number;
  /** How long heartbeats naming a port that did not answer are ignored (no probe meanwhile). */
  quarantineMs: number;
  timeouts: Timeouts;
}

/** Heartbeats from new ports checked at once; beats beyond this wait for their next beat. */
const MAX_PENDING_CHECKS = 16;
/** Ports remembered as not answering; the oldest are forgotten first. */
const MAX_QUARANTINED = 1024;

export const DEFAULT_LIVENESS: LivenessOptions = {
  tickMs: 500,
  probeAfterMs: 3000,
  busyAfterMs: 2000,
  forgetAfterMs: 60_000,
  maxUnshown: 64,
  quarantineMs: 10_000,
  timeouts: { probe: 2000, query: 30_000 },
};

export interface HostEntry {
  port: number;
  pid: number | null;
  settings: ShowSettings;
  authenticated: boolean;
  status: HostStatus;
  lastHeard: number;
  /** When the oldest outstanding long call (process, repair, poll) started. */
  outstandingSince: number | null;
  outstanding: number;
  client: HostClient;
  /** Methods the host lists in system.listMethods (filled by the controller). */
  methods: Set<string>;
  /** Its pyblish.begin can wait for a quick pair (one request per pair; filled by the controller). */
  beginWaits: boolean;
  probing: boolean;
  lostAt: number | null;
  /** The host called show at least once (hosts known only from heartbeats are capped). */
  shown: boolean;
  /** It registered with a token and can answer the identity challenge for it (our hosts). */
  provable: boolean;
  /** When it last showed it is itself: show, an authenticated heartbeat, a proof (provable hosts). */
  provenAt: number;
  /** The identity challenge under way, if any. */
  proving: Promise<boolean> | null;
  /** Why it is lost: the connection refused or reset, no answer, or an answer without the proof. */
  lostFor: LostReason | null;
  /** The GUI has its settings (from show or pyblish.register), not only its heartbeats. */
  introduced: boolean;
}

/** Gone and unproven hosts of ours stay lost until they call show again. */
export type LostReason = 'gone' | 'silent' | 'unproven';

export interface RegistryEvents {
  /** The list or a status changed. */
  changed(): void;
  /** A host stopped answering. */
  lost(entry: HostEntry): void;
  /** Something to tell the user: console only (info), or the page too (warning). */
  told?(level: 'info' | 'warning', text: string): void;
}

/** WindowTitle or ContextLabel from the host's settings; null when it has told none. */
function nameOf(entry: HostEntry): string | null {
  const s = entry.settings;
  if (typeof s.WindowTitle === 'string' && s.WindowTitle) return s.WindowTitle;
  if (typeof s.ContextLabel === 'string' && s.ContextLabel) return s.ContextLabel;
  return null;
}

export class HostRegistry {
  private readonly hosts = new Map<number, HostEntry>();
  /** Ports whose heartbeat is being checked. */
  private readonly checking = new Set<number>();
  /** Ports that did not answer after a heartbeat, and when. */
  private readonly quarantined = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  current: number | null = null;

  constructor(
    private readonly options: LivenessOptions,
    private readonly events: RegistryEvents,
  ) {
    this.timer = setInterval(() => this.tick(), options.tickMs);
    this.timer.unref();
  }

  get(port: number): HostEntry | undefined {
    return this.hosts.get(port);
  }

  ports(): number[] {
    return [...this.hosts.keys()];
  }

  private ensure(port: number, settings: ShowSettings | null, authenticated: boolean): HostEntry {
    let entry = this.hosts.get(port);
    const token = typeof settings?.token === 'string' ? settings.token : undefined;
    if (entry && settings && token !== (entry.settings.token ?? undefined)) {
      // A new token means a new host process at that port: start a fresh connection.
      entry.client.close();
      this.hosts.delete(port);
      entry = undefined;
    }
    if (!entry) {
      const made: HostEntry = {
        port,
        pid: null,
        settings: settings ?? {},
        authenticated,
        status: 'alive',
        lastHeard: performance.now(),
        outstandingSince: null,
        outstanding: 0,
        client: undefined as unknown as HostClient,
        methods: new Set(),
        beginWaits: false,
        probing: false,
        lostAt: null,
        shown: false,
        provable: token !== undefined && settings?.identity === IDENTITY_SCHEME,
        provenAt: performance.now(),
        proving: null,
        lostFor: null,
        introduced: false,
      };
      const clientOptions: ConstructorParameters<typeof HostClient>[0] = {
        port,
        timeouts: this.options.timeouts,
        onHeard: () => this.heard(made),
        // A host of ours whose connection was refused or reset is gone; pyblish-qml's are asked.
        onGone: () => (made.provable ? this.markLost(made, 'gone') : void this.probe(made)),
        beforeCall: () => this.vouch(made),
      };
      if (token) clientOptions.token = token;
      made.client = new HostClient(clientOptions);
      this.hosts.set(port, made);
      entry = made;
    }
    return entry;
  }

  /**
   * A heartbeat; true when the host is listed (its port answered) but known from heartbeats only,
   * so its settings are wanted.
   */
  heartbeat(port: number, authenticated: boolean): boolean {
    const entry = this.hosts.get(port);
    if (entry?.provable) {
      // Anyone may send an unauthenticated heartbeat naming any port: it says nothing of who is there.
      if (!authenticated) return false;
      if (entry.status !== 'lost') {
        entry.provenAt = performance.now();
        this.heard(entry);
      } else if (entry.lostFor === 'silent') {
        void this.probe(entry);
      }
    } else if (entry && entry.status !== 'lost') {
      this.heard(entry);
    } else {
      void this.checkHeartbeat(port, authenticated);
    }
    return entry !== undefined && !entry.introduced;
  }

  /** Lists (or revives) the host at `port` once it answers; a silent port is ignored a while. */
  private async checkHeartbeat(port: number, authenticated: boolean): Promise<void> {
    const now = performance.now();
    const refusedAt = this.quarantined.get(port);
    if (refusedAt !== undefined && now - refusedAt < this.options.quarantineMs) return;
    if (this.checking.has(port) || this.checking.size >= MAX_PENDING_CHECKS) return;
    this.checking.add(port);
    const known = this.hosts.get(port);
    const client = known?.client ?? new HostClient({ port, timeouts: this.options.timeouts });
    let answered = true;
    try {
      await client.ping();
    } catch (err) {
      // A fault or an auth refusal is still an answer: the process is there.
      answered =
        err instanceof HostCallError && (err.code === 'HOST_FAULT' || err.code === 'HOST_REFUSED_AUTH');
    } finally {
      this.checking.delete(port);
      if (!known) client.close();
    }
    if (!answered) {
      this.quarantined.delete(port);
      this.quarantined.set(port, performance.now());
      if (this.quarantined.size > MAX_QUARANTINED) {
        this.quarantined.delete(this.quarantined.keys().next().value as number);
      }
      return;
    }
    this.quarantined.delete(port);
    const entry = this.hosts.get(port) ?? this.ensure(port, null, authenticated);
    const listed = entry !== known;
    this.heard(entry);
    if (listed) {
      this.evictUnshown();
      this.events.changed();
    }
  }

  /** Keeps at most maxUnshown hosts that never called show: lost ones, then the longest silent, go. */
  private evictUnshown(): void {
    const unshown = [...this.hosts.values()].filter((e) => !e.shown && e.port !== this.current);
    const excess = unshown.length - this.options.maxUnshown;
    if (excess <= 0) return;
    const rank = (e: HostEntry) => (e.status === 'lost' ? Number.NEGATIVE_INFINITY : e.lastHeard);
    unshown.sort((a, b) => rank(a) - rank(b) || a.lastHeard - b.lastHeard);
    for (const entry of unshown.slice(0, excess)) {
      entry.client.close();
      this.hosts.delete(entry.port);
    }
  }

  show(port: number, settings: ShowSettings, authenticated: boolean): HostEntry {
    const entry = this.introduce(port, settings, authenticated);
    entry.shown = true;
    this.current = port;
    this.events.changed();
    return entry;
  }

  /**
   * A host's settings without a show (pyblish.register): it is listed by its title, and callable.
   * A host that showed since the GUI started keeps the settings it showed with.
   */
  register(port: number, settings: ShowSettings, authenticated: boolean): HostEntry {
    const shown = this.hosts.get(port);
    if (shown?.shown) return shown;
    const entry = this.introduce(port, settings, authenticated);
    this.evictUnshown();
    this.events.changed();
    return entry;
  }

  private introduce(port: number, settings: ShowSettings, authenticated: boolean): HostEntry {
    const entry = this.ensure(port, settings, authenticated);
    entry.settings = settings;
    entry.authenticated = authenticated;
    entry.pid = typeof settings.pid === 'number' ? settings.pid : entry.pid;
    if (!entry.provable && !entry.shown) {
      this.events.told?.(
        'info',
        `Host at port ${port} cannot prove who it is (it registered without a token, as pyblish-qml's hosts do): ` +
          'after a silence, whatever answers at its port is taken for it.',
      );
    }
    entry.provenAt = performance.now();
    entry.lostFor = null;
    entry.introduced = true;
    this.quarantined.delete(port);
    this.heard(entry);
    return entry;
  }

  private heard(entry: HostEntry): void {
    entry.lastHeard = performance.now();
    // A lost host of ours comes back through a proof or a show (which clear lostFor), never a reply.
    if (entry.status === 'lost' && (!entry.provable || entry.lostFor === null)) {
      entry.status = 'alive';
      entry.lostAt = null;
      this.events.changed();
    }
  }

  /** The controller brackets long calls with these so a slow reply reads as busy. */
  callStarted(entry: HostEntry): void {
    if (entry.outstanding++ === 0) entry.outstandingSince = performance.now();
  }

  callEnded(entry: HostEntry): void {
    if (--entry.outstanding > 0) return;
    entry.outstanding = 0;
    entry.outstandingSince = null;
    if (entry.status === 'busy') {
      entry.status = 'alive';
      this.events.changed();
    }
  }

  /** Whether `entry` may be sent a call now: at once, or once a host of ours proved itself after a silence. */
  private vouch(entry: HostEntry): Promise<void> | null {
    if (!entry.provable) return null;
    if (entry.status !== 'lost' && performance.now() - entry.provenAt <= this.options.probeAfterMs)
      return null;
    return this.prove(entry).then((proven) => {
      if (!proven) {
        throw new HostCallError(
          'HOST_GONE',
          entry.lostFor === 'unproven'
            ? `Something answers at port ${entry.port}, but it cannot prove it is the host that registered there. Restart the host and it will show again.`
            : `The host at port ${entry.port} stopped answering. Restart it and it will show again.`,
          'pyblish.identity',
        );
      }
    });
  }

  /**
   * Asks whatever listens at a host's port to prove it is the host (its token, never sent). A
   * proof revives a host lost to silence; no proof marks it lost. Resolves to whether it proved.
   */
  private prove(entry: HostEntry): Promise<boolean> {
    if (entry.status === 'lost' && entry.lostFor !== 'silent') return Promise.resolve(false);
    entry.proving ??= (async () => {
      const outcome = await checkIdentity(
        entry.port,
        String(entry.settings.token),
        'host',
        this.options.timeouts.probe,
      );
      entry.proving = null;
      if (outcome.kind === 'proven') {
        entry.provenAt = performance.now();
        entry.lostFor = null;
        this.heard(entry);
        return true;
      }
      if (outcome.kind === 'wrong') {
        this.events.told?.(
          'warning',
          `Something answers at port ${entry.port}, but it cannot prove it is the host that registered there ` +
            `(${outcome.why}); the GUI sends it nothing. Restart the host and it will show again.`,
        );
      }
      this.markLost(entry, outcome.kind === 'wrong' ? 'unproven' : outcome.kind);
      return false;
    })();
    return entry.proving;
  }

  /**
   * Asks a silent host whether it lives; a failed answer marks it lost, and hosts of ours must prove
   * it. An unresponsive host that answers, and is no longer busy, is alive again; one that does not
   * answer stays as it is.
   */
  async probe(entry: HostEntry): Promise<void> {
    // A proof says who answers, not whether it is free again: an unresponsive host asks liveness too.
    if (entry.provable && (!(await this.prove(entry)) || entry.status !== 'unresponsive')) return;
    if (entry.probing || entry.status === 'lost') return;
    entry.probing = true;
    try {
      const free = entry.methods.has('pyblish.liveness')
        ? !(await entry.client.liveness()).busy
        : Boolean(await entry.client.ping());
      if (entry.status === 'unresponsive' && free) {
        entry.status = 'alive';
        this.events.changed();
      }
    } catch (err) {
      const code = err instanceof HostCallError ? err.code : null;
      // A fault or an auth refusal is still an answer: the process is there. A call given up
      // (abandon) says nothing; a host already unresponsive is lost only when it is gone.
      const answered = code === 'HOST_FAULT' || code === 'HOST_REFUSED_AUTH' || code === 'HOST_CALL_ABORTED';
      if (!answered && (entry.status !== 'unresponsive' || code === 'HOST_GONE')) this.markLost(entry);
    } finally {
      entry.probing = false;
    }
  }

  /** The GUI gave up a call of this host (stop-grace.ts): unresponsive until it answers again. */
  markUnresponsive(entry: HostEntry): void {
    if (entry.status === 'lost' || entry.status === 'unresponsive') return;
    entry.status = 'unresponsive';
    this.events.changed();
  }

  /**
   * Marks a host lost (by default: a call found its connection gone). A host of ours lost to
   * silence comes back with a proof after its next authenticated heartbeat; one gone or unproven
   * only with a new show. Other hosts come back with their next heartbeat.
   */
  markLost(entry: HostEntry, reason: LostReason = 'gone'): void {
    if (entry.status === 'lost') return;
    entry.status = 'lost';
    entry.lostFor = reason;
    entry.lostAt = performance.now();
    this.events.changed();
    this.events.lost(entry);
  }

  tick(): void {
    const now = performance.now();
    let changed = false;
    for (const entry of [...this.hosts.values()]) {
      if (entry.status === 'lost') {
        if (entry.port !== this.current && now - (entry.lostAt ?? now) > this.options.forgetAfterMs) {
          entry.client.close();
          this.hosts.delete(entry.port);
          changed = true;
        }
        continue;
      }
      if (entry.status === 'unresponsive') {
        void this.probe(entry);
        continue;
      }
      const since = entry.provable ? entry.provenAt : entry.lastHeard;
      if (now - since > this.options.probeAfterMs) void this.probe(entry);
      const busy = entry.outstandingSince !== null && now - entry.outstandingSince > this.options.busyAfterMs;
      const status: HostStatus = busy ? 'busy' : 'alive';
      if (status !== entry.status) {
        entry.status = status;
        changed = true;
      }
    }
    // Also refreshes how long each host has been silent (the store drops unchanged values).
    if (changed || this.hosts.size > 0) this.events.changed();
  }

  /** How the window names a host: its title, else its port. */
  labelOf(entry: HostEntry): string {
    return nameOf(entry) ?? `Host at port ${entry.port}`;
  }

  summaries(): HostSummary[] {
    const now = performance.now();
    return [...this.hosts.values()]
      .sort((a, b) => a.port - b.port)
      .map((e) => ({
        key: String(e.port),
        port: e.port,
        pid: e.pid,
        label: this.labelOf(e),
        named: nameOf(e) !== null,
        status: e.status,
        // Whole seconds, so a steady heartbeat does not patch the page every beat.
        silentFor: Math.floor((now - e.lastHeard) / 1000) * 1000,
        // The GUI's own clock for its call: Python hosts have no pyblish.liveness to ask.
        busyFor:
          e.status === 'busy' && e.outstandingSince !== null
            ? Math.floor((now - e.outstandingSince) / 1000) * 1000
            : 0,
        current: e.port === this.current,
        authenticated: e.authenticated,
      }));
  }

  close(): void {
    clearInterval(this.timer);
    for (const entry of this.hosts.values()) entry.client.close();
    this.hosts.clear();
  }
}
