import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { actionProblem, menuEntries } from '../derive.js';
import { useRow, useServices, useTopField } from '../hooks.js';
import type { MenuTarget } from '../ui.js';
import { Icon } from './Icon.js';

const MENU_WIDTH = 200;

/** A plug-in's context menu: actions with icons, categories and separators, filtered by state. */
export function ActionMenu({ target, onClose }: { target: MenuTarget; onClose(): void }) {
  const { connection, store } = useServices();
  const plugin = useRow('plugins', target.pluginId);
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ x: target.x, y: target.y });
  const idle = useTopField((t) => t?.phase === 'ready' || t?.phase === 'finished');

  useLayoutEffect(() => {
    const h = ref.current?.offsetHeight ?? 0;
    setPos({
      x: Math.max(4, Math.min(target.x, window.innerWidth - MENU_WIDTH - 4)),
      y: Math.max(4, Math.min(target.y, window.innerHeight - h - 4)),
    });
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [target]);

  useEffect(() => {
    const onDown = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener('pointerdown', onDown);
    return () => window.removeEventListener('pointerdown', onDown);
  }, [onClose]);

  if (!plugin) return null;
  const entries = menuEntries(plugin.actions);
  const label = plugin.label || plugin.name;

  const run = (actionId: string) => {
    const action = plugin.actions.find((a) => a.id === actionId);
    if (!action) return;
    const problem = actionProblem(action) ?? (idle ? null : 'Busy: wait for the current run to end.');
    onClose();
    if (problem) store.pushNotice({ level: 'warning', text: problem });
    else void connection.send({ type: 'action', pluginId: plugin.id, actionId });
  };

  const onKey = (e: KeyboardEvent) => {
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    const step = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
    if (step !== 0) {
      e.preventDefault();
      items[(i + step + items.length) % items.length]?.focus();
    } else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      onClose();
    }
  };

  return (
    <div
      ref={ref}
      className="menu"
      role="menu"
      aria-label={`Actions of ${label}`}
      style={{ left: pos.x, top: pos.y, width: MENU_WIDTH }}
      onKeyDown={onKey}
    >
      {entries.length === 0 && <div className="menu-category">No actions available now</div>}
      {entries.map((entry) =>
        entry.kind === 'separator' ? (
          <hr key={entry.id} className="menu-separator" />
        ) : entry.kind === 'category' ? (
          <div key={entry.id} className="menu-category" role="presentation">
            {entry.label}
          </div>
        ) : (
          <button
            key={entry.id}
            type="button"
            role="menuitem"
            tabIndex={-1}
            className={`menu-item${entry.active ? '' : ' inactive'}${entry.error ? ' broken' : ''}`}
            title={entry.error ?? undefined}
            onClick={() => run(entry.id)}
          >
            <Icon name={entry.icon} />
            {entry.label}
          </button>
        ),
      )}
    </div>
  );
}
