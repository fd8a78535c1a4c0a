import { useEffect, useMemo, useRef, useState } from 'react';
import { controlsFor, isRunning } from '../derive.js';
import { useServices, useTopField } from '../hooks.js';
import {
  type DetailsTarget,
  initialTheme,
  type MenuTarget,
  type Tab,
  type Theme,
  type Ui,
  UiContext,
} from '../ui.js';
import { ActionMenu } from './ActionMenu.js';
import { Banner } from './Banner.js';
import { Details } from './Details.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { Notices } from './Notices.js';
import { Overview } from './Overview.js';
import { Terminal } from './Terminal.js';
import { ValidationReport } from './ValidationReport.js';

export function App() {
  const { connection } = useServices();
  const phase = useTopField((t) => t?.phase ?? 'noHost');
  const readOnly = useTopField((t) => Boolean(t?.savedReport));
  const settings = useTopField((t) => t?.window);
  const [tab, setTab] = useState<Tab>('overview');
  const [details, setDetails] = useState<DetailsTarget | null>(null);
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const returnFocus = useRef<HTMLElement | null>(null);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    window.localStorage.setItem('pyblish-theme', theme);
  }, [theme]);

  // The title, and, like pyblish-qml's taskbar alert, the outcome in front of it when a run
  // ends while the window is in the background, until the artist comes back to it.
  const title = settings?.title ?? 'Pyblish';
  const message = useTopField((t) => t?.message ?? '');
  const wasRunning = useRef(false);
  useEffect(() => {
    const running = isRunning(phase);
    const ended = wasRunning.current && !running;
    wasRunning.current = running;
    document.title = ended && !document.hasFocus() ? `(${message}) ${title}` : title;
    const restore = () => {
      document.title = title;
    };
    window.addEventListener('focus', restore);
    return () => window.removeEventListener('focus', restore);
  }, [phase, message, title]);

  // Size and position from the host's show settings, each time they change: browsers honour
  // this only for windows a script or an app launcher opened, so it is a request, not a promise.
  const [w, h] = settings?.size ?? [0, 0];
  const [x, y] = settings?.position ?? [0, 0];
  useEffect(() => {
    if (w > 0 && h > 0) window.resizeTo(w, h);
  }, [w, h]);
  useEffect(() => {
    if (x > 0 || y > 0) window.moveTo(x, y);
  }, [x, y]);

  const ui = useMemo<Ui>(
    () => ({
      tab,
      setTab: (t) => {
        setDetails(null);
        setTab(t);
      },
      details,
      openDetails: (target) => {
        if (target) returnFocus.current = document.activeElement as HTMLElement | null;
        setDetails(target);
        if (!target) requestAnimationFrame(() => returnFocus.current?.focus());
      },
      openMenu: (target) => {
        if (target) returnFocus.current = document.activeElement as HTMLElement | null;
        setMenu(target);
      },
    }),
    [tab, details],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        if (controlsFor(phase, readOnly).publish) void connection.send({ type: 'publish' });
      } else if (e.key === 'Escape' && !e.defaultPrevented) {
        if (menu) {
          setMenu(null);
          returnFocus.current?.focus();
        } else if (details) ui.openDetails(null);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [phase, readOnly, connection, menu, details, ui]);

  return (
    <UiContext.Provider value={ui}>
      <div className="app">
        <Header theme={theme} onTheme={() => setTheme(theme === 'dark' ? 'light' : 'dark')} />
        <Banner />
        {/* The overview stays mounted so that its scroll position and focus survive a visit elsewhere. */}
        <main className="main">
          <div
            className="panel"
            id="panel-overview"
            role="tabpanel"
            aria-labelledby="tab-overview"
            hidden={tab !== 'overview' || details !== null}
          >
            <Overview />
          </div>
          {tab === 'terminal' && details === null && (
            <div className="panel" id="panel-terminal" role="tabpanel" aria-labelledby="tab-terminal">
              <Terminal />
            </div>
          )}
          {tab === 'report' && details === null && (
            <div className="panel" id="panel-report" role="tabpanel" aria-labelledby="tab-report">
              <ValidationReport />
            </div>
          )}
          {details && (
            <div className="panel">
              <Details key={`${details.kind}:${details.id}`} target={details} />
            </div>
          )}
        </main>
        <Footer />
        <Notices />
        {menu && (
          <ActionMenu
            target={menu}
            onClose={() => {
              setMenu(null);
              returnFocus.current?.focus();
            }}
          />
        )}
      </div>
    </UiContext.Provider>
  );
}
