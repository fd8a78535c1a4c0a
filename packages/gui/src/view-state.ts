// The process's copy of what the page shows, and the patches that keep the page in step.
// Changes are collected and flushed together (a few milliseconds apart) so that a run over
// thousands of instances sends a handful of small patches, never whole lists.

import type { RowTally } from './rows.js';
import type { InstanceRow, Notice, Patch, PluginRow, TerminalEntry, ViewState } from './view-model.js';

type Top = Omit<ViewState, 'version' | 'instances' | 'plugins'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type NewTerminalEntry = DistributiveOmit<TerminalEntry, 'seq'>;

export interface ViewEvents {
  patch(patch: Patch): void;
  terminal(entries: TerminalEntry[]): void;
  notice(notice: Notice): void;
}

export type ViewListener = Partial<ViewEvents>;

export function initialTop(): Top {
  return {
    phase: 'noHost',
    message: 'Waiting for a host to show',
    fault: null,
    hosts: [],
    window: {
      title: 'Pyblish',
      contextLabel: 'Context',
      size: [430, 600],
      position: [100, 100],
      hiddenSections: [],
    },
    progress: { done: 0, planned: 0, currentPlugin: null, currentInstance: null },
    comment: '',
    changedToggles: 0,
    delivery: null,
    capabilities: [],
    terminalSeq: 0,
    runStartSeq: 0,
    terminalDropped: 0,
    visible: false,
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One list of rows (instances or plug-ins) with its pending changes. */
class RowList<R extends { id: string }> {
  rows = new Map<string, R>();
  order: string[] = [];
  private dirty = new Map<string, Partial<R> & { id: string }>();
  private reordered = false;
  /** Ids the listeners already hold a full copy of. */
  private sent = new Set<string>();
  /** The rows in order, until the order changes (read after every change by waiters). */
  private listed: R[] | null = null;

  /** New rows, all sent whole. */
  replace(rows: R[]): void {
    this.sent.clear();
    this.reorder(rows);
  }

  /** Rows added, removed or moved; rows the listeners hold keep their pending field changes. */
  reorder(rows: R[]): void {
    this.rows = new Map(rows.map((r) => [r.id, r]));
    this.order = rows.map((r) => r.id);
    this.listed = null;
    this.reordered = true;
  }

  update(id: string, change: Partial<R>): boolean {
    const row = this.rows.get(id);
    if (!row) return false;
    let pending = this.dirty.get(id);
    let changed = false;
    // A loop without allocations: a large run updates rows tens of thousands of times.
    for (const key in change) {
      const value = change[key];
      if (sameJson(row[key], value)) continue;
      (row as Record<keyof R, unknown>)[key] = value;
      if (!pending) {
        pending = { id } as Partial<R> & { id: string };
        this.dirty.set(id, pending);
      }
      (pending as Record<keyof R, unknown>)[key] = value;
      changed = true;
    }
    return changed;
  }

  /**
   * A row's tallied fields set from `t`, as update sets them. A large run sets them 90,000 times:
   * the fields by name are several times quicker than any key in a loop (rows.ts RowTally).
   */
  tally(id: string, t: Readonly<RowTally>): boolean {
    const row = this.rows.get(id) as (R & RowTally) | undefined;
    if (!row) return false;
    const known = this.dirty.get(id) as (Partial<RowTally> & { id: string }) | undefined;
    const p = known ?? { id };
    const before = row.processed !== t.processed || row.status !== t.status || row.duration !== t.duration;
    const counts = row.passed !== t.passed || row.failed !== t.failed;
    const flags =
      row.hasError !== t.hasError || row.hasWarning !== t.hasWarning || row.succeeded !== t.succeeded;
    if (!before && !counts && !flags) return false;
    row.processed = p.processed = t.processed;
    row.status = p.status = t.status;
    row.duration = p.duration = t.duration;
    row.passed = p.passed = t.passed;
    row.failed = p.failed = t.failed;
    row.hasError = p.hasError = t.hasError;
    row.hasWarning = p.hasWarning = t.hasWarning;
    row.succeeded = p.succeeded = t.succeeded;
    if (!known) this.dirty.set(id, p as Partial<R> & { id: string });
    return true;
  }

  /** The rows in order (the same array until the order changes: read it, do not change it). */
  list(): R[] {
    this.listed ??= this.order.map((id) => this.rows.get(id) as R);
    return this.listed;
  }

  /** The pending changes: rows new to the listeners travel whole, others as changed fields. */
  take(): { order?: string[]; added?: R[]; changes?: Array<Partial<R> & { id: string }> } | null {
    const out: { order?: string[]; added?: R[]; changes?: Array<Partial<R> & { id: string }> } = {};
    // Copies of rows, one level deep: a row's fields are replaced when they change, never edited
    // in place (a deep copy of 50,000 rows held the event loop for seconds).
    if (this.reordered) {
      out.order = [...this.order];
      out.added = this.list()
        .filter((r) => !this.sent.has(r.id))
        .map((r) => ({ ...r }));
    }
    const added = new Set(out.added?.map((a) => a.id));
    // The pending changes are handed over whole: nothing holds them once taken.
    const changes = [...this.dirty.values()].filter((c) => this.sent.has(c.id) && !added.has(c.id));
    if (changes.length) out.changes = changes;
    if (this.reordered) this.sent = new Set(this.order);
    const any = this.reordered || changes.length > 0;
    this.dirty = new Map();
    this.reordered = false;
    return any ? out : null;
  }
}

/** How many terminal entries the process keeps by default (the oldest go first). */
export const DEFAULT_TERMINAL_LIMIT = 20_000;

/** How many characters of text the kept terminal entries hold at most (the oldest go first). */
export const TERMINAL_CHARS = 32 * 1024 * 1024;

/** What an entry counts for against TERMINAL_CHARS: its texts, and a little for the rest. */
function entryChars(entry: Record<string, unknown>): number {
  let chars = 64;
  for (const key in entry) {
    const value = entry[key];
    if (typeof value === 'string') chars += value.length;
    else if (typeof value === 'object' && value !== null) {
      const inner = value as Record<string, unknown>;
      for (const k in inner) {
        const text = inner[k];
        if (typeof text === 'string') chars += text.length;
      }
    }
  }
  return chars;
}

/**
 * The last `limit` terminal entries (and at most TERMINAL_CHARS of text), oldest first, in a
 * fixed ring. Sequence numbers go on counting, so an entry keeps its number and readers see what
 * was dropped before them.
 */
class TerminalRing {
  private readonly slots: Array<TerminalEntry | undefined>;
  private readonly sizes: number[];
  private start = 0;
  private size = 0;
  private chars = 0;
  /** The sequence number of the newest entry (0: none yet). */
  last = 0;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`terminalLimit must be a whole number of entries, at least 1 (got ${limit})`);
    }
    this.slots = new Array(limit);
    this.sizes = new Array(limit).fill(0);
  }

  /** Entries 1..dropped are no longer kept. */
  get dropped(): number {
    return this.last - this.size;
  }

  /** Numbers `entry` (made for the terminal, so it is taken as it is) and keeps it. */
  push(entry: NewTerminalEntry): TerminalEntry {
    const full = entry as TerminalEntry;
    full.seq = ++this.last;
    const chars = entryChars(full as unknown as Record<string, unknown>);
    while (this.size > 0 && (this.size >= this.limit || this.chars + chars > TERMINAL_CHARS)) {
      this.chars -= this.sizes[this.start] as number;
      this.slots[this.start] = undefined;
      this.start = (this.start + 1) % this.limit;
      this.size--;
    }
    const at = (this.start + this.size) % this.limit;
    this.slots[at] = full;
    this.sizes[at] = chars;
    this.chars += chars;
    this.size++;
    return full;
  }

  /** The kept entries after sequence number `seq`, up to `maxChars` of them (at least one). */
  after(seq: number, maxChars = Number.POSITIVE_INFINITY): TerminalEntry[] {
    const from = Math.max(seq, this.dropped);
    const out: TerminalEntry[] = [];
    let chars = 0;
    for (let i = from - this.dropped; i < this.size; i++) {
      const at = (this.start + i) % this.limit;
      chars += this.sizes[at] as number;
      if (out.length > 0 && chars > maxChars) break;
      out.push(this.slots[at] as TerminalEntry);
    }
    return out;
  }
}

