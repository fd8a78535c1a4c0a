// docs/security-cases.md, cases 37-42: who answers at a port is not taken on trust. A GUI proves it
// knows its discovery secret before a host sends any token (a zombie GUI, a reused pid); a host
// proves it knows its token before the GUI trusts it again after a silence, and a host whose port
// refused or reset the connection stays lost until it calls show again.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GuiMethod, guiDiscoveryPath, HostMethod, PING_REPLY } from '@pyblish/host';
import { createServer, MethodRegistry, method, XmlRpcClient, type XmlRpcServer } from '@pyblish/xmlrpc';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  freePort,
  guiEndpoint,
  ping,
  spawnHost,
  systemGui,
  tempDir,
  until,
} from '../support/system.js';

afterEach(cleanup);

/** What an impostor at a port was told: every Authorization header and every call. */
interface Seen {
  auth: string[];
  calls: Array<{ method: string; params: unknown[] }>;
}

/** A wrong answer to the identity challenge, as a process that does not know the secret gives. */
const identityGuess = method<[nonce: string], string>('pyblish.identity', {
  signature: [{ type: 'string', name: 'nonce' }],
  returns: 'string',
});

/**
 * An XML-RPC server at `port` that accepts anything, records what it is sent, and answers like
 * a GUI (find_available_port, show, heartbeat) or a host (ping, liveness, listMethods, reset,
 * context, discover), including a guess at the identity challenge.
 */
async function impostor(port: number, as: 'gui' | 'host'): Promise<{ seen: Seen; close(): Promise<void> }> {
  const seen: Seen = { auth: [], calls: [] };
  const note = (name: string) => (params: unknown[]) => {
    seen.calls.push({ method: name, params });
  };
  const methods = new MethodRegistry();
  if (as === 'gui') {
    methods
      .register(GuiMethod.findAvailablePort, async (params) => {
        note('find_available_port')(params);
        return freePort();
      })
      .register(GuiMethod.show, (params) => {
        note('show')(params);
        return true;
      })
      .register(GuiMethod.heartbeat, (params) => {
        note('heartbeat')(params);
        return null;
      })
      .register(GuiMethod.ping, () => ({ ...PING_REPLY }));
  } else {
    const context = {
      data: { label: 'Impostor' },
      children: [{ id: 'fake', name: 'FakeInstance', data: {} }],
    };
    methods
      .register(HostMethod.ping, () => ({ ...PING_REPLY }))
      .register(HostMethod.liveness, () => ({ busy: false, callId: null, since: null, pid: 1 }))
      .register(HostMethod.reset, (params) => {
        note('reset')(params);
        return null;
      })
      .register(HostMethod.context, () => context as never)
      .register(HostMethod.discover, () => [])
      .register(HostMethod.emit, () => null);
  }
  const guess = new MethodRegistry().register(identityGuess, () => 'x'.repeat(43));
  const server: XmlRpcServer = await createServer({
    port,
    routes: { '/': methods, '/RPC2': methods, '/pyblish': methods, '/pyblish/identity': guess },
    authenticate: (req) => {
      if (req.headers.authorization) seen.auth.push(req.headers.authorization);
      return true;
    },
  });
  return { seen, close: () => server.close() };
}

/** A process id that still looks alive to kill(pid, 0) but is no GUI: a zombie nobody reaps. */
async function zombie(): Promise<{ pid: number; parent: ChildProcess }> {
  // sh starts a short-lived node in the background, then becomes `sleep`, which never waits for
  // its children: the node process, once it exits, stays a zombie (as a GUI started by a DCC that
  // does not reap its children does).
  const parent = spawn(
    'sh',
    ['-c', `"${process.execPath}" -e "process.stdout.write(String(process.pid))" & exec sleep 60`],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let out = '';
  parent.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await until(() => /^\d+$/.test(out), 10_000);
  const pid = Number(out);
  await until(() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') === true;
    } catch {
      return false;
    }
  }, 10_000);
  return { pid, parent };
}

/** A discovery file for a GUI at `port` written by `pid`, in a fresh 0700 runtime folder. */
function discoveryFile(port: number, pid: number, token: string): NodeJS.ProcessEnv {
  const runtime = tempDir();
  const env = { ...process.env, PYBLISH_RUNTIME_DIR: runtime };
  writeFileSync(
    guiDiscoveryPath(port, env),
    JSON.stringify({ port, pid, token, startedAt: new Date().toISOString(), version: '0.1.0' }),
    { mode: 0o600 },
  );
  return env;
}

