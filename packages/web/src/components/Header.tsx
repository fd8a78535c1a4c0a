import { type KeyboardEvent, useMemo } from 'react';
import { plural } from '../derive.js';
import { useRowsVersion, useServices, useTopField } from '../hooks.js';
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
  const failing = useFailingCount();
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
            <span className="tab-text">{t.label}</span>
            {t.id === 'report' && failing > 0 && (
              <span className="badge" role="img" aria-label={plural(failing, 'failing plug-in')}>
                {failing}
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

/** Plug-ins with open errors: the report's cards. Cheap, unlike the report itself. */
function useFailingCount(): number {
  const { store } = useServices();
  const version = useRowsVersion('plugins');
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals row changes
  return useMemo(() => store.list('plugins').filter((p) => p.hasError).length, [store, version]);
}
