import { useServices } from '../hooks.js';
import { Icon } from './Icon.js';

/** Saves the report of the current or last run as a JSON file. */
export function ExportButton() {
  const { connection, store } = useServices();
  const onClick = async () => {
    try {
      const report = await connection.fetchReport();
      const blob = new Blob([`${JSON.stringify(report, null, 2)}\n`], { type: 'application/json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `pyblish-report-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      store.pushNotice({ level: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };
  return (
    <button
      type="button"
      className="icon-button"
      aria-label="Export report"
      title="Export report (JSON)"
      onClick={onClick}
    >
      <Icon name="download" />
    </button>
  );
}
