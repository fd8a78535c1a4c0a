import type { SavedReportInfo } from '@pyblish/gui/view-model';
import { formatSeconds, formatTimestamp, savedReportText } from '../derive.js';
import { useConnected, useTop, useUnauthorised } from '../hooks.js';

/** What stops the artist from working, said plainly: no connection, a busy, unresponsive or lost host. */
export function Banner() {
  const top = useTop();
  const saved = top?.savedReport;
  return (
    <>
      {saved && (
        <div className="banner banner-info" role="status">
          {saved.headless ? headlessReportText(saved, saved.headless) : savedReportText(saved)}
        </div>
      )}
      <Problem />
    </>
  );
}

/** A headless publish has no host: say what ran it and when its report was written. */
function headlessReportText(
  info: SavedReportInfo,
  headless: NonNullable<SavedReportInfo['headless']>,
): string {
  const from = [
    `pyblish ${headless.pyblishVersion}`,
    `targets: ${headless.targets.join(', ') || 'none'}`,
    `plug-ins from ${headless.pluginPaths.join(', ') || 'no path'}`,
  ].join('; ');
  const written = info.finishedAt ? `, written ${formatTimestamp(info.finishedAt)}` : '';
  return `Headless publish report: ${info.file}, from the pyblish CLI (${from})${written}. Read-only: nothing here runs.`;
}

function Problem() {
  const connected = useConnected();
  const unauthorised = useUnauthorised();
  const top = useTop();
  let text: string | null = null;
  let level: 'warning' | 'error' = 'warning';
  const host = top?.hosts.find((h) => h.current);
  if (unauthorised) {
    text =
      'Not authorised: this page was opened without its secret, or with an old one. Open the address pyblish-gui printed ' +
      '("Window: http://127.0.0.1:…/#secret=…"), or show Pyblish again from your application.';
    level = 'error';
  } else if (!connected) {
    text = 'Lost the connection to the Pyblish GUI process. Reconnecting..';
    level = 'error';
  } else if (top?.fault) {
    text = top.fault.message;
    level = 'error';
  } else if (host?.status === 'lost') {
    text = `Lost contact with ${host.label} (silent for ${formatSeconds(host.silentFor)}). Save your work in the host; the GUI will pick it up again when it answers.`;
    level = 'error';
  } else if (host?.status === 'unresponsive') {
    text = `${host.label} has not answered since the GUI stopped waiting for its call. Reset once it shows as connected again.`;
    level = 'error';
  } else if (host?.status === 'busy') {
    text = `${host.label} has been busy for ${formatSeconds(host.busyFor)}. Waiting for it to finish..`;
  } else if (top && top.phase === 'noHost') {
    const running = top.hosts.filter((h) => h.status !== 'lost').length;
    text =
      running === 0
        ? 'No host is connected. Open Pyblish from your application (or run a host) to start.'
        : `${running === 1 ? 'A host is' : `${running} hosts are`} running, but none is shown yet. Choose one in the host list to show it here (or open Pyblish from your application).`;
  } else if (top && top.visible === false) {
    text = 'The host hid this window. It comes back when the host shows it again.';
  }
  if (!text) return null;
  return (
    <div className={`banner banner-${level}`} role="alert">
      {text}
    </div>
  );
}
