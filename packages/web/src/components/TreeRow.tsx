import type { InstanceRow, ItemStatus, PluginRow } from '@pyblish/gui/view-model';
import { memo } from 'react';
import { formatDuration, menuEntries, STATUS_TEXT } from '../derive.js';
import { useRow, useSectionSummary } from '../hooks.js';
import { countRender } from '../instrument.js';
import type { ListKind } from '../store.js';
import { Icon } from './Icon.js';
import { STATUS_ICON } from './parts.js';
import type { TreeHandlers } from './VirtualTree.js';

interface Placement {
  kind: ListKind;
  start: number;
  active: boolean;
  handlers: TreeHandlers;
}

/** A checkbox glyph coloured by status; the row carries aria-checked, so this is decoration. */
export function Check({
  status,
  checked,
  optional,
  onClick,
}: {
  status: ItemStatus;
  checked: boolean | 'mixed';
  optional: boolean;
  onClick?: () => void;
}) {
  return (
    <span
      className={`check status-${status}${optional ? '' : ' fixed'}${checked === true ? ' on' : checked === 'mixed' ? ' mixed' : ''}`}
      aria-hidden="true"
      onClick={(e) => {
        e.stopPropagation();
        onClick?.();
      }}
    >
      {checked === true && <Icon name="check" />}
      {checked === 'mixed' && <Icon name="collapse" />}
    </span>
  );
}

export const TreeRow = memo(function TreeRow(
  props: Placement & { id: string; posInSet: number; setSize: number; nested: boolean },
) {
  const { kind, id, start, active, handlers } = props;
  countRender(`row:${id}`);
  const row = useRow(kind, id);
  if (!row) return null;
  const label = row.label || row.name;
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled by the tree (roving focus)
    <div
      id={`${kind}-${id}`}
      data-key={id}
      role="treeitem"
      aria-level={props.nested ? 2 : 1}
      aria-posinset={props.posInSet}
      aria-setsize={props.setSize}
      aria-checked={row.toggled}
      aria-selected={active}
      aria-label={label}
      aria-description={STATUS_TEXT[row.status]}
      tabIndex={active ? 0 : -1}
      className={`row status-${row.status}${row.toggled ? '' : ' off'}${props.nested ? ' nested' : ''}`}
      style={{ transform: `translateY(${start}px)` }}
      onClick={() => handlers.activate(id)}
      onDoubleClick={() => handlers.details(id)}
      onContextMenu={
        row.kind === 'plugin'
          ? (e) => {
              e.preventDefault();
              handlers.activate(id);
              handlers.menu(id, e);
            }
          : undefined
      }
    >
      <Check
        status={row.status}
        checked={row.toggled}
        optional={row.optional}
        onClick={() => handlers.toggle(id)}
      />
      <span className="label" title={row.name}>
        {label}
      </span>
      {row.kind === 'instance' ? (
        <InstanceExtras row={row} />
      ) : (
        <PluginExtras row={row} handlers={handlers} />
      )}
      {row.processed && <span className="duration">{formatDuration(row.duration)}</span>}
      {STATUS_ICON[row.status] && (
        <Icon name={STATUS_ICON[row.status]!} className={`status-icon status-${row.status}`} />
      )}
      <button
        type="button"
        className="icon-button open-details"
        tabIndex={-1}
        aria-label={`Details of ${label}`}
        title="Details"
        onClick={(e) => {
          e.stopPropagation();
          handlers.details(id);
        }}
      >
        <Icon name="right" />
      </button>
    </div>
  );
});

function InstanceExtras({ row }: { row: InstanceRow }) {
  return (
    <>
      {row.family && !row.isContext && <span className="family">{row.families.join(', ')}</span>}
      {row.comment !== '' && (
        <span className="has-comment" title={row.comment} role="img" aria-label="Has a comment">
          <Icon name="comment" />
        </span>
      )}
    </>
  );
}

function PluginExtras({ row, handlers }: { row: PluginRow; handlers: TreeHandlers }) {
  const label = row.label || row.name;
  const hasMenu = menuEntries(row.actions).some((a) => a.kind === 'action');
  return (
    <>
      {row.optional && <span className="family">optional</span>}
      {row.hasError && row.hasRepair && (
        <span className="hint-icon" title="This plug-in can repair; see the report">
          <Icon name="wrench" />
        </span>
      )}
      {hasMenu && (
        <button
          type="button"
          className={`icon-button actions action-${row.actionState}`}
          tabIndex={-1}
          aria-label={`Actions of ${label}`}
          title="This plug-in has actions"
          onClick={(e) => {
            e.stopPropagation();
            handlers.activate(row.id);
            handlers.menu(row.id, e);
          }}
        >
          <Icon name="menu" />
        </button>
      )}
    </>
  );
}

export const SectionRow = memo(function SectionRow(
  props: Placement & { sectionKey: string; size: number; expanded: boolean },
) {
  const { kind, sectionKey, start, active, handlers, expanded } = props;
  const summary = useSectionSummary(kind, sectionKey);
  const key = `section:${sectionKey}`;
  const checked = summary?.checked === 'mixed' ? 'mixed' : summary?.checked === 'true';
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled by the tree (roving focus)
    <div
      data-key={key}
      role="treeitem"
      aria-level={1}
      aria-expanded={expanded}
      aria-checked={checked}
      aria-selected={active}
      aria-label={sectionKey}
      tabIndex={active ? 0 : -1}
      className={`row section status-${summary?.status ?? 'idle'}`}
      style={{ transform: `translateY(${start}px)` }}
      onClick={() => {
        handlers.activate(key);
        handlers.collapse(sectionKey);
      }}
    >
      <Icon name={expanded ? 'down' : 'right'} className="caret" />
      <Check
        status={summary?.status ?? 'idle'}
        checked={checked}
        optional={summary?.optional ?? false}
        onClick={() => handlers.toggleSection(sectionKey, checked !== true)}
      />
      <span className="label">{sectionKey}</span>
      <span className="count">{props.size}</span>
    </div>
  );
});
