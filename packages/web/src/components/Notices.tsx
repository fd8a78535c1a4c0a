import { useEffect } from 'react';
import { useNotices, useServices } from '../hooks.js';
import { Icon } from './Icon.js';

const LIFETIME_MS = 6000;

export function Notices() {
  const { store } = useServices();
  const notices = useNotices();
  useEffect(() => {
    const timers = notices.map((n) => setTimeout(() => store.dismissNotice(n.id), LIFETIME_MS));
    return () => {
      for (const t of timers) clearTimeout(t);
    };
  }, [notices, store]);
  return (
    <output className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`}>
          <Icon name={n.level === 'info' ? 'info' : n.level === 'warning' ? 'alert' : 'error'} />
          <span>{n.text}</span>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={() => store.dismissNotice(n.id)}
          >
            <Icon name="cross" />
          </button>
        </div>
      ))}
    </output>
  );
}
