// React bindings of the store: every hook selects the smallest piece it needs, so a change
// re-renders only the components that show it.
import type { InstanceRow, PluginRow } from '@pyblish/gui/view-model';
import { createContext, useCallback, useContext, useMemo, useSyncExternalStore } from 'react';
import type { Connection } from './connection.js';
import {
  buildReport,
  openErrors,
  type ReportEntry,
  type Row,
  type SectionSummary,
  sinceLastReset,
  summariseSections,
} from './derive.js';
import {
  type ListKind,
  type ListShape,
  type NoticeItem,
  type TerminalView,
  type Top,
  ViewStore,
} from './store.js';

export interface AppServices {
  store: ViewStore;
  connection: Connection;
}

export const Services = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(Services);
  if (!services) throw new Error('useServices needs <Services.Provider>.');
  return services;
}

function useChannel<T>(channel: string, read: () => T): T {
  const { store } = useServices();
  const subscribe = useCallback((cb: () => void) => store.subscribe(channel, cb), [store, channel]);
  return useSyncExternalStore(subscribe, read);
}

export function useTop(): Top | null {
  const { store } = useServices();
  return useChannel('top', () => store.getTop());
}

/**
 * One field of the top-level state. Patches keep the references of fields they do not
 * change, so a component that reads `phase` is not re-rendered by progress or new log lines.
 */
export function useTopField<T>(select: (top: Top | null) => T): T {
  const { store } = useServices();
  return useChannel('top', () => select(store.getTop()));
}

export function useConnected(): boolean {
  const { store } = useServices();
  return useChannel('connection', () => store.isConnected());
}

export function useUnauthorised(): boolean {
  const { store } = useServices();
  return useChannel('connection', () => store.isUnauthorised());
}

export function useRow(kind: 'instances', id: string): InstanceRow | undefined;
export function useRow(kind: 'plugins', id: string): PluginRow | undefined;
export function useRow(kind: ListKind, id: string): Row | undefined;
export function useRow(kind: ListKind, id: string): Row | undefined {
  const { store } = useServices();
  return useChannel(ViewStore.rowChannel(kind, id), () => store.getRow(kind, id));
}

export function useShape(kind: ListKind): ListShape {
  const { store } = useServices();
  return useChannel(`shape:${kind}`, () => store.getShape(kind));
}

/** Grows with any row change in the list: for views that aggregate rows (report, sections). */
export function useRowsVersion(kind: ListKind): number {
  const { store } = useServices();
  return useChannel(`rows:${kind}`, () => store.getRowsVersion(kind));
}

export function useTerminal(): TerminalView {
  const { store } = useServices();
  return useChannel('terminal', () => store.getTerminal());
}

export function useNotices(): readonly NoticeItem[] {
  const { store } = useServices();
  return useChannel('notices', () => store.getNotices());
}

/**
 * The validation report of the current run: errors grouped by plug-in and message, minus the
 * ones a repair fixed. Recomputed when the terminal or any row changes.
 */
export function useReport(): ReportEntry[] {
  const { store } = useServices();
  const terminal = useTerminal();
  const plugins = useRowsVersion('plugins');
  const instances = useRowsVersion('instances');
  const runStart = useTopField((t) => t?.runStartSeq ?? 0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the versions signal row changes
  return useMemo(() => {
    // This run's entries, and the collectors' from the reset before it (they ran then).
    const entries = sinceLastReset(terminal.entries, terminal.count).filter(
      (e) =>
        e.seq > runStart || (e.type === 'error' && store.getRow('plugins', e.pluginId)?.verb === 'Collect'),
    );
    const contextId = store.getShape('instances').order[0] ?? '';
    return openErrors(buildReport(entries, store.getShape('plugins').order), (pluginId, instanceId) => {
      const plugin = store.getRow('plugins', pluginId);
      // A plug-in the list lacks ran on a farm (or is a farm job): nothing here repairs it.
      if (!plugin) return true;
      if (plugin.hasError !== true) return false;
      return store.getRow('instances', instanceId ?? contextId)?.hasError !== false;
    });
  }, [terminal, store, plugins, instances, runStart]);
}

const summaries = new WeakMap<
  ViewStore,
  Record<string, { version: number; map: Map<string, SectionSummary> }>
>();

/** A section header's aggregate, as a string so unchanged aggregates do not re-render. */
export function useSectionSummary(kind: ListKind, key: string): SectionSummary | undefined {
  const { store } = useServices();
  const encoded = useChannel(`rows:${kind}`, () => {
    let cache = summaries.get(store);
    if (!cache) {
      cache = {};
      summaries.set(store, cache);
    }
    const version = store.getRowsVersion(kind);
    let entry = cache[kind];
    if (entry?.version !== version) {
      entry = { version, map: summariseSections(store.list(kind)) };
      cache[kind] = entry;
    }
    const s = entry.map.get(key);
    return s ? `${s.status}|${s.checked}|${s.optional}` : '';
  });
  if (encoded === '') return undefined;
  const [status, checked, optional] = encoded.split('|');
  return { status, checked, optional: optional === 'true' } as SectionSummary;
}
