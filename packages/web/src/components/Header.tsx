import type { KeyboardEvent } from 'react';
import { useReport, useTopField } from '../hooks.js';
import { type Tab, type Theme, useUi } from '../ui.js';
import { ExportButton } from './ExportButton.js';
import { HostSwitcher } from './HostSwitcher.js';
import { Icon, type IconName } from './Icon.js';

const TABS: Array<{ id: Tab; label: string; icon: IconName }> = [
  { id: 'overview', label: 'Overview', icon: 'list' },
  { id: 'report', label: 'Report', icon: 'report' },
  { id: 'terminal', label: 'Terminal', icon: 'terminal' },
];

export function Header({ theme, onTheme }: { theme: Theme; onTheme(): void }) {
  const ui = useUi();
  const contextLabel = useTopField((t) => t?.window.contextLabel);
  const errors = useErrorCount();
  const onKey = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === ui.tab);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    const next = TABS[(i + step + TABS.length) % TABS.length]!;
    ui.setTab(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };
  return (
    <header className="topbar">
      <div className="tabs" role="tablist" aria-label="Views" onKeyDown={onKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            className="tab"
            aria-selected={ui.tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={ui.tab === t.id ? 0 : -1}
            onClick={() => ui.setTab(t.id)}
          >
            <Icon name={t.icon} />
            {t.label}
            {t.id === 'report' && errors > 0 && (
              <span className="badge" role="img" aria-label={`${errors} errors`}>
                {errors}
              </span>
            )}
          </button>
        ))}
      </div>
      <div className="context-label" title={contextLabel}>
        {contextLabel}
      </div>
      <HostSwitcher />
      <ExportButton />
      <button
        type="button"
        className="icon-button"
        aria-label="Dark theme"
        aria-pressed={theme === 'dark'}
        title={theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'}
        onClick={onTheme}
      >
        <Icon name={theme === 'dark' ? 'moon' : 'sun'} />
      </button>
    </header>
  );
}

function useErrorCount(): number {
  return useReport().reduce((n, e) => n + e.errors.length, 0);
}
