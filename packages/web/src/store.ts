// The page's copy of the GUI process's state. The process sends a snapshot, then patches;
// this store applies them and tells only the interested components. Rows live in Maps by id
// and every row has its own channel, so a patch to one row re-renders that row alone; the
// lists listen to a "shape" channel that changes only when order, grouping, visibility or
// searchable text changes.
import type {
  InstanceRow,
  Notice,
  Patch,
  PluginRow,
  TerminalEntry,
  ViewState,
} from '@pyblish/gui/view-model';

export type Top = Omit<ViewState, 'instances' | 'plugins'>;
export type ListKind = 'instances' | 'plugins';
type Listener = () => void;

/** Fields that decide where a row sits in a list or whether it shows at all. */
const SHAPE_FIELDS: Record<ListKind, readonly string[]> = {
  instances: ['category', 'label', 'name', 'family', 'families', 'isContext'],
  plugins: ['verb', 'label', 'name', 'families', 'hasCompatible'],
};

export interface ListShape {
  order: readonly string[];
  version: number;
}

export interface TerminalView {
  entries: readonly TerminalEntry[];
  count: number;
  /** Entries 1..dropped are gone: the GUI process keeps only the newest (ViewState.terminalDropped). */
  dropped: number;
}

export interface NoticeItem extends Notice {
  id: number;
}

/** What `applyPatch` makes of a patch that does not follow the current version. */
export type PatchOutcome = 'applied' | 'stale' | 'gap';

export class ViewStore {
  private top: Top | null = null;
  private readonly rows: { instances: Map<string, InstanceRow>; plugins: Map<string, PluginRow> } = {
    instances: new Map(),
    plugins: new Map(),
  };
  private shapes: Record<ListKind, ListShape> = {
    instances: { order: [], version: 0 },
    plugins: { order: [], version: 0 },
  };
  private rowsVersion: Record<ListKind, number> = { instances: 0, plugins: 0 };
  private terminalEntries: TerminalEntry[] = [];
  private terminalView: TerminalView = { entries: this.terminalEntries, count: 0, dropped: 0 };
  private noticeList: NoticeItem[] = [];
  private nextNoticeId = 1;
  private connected = false;
  /** The GUI process refused this page's secret (or it had none): reconnecting will not help. */
  private unauthorised = false;
  private readonly listeners = new Map<string, Set<Listener>>();

  // --- subscriptions -------------------------------------------------------------------

