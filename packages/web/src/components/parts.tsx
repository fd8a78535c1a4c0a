// Small pieces more than one component renders: the status icon of a row, an error with where
// it happened, and the comment box. Here rather than in whichever component used them first, so a
// component imports only what it shows.
import type { ErrorRow, ItemStatus } from '@pyblish/gui/view-model';
import { useEffect, useRef, useState } from 'react';
import { fileAndLine } from '../derive.js';
import { useServices, useTopField } from '../hooks.js';
import type { IconName } from './Icon.js';
import { Linkified } from './Text.js';

/** The icon of each status (idle has none). */
export const STATUS_ICON: Record<ItemStatus, IconName | null> = {
  idle: null,
  processing: 'spinner',
  succeeded: 'check',
  failed: 'error',
  warning: 'alert',
  skipped: 'skip',
};

/** An error with where it happened; `inReport` leaves out what the report card already says. */
export function ErrorBlock({
  error,
  instanceId,
  pluginId,
  inReport = false,
}: {
  error: ErrorRow;
  instanceId: string | null;
  pluginId: string;
  inReport?: boolean;
}) {
  const { store } = useServices();
  const instance = instanceId ? store.getRow('instances', instanceId) : null;
  const plugin = store.getRow('plugins', pluginId);
  return (
    <div className="error-block">
      <div className="pre error-text">
        <Linkified text={error.message} />
      </div>
      <dl className="fields">
        {!inReport && (
          <>
            <dt>Plug-in</dt>
            <dd>{plugin?.label ?? pluginId}</dd>
            <dt>Instance</dt>
            <dd>{instance ? instance.label : 'Context'}</dd>
          </>
        )}
        {error.fname && (
          <>
            <dt>File</dt>
            <dd>{fileAndLine(error)}</dd>
          </>
        )}
        {error.func && (
          <>
            <dt>Function</dt>
            <dd>{error.func}</dd>
          </>
        )}
        {error.source && (
          <>
            <dt>Source</dt>
            <dd>
              <code>{error.source}</code>
            </dd>
          </>
        )}
        {error.exc && (
          <>
            <dt>Exception</dt>
            <dd>{error.exc}</dd>
          </>
        )}
      </dl>
    </div>
  );
}

/** Sends the comment 300 ms after typing stops, so a long comment is one command. */
export function CommentBox({
  text,
  editable,
  onChange,
  label = 'Comment text',
}: {
  text: string;
  editable: boolean;
  onChange(text: string): void;
  label?: string;
}) {
  const saved = useTopField((t) => Boolean(t?.savedReport));
  const [draft, setDraft] = useState(text);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const typing = useRef(false);
  useEffect(() => {
    if (!typing.current) setDraft(text);
  }, [text]);
  // Why the box is or is not editable, said under it: comments reach the host before a run starts
  // (a plug-in may read them while it runs), so they are edited between runs, never during one.
  const hint = saved
    ? 'A saved report: its comments cannot be changed.'
    : editable
      ? 'The host gets it before the next run starts.'
      : 'A run is on: comments can change once it ends, and the host gets them before the next run.';
  return (
    <>
      <textarea
        className="comment"
        aria-label={label}
        aria-description={hint}
        placeholder="Comment.."
        readOnly={!editable || saved}
        value={draft}
        onChange={(e) => {
          const value = e.target.value;
          setDraft(value);
          typing.current = true;
          if (timer.current) clearTimeout(timer.current);
          timer.current = setTimeout(() => {
            typing.current = false;
            onChange(value);
          }, 300);
        }}
      />
      <p className="comment-hint">{hint}</p>
    </>
  );
}
