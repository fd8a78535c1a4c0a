// Page-local state that the GUI process does not own: which view is open, the details
// target, the open action menu, the theme.
import { createContext, useContext, useState } from 'react';
import type { ListKind } from './store.js';

export type Tab = 'overview' | 'report' | 'terminal';

export interface DetailsTarget {
  kind: ListKind;
  id: string;
}

export interface MenuTarget {
  pluginId: string;
  x: number;
  y: number;
}

export interface Ui {
  tab: Tab;
  setTab(tab: Tab): void;
  details: DetailsTarget | null;
  openDetails(target: DetailsTarget | null): void;
  openMenu(target: MenuTarget | null): void;
}

export const UiContext = createContext<Ui | null>(null);

export function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error('useUi needs <UiContext.Provider>.');
  return ui;
}

const sticky = new Map<string, unknown>();

/** useState whose value outlives the component, so a view keeps its filters across tabs. */
export function useStickyState<T>(key: string, initial: () => T): [T, (value: T) => void] {
  const [value, setValue] = useState<T>(() => (sticky.has(key) ? (sticky.get(key) as T) : initial()));
  return [
    value,
    (next: T) => {
      sticky.set(key, next);
      setValue(next);
    },
  ];
}

export type Theme = 'light' | 'dark';

export function initialTheme(): Theme {
  const saved = window.localStorage.getItem('pyblish-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}
