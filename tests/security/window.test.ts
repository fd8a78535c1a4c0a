// docs/security-cases.md, cases 43-47: the window and its secret. No secret in the command line or
// the environment of a process the GUI starts (what every local user can read in /proc), a window
// secret of its own that neither side accepts for the other, no cookie that other local servers
// are sent, a page opened without its secret that says so, and a Content-Security-Policy the
// built page satisfies, in real Chromium.

import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openReportViewer, ReportBuilder, writeReportFile } from '@pyblish/gui';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, ensureBuilt, launchBrowser } from '../../packages/web/test/support/browser.js';
import {
  cleanup,
  freePort,
  guiEndpoint,
  http,
  post,
  REPO,
  type SystemGui,
  spawnHost,
  systemGui,
  tempDir,
  until,
} from '../support/system.js';

let browser: Browser;
beforeAll(async () => {
  ensureBuilt();
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

/** The secret in a page address the GUI prints (whatever its form). */
const secretOf = (url: string) => decodeURIComponent(url.slice(url.lastIndexOf('=') + 1));

/**
 * A stand-in for a program the GUI starts to open a window: it writes down its arguments, its
 * environment and its pid, then waits, so /proc shows what any local user would see of it.
 */
function recordingProgram(dir: string, name: string): { path: string; args(): string[]; seen(): string } {
  const path = join(dir, name);
  writeFileSync(
    path,
    // Absolute paths: the test may give it a PATH with nothing else on it.
    `#!/bin/sh\nprintf '%s\\n' "$@" > '${dir}/${name}.args'\n/usr/bin/env > '${dir}/${name}.env'\necho $$ > '${dir}/${name}.pid'\n/bin/sleep 30\n`,
  );
  chmodSync(path, 0o755);
  const file = (ext: string) => join(dir, `${name}.${ext}`);
  return {
    path,
    args: () => readFileSync(file('args'), 'utf8').split('\n').filter(Boolean),
    /** Everything another user could learn of it: its recorded argv and env, and /proc's view. */
    seen: () => {
      const pid = readFileSync(file('pid'), 'utf8').trim();
      const proc = (what: string) => {
        try {
          return readFileSync(`/proc/${pid}/${what}`).toString('latin1');
        } catch {
          return '';
        }
      };
      return [
        readFileSync(file('args'), 'utf8'),
        readFileSync(file('env'), 'utf8'),
        proc('cmdline'),
        proc('environ'),
      ].join('\n');
    },
  };
}

/** The `file://` launch page named in a window command line. */
function launchUrl(args: string[]): string {
  const found = args.map((a) => a.replace(/^--app=/, '')).find((a) => a.startsWith('file://'));
  if (!found) throw new Error(`no launch file among ${JSON.stringify(args)}`);
  return found;
}

function expectOwnerOnly(file: string): void {
  expect(lstatSync(file).mode & 0o777).toBe(0o600);
  expect(lstatSync(join(file, '..')).mode & 0o777).toBe(0o700);
}

/** Opens `url` in a fresh page; resolves once the page shows the host called `title`. */
async function pageShowing(url: string, title: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(url);
  await showsHost(page, title);
  return page;
}

/** Resolves once the page's header names the host `title` (it has its state). */
async function showsHost(page: Page, title: string): Promise<void> {
  const header = page.locator('header').first();
  await until(
    async () => ((await header.textContent({ timeout: 1000 }).catch(() => '')) ?? '').includes(title),
    20_000,
  );
}

describe('case 43: no secret in the command line or environment of a process the GUI starts', () => {
  afterEach(cleanup);

  it('the Chromium window gets a one-time launch file, not the secret, and the page still opens', async () => {
    const dir = tempDir();
    const chromium = recordingProgram(dir, 'chromium');
    const g = await systemGui({ openBrowser: true, env: { PYBLISH_CHROMIUM: chromium.path } });
    const h = await spawnHost({ gui: g });
    await g.waitFor((s) => s.phase === 'ready', 15_000);
    await until(() => existsSync(join(dir, 'chromium.pid')), 10_000);
    const seen = chromium.seen();
    expect(seen).not.toContain(g.token);
    expect(seen).not.toContain(secretOf(g.url));
    expect(seen).not.toContain(h.token ?? 'no host token printed');
    const launch = fileURLToPath(launchUrl(chromium.args()));
    expectOwnerOnly(launch);
    // Opened by a browser, it leads to the page, signed in; then it is gone.
    const page = await pageShowing(launchUrl(chromium.args()), 'Pyblish (Node)');
    expect(page.url()).not.toContain(secretOf(g.url));
    await until(() => !existsSync(launch), 10_000);
    await page.close();
  });

  it("the desktop's URL opener (no Chromium) gets the launch file too", async () => {
    const dir = tempDir();
    const opener = recordingProgram(dir, 'xdg-open');
    const g = await systemGui({
      openBrowser: true,
      env: { PATH: dir, PYBLISH_CHROMIUM: '' },
    });
    await spawnHost({ gui: g });
    await g.waitFor((s) => s.phase === 'ready', 15_000);
    await until(() => existsSync(join(dir, 'xdg-open.pid')), 10_000);
    const seen = opener.seen();
    expect(seen).not.toContain(g.token);
    expect(seen).not.toContain(secretOf(g.url));
    expectOwnerOnly(fileURLToPath(launchUrl(opener.args())));
  });

  it("the report viewer's window gets no secret either", async () => {
    const dir = tempDir();
    const chromium = recordingProgram(dir, 'chromium');
    const file = join(dir, 'report.json');
    writeReportFile(file, ReportBuilder.empty());
    const env = { ...process.env, PYBLISH_CHROMIUM: chromium.path, PYBLISH_RUNTIME_DIR: join(dir, 'run') };
    const viewer = await openReportViewer({ file, openBrowser: true, env });
    try {
      await until(() => existsSync(join(dir, 'chromium.pid')), 10_000);
      expect(chromium.seen()).not.toContain(secretOf(viewer.url));
      expectOwnerOnly(fileURLToPath(launchUrl(chromium.args())));
    } finally {
      await viewer.close();
    }
  });

  it('the demo host pyblish-gui starts is given no secret in its command line or environment', async () => {
    const runtime = tempDir();
    chmodSync(runtime, 0o700);
    const port = await freePort();
    const gui = spawn(
      process.execPath,
      [join(REPO, 'packages/gui/bin/pyblish-gui.mjs'), '--demo', '--no-browser', '--port', String(port)],
      { env: { ...process.env, PYBLISH_RUNTIME_DIR: runtime }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      gui.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await until(() => /Window: /.test(out), 20_000);
      const window = /Window: (\S+)/.exec(out)![1]!;
      const token = (JSON.parse(readFileSync(join(runtime, `gui-${port}.json`), 'utf8')) as { token: string })
        .token;
      // The demo host is the GUI's child: find it in /proc.
      let demo = '';
      await until(() => {
        for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
          try {
            const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
            if (Number(stat.split(') ')[1]?.split(' ')[1]) !== gui.pid) continue;
            demo = [readFileSync(`/proc/${pid}/cmdline`), readFileSync(`/proc/${pid}/environ`)]
              .map((b) => b.toString('latin1'))
              .join('\n');
          } catch {
            // gone meanwhile
          }
        }
        return demo.includes('--demo');
      }, 20_000);
      expect(demo).not.toContain(token);
      expect(demo).not.toContain(secretOf(window));
    } finally {
      gui.kill('SIGTERM');
    }
  });
});

describe('case 44: the window secret and the host token are not interchangeable', () => {
  afterEach(cleanup);

  it('the window secret cannot drive the 9090 server, and the token hosts use cannot open the page', async () => {
    const g = await systemGui();
    const windowSecret = secretOf(g.url);
    expect(windowSecret).not.toBe(g.token);
    const asWindow = await post({ ...guiEndpoint(g), token: windowSecret }, 'kill');
    expect(asWindow.status).toBe(401);
    const report = (auth: string) =>
      http(g.webPort, {
        method: 'GET',
        path: '/api/report',
        headers: { Host: `127.0.0.1:${g.webPort}`, Authorization: `Bearer ${auth}` },
      });
    expect((await report(g.token)).status).toBe(401);
    expect((await report(windowSecret)).status).toBe(200);
    expect(g.exits).toEqual([]);
  });
});

/** A local server on another port that records the headers of every request it gets. */
async function otherLocalServer(): Promise<{
  url: string;
  requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}> {
  const requests: IncomingHttpHeaders[] = [];
  const server = createHttpServer((req, res) => {
    requests.push(req.headers);
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe('cases 45-47: the page in Chromium: its secret, no cookie, its Content-Security-Policy', () => {
  let g: SystemGui;
  beforeAll(async () => {
    g = await systemGui();
    await spawnHost({ gui: g });
    await g.waitFor((s) => s.phase === 'ready', 15_000);
  });
  afterAll(cleanup);

  it('case 45: a signed-in page leaves no cookie: another server on 127.0.0.1 gets nothing of the secret, and a reload still works', async () => {
    const page = await pageShowing(g.url, 'Pyblish (Node)');
    const elsewhere = await otherLocalServer();
    try {
      const other = await browser.context.newPage();
      await other.goto(elsewhere.url);
      await other.close();
      expect(elsewhere.requests.length).toBeGreaterThan(0);
      for (const headers of elsewhere.requests) {
        expect(JSON.stringify(headers)).not.toContain(secretOf(g.url));
        expect(JSON.stringify(headers)).not.toContain(g.token);
      }
      expect(await browser.context.cookies()).toEqual([]);
      expect(await page.evaluate('document.cookie')).toBe('');
      // A cookie with the secret opens nothing.
      const withCookie = await http(g.webPort, {
        method: 'GET',
        path: '/api/report',
        headers: { Host: `127.0.0.1:${g.webPort}`, Cookie: `pyblish-gui-token=${secretOf(g.url)}` },
      });
      expect(withCookie.status).toBe(401);
      // Reloaded, the page is still signed in.
      await page.reload();
      await until(
        async () => ((await page.getByRole('banner').textContent()) ?? '').includes('Pyblish (Node)'),
        20_000,
      );
      expect(await page.getByRole('alert').count()).toBe(0);
    } finally {
      await elsewhere.close();
      await page.close();
    }
  });

  it('case 46: a page opened without its secret (or with a wrong one) says it is not authorised and where to look', async () => {
    for (const address of [`http://127.0.0.1:${g.webPort}/`, `http://127.0.0.1:${g.webPort}/#secret=wrong`]) {
      const page = await browser.context.newPage();
      try {
        await page.goto(address);
        const alert = page.getByRole('alert');
        await until(
          async () =>
            /not authori[sz]ed/i.test((await alert.textContent({ timeout: 1000 }).catch(() => '')) ?? ''),
          8000,
        );
        const text = (await alert.textContent()) ?? '';
        expect(text).toMatch(/address pyblish-gui printed/);
        expect(text).not.toMatch(/Reconnecting/);
      } finally {
        await page.close();
      }
    }
  });

  it('case 47: a strict Content-Security-Policy that the built page satisfies, and that blocks an injected inline script', async () => {
    const root = await http(g.webPort, {
      method: 'GET',
      path: '/',
      headers: { Host: `127.0.0.1:${g.webPort}` },
    });
    const csp = String(root.headers['content-security-policy'] ?? '');
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toMatch(/frame-ancestors 'none'/);

    const page = await browser.context.newPage();
    const complaints: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) complaints.push(m.text());
    });
    // Page-side code as text: this suite is typed for Node, not the DOM.
    await page.addInitScript(`
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
      });`);
    const violations = () => page.evaluate('window.__violations') as Promise<string[]>;
    try {
      await page.goto(g.url);
      await showsHost(page, 'Pyblish (Node)');
      // Use the page a little: its tabs, a details view, a validation.
      await page.getByRole('tab', { name: /Terminal/ }).click();
      await page.getByRole('tab', { name: /Report/ }).click();
      await page.getByRole('tab', { name: 'Overview' }).click();
      await page.getByRole('button', { name: 'Validate', exact: true }).click();
      await g.waitFor((s) => s.phase !== 'ready', 10_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
      expect(await violations()).toEqual([]);
      expect(complaints).toEqual([]);

      // An injected inline script does not run, and the browser reports it.
      const ran = await page.evaluate(`(() => {
        const s = document.createElement('script');
        s.textContent = 'window.__injected = true;';
        document.head.appendChild(s);
        return window.__injected === true;
      })()`);
      expect(ran).toBe(false);
      await until(async () => (await violations()).some((v) => v.startsWith('script-src')), 5000);
    } finally {
      await page.close();
    }
  });
});
