// Every host the GUI knows, and whether each is alive, busy or lost.
// A host is heard from through heartbeats, show and replies. When it falls silent the
// registry asks it directly (pyblish.liveness where offered, else ping), which a busy host
// still answers from another thread; only a host that neither beats nor answers is lost.
// All times are monotonic (performance.now), so clock jumps and sleep do not kill hosts.
// A heartbeat naming a port the GUI does not know (or has lost) is believed only once the
// port answers: anyone on the machine may send heartbeats, and a port nobody listens on must
// neither be listed nor cost a probe per beat. Hosts known only from heartbeats are capped.

import { performance } from 'node:perf_hooks';
import type { ShowSettings } from '@pyblish/host';
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
  /** The GUI has its settings (from show or pyblish.register), not only its heartbeats. */
  introduced: boolean;
}

export interface RegistryEvents {
  /** The list or a status changed. */
  changed(): void;
  /** A host stopped answering. */
  lost(entry: HostEntry): void;
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
        introduced: false,
      };
      const clientOptions: ConstructorParameters<typeof HostClient>[0] = {
        port,
        timeouts: this.options.timeouts,
        onHeard: () => this.heard(made),
        onGone: () => void this.probe(made),
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
    if (entry && entry.status !== 'lost') this.heard(entry);
    else void this.checkHeartbeat(port, authenticated);
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
    entry.introduced = true;
    this.quarantined.delete(port);
    this.heard(entry);
    return entry;
  }

  private heard(entry: HostEntry): void {
    entry.lastHeard = performance.now();
    if (entry.status === 'lost') {
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

  /** Asks a silent host whether it lives; a failed answer marks it lost. */
  async probe(entry: HostEntry): Promise<void> {
    if (entry.probing || entry.status === 'lost') return;
    entry.probing = true;
    try {
      if (entry.methods.has('pyblish.liveness')) await entry.client.liveness();
      else await entry.client.ping();
    } catch (err) {
      // A fault or an auth refusal is still an answer: the process is there.
      if (
        !(err instanceof HostCallError && (err.code === 'HOST_FAULT' || err.code === 'HOST_REFUSED_AUTH'))
      ) {
        this.markLost(entry);
      }
    } finally {
      entry.probing = false;
    }
  }

  /** Marks a host lost (a call found its connection gone); its next heartbeat revives it. */
  markLost(entry: HostEntry): void {
    if (entry.status === 'lost') return;
    entry.status = 'lost';
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
      if (now - entry.lastHeard > this.options.probeAfterMs) void this.probe(entry);
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

  summaries(): HostSummary[] {
    const now = performance.now();
    return [...this.hosts.values()]
      .sort((a, b) => a.port - b.port)
      .map((e) => ({
        key: String(e.port),
        port: e.port,
        pid: e.pid,
        label: nameOf(e) ?? `Host at port ${e.port}`,
        named: nameOf(e) !== null,
        status: e.status,
        // Whole seconds, so a steady heartbeat does not patch the page every beat.
        silentFor: Math.floor((now - e.lastHeard) / 1000) * 1000,
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
