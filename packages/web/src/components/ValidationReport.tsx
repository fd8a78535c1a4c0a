import { farmMachines, plural, type ReportEntry, reportText } from '../derive.js';
import { useReport, useRow, useServices, useTop } from '../hooks.js';
import { useUi } from '../ui.js';
import { ActionBar } from './ActionBar.js';
import { Icon } from './Icon.js';
import { ErrorBlock } from './parts.js';
import { Doc, Linkified } from './Text.js';

/** The validation report: each error once, the instances that failed with it, and the fixes. */
export function ValidationReport() {
  const { store } = useServices();
  const top = useTop();
  const report = useReport();
  const failing = report.filter((e) => e.errors.length > 0);
  const warned = report.filter((e) => e.errors.length === 0 && e.warnings.length > 0);
  const errorCount = failing.reduce((n, e) => n + e.errors.length, 0);

  const copy = async () => {
    const text = reportText(
      report,
      (id) => store.getRow('plugins', id)?.label ?? id,
      (id) => (id ? (store.getRow('instances', id)?.label ?? id) : 'Context'),
    );
    try {
      await navigator.clipboard.writeText(text);
      store.pushNotice({ level: 'info', text: `Copied ${plural(errorCount, 'error')} to the clipboard.` });
    } catch {
      store.pushNotice({
        level: 'warning',
        text: 'The browser refused the clipboard; use Export report instead.',
      });
    }
  };

  const ran = (top?.progress.done ?? 0) > 0 || top?.phase === 'finished';
  return (
    <div className="report">
      <div className="report-head">
        <h2>
          {errorCount > 0
            ? `${plural(errorCount, 'error')} in ${plural(failing.length, 'plug-in')}`
            : ran
              ? 'No errors'
              : 'Nothing to report yet'}
        </h2>
        <span className="dim">{top?.message}</span>
        <div className="spacer" />
        <button type="button" className="button text-button" disabled={errorCount === 0} onClick={copy}>
          <Icon name="copy" />
          Copy errors
        </button>
      </div>
      {!ran && <p className="dim">Validate to see what needs fixing here.</p>}
      {failing.map((entry) => (
        <ReportCard key={entry.pluginId} entry={entry} />
      ))}
      {warned.length > 0 && <h3 className="report-sub">Warnings</h3>}
      {warned.map((entry) => (
        <ReportCard key={entry.pluginId} entry={entry} />
      ))}
    </div>
  );
}

function ReportCard({ entry }: { entry: ReportEntry }) {
  const ui = useUi();
  const plugin = useRow('plugins', entry.pluginId);
  const label = plugin?.label ?? entry.label ?? entry.pluginId;
  const failed = entry.errors.length > 0;
  return (
    <article className={`report-card ${failed ? 'failed' : 'warning'}`} aria-label={label}>
      <header>
        <Icon name={failed ? 'error' : 'alert'} className={failed ? 'status-failed' : 'status-warning'} />
        <h3>{label}</h3>
        <span className="dim">{plugin?.verb}</span>
        <div className="spacer" />
        <button
          type="button"
          className="icon-button"
          aria-label={`Details of ${label}`}
          onClick={() => ui.openDetails({ kind: 'plugins', id: entry.pluginId })}
        >
          <Icon name="right" />
        </button>
      </header>
      {plugin?.doc && (
        <div className="doc-box pre">
          <Doc text={plugin.doc.trim()} />
        </div>
      )}
      {entry.errors.map((err) => (
        <div key={err.message} className="report-error">
          <ErrorBlock
            error={err.error}
            instanceId={err.instances[0] ?? null}
            pluginId={entry.pluginId}
            inReport
          />
          {err.farm.length > 0 && (
            <p className="farm-where">
              On the farm: {farmMachines(err)}
              {err.farm.some((f) => f.attempt > 1)
                ? `, attempt ${Math.max(...err.farm.map((f) => f.attempt))}`
                : ''}
            </p>
          )}
          <ul className="instances" aria-label={`Failed instances of ${label}`}>
            {err.instances.map((id) => (
              <InstanceChip key={id ?? 'context'} id={id} />
            ))}
          </ul>
        </div>
      ))}
      {entry.warnings.length > 0 && (
        <details className="warnings" open={!failed}>
          <summary>Warnings ({entry.warnings.length})</summary>
          <ul className="records">
            {entry.warnings.map((w) => (
              <li key={w.seq} className="level-WARNING">
                <span className="pre">
                  <Linkified text={w.record.message} />
                </span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {plugin && <ActionBar plugin={plugin} />}
    </article>
  );
}

function InstanceChip({ id }: { id: string | null }) {
  const ui = useUi();
  const { store } = useServices();
  const contextId = store.getShape('instances').order[0] ?? null;
  const rowId = id ?? contextId;
  const row = useRow('instances', rowId ?? '');
  const label = row?.label ?? (id === null ? 'Context' : id);
  return (
    <li>
      <button
        type="button"
        className={`chip status-${row?.status ?? 'idle'}`}
        disabled={!row}
        onClick={() => rowId && ui.openDetails({ kind: 'instances', id: rowId })}
      >
        <Icon name="file" />
        {label}
      </button>
    </li>
  );
}