export class ViewStateStore {
  private version = 0;
  private top: Top = initialTop();
  private readonly instances = new RowList<InstanceRow>();
  private readonly plugins = new RowList<PluginRow>();
  private readonly terminal: TerminalRing;
  private dirtyTop: Partial<Top> = {};
  private pendingTerminal: TerminalEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<ViewListener>();

  /**
   * @param onListenerError told when a listener threw; that listener is dropped (a window's
   * stream is closed by its own listener first), and the others, the run and the report go on.
   */
  constructor(
    private readonly flushDelayMs = 20,
    terminalLimit = DEFAULT_TERMINAL_LIMIT,
    private readonly onListenerError: (err: unknown) => void = () => undefined,
  ) {
    this.terminal = new TerminalRing(terminalLimit);
  }

  subscribe(listener: ViewListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The whole state, with every pending change included (and sent to the others first). */
  snapshot(): ViewState {
    this.flush();
    return {
      version: this.version,
      ...structuredClone(this.top),
      instances: this.instances.list().map((r) => ({ ...r })),
      plugins: this.plugins.list().map((r) => ({ ...r })),
    };
  }

  /** The current state without copying (read it, do not keep or change it). */
  view(): Readonly<ViewState> {
    return {
      version: this.version,
      ...this.top,
      instances: this.instances.list(),
      plugins: this.plugins.list(),
    };
  }

  get state(): Readonly<Top> {
    return this.top;
  }

  instance(id: string): Readonly<InstanceRow> | undefined {
    return this.instances.rows.get(id);
  }

  plugin(id: string): Readonly<PluginRow> | undefined {
    return this.plugins.rows.get(id);
  }

  instanceRows(): readonly InstanceRow[] {
    return this.instances.list();
  }

  pluginRows(): readonly PluginRow[] {
    return this.plugins.list();
  }

  /**
   * The kept terminal entries after a sequence number (older ones may have been dropped), up
   * to `maxChars` of text (at least one entry): a reader pages on from the last one it got.
   */
  terminalAfter(seq: number, maxChars?: number): TerminalEntry[] {
    return this.terminal.after(seq, maxChars);
  }

  setState(change: Partial<Top>): void {
    for (const [key, value] of Object.entries(change) as Array<[keyof Top, unknown]>) {
      if (sameJson(this.top[key], value)) continue;
      (this.top as Record<string, unknown>)[key] = value;
      (this.dirtyTop as Record<string, unknown>)[key] = value;
      this.schedule();
    }
  }

  /** Replaces a whole list (after a reset, or when rows appear, vanish or move). */
  setInstances(rows: InstanceRow[]): void {
    this.instances.replace(rows);
    this.schedule();
  }

  setPlugins(rows: PluginRow[]): void {
    this.plugins.replace(rows);
    this.schedule();
  }

  /** Instance rows added, removed or moved, keeping the rows the page already holds. */
  reorderInstances(rows: InstanceRow[]): void {
    this.instances.reorder(rows);
    this.schedule();
  }

  updateInstance(id: string, change: Partial<InstanceRow>): void {
    if (this.instances.update(id, change)) this.schedule();
  }

  updatePlugin(id: string, change: Partial<PluginRow>): void {
    if (this.plugins.update(id, change)) this.schedule();
  }

  /** An instance row's tally after results (updateInstance for the tallied fields, quicker). */
  tallyInstance(id: string, tally: Readonly<RowTally>): void {
    if (this.instances.tally(id, tally)) this.schedule();
  }

  tallyPlugin(id: string, tally: Readonly<RowTally>): void {
    if (this.plugins.tally(id, tally)) this.schedule();
  }

  /** Adds entries made for it (each is numbered in place, not copied). */
  appendTerminal(entries: NewTerminalEntry[]): void {
    for (const entry of entries) this.pendingTerminal.push(this.terminal.push(entry));
    if (entries.length) {
      this.setState({ terminalSeq: this.terminal.last, terminalDropped: this.terminal.dropped });
    }
  }

  notify(notice: Notice): void {
    this.tell('notice', notice);
  }

  /** Tells every listener; one that throws is dropped and reported, never passed up to the caller. */
  private tell<K extends keyof ViewEvents>(event: K, value: Parameters<ViewEvents[K]>[0]): void {
    for (const listener of [...this.listeners]) {
      try {
        (listener[event] as ((v: typeof value) => void) | undefined)?.(value);
      } catch (err) {
        this.listeners.delete(listener);
        this.onListenerError(err);
      }
    }
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.flushDelayMs);
    this.timer.unref();
  }

  /** Sends what changed as one patch (and the new terminal entries) to every listener. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const patch: Patch = { version: this.version + 1 };
    const instances = this.instances.take();
    if (instances) {
      if (instances.order) patch.instanceOrder = instances.order;
      if (instances.added) patch.addedInstances = instances.added;
      if (instances.changes) patch.instances = instances.changes;
    }
    const plugins = this.plugins.take();
    if (plugins) {
      if (plugins.order) patch.pluginOrder = plugins.order;
      if (plugins.added) patch.addedPlugins = plugins.added;
      if (plugins.changes) patch.plugins = plugins.changes;
    }
    const top = Object.keys(this.dirtyTop).length ? structuredClone(this.dirtyTop) : null;
    if (top) patch.state = top;
    this.dirtyTop = {};
    const entries = this.pendingTerminal;
    this.pendingTerminal = [];
    if (instances || plugins || top) {
      this.version = patch.version;
      this.tell('patch', patch);
    }
    if (entries.length) this.tell('terminal', entries);
  }

  close(): void {
    this.flush();
    this.listeners.clear();
  }
}
