// In the default authenticated mode a pyblish-qml 0.x Python host cannot send the GUI's token: it
// gets 401 at find_available_port and exits. Both sides must say why and what to do: the GUI in
// its log (one line per caller a minute, not one per heartbeat), the Python host in its error.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, PYTHON_HOST, testGui, watch } from './helpers.js';

afterEach(cleanup);

/** Runs the Python standard-library host against the GUI without any token, to its end. */
async function tokenlessPythonHost(guiPort: number) {
  const proc = spawn('python3', ['-u', PYTHON_HOST, '--gui-port', String(guiPort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const host = watch(proc);
  const code = await host.exited;
  return { code, output: host.output.join('\n') };
}

describe('a caller refused for want of the token', () => {
  it('is named once in the GUI log with --allow-unauthenticated and its risk, and the Python host is told what to do', async () => {
    const lines: string[] = [];
    const gui = await testGui({ allowUnauthenticated: false, log: (line) => lines.push(line) });
    const refused = () => lines.filter((l) => l.startsWith('Refused a call'));

    const first = await tokenlessPythonHost(gui.port);
    expect(first.code).not.toBe(0);
    expect(first.output).toMatch(/401 Unauthorized: .*restart the GUI with --allow-unauthenticated/);
    expect(refused()).toHaveLength(1);
    expect(refused()[0]).toMatch(/from "Python-xmlrpc\/[\d.]+"/);
    expect(refused()[0]).toMatch(/--allow-unauthenticated/);
    expect(refused()[0]).toMatch(/any process on this machine may call the GUI/);

    // The same caller again within the minute: counted, not printed again.
    await tokenlessPythonHost(gui.port);
    expect(refused()).toHaveLength(1);

    // Another caller gets its own line.
    const reply = await fetch(`http://127.0.0.1:${gui.port}/RPC2`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', 'User-Agent': 'studio-tool/1.0' },
      body: '<?xml version="1.0"?><methodCall><methodName>ping</methodName><params/></methodCall>',
    });
    expect(reply.status).toBe(401);
    expect(reply.statusText).toMatch(/--allow-unauthenticated/);
    expect(refused()).toHaveLength(2);
    expect(refused()[1]).toMatch(/from "studio-tool\/1.0"/);
    expect(gui.snapshot().hosts).toEqual([]);
  });

  it('is not logged when the GUI accepts callers without a token', async () => {
    const lines: string[] = [];
    const gui = await testGui({ allowUnauthenticated: true, log: (line) => lines.push(line) });
    const reply = await fetch(`http://127.0.0.1:${gui.port}/RPC2`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: '<?xml version="1.0"?><methodCall><methodName>ping</methodName><params/></methodCall>',
    });
    expect(reply.status).toBe(200);
    expect(lines.filter((l) => l.startsWith('Refused a call'))).toEqual([]);
  });
});
