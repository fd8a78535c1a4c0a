// One list of the overview (instances or plug-ins) as an ARIA tree: section headers at level
// 1, rows at level 2, virtualised so that 10,000 rows cost what the visible ones cost.
// The list re-renders when its shape changes (order, grouping, visibility); a row re-renders
// when that row changes (see TreeRow).
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  type KeyboardEvent,
  type MouseEvent,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { buildListItems, type ListItem, sectionOf } from '../derive.js';
import { useServices, useShape } from '../hooks.js';
import { countRender } from '../instrument.js';
import type { ListKind } from '../store.js';
import { useUi } from '../ui.js';
import { SectionRow, TreeRow } from './TreeRow.js';

export const ROW_HEIGHT = 26;

export interface TreeHandlers {
  activate(key: string): void;
  toggle(id: string): void;
  toggleSection(key: string, value: boolean): void;
  collapse(key: string): void;
  details(id: string): void;
  menu(id: string, e: MouseEvent | null): void;
}

const itemKey = (item: ListItem): string => (item.type === 'section' ? `section:${item.key}` : item.id);

export function VirtualTree(props: {
  kind: ListKind;
  label: string;
  query: string;
  collapsed: ReadonlySet<string>;
  onCollapse(key: string): void;
}) {
  const { kind, label, query, collapsed } = props;
  countRender(`list:${kind}`);
  const { store, connection } = useServices();
  const ui = useUi();
  const shape = useShape(kind);
  // biome-ignore lint/correctness/useExhaustiveDependencies: shape is the store's change signal for the list
  const items = useMemo(
    () => buildListItems(store.list(kind), { query, collapsed }),
    [store, kind, shape, query, collapsed],
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    getItemKey: (i) => itemKey(items[i]!),
  });
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const found = activeKey === null ? -1 : items.findIndex((it) => itemKey(it) === activeKey);
  const activeIndex = Math.max(found, 0);
  const focusPending = useRef(false);

  // Handlers read the latest props through a ref so that they keep one identity and memoised
  // rows are not re-rendered by a new callback.
  const latest = useRef({ props, items, ui, connection, store });
  latest.current = { props, items, ui, connection, store };
  const handlers = useMemo<TreeHandlers>(
    () => ({
      activate: (key) => setActiveKey(key),
      toggle: (id) => void latest.current.connection.send({ type: 'toggle', id }),
      toggleSection: (section, value) =>
        void latest.current.connection.send({ type: 'toggleSection', list: kind, section, value }),
      collapse: (key) => latest.current.props.onCollapse(key),
      details: (id) => {
        // Back from Details, focus returns to this row, which the list may have re-rendered meanwhile.
        setActiveKey(id);
        focusPending.current = true;
        latest.current.ui.openDetails({ kind, id });
      },
      menu: (id, e) => {
        const el = document.getElementById(`${kind}-${id}`);
        const box = el?.getBoundingClientRect();
        latest.current.ui.openMenu({
          pluginId: id,
          x: e ? e.clientX : (box?.right ?? 0) - 160,
          y: e ? e.clientY : (box?.bottom ?? 0),
        });
      },
    }),
    [kind],
  );

  // A list hidden by Details or another tab gets its scroll position back when it shows again,
  // without a scroll event: tell the virtualizer, or it keeps rendering the rows of the top.
  const shown = ui.tab === 'overview' && ui.details === null;
  useLayoutEffect(() => {
    if (shown) scrollRef.current?.dispatchEvent(new Event('scroll'));
  }, [shown]);

  useEffect(() => {
    const list = scrollRef.current;
    // A hidden list (Details or another tab open) keeps the request for when it shows again.
    if (!focusPending.current || !list || list.offsetParent === null) return;
    const now = document.activeElement;
    if (now && now !== document.body && !list.contains(now)) {
      focusPending.current = false; // the user has moved on
      return;
    }
    const el = list.querySelector<HTMLElement>(`[data-key="${CSS.escape(activeKey ?? '')}"]`);
    if (el) {
      el.focus();
      focusPending.current = false;
    }
  });

  const moveTo = (index: number) => {
    const clamped = Math.max(0, Math.min(items.length - 1, index));
    const item = items[clamped];
    if (!item) return;
    setActiveKey(itemKey(item));
    virtualizer.scrollToIndex(clamped);
    focusPending.current = true;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const item = items[activeIndex];
    // Ctrl+Enter (publish) and other shortcuts belong to the window.
    if (!item || e.target instanceof HTMLButtonElement || e.ctrlKey || e.metaKey || e.altKey) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: activeIndex + 1,
      ArrowUp: activeIndex - 1,
      Home: 0,
      End: items.length - 1,
      PageDown: activeIndex + page,
      PageUp: activeIndex - page,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      e.preventDefault();
      moveTo(target);
      return;
    }
    if (item.type === 'section') {
      const expanded = !collapsed.has(item.key);
      if (e.key === 'Enter' || (e.key === 'ArrowLeft' && expanded) || (e.key === 'ArrowRight' && !expanded)) {
        e.preventDefault();
        handlers.collapse(item.key);
      } else if (e.key === ' ') {
        e.preventDefault();
        const row = store.list(kind).find((r) => r.optional && sectionOf(r) === item.key);
        handlers.toggleSection(item.key, !(row?.toggled ?? false));
      }
      return;
    }
    if (e.key === ' ') {
      e.preventDefault();
      handlers.toggle(item.id);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      handlers.details(item.id);
    } else if (e.key === 'ArrowLeft' && item.section !== '') {
      e.preventDefault();
      moveTo(items.findIndex((it) => it.type === 'section' && it.key === item.section));
    } else if (kind === 'plugins' && (e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey))) {
      e.preventDefault();
      handlers.menu(item.id, null);
    }
  };

  const virtualItems = virtualizer.getVirtualItems();
  const activeShown = virtualItems.some((v) => v.index === activeIndex);
  return (
    <section className="list" aria-label={label}>
      <h2 className="list-title">{label}</h2>
      <div
        ref={scrollRef}
        className="list-scroll"
        role="tree"
        aria-label={label}
        tabIndex={activeShown ? -1 : 0}
        onKeyDown={onKeyDown}
        onFocus={(e) => {
          // Focus that lands on a row (a click, a screen reader, a script) makes it the active one.
          const key = (e.target as HTMLElement).dataset.key;
          if (key !== undefined) setActiveKey(key);
          else if (e.target === scrollRef.current && items.length > 0) moveTo(activeIndex);
        }}
      >
        {items.length === 0 && (
          <p className="empty">{query ? 'Nothing matches the search.' : 'Nothing here yet.'}</p>
        )}
        <div className="list-inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualItems.map((v) => {
            const item = items[v.index]!;
            const active = v.index === activeIndex;
            return item.type === 'section' ? (
              <SectionRow
                key={v.key}
                kind={kind}
                sectionKey={item.key}
                size={item.size}
                expanded={query !== '' || !collapsed.has(item.key)}
                start={v.start}
                active={active}
                handlers={handlers}
              />
            ) : (
              <TreeRow
                key={v.key}
                kind={kind}
                id={item.id}
                start={v.start}
                active={active}
                posInSet={item.posInSet}
                setSize={item.setSize}
                nested={item.section !== ''}
                handlers={handlers}
              />
            );
          })}
        </div>
      </div>
    </section>
  );
}
