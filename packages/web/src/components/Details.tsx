import type { ErrorRow, InstanceRow, PluginRow, RecordRow, TerminalEntry } from '@pyblish/gui/view-model';
import { type ReactNode, useEffect, useMemo, useRef } from 'react';
import { controlsFor, formatDuration, STATUS_TEXT, sinceLastReset } from '../derive.js';
import { useRow, useServices, useTerminal, useTop } from '../hooks.js';
import { type DetailsTarget, useUi } from '../ui.js';
import { ActionBar } from './ActionBar.js';
import { Icon } from './Icon.js';
import { CommentBox, ErrorBlock, STATUS_ICON } from './parts.js';
import { Doc, Linkified, valueText } from './Text.js';

/** Records shown on the page; the Terminal holds them all. */
const RECORD_LIMIT = 500;

export function Details({ target }: { target: DetailsTarget }) {
  const ui = useUi();
  const row = useRow(target.kind, target.id);
  const terminal = useTerminal();
  const regionRef = useRef<HTMLElement>(null);
  useEffect(() => regionRef.current?.focus(), []);

  const mine = useMemo(() => {
    const belongs = (e: TerminalEntry): boolean => {
      if (e.type !== 'record' && e.type !== 'error') return false;
      if (!row) return false;
      if (row.kind === 'plugin') return e.pluginId === row.id;
      return e.instanceId === row.id || (row.isContext && e.instanceId === null && e.pluginId !== null);
    };
    const records: Array<RecordRow & { seq: number; instanceId: string | null }> = [];
    const errors: Array<{ seq: number; error: ErrorRow; instanceId: string | null; pluginId: string }> = [];
    for (const e of sinceLastReset(terminal.entries, terminal.count)) {
      if (!belongs(e)) continue;
      if (e.type === 'record') records.push({ ...e.record, seq: e.seq, instanceId: e.instanceId });
      else if (e.type === 'error')
        errors.push({ seq: e.seq, error: e.error, instanceId: e.instanceId, pluginId: e.pluginId });
    }
    return { records, errors };
  }, [terminal, row]);

  if (!row) {
    return (
      <section className="details" aria-label="Details">
        <BackBar onBack={() => ui.openDetails(null)} />
        <p className="empty">This item is gone (the host reset). Press Escape to go back.</p>
      </section>
    );
  }
  const label = row.label || row.name;
  const runs = row.passed + row.failed;
  return (
    <section ref={regionRef} className="details" aria-label={label} tabIndex={-1}>
      <BackBar onBack={() => ui.openDetails(null)} />
      <div className={`gadget status-${row.status}`}>
        <Icon name={row.kind === 'plugin' ? 'plug' : 'file'} />
        <div className="gadget-title">
          <h2>{label}</h2>
          <div className="dim">
            {row.kind === 'plugin'
              ? `${row.type} · order ${row.order}`
              : row.families.join(', ') || 'Context'}
          </div>
        </div>
        <div className="gadget-stats">
          <div>
            {STATUS_ICON[row.status] && (
              <Icon name={STATUS_ICON[row.status]!} className={`status-${row.status}`} />
            )}{' '}
            {STATUS_TEXT[row.status]}
          </div>
          <div className="dim">
            {runs > 0
              ? `${row.passed}/${runs} passed · ran for ${formatDuration(row.duration)}`
              : 'Not started'}
          </div>
        </div>
      </div>
      <div className="details-body">
        <Group title={`Errors (${mine.errors.length})`} open={mine.errors.length > 0}>
          {mine.errors.length === 0 && <p className="dim">No errors.</p>}
          {mine.errors.map((e) => (
            <ErrorBlock key={e.seq} error={e.error} instanceId={e.instanceId} pluginId={e.pluginId} />
          ))}
        </Group>
        {row.kind === 'plugin' && <PluginDoc row={row} />}
        <Group title={`Records (${mine.records.length})`} open={mine.records.length > 0}>
          {mine.records.length === 0 && <p className="dim">No records.</p>}
          {mine.records.length > RECORD_LIMIT && (
            <p className="dim">Showing the last {RECORD_LIMIT}; the Terminal has them all.</p>
          )}
          <ul className="records">
            {mine.records.slice(-RECORD_LIMIT).map((r) => (
              <li key={r.seq} className={`level-${r.levelname}`}>
                <span className="level">{r.levelname}</span>
                <span className="pre">
                  <Linkified text={r.message} />
                </span>
                <span className="dim location">
                  {r.filename}:{r.lineno}
                </span>
              </li>
            ))}
          </ul>
        </Group>
        {row.kind === 'plugin' ? <PluginParts row={row} /> : <InstanceParts row={row} />}
      </div>
    </section>
  );
}

