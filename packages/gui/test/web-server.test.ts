import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Patch, TerminalEntry, ViewState } from '../src/view-model.js';
import { ViewStateStore } from '../src/view-state.js';
import { startWebServer } from '../src/web-server.js';
import { cleanup, pythonHost, testGui } from './helpers.js';

afterEach(cleanup);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { ...options.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Reads the event stream until `until` says it has seen enough. */
function events(
  port: number,
  headers: Record<string, string>,
  until: (seen: Array<{ event: string; data: unknown }>) => boolean,
): Promise<Array<{ event: string; data: unknown }>> {
  return new Promise((resolve, reject) => {
    const seen: Array<{ event: string; data: unknown }> = [];
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) seen.push({ event, data: JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
        if (until(seen)) {
          req.destroy();
          resolve(seen);
        }
      });
    });
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
}

/** Sends raw bytes and returns what the server answered, once it closes or ends the reply. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => {
      answer += c;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** What the page sends: the window's secret from the address the GUI printed. */
function signedIn(gui: { url: string; windowSecret: string }): { authorization: string } {
  expect(gui.url).toMatch(/\/#secret=/);
  return { authorization: `Bearer ${gui.windowSecret}` };
}

describe('the web server', () => {
  it("wants the window's secret as a bearer header on every /api route: no cookie, not the hosts' token", async () => {
    const gui = await testGui();
    expect((await http(gui.webPort, '/api/report')).status).toBe(401);
    const report = await http(gui.webPort, '/api/report', { headers: signedIn(gui) });
    expect(report.status).toBe(200);
    expect(JSON.parse(report.body).format).toBe('pyblish-report');
    expect(report.headers['set-cookie']).toBeUndefined();
    expect(report.headers['access-control-allow-origin']).toBeUndefined();
    const refused: Array<Record<string, string>> = [
      { authorization: `Bearer ${gui.token}` },
      { cookie: `pyblish-gui-token=${gui.windowSecret}` },
    ];
    for (const headers of refused) {
      expect((await http(gui.webPort, '/api/terminal?after=0', { headers })).status).toBe(401);
    }
    // The page itself is served to anyone (it holds no secret), with no cookie.
    const page = await http(gui.webPort, '/?token=anything');
    expect(page.headers['set-cookie']).toBeUndefined();
  });

  it('refuses foreign Host and Origin headers (DNS rebinding, cross-site pages)', async () => {
    const gui = await testGui();
    const signed = signedIn(gui);
    const hostile: Array<Record<string, string>> = [
      { host: `evil.example:${gui.webPort}` },
      { host: `localhost.:${gui.webPort}` },
      { host: `127.0.0.1:${gui.webPort + 1}` },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of hostile) {
      const reply = await http(gui.webPort, '/api/report', { headers: { ...signed, ...headers } });
      expect(reply.status, JSON.stringify(headers)).toBe(403);
    }
    const own = await http(gui.webPort, '/api/report', {
      headers: { ...signed, origin: `http://127.0.0.1:${gui.webPort}`, host: `localhost:${gui.webPort}` },
    });
    expect(own.status).toBe(200);
  });

  it('refuses a request with two Host headers, even when the first is its own', async () => {
    const gui = await testGui();
    const signed = signedIn(gui);
    const head = (hosts: string[]) =>
      `GET /api/report HTTP/1.1\r\n${hosts.map((h) => `Host: ${h}\r\n`).join('')}Authorization: ${signed.authorization}\r\nConnection: close\r\n\r\n`;
    const own = `127.0.0.1:${gui.webPort}`;
    expect(await raw(gui.webPort, head([own]))).toMatch(/^HTTP\/1\.1 200 /);
    expect(await raw(gui.webPort, head([own, 'evil.example']))).toMatch(/^HTTP\/1\.1 403 /);
    expect(await raw(gui.webPort, head([own, own]))).toMatch(/^HTTP\/1\.1 403 /);
  });

  it('answers a malformed %-escape with 400 and keeps internal error messages out of 500 replies', async () => {
    const gui = await testGui();
    const signed = signedIn(gui);
    for (const path of ['/%E0%A4%A', '/assets/%E0%A4%A.js']) {
      const reply = await http(gui.webPort, path, { headers: signed });
      expect(reply.status, path).toBe(400);
      expect(reply.body).not.toMatch(/URI malformed/);
    }

    const logged: unknown[] = [];
    const web = await startWebServer({
      port: 0,
      secret: 'secret-token',
      store: new ViewStateStore(5),
      command: async () => ({ ok: true }),
      report: () => {
        throw new Error('cannot read /home/someone/.private/report-cache');
      },
      onError: (err) => logged.push(err),
    });
    try {
      const reply = await http(web.port, '/api/report', {
        headers: { authorization: 'Bearer secret-token' },
      });
      expect(reply.status).toBe(500);
      expect(reply.body).toBe('Internal error\n');
      expect(String(logged[0])).toMatch(/report-cache/);
    } finally {
      await web.close();
    }
  });

  it('drops a slow-loris connection once its headers are overdue, not up to half a minute later', async () => {
    const web = await startWebServer({
      port: 0,
      secret: 'secret-token',
      store: new ViewStateStore(5),
      command: async () => ({ ok: true }),
      report: () => ({}) as never,
      headersTimeout: 400,
    });
    try {
      const socket = connect(web.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\n`);
      // One more header line every 100 ms: never finished, always busy.
      let n = 0;
      const dribble = setInterval(() => socket.write(`X-Slow-${n++}: 1\r\n`), 100);
      const closed = new Promise<string>((resolve) => socket.once('close', () => resolve('closed')));
      // Node's default check interval (30 s) would keep it open far beyond this.
      const outcome = await Promise.race([closed, new Promise((r) => setTimeout(() => r('open'), 5000))]);
      clearInterval(dribble);
      socket.destroy();
      expect(outcome).toBe('closed');
    } finally {
      await web.close();
    }
  });

  it('takes commands as JSON only, and answers with the command reply', async () => {
    const gui = await testGui();
    const signed = signedIn(gui);
    const body = JSON.stringify({ type: 'validate' });
    const form = await http(gui.webPort, '/api/commands', {
      method: 'POST',
      headers: { ...signed, 'content-type': 'text/plain' },
      body,
    });
    expect(form.status).toBe(415);
    const bad = await http(gui.webPort, '/api/commands', {
      method: 'POST',
      headers: { ...signed, 'content-type': 'application/json' },
      body: '{"nope"',
    });
    expect(bad.status).toBe(400);
    const reply = await http(gui.webPort, '/api/commands', {
      method: 'POST',
      headers: { ...signed, 'content-type': 'application/json; charset=utf-8' },
      body,
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({
      ok: false,
      error: { code: 'NOT_READY', message: 'Not ready: no host has asked to be shown' },
    });
    const malformed = await http(gui.webPort, '/api/commands', {
      method: 'POST',
      headers: { ...signed, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'toggle', id: 42 }),
    });
    expect(JSON.parse(malformed.body)).toEqual({
      ok: false,
      error: { code: 'BAD_COMMAND', message: 'toggle: "id" must be a string' },
    });
  });

  it('refuses commands named after Object.prototype members instead of accepting them silently', async () => {
    const gui = await testGui();
    const signed = signedIn(gui);
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'nope']) {
      const reply = await http(gui.webPort, '/api/commands', {
        method: 'POST',
        headers: { ...signed, 'content-type': 'application/json' },
        body: JSON.stringify({ type }),
      });
      const body = JSON.parse(reply.body) as { ok: boolean; error?: { code: string; message: string } };
      expect(body.ok, type).toBe(false);
      expect(body.error?.code, type).toBe('BAD_COMMAND');
      expect(body.error?.message).toContain(`"${type}"`);
    }
  });

  it('streams a snapshot, then small patches and terminal entries as a host is collected', async () => {
    const gui = await testGui();
    const signed = signedIn(gui);
    const seen = events(gui.webPort, signed, (s) =>
      s.some((e) => e.event === 'patch' && (e.data as Patch).state?.phase === 'ready'),
    );
    await new Promise((r) => setTimeout(r, 100));
    await pythonHost(gui);
    const stream = await seen;
    expect(stream[0]?.event).toBe('snapshot');
    const snapshot = stream[0]?.data as ViewState;
    const patches = stream.filter((e) => e.event === 'patch').map((e) => e.data as Patch);
    // Versions follow one another by one from the snapshot's.
    patches.forEach((p, i) => {
      expect(p.version).toBe(snapshot.version + i + 1);
    });
    const rows = patches.flatMap((p) => p.addedInstances ?? []).map((r) => r.name);
    expect(rows).toEqual(expect.arrayContaining(['Context', 'Richard05', 'Failure 1']));
    const terminal = stream.filter((e) => e.event === 'terminal').flatMap((e) => e.data as TerminalEntry[]);
    expect(terminal.some((t) => t.type === 'context')).toBe(true);
    expect(terminal.map((t) => t.seq)).toEqual(terminal.map((_, i) => i + 1));
    const backlog = await http(gui.webPort, '/api/terminal?after=1', { headers: signed });
    expect((JSON.parse(backlog.body) as TerminalEntry[])[0]?.seq).toBe(2);
  });

  it('serves the built front end, or says how to build it', async () => {
    const gui = await testGui({ distDir: '/nonexistent-pyblish-dist' });
    const reply = await http(gui.webPort, '/');
    expect(reply.status).toBe(503);
    expect(reply.body).toMatch(/npm run build -w @pyblish\/web/);
    const traversal = await http(gui.webPort, '/../../../etc/passwd');
    expect(traversal.status).not.toBe(200);
  });
});
