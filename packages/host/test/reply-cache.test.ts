// context() and discover() replies are sent again as they are while nothing could have changed
// them, and built afresh after anything that may have: a pair (even one that only edits data),
// an action, update, emit, a host-side run, a reset, or the application saying so. Both ways
// of serving (the server worker keeps them there; the main thread keeps them itself).
import { request } from 'node:http';
import { Context, type Instance, InstancePlugin, Registry } from '@pyblish/core';
import {
  decodeMethodResponse,
  encodeMethodCall,
  encodeMethodResponseBytes,
  type XmlRpcValue,
} from '@pyblish/xmlrpc';
import { describe, expect, it } from 'vitest';
import { ContextEncoder } from '../src/context-reply.js';
import { formatContext } from '../src/format.js';
import { Host } from '../src/host.js';
import type { ContextJSON, PluginJSON, RunPollJSON } from '../src/wire.js';
import { CollectShots } from './helpers/shots.js';

/** Edits data only: the list of instances (its revision) stays as it was. */
class ValidateAndLabel extends InstancePlugin {
  static override order = 1;
  process(instance: Instance): void {
    instance.data.label = `${instance.name} (checked)`;
  }
}

async function withHost(offMainThread: boolean, run: (host: Host, call: Caller) => Promise<void>) {
  const host = new Host({
    offMainThread,
    registry: new Registry(),
    plugins: () => [CollectShots, ValidateAndLabel],
    log: () => {},
  });
  const port = await host.serve(0);
  try {
    await run(host, caller(port, host.token));
  } finally {
    await host.uninstall();
  }
}

type Caller = (method: string, ...params: XmlRpcValue[]) => Promise<{ bytes: Buffer; value: unknown }>;

/** Calls over a fresh connection and keeps the reply's bytes as they came. */
function caller(port: number, token: string): Caller {
  return (method, ...params) =>
    new Promise((resolve, reject) => {
      const body = encodeMethodCall(method, params);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/pyblish',
          method: 'POST',
          headers: { 'Content-Type': 'text/xml', Authorization: `Bearer ${token}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const bytes = Buffer.concat(chunks);
            resolve({ bytes, value: decodeMethodResponse(bytes) });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

const context = async (call: Caller) => (await call('context')).value as ContextJSON;
const labels = async (call: Caller) => (await context(call)).children.map((i) => i.data.label);

/** Waits for the clock's next second: a context built then has another connectTime. */
async function nextSecond(): Promise<void> {
  const second = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === second) await new Promise((r) => setTimeout(r, 20));
}

for (const offMainThread of [true, false]) {
  describe(`context() and discover() replies (${offMainThread ? 'worker' : 'main thread'})`, () => {
    it('are sent again byte for byte while nothing changed, connect time and all', () =>
      withHost(offMainThread, async (_host, call) => {
        await call('reset');
        await call('process', 'CollectShots', null, null);
        const first = await call('context');
        const plugins = await call('discover');
        await nextSecond();
        // Calls that change nothing do not make them stale.
        await call('ping');
        await call('stats');
        expect((await call('context')).bytes.equals(first.bytes)).toBe(true);
        expect((await call('discover')).bytes.equals(plugins.bytes)).toBe(true);
        // Something changed: a fresh one, stamped now.
        await call('update', 'comment', 'a note', 'Context');
        const fresh = await context(call);
        expect(fresh.data.comment).toBe('a note');
        expect(fresh.data.connectTime).not.toBe((first.value as ContextJSON).data.connectTime);
      }));

    it('are built afresh after a pair that edits data only, emit, a host-side run, a word from the application and a reset', () =>
      withHost(offMainThread, async (host, call) => {
        await call('reset');
        await call('process', 'CollectShots', null, null);
        const shots = (await context(call)).children;
        expect(await labels(call)).toEqual([undefined, undefined, undefined]);

        await call('process', 'ValidateAndLabel', shots[0]!.id, null);
        expect(await labels(call)).toEqual(['sh010 (checked)', undefined, undefined]);

        await call('emit', 'instanceToggled', { instance: shots[1]!.id, new_value: false, old_value: true });
        expect((await context(call)).children[1]?.data.publish).toBe(false);

        const active = async () =>
          ((await call('discover')).value as PluginJSON[]).find((p) => p.id === 'ValidateAndLabel')?.active;
        expect(await active()).toBe(true);
        await call('emit', 'pluginToggled', {
          plugin: 'ValidateAndLabel',
          new_value: false,
          old_value: true,
        });
        expect(await active()).toBe(false);
        await call('emit', 'pluginToggled', {
          plugin: 'ValidateAndLabel',
          new_value: true,
          old_value: false,
        });

        // A host-side run labels the instance still on.
        let reply = (await call('pyblish.run', { phase: 'validate' })).value as RunPollJSON;
        while (!reply.finished)
          reply = (await call('pyblish.pollRun', reply.runId, reply.seq, -1, 1000)).value as RunPollJSON;
        expect(await labels(call)).toEqual(['sh010 (checked)', undefined, 'sh030 (checked)']);

        // The application edits the context itself and says so.
        host.service.session.context.createInstance('sh040', { family: 'shot', label: 'added' });
        host.service.changed();
        expect((await labels(call)).at(-1)).toBe('added');

        await call('reset');
        expect((await context(call)).children).toEqual([]);
      }));
  });
}

describe('the context encoder', () => {
  it('encodes what formatContext gives, inline at first, then reusing the parts of instances unchanged since', () => {
    const scene = new Context();
    for (const name of ['a', 'b', 'c', 'd']) scene.createInstance(name, { family: 'shot', frames: [1, 2] });
    const encoder = new ContextEncoder();
    const check = () => {
      const bytes = encodeMethodResponseBytes(encoder.encode(scene));
      expect(decodeMethodResponse(bytes)).toEqual(formatContext(scene));
    };
    check();
    const [a, b, c] = [...scene];
    a!.data.label = 'relabelled';
    b!.name = 'renamed';
    c!.data.families = ['extra'];
    scene.remove([...scene].at(-1)!);
    scene.createInstance('e', { family: 'shot' });
    scene.sort((x, y) => y.name.localeCompare(x.name));
    scene.data.comment = 'changed';
    check();
    // Sent unchanged a second time, the parts are encoded on their own; then kept while unchanged.
    check();
    check();
    a!.data.label = 'relabelled again';
    scene.createInstance('f', { family: 'shot' });
    check();
    check();
  });
});
