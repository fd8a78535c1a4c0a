// A Python process using only its standard library plays the GUI (pyblish-qml's RPC-era role):
// it receives show() from a TypeScript host started with --register and drives a full publish.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { XmlRpcClient } from '@pyblish/xmlrpc';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './helpers/fake-gui.js';
import { children, fakeGui, killChildren, root, type Summary, startPeer } from './helpers/peers.js';
import { type Reply, schemaProblems } from './helpers/pyblish-qml-schemas.js';

const fixtures = fileURLToPath(new URL('./fixtures/plugins', import.meta.url));
const cli = fileURLToPath(new URL('../../cli/bin/pyblish.mjs', import.meta.url));

function startCli(args: string[]) {
  const host = spawn(process.execPath, [cli, 'host', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(host);
  let output = '';
  host.stdout!.on('data', (d) => {
    output += d;
  });
  host.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((r) => host.on('exit', (code) => r(code)));
  return { host, exited, output: () => output };
}

function startHost(guiPort: number, extra: string[]) {
  return startCli(['--register', '--gui-port', String(guiPort), '--allow-unauthenticated', ...extra]);
}

afterEach(killChildren);

describe('a Python standard-library GUI driving a TypeScript host', () => {
  it('receives show, publishes, stops after the failed validation, toggles, acts and repairs', async () => {
    const gui = startPeer('python3', [
      fakeGui,
      '--drive',
      '--toggle-instance',
      'hero',
      '--toggle-plugin',
      'ValidateRig',
    ]);
    const { port: guiPort } = await gui.next('listening');
    const host = startHost(guiPort as number, ['--plugin-path', fixtures]);

    const show = await gui.next('show');
    expect(show.settings).toMatchObject({
      WindowTitle: 'Pyblish (Node)',
      ContextLabel: 'Node',
      WindowSize: [430, 600],
      WindowPosition: [100, 100],
      HeartbeatInterval: 60,
      HiddenSections: ['Collect'],
      autoPublish: false,
      autoValidate: false,
      pid: host.host.pid,
    });
    expect(show.settings).not.toHaveProperty('token');
    expect((await gui.next('find_available_port')).port).toBe(show.port);

    const s = (await gui.next('summary')) as Summary;
    expect(s.exception).toBeUndefined();
    expect(s.problems).toEqual([]);
    // pyblish-qml's exact shapes: a Python GUI validating replies (PYBLISH_SAFE) takes every one.
    expect(schemaProblems(s.replies)).toEqual([]);
    expect(s.heartbeats).toBeGreaterThan(0);
    expect(s.contextName).toBe('Context');
    expect(s.contextData).toMatchObject({
      host: 'node',
      port: show.port,
      pyblishRPCVersion: expect.any(String),
    });
    expect(s.collected).toEqual(['chair', 'table', 'hero']);

    const pairs = (
      s.pairs as { stage: string; plugin: string; instance: string | null; success: boolean }[]
    ).map((p) => [p.stage, p.plugin, p.instance, p.success]);
    expect(pairs).toEqual([
      ['collect', 'CollectFurniture', null, true],
      ['publish', 'ValidateNaming', 'chair', true],
      ['publish', 'ValidateNaming', 'table', false],
    ]);
    expect(s.stopped).toBe('Stopped due to failed validation');
    expect(s.instanceToggled).toEqual({ name: 'hero', publishAfter: false });
    expect(s.pluginToggled).toEqual({ name: 'ValidateRig', activeAfter: false });
    expect(s.action).toMatchObject({
      plugin: 'ValidateNaming',
      label: 'Select invalid',
      success: true,
      records: ['selected table for ValidateNaming'],
    });
    expect(s.repair).toMatchObject({
      plugin: 'ValidateNaming',
      instance: 'table',
      success: true,
      test: null,
    });
    expect(s.testAfterFailedValidation).toBe('failed validation');
    expect(s.faults).toMatchObject({
      hidden: { code: -32601 },
      dunder: { code: -32601 },
      unknownPlugin: { message: expect.stringMatching(/no plug-in with id/) },
      badArgs: { code: -32602 },
      pingAfter: { message: 'Hello, whomever you are' },
    });
    expect(s.methods).toEqual(expect.arrayContaining(['process', 'pyblish.poll', 'pyblish.liveness']));
    expect(await gui.exited).toBe(0);

    host.host.kill('SIGTERM');
    expect(await host.exited).toBe(0);
    expect(host.output()).toMatch(/authentication is off/);
  });

  it('serves the demo plug-ins to a Python GUI, every reply in the wire shapes', async () => {
    const gui = startPeer('python3', [fakeGui, '--drive']);
    const { port: guiPort } = await gui.next('listening');
    const host = startHost(guiPort as number, ['--demo']);
    const s = (await gui.next('summary')) as Summary;
    expect(s.exception).toBeUndefined();
    expect(s.problems).toEqual([]);
    expect(schemaProblems(s.replies)).toEqual([]);
    expect(new Set(s.replies.map((r: Reply) => r.method))).toEqual(
      new Set(['context', 'discover', 'process', 'repair']),
    );
    expect((s.plugins as unknown[]).length).toBeGreaterThan(3);
    expect((s.pairs as unknown[]).length).toBeGreaterThan(3);
    host.host.kill('SIGTERM');
    expect(await host.exited).toBe(0);
  });
});

describe('the CLI host', () => {
  it('serves on a free port with --port 0, prints it with its token, and answers only with the token', async () => {
    const cli = startCli(['--demo', '--port', '0']);
    const printed = /serving (http:\S+)\n[\s\S]*token (\S+)/;
    const deadline = Date.now() + 30_000;
    while (!printed.test(cli.output()) && cli.host.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const match = cli.output().match(printed);
    expect(match, cli.output()).not.toBeNull();
    const [, url, token] = match!;
    const ok = new XmlRpcClient(url!, { token: token! });
    expect(await ok.call('ping')).toEqual({ message: 'Hello, whomever you are' });
    expect(((await ok.call('discover')) as unknown[]).length).toBeGreaterThan(3);
    ok.close();
    const anonymous = new XmlRpcClient(url!);
    await expect(anonymous.call('ping')).rejects.toMatchObject({ status: 401 });
    anonymous.close();
    // A Python GUI without the token is told, in the error it prints, what to do.
    const python = spawnSync(
      'python3',
      [
        '-c',
        `import xmlrpc.client, sys\ntry:\n  xmlrpc.client.ServerProxy(sys.argv[1]).ping()\nexcept xmlrpc.client.ProtocolError as e:\n  print(e)`,
        url!,
      ],
      { encoding: 'utf8' },
    );
    expect(python.stdout).toMatch(/401 Unauthorized: .*run the host with --allow-unauthenticated/);
    cli.host.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('with --register waits for a GUI that is not up yet, says how to start one, then registers', async () => {
    const guiPort = await freePort();
    const cli = startHost(guiPort, ['--demo']);
    const deadline = Date.now() + 30_000;
    while (!/waiting for a GUI/.test(cli.output()) && cli.host.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(cli.output()).toMatch(/waiting for a GUI at 127\.0\.0\.1:\d+[\s\S]*npx pyblish-gui/);
    const gui = startPeer('python3', [fakeGui, '--port', String(guiPort), '--timeout', '30']);
    const show = await gui.next('show');
    expect(show.settings).toMatchObject({ WindowTitle: 'Pyblish (Node)', pid: cli.host.pid });
    cli.host.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('refuses to register with a GUI that cannot authenticate unless told to allow it', async () => {
    const gui = startPeer('python3', [fakeGui, '--timeout', '30']);
    const { port } = await gui.next('listening');
    const cli = startCli(['--demo', '--register', '--gui-port', String(port)]);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/cannot prove who it is[\s\S]*--allow-unauthenticated/);
    expect(gui.events.some((e) => e.event === 'heartbeat' || e.event === 'show')).toBe(false);
  });
});
