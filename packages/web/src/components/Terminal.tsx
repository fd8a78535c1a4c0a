// Every record and error of the session, live. Level toggles (DEBUG off at first) and a text
// filter work together; rows expand to show the record's fields. Virtualised, with measured
// row heights, and it follows the end while the view is scrolled to the bottom.
import type { FarmRef, TerminalEntry } from '@pyblish/gui/view-model';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef } from 'react';
import { fileAndLine, flipped, LEVELS, type Level, plural, terminalFilter } from '../derive.js';
import { useServices, useTerminal } from '../hooks.js';
import { useStickyState } from '../ui.js';
import { Icon, type IconName } from './Icon.js';
import { SearchBox } from './SearchBox.js';
import { firstLine, Linkified } from './Text.js';

const LEVEL_ICON: Record<Level, IconName> = {
  DEBUG: 'bug',
  INFO: 'info',
  WARNING: 'alert',
  ERROR: 'error',
  CRITICAL: 'error',
};

export const Terminal = memo(function Terminal() {
  const terminal = useTerminal();
  const [shown, setShown] = useStickyState<ReadonlySet<Level>>(
    'terminal.levels',
    () => new Set(LEVELS.filter((l) => l !== 'DEBUG')),
  );
  const [text, setText] = useStickyState('terminal.text', () => '');
  const [expanded, setExpanded] = useStickyState<ReadonlySet<number>>('terminal.expanded', () => new Set());

  // Filter incrementally: appending entries filters only the new ones (by sequence number, since
  // the oldest entries leave the front once the GUI process stops keeping them).
  const cache = useRef<{
    shown: ReadonlySet<Level>;
    text: string;
    /** The filter, with what it remembers of the entries so far. */
    sieve: (entry: TerminalEntry) => TerminalEntry[];
    /** The last sequence number filtered. */
    seen: number;
    rows: TerminalEntry[];
  } | null>(null);
  const visible = useMemo(() => {
    let c = cache.current;
    if (!c || c.shown !== shown || c.text !== text)
      c = { shown, text, sieve: terminalFilter(shown, text), seen: 0, rows: [] };
    const first = terminal.entries[0]?.seq ?? Number.POSITIVE_INFINITY;
    let from = 0;
    while (from < c.rows.length && c.rows[from]!.seq < first) from++;
    const rows = c.rows.slice(from);
    let i = terminal.count;
    while (i > 0 && terminal.entries[i - 1]!.seq > c.seen) i--;
    for (; i < terminal.count; i++) rows.push(...c.sieve(terminal.entries[i]!));
    cache.current = { ...c, seen: terminal.entries[terminal.count - 1]?.seq ?? c.seen, rows };
    return rows;
  }, [terminal, shown, text]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 24,
    overscan: 12,
    getItemKey: (i) => visible[i]!.seq,
  });
  useEffect(() => {
    if (stick.current && visible.length > 0) virtualizer.scrollToIndex(visible.length - 1, { align: 'end' });
  }, [visible, virtualizer]);

  const toggleExpanded = (seq: number) => setExpanded(flipped(expanded, seq));

  return (
    <div className="terminal">
      <div className="terminal-bar">
        <SearchBox label="Filter terminal" placeholder="Filter.." value={text} onChange={setText} />
        <fieldset className="levels" aria-label="Levels">
          {LEVELS.map((l) => (
            <button
              key={l}
              type="button"
              className={`level-toggle level-${l}`}
              aria-pressed={shown.has(l)}
              title={`${shown.has(l) ? 'Hide' : 'Show'} ${l} records`}
              onClick={() => setShown(flipped(shown, l))}
            >
              <Icon name={LEVEL_ICON[l]} />
              {l}
            </button>
          ))}
        </fieldset>
        {terminal.dropped > 0 && (
          <span
            className="dim dropped"
            title="The GUI keeps only the newest entries; the report keeps the results."
          >
            {plural(terminal.dropped, 'earlier entry', 'earlier entries')} dropped
          </span>
        )}
        <span className="dim count">
          {visible.length}/{terminal.count}
        </span>
      </div>
      <div
        ref={scrollRef}
        className="terminal-scroll"
        role="log"
        aria-label="Terminal"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        <div className="list-inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((v) => {
            const entry = visible[v.index]!;
            return (
              <div
                key={v.key}
                data-index={v.index}
                ref={virtualizer.measureElement}
                className="entry-slot"
                style={{ transform: `translateY(${v.start}px)` }}
              >
                <Entry entry={entry} expanded={expanded.has(entry.seq)} onToggle={toggleExpanded} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
});

const Entry = memo(function Entry({
  entry,
  expanded,
  onToggle,
}: {
  entry: TerminalEntry;
  expanded: boolean;
  onToggle(seq: number): void;
}) {
  const { store } = useServices();
  const instanceLabel = (id: string | null) =>
    id ? (store.getRow('instances', id)?.label ?? id) : 'Context';
  switch (entry.type) {
    case 'context':
      return (
        <div className="entry entry-context">
          <Icon name="info" />
          <div className="context-header">
            {Object.entries(entry.header).map(([k, v]) => (
              <span key={k}>
                <span className="dim">{k}</span> {v}
              </span>
            ))}
          </div>
        </div>
      );
    case 'plugin':
      return (
        <div className="entry entry-plugin">
          <Icon name="plug" />
          {entry.label}
        </div>
      );
    case 'instance':
      return (
        <div className="entry entry-instance">
          <Icon name="file" />
          {entry.label}
          {entry.farm && <FarmTag farm={entry.farm} />}
        </div>
      );
    case 'message':
      return (
        <div className={`entry entry-message level-${entry.level.toUpperCase()}`}>
          <Icon name={entry.level === 'info' ? 'info' : entry.level === 'warning' ? 'alert' : 'error'} />
          {entry.text}
        </div>
      );
    case 'record': {
      const r = entry.record;
      return (
        <Expandable
          className={`entry-record level-${r.levelname}`}
          icon={LEVEL_ICON[r.levelname as Level] ?? 'info'}
          text={r.message}
          expanded={expanded}
          onToggle={() => onToggle(entry.seq)}
          fields={{
            Instance: instanceLabel(entry.instanceId),
            Level: r.levelname,
            Logger: r.name,
            File: `${r.filename}:${r.lineno}`,
            Path: r.pathname,
            Function: r.funcName,
            Thread: r.threadName,
            Time: new Date(r.created * 1000).toLocaleTimeString(),
            ...farmFields(entry.farm),
          }}
        />
      );
    }
    case 'error': {
      const e = entry.error;
      return (
        <Expandable
          className="entry-error level-ERROR"
          icon="error"
          text={e.message}
          expanded={expanded}
          onToggle={() => onToggle(entry.seq)}
          fields={{
            Instance: instanceLabel(entry.instanceId),
            File: fileAndLine(e),
            Function: e.func ?? '',
            Source: e.source ?? '',
            Exception: e.exc ?? '',
            ...farmFields(entry.farm),
          }}
        />
      );
    }
  }
});

/** Where a farm ran the pair: its machine, and the run when it ran again. */
function FarmTag({ farm }: { farm: FarmRef }) {
  return (
    <span className="farm-tag">
      on {farm.machine}
      {farm.attempt > 1 ? ` (attempt ${farm.attempt})` : ''}
    </span>
  );
}

function farmFields(farm: FarmRef | undefined): Record<string, string> {
  return farm ? { 'Farm machine': farm.machine, 'Farm job': farm.jobId, Attempt: String(farm.attempt) } : {};
}

function Expandable({
  className,
  icon,
  text,
  expanded,
  onToggle,
  fields,
}: {
  className: string;
  icon: IconName;
  text: string;
  expanded: boolean;
  onToggle(): void;
  fields: Record<string, string>;
}) {
  return (
    <div className={`entry ${className}`}>
      <button type="button" className="entry-toggle" aria-expanded={expanded} onClick={onToggle}>
        <Icon name={icon} />
        <span className="entry-text">{expanded ? <Linkified text={text} /> : firstLine(text)}</span>
        {!expanded && text.includes('\n') && <span className="dim"> ..</span>}
      </button>
      {expanded && (
        <dl className="fields">
          {Object.entries(fields)
            .filter(([, v]) => v !== '')
            .map(([k, v]) => (
              <div key={k} className="field">
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
        </dl>
      )}
    </div>
  );
}