  subscribe(channel: string, listener: Listener): () => void {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(channel);
    };
  }

  private emit(channel: string): void {
    const set = this.listeners.get(channel);
    if (set) for (const l of [...set]) l();
  }

  static rowChannel(kind: ListKind, id: string): string {
    return `row:${kind}:${id}`;
  }

  // --- reads ---------------------------------------------------------------------------

  getTop(): Top | null {
    return this.top;
  }
  getRow<K extends ListKind>(
    kind: K,
    id: string,
  ): (K extends 'instances' ? InstanceRow : PluginRow) | undefined {
    return this.rows[kind].get(id) as (K extends 'instances' ? InstanceRow : PluginRow) | undefined;
  }
  getShape(kind: ListKind): ListShape {
    return this.shapes[kind];
  }
  getRowsVersion(kind: ListKind): number {
    return this.rowsVersion[kind];
  }
  /** Rows in list order. */
  list<K extends ListKind>(kind: K): Array<K extends 'instances' ? InstanceRow : PluginRow> {
    const out: Array<K extends 'instances' ? InstanceRow : PluginRow> = [];
    for (const id of this.shapes[kind].order) {
      const row = this.getRow(kind, id);
      if (row) out.push(row);
    }
    return out;
  }
  getTerminal(): TerminalView {
    return this.terminalView;
  }
  lastTerminalSeq(): number {
    return this.terminalEntries.at(-1)?.seq ?? 0;
  }
  getNotices(): readonly NoticeItem[] {
    return this.noticeList;
  }
  isConnected(): boolean {
    return this.connected;
  }
  isUnauthorised(): boolean {
    return this.unauthorised;
  }

  // --- writes --------------------------------------------------------------------------

  setConnected(value: boolean): void {
    if (value === this.connected) return;
    this.connected = value;
    this.emit('connection');
  }

  setUnauthorised(): void {
    if (this.unauthorised) return;
    this.unauthorised = true;
    this.connected = false;
    this.emit('connection');
  }

  applySnapshot(state: ViewState): void {
    const { instances, plugins, ...top } = state;
    this.top = top;
    this.replaceRows('instances', instances);
    this.replaceRows('plugins', plugins);
    this.trimTerminal();
    this.emit('top');
    for (const channel of [...this.listeners.keys()]) if (channel.startsWith('row:')) this.emit(channel);
  }

  private replaceRows(kind: ListKind, rows: Array<InstanceRow | PluginRow>): void {
    const map = this.rows[kind] as Map<string, InstanceRow | PluginRow>;
    map.clear();
    for (const row of rows) map.set(row.id, row);
    this.shapes[kind] = { order: rows.map((r) => r.id), version: this.shapes[kind].version + 1 };
    this.rowsVersion[kind]++;
    this.emit(`shape:${kind}`);
    this.emit(`rows:${kind}`);
  }

  applyPatch(patch: Patch): PatchOutcome {
    if (!this.top) return 'gap';
    if (patch.version <= this.top.version) return 'stale';
    if (patch.version !== this.top.version + 1) return 'gap';
    this.patchList('instances', patch.instances, patch.addedInstances, patch.instanceOrder);
    this.patchList('plugins', patch.plugins, patch.addedPlugins, patch.pluginOrder);
    this.top = { ...this.top, ...patch.state, version: patch.version };
    if (patch.state?.terminalDropped !== undefined) this.trimTerminal();
    this.emit('top');
    return 'applied';
  }

  private patchList(
    kind: ListKind,
    changes: Array<Partial<InstanceRow | PluginRow> & { id: string }> | undefined,
    added: Array<InstanceRow | PluginRow> | undefined,
    order: string[] | undefined,
  ): void {
    const map = this.rows[kind] as Map<string, InstanceRow | PluginRow>;
    let reshaped = false;
    const touched: string[] = [];
    for (const row of added ?? []) {
      map.set(row.id, row);
      touched.push(row.id);
    }
    if (order) {
      const keep = new Set(order);
      for (const id of map.keys()) if (!keep.has(id)) map.delete(id);
      reshaped = true;
    }
    for (const change of changes ?? []) {
      const old = map.get(change.id);
      if (!old) continue;
      map.set(change.id, { ...old, ...change } as InstanceRow | PluginRow);
      touched.push(change.id);
      if (!reshaped) {
        const fields = SHAPE_FIELDS[kind];
        for (const key of Object.keys(change)) {
          if (fields.includes(key) && !sameValue((old as never)[key], (change as never)[key]))
            reshaped = true;
        }
      }
    }
    if (reshaped) {
      this.shapes[kind] = {
        order: order ?? this.shapes[kind].order,
        version: this.shapes[kind].version + 1,
      };
      this.emit(`shape:${kind}`);
    }
    if (touched.length > 0 || reshaped) {
      this.rowsVersion[kind]++;
      this.emit(`rows:${kind}`);
    }
    for (const id of touched) this.emit(ViewStore.rowChannel(kind, id));
  }

  appendTerminal(entries: readonly TerminalEntry[]): void {
    let last = this.lastTerminalSeq();
    let added = 0;
    for (const entry of entries) {
      if (entry.seq <= last) continue;
      this.terminalEntries.push(entry);
      last = entry.seq;
      added++;
    }
    if (added === 0) return;
    if (!this.trimTerminal()) this.terminalChanged();
  }

  private terminalChanged(): void {
    this.terminalView = {
      entries: this.terminalEntries,
      count: this.terminalEntries.length,
      dropped: this.top?.terminalDropped ?? 0,
    };
    this.emit('terminal');
  }

  /** Drops the entries the process no longer keeps, so the page holds no more than it does. */
  private trimTerminal(): boolean {
    const dropped = this.top?.terminalDropped ?? 0;
    if (dropped === this.terminalView.dropped) return false;
    let cut = 0;
    while (cut < this.terminalEntries.length && (this.terminalEntries[cut] as TerminalEntry).seq <= dropped)
      cut++;
    if (cut > 0) this.terminalEntries.splice(0, cut);
    this.terminalChanged();
    return true;
  }

  pushNotice(notice: Notice): number {
    const id = this.nextNoticeId++;
    this.noticeList = [...this.noticeList.slice(-4), { ...notice, id }];
    this.emit('notices');
    return id;
  }

  dismissNotice(id: number): void {
    const next = this.noticeList.filter((n) => n.id !== id);
    if (next.length === this.noticeList.length) return;
    this.noticeList = next;
    this.emit('notices');
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
