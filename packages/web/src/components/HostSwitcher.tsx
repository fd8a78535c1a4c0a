import type { HostStatus } from '@pyblish/gui/view-model';
import { useServices, useTopField } from '../hooks.js';

const STATUS_LABEL: Record<HostStatus, string> = {
  alive: 'connected',
  busy: 'busy',
  unresponsive: 'not answering',
  lost: 'lost',
};

export function HostSwitcher() {
  const { connection } = useServices();
  const hosts = useTopField((t) => t?.hosts) ?? [];
  const current = hosts.find((h) => h.current);
  if (hosts.length <= 1) {
    return current ? (
      <span
        className={`host host-${current.status}`}
        title={`Host on port ${current.port} (${STATUS_LABEL[current.status]})`}
      >
        <span className="dot" aria-hidden="true" />
        {current.label}
      </span>
    ) : null;
  }
  return (
    <label className={`host host-${current?.status ?? 'lost'}`}>
      <span className="dot" aria-hidden="true" />
      <select
        aria-label="Host"
        value={current?.key ?? ''}
        onChange={(e) => void connection.send({ type: 'switchHost', key: e.target.value })}
      >
        {hosts.map((h) => (
          <option key={h.key} value={h.key}>
            {h.label} (:{h.port}
            {h.pid ? `, pid ${h.pid}` : ''}) {h.status === 'alive' ? '' : `- ${STATUS_LABEL[h.status]}`}
          </option>
        ))}
      </select>
    </label>
  );
}