/** Runs a real host that registers with the GUI at `port`; resolves with its output once it served or gave up. */
async function registerWith(port: number, env: NodeJS.ProcessEnv): Promise<string> {
  const outcome = await spawnHost({ gui: { port, env } }).then(
    async (h) => {
      // It registered: let it beat for a while, as it would.
      await new Promise((r) => setTimeout(r, 1500));
      return h.output.join('\n');
    },
    (err: Error) => String(err),
  );
  return outcome;
}

function expectNothingTold(seen: Seen, secret: string): void {
  for (const header of seen.auth) expect(header).not.toContain(secret);
  expect(seen.auth).toEqual([]);
  expect(seen.calls.filter((c) => c.method === 'show')).toEqual([]);
  expect(JSON.stringify(seen.calls)).not.toContain(secret);
}

/**
 * A discovery file for a GUI at a free port, written by `pid` with `secret`, and an impostor
 * holding that port; `run` gets both and the environment that points at the file.
 */
async function staleGui(
  pid: number,
  secret: string,
  run: (port: number, env: NodeJS.ProcessEnv, seen: Seen) => Promise<void>,
): Promise<void> {
  const port = await freePort();
  const env = discoveryFile(port, pid, secret);
  const fake = await impostor(port, 'gui');
  try {
    await run(port, env, fake.seen);
  } finally {
    await fake.close();
  }
}

/** `run` with the pid of a zombie, reaped afterwards. */
async function withZombie(run: (pid: number) => Promise<void>): Promise<void> {
  const { pid, parent } = await zombie();
  try {
    await run(pid);
  } finally {
    parent.kill('SIGKILL');
  }
}

