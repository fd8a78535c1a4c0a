import type { Command } from '@pyblish/gui/view-model';
import { Fragment, useEffect, useRef, useState } from 'react';
import { controlsFor, isRunning } from '../derive.js';
import { useServices, useTop } from '../hooks.js';
import { FarmButton } from './FarmButton.js';
import { Icon, type IconName } from './Icon.js';
import { CommentBox } from './parts.js';
import { DeliveryStatus } from './SceneEditsStatus.js';

const BUTTONS: Array<{
  type: 'reset' | 'validate' | 'publish' | 'stop';
  label: string;
  icon: IconName;
  hint: string;
}> = [
  { type: 'reset', label: 'Reset', icon: 'refresh', hint: 'Reset: collect again' },
  { type: 'validate', label: 'Validate', icon: 'flask', hint: 'Validate: run collectors and validators' },
  { type: 'publish', label: 'Publish', icon: 'play', hint: 'Publish everything (Ctrl+Enter)' },
  { type: 'stop', label: 'Stop', icon: 'stop', hint: 'Stop after the current plug-in' },
];

export function Footer() {
  const { connection, store } = useServices();
  const top = useTop();
  const phase = top?.phase ?? 'noHost';
  const controls = controlsFor(phase, Boolean(top?.savedReport));
  const [commentOpen, setCommentOpen] = useState(false);
  const hasComment = (top?.comment ?? '') !== '';
  const opened = useRef(false);
  useEffect(() => {
    // Like pyblish-qml: the comment box opens by itself when the context already has one.
    if (hasComment && !opened.current) {
      opened.current = true;
      setCommentOpen(true);
    }
  }, [hasComment]);

  const progress = top?.progress;
  const current = progress?.currentPlugin
    ? (store.getRow('plugins', progress.currentPlugin)?.label ?? progress.currentPlugin)
    : null;
  const currentInstance = progress?.currentInstance
    ? (store.getRow('instances', progress.currentInstance)?.label ?? progress.currentInstance)
    : null;
  const running = isRunning(phase);
  const send = (command: Command) => void connection.send(command);
  return (
    <footer className="footer">
      {commentOpen && (
        <CommentBox
          text={top?.comment ?? ''}
          editable={controls.editable}
          onChange={(text) => send({ type: 'comment', text })}
        />
      )}
      <DeliveryStatus />
      <div className="footer-bar">
        <output className={`message phase-${phase}`} aria-live="polite">
          {top?.message ?? 'Connecting..'}
        </output>
        {progress && (running || progress.planned > 0) && (
          <div className="progress">
            <div
              className="progress-track"
              role="progressbar"
              aria-label="Progress"
              aria-valuemin={0}
              aria-valuemax={Math.max(progress.planned, 1)}
              aria-valuenow={progress.done}
              aria-valuetext={`${progress.done} of ${progress.planned}`}
            >
              <div
                className="progress-fill"
                style={{ width: `${progress.planned > 0 ? (100 * progress.done) / progress.planned : 0}%` }}
              />
            </div>
            <span className="progress-text">
              {running && current ? `${current}${currentInstance ? ` · ${currentInstance}` : ''} ` : ''}
              {progress.done}/{progress.planned}
            </span>
          </div>
        )}
        <div className="buttons">
          <button
            type="button"
            className="icon-button"
            aria-label="Comment"
            aria-pressed={commentOpen}
            title="Comment.."
            onClick={() => setCommentOpen(!commentOpen)}
          >
            <Icon name="comment" className={hasComment ? 'filled' : ''} />
          </button>
          {BUTTONS.map((b) => (
            <Fragment key={b.type}>
              <button
                type="button"
                className={`button button-${b.type}`}
                aria-label={b.label}
                title={b.hint}
                disabled={!controls[b.type]}
                onClick={() => send({ type: b.type })}
              >
                <Icon name={b.icon} />
                <span className="button-text">{b.label}</span>
              </button>
              {b.type === 'publish' && <FarmButton enabled={controls.publish} />}
            </Fragment>
          ))}
        </div>
      </div>
    </footer>
  );
}
