import type { HostStatus, HostSummary } from '@pyblish/gui/view-model';
import { useServices, useTopField } from '../hooks.js';

const STATUS_LABEL: Record<HostStatus, string> = {
  alive: 'connected',
  busy: 'busy',
  unresponsive: 'not answering',
  lost: 'lost',
};

/** "Maya (:9002, pid 4242)"; a host that has told no name is its port already. */
function optionText(h: HostSummary): string {
  const where = [h.named ? `:${h.port}` : '', h.pid ? `pid ${h.pid}` : ''].filter(Boolean).join(', ');
  const status = h.status === 'alive' ? '' : ` - ${STATUS_LABEL[h.status]}`;
  return `${h.label}${where ? ` (${where})` : ''}${status}`;
}

export function HostSwitcher() {
  const { connection } = useServices();
  const hosts = useTopField((t) => t?.hosts) ?? [];
  const current = hosts.find((h) => h.current);
  if (hosts.length === 1 && current) {
    return (
      <span
        className={`host host-${current.status}`}
        title={`Host on port ${current.port} (${STATUS_LABEL[current.status]})`}
      >
        <span className="dot" aria-hidden="true" />
        {current.label}
      </span>
    );
  }
  if (hosts.length === 0) return null;
  // With none shown (after a GUI restart, hosts come back by their heartbeats), no host may look
  // chosen: choosing any of them must be a change, which shows it.
  return (
    <label className={`host host-${current?.status ?? 'lost'}`}>
      <span className="dot" aria-hidden="true" />
      <select
        aria-label="Host"
        value={current?.key ?? ''}
        onChange={(e) => void connection.send({ type: 'switchHost', key: e.target.value })}
      >
        {!current && (
          <option value="" disabled>
            Choose a host to show..
          </option>
        )}
        {hosts.map((h) => (
          <option key={h.key} value={h.key}>
            {optionText(h)}
          </option>
        ))}
      </select>
    </label>
  );
}