/** Runs `pyblish-gui ARGS` to its end. */
function pyblishGui(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string }> {
  const gui = join(import.meta.dirname, '../../packages/gui/bin/pyblish-gui.mjs');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [gui, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('cases 37-39: a stale discovery file whose writer still looks alive', () => {
  it('case 37: a zombie GUI: the host asks whoever holds the port to prove it knows the secret, and sends no token', async () => {
    await withZombie((pid) =>
      staleGui(pid, 'the-dead-gui-token-that-must-not-leak', async (port, env, seen) => {
        const output = await registerWith(port, env);
        expectNothingTold(seen, 'the-dead-gui-token-that-must-not-leak');
        expect(output).toMatch(/cannot prove it is the GUI that wrote .*gui-\d+\.json/s);
        expect(output).toMatch(new RegExp(`process ${pid}`));
      }),
    );
  });

  it("case 37: a reused pid (another process now has the GUI's pid): the same refusal, no token sent", async () => {
    // pid 1 always runs, and is no GUI of ours.
    await staleGui(1, 'another-dead-gui-token', async (port, env, seen) => {
      const output = await registerWith(port, env);
      expectNothingTold(seen, 'another-dead-gui-token');
      expect(output).toMatch(/cannot prove it is the GUI/);
    });
  });

  it('case 38: a GUI that died while a host was registered: its heartbeats send no token to what took the port', async () => {
    const { g, h } = await liveGuiWithHost();
    const file = guiDiscoveryPath(g.port, g.env);
    const saved = readFileSync(file, 'utf8');
    await g.close();
    // The GUI's pid stays alive (this test process): as a zombie's would, the file still looks valid.
    writeFileSync(file, saved, { mode: 0o600 });
    const fake = await impostor(g.port, 'gui');
    try {
      await new Promise((r) => setTimeout(r, 2500));
      expectNothingTold(fake.seen, g.token);
      expect(fake.seen.calls.filter((c) => c.method === 'heartbeat')).toEqual([]);
      await until(() => /cannot prove it is the GUI/.test(h.output.join('\n')), 10_000);
    } finally {
      await fake.close();
      unlinkSync(file);
    }
  });

  it('case 39: pyblish-gui --kill asks for the proof before it sends the token to what holds the port', async () => {
    await withZombie((pid) =>
      staleGui(pid, 'a-token-for-kill-that-must-not-leak', async (port, env, seen) => {
        const result = await pyblishGui(['--kill', '--port', String(port), '--no-browser'], env);
        expectNothingTold(seen, 'a-token-for-kill-that-must-not-leak');
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/cannot prove it is the GUI/);
      }),
    );
  });
});

/**
 * A GUI and a host shown in it, its messages after the reset delivered. With `slow`, the GUI
 * notices a silence only after 2.5 s: time for an impostor to take a port first.
 */
async function liveGuiWithHost(slow = false) {
  const g = await systemGui({
    liveness: {
      tickMs: 100,
      probeAfterMs: slow ? 2500 : 1000,
      busyAfterMs: 300,
      forgetAfterMs: 60_000,
      maxUnshown: 64,
      quarantineMs: 10_000,
      timeouts: { probe: 1000, query: 10_000 },
    },
  });
  const h = await spawnHost({ gui: g });
  await g.waitFor((s) => s.phase === 'ready', 15_000);
  // The messages that follow a reset (emit "reset" and the like) are delivered by now.
  await new Promise((r) => setTimeout(r, 500));
  return { g, h };
}

describe('cases 40-42: a dead host whose port another process takes', () => {
  it('case 40: after the host dies, what takes its port cannot prove it is the host: the GUI sends it no token and never shows its instances', async () => {
    const { g, h } = await liveGuiWithHost(true);
    const port = h.port;
    await h.kill('SIGKILL');
    // Taken at once, before the GUI noticed the silence.
    const fake = await impostor(port, 'host');
    try {
      // Past the silence after which the GUI asks who is there.
      await new Promise((r) => setTimeout(r, 4000));
      await g.controller.command({ type: 'reset' });
      await g.controller.idle();
      await new Promise((r) => setTimeout(r, 500));
      const s = g.snapshot();
      expect(s.instances.map((i) => i.name)).not.toContain('FakeInstance');
      expect(s.hosts.find((x) => x.port === port)?.status).toBe('lost');
      expect(fake.seen.auth).toEqual([]);
      expect(fake.seen.calls.filter((c) => c.method === 'reset')).toEqual([]);
      expect(g.logs.join('\n')).toMatch(new RegExp(`port ${port}.*cannot prove it is the host`));
      expect(await ping(guiEndpoint(g))).toBeTruthy();
    } finally {
      await fake.close();
    }
  });

  it('case 41: a host whose port refused the connection stays lost, even when something answers there later, until it calls show again', async () => {
    // Unauthenticated heartbeats (--allow-unauthenticated) are what anyone can send.
    const g = await systemGui({ allowUnauthenticated: true });
    const h = await spawnHost({ gui: g });
    await g.waitFor((s) => s.phase === 'ready', 15_000);
    const port = h.port;
    await h.kill('SIGKILL');
    await g.waitFor((s) => s.hosts.find((x) => x.port === port)?.status === 'lost', 10_000);
    const fake = await impostor(port, 'host');
    const beat = new XmlRpcClient(`http://127.0.0.1:${g.port}`, { timeout: 2000 });
    try {
      for (let i = 0; i < 15; i++) {
        await beat.call(GuiMethod.heartbeat, [port]);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(g.snapshot().hosts.find((x) => x.port === port)?.status).toBe('lost');
      expect(fake.seen.auth).toEqual([]);
      // A real host's show brings it back.
      const again = await spawnHost({ gui: g });
      await g.waitFor(
        (s) => s.phase === 'ready' && s.hosts.find((x) => x.current)?.port === again.port,
        15_000,
      );
    } finally {
      beat.close();
      await fake.close();
    }
  });

  it('case 42: a host that proves who it is after a silence is trusted again, as before', async () => {
    const { g, h } = await liveGuiWithHost();
    // Stopped (SIGSTOP), it falls silent and cannot answer the challenge: lost. Continued, its
    // next heartbeat is followed by a proof, and it is used again.
    h.proc.kill('SIGSTOP');
    try {
      await g.waitFor((s) => s.hosts.find((x) => x.port === h.port)?.status === 'lost', 10_000);
    } finally {
      h.proc.kill('SIGCONT');
    }
    await until(() => g.snapshot().hosts.find((x) => x.port === h.port)?.status === 'alive', 10_000);
    expect(await g.controller.command({ type: 'reset' })).toEqual({ ok: true });
    const s = await g.waitFor((x) => x.phase === 'ready', 15_000);
    expect(s.instances.map((i) => i.name)).toContain('shot001');
    expect(g.logs.join('\n')).not.toMatch(/cannot prove/);
  });
});