function BackBar({ onBack }: { onBack(): void }) {
  return (
    <div className="backbar">
      <button
        type="button"
        className="button text-button"
        aria-label="Back"
        title="Back (Escape)"
        onClick={onBack}
      >
        <Icon name="left" />
        Back
      </button>
      <span className="dim">Details</span>
    </div>
  );
}

function Group({ title, open, children }: { title: string; open: boolean; children: ReactNode }) {
  return (
    <details className="group" open={open}>
      <summary>{title}</summary>
      <div className="group-body">{children}</div>
    </details>
  );
}

/** What the plug-in is for and what it offers to fix: right under its errors. */
function PluginDoc({ row }: { row: PluginRow }) {
  return (
    <>
      <Group title="Documentation" open>
        <div className="pre doc">{row.doc ? <Doc text={row.doc} /> : 'No documentation'}</div>
      </Group>
      <ActionBar plugin={row} />
    </>
  );
}

function PluginParts({ row }: { row: PluginRow }) {
  return (
    <>
      <Group title="Data" open={false}>
        <Fields
          data={{
            name: row.name,
            families: row.families,
            order: row.order,
            optional: row.optional,
            compatible: row.compatibleCount,
            module: row.module,
          }}
        />
      </Group>
      <Group title="Path" open={false}>
        <div className="pre">{row.path || 'Unknown'}</div>
      </Group>
    </>
  );
}

function InstanceParts({ row }: { row: InstanceRow }) {
  const { connection } = useServices();
  const top = useTop();
  return (
    <>
      <Group title="Data" open>
        <Fields data={row.data} converted={row.converted ?? null} />
      </Group>
      <Group title="Comment" open={row.comment !== ''}>
        <CommentBox
          label={`Comment on ${row.label}`}
          text={row.isContext ? (top?.comment ?? row.comment) : row.comment}
          editable={controlsFor(top?.phase ?? 'noHost', Boolean(top?.savedReport)).editable}
          onChange={(text) =>
            void connection.send(
              row.isContext ? { type: 'comment', text } : { type: 'comment', text, instanceId: row.id },
            )
          }
        />
      </Group>
    </>
  );
}

/** What a value the GUI converted was (InstanceRow.converted), said to the artist. */
const CONVERTED_TEXT: Record<string, string> = {
  i8: 'an integer too large for exact arithmetic, shown as its digits',
  dateTime: 'a date, shown as ISO 8601 text (UTC)',
  base64: 'binary data, shown as base64',
  double: 'NaN or an infinity, shown as text',
  truncated: 'text too long to show whole, cut',
  nested: 'holds values converted to be shown',
};

function Fields({
  data,
  converted = null,
}: {
  data: Record<string, unknown>;
  converted?: Record<string, string> | null;
}) {
  const keys = Object.keys(data);
  if (keys.length === 0) return <p className="dim">No data.</p>;
  return (
    <dl className="fields">
      {keys.map((k) => {
        const was = converted?.[k];
        return (
          <div key={k} className="field">
            <dt>{k}</dt>
            <dd className="pre">
              {valueText(data[k])}
              {was && (
                <span className="converted" title={`The host sent ${CONVERTED_TEXT[was] ?? was}.`}>
                  {' '}
                  (converted)
                </span>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
