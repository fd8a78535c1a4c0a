// Our host extensions (pyblish.begin/poll/cancel/liveness), pair queueing, and liveness that does
// not depend on the host's main thread: a synchronous plug-in blocks it while a Python GUI probes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Context, ContextPlugin, type ProcessApi, Registry } from '@pyblish/core';
import { encodeMethodCall, Fault, XmlRpcClient, type XmlRpcValue } from '@pyblish/xmlrpc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../src/host.js';
import type { BeginJSON, LivenessJSON, PollJSON } from '../src/wire.js';
import { until } from './helpers/fake-gui.js';
import { beginClient, fakeGui, killChildren, startPeer } from './helpers/peers.js';

let dir: string;
let marker: string;
const order: string[] = [];
let release: () => void = () => {};

class Stepper extends ContextPlugin {
  async process(context: Context, { log, signal }: ProcessApi): Promise<void> {
    log.info('step one');
    await new Promise<void>((resolve, reject) => {
      release = resolve;
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    log.info('step two');
    context.createInstance('made by stepper');
  }
}

class Recorder extends ContextPlugin {
  async process(_context: Context, { log }: ProcessApi): Promise<void> {
    order.push('start');
    await new Promise((r) => setTimeout(r, 20));
    order.push('end');
    log.info('recorded');
  }
}

/** Blocks the main thread synchronously until the marker file appears (or 20 s pass). */
class Blocker extends ContextPlugin {
  process(): void {
    const end = Date.now() + 20_000;
    while (!existsSync(marker) && Date.now() < end) {
      // spin: the point is that nothing else on this thread can run
    }
  }
}

const waits: string[] = [];

/** Waits for its signal (or 10 s), noting what ended the wait. */
class Waiter extends ContextPlugin {
  async process(_context: Context, { signal }: ProcessApi): Promise<void> {
    waits.push('started');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        waits.push('timed out');
        resolve();
      }, 10_000);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          waits.push('aborted');
          resolve();
        },
        { once: true },
      );
    });
  }
}

/** Holds the CPU for 1.5 s without yielding, as a heavy synchronous plug-in does. */
class CpuHog extends ContextPlugin {
  process(): void {
    const end = Date.now() + 1500;
    while (Date.now() < end) {
      // spin
    }
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyblish-ext-'));
  marker = join(dir, 'release');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(killChildren);

async function withHost<T>(
  run: (host: Host, client: XmlRpcClient) => Promise<T>,
  guiPort?: number,
  offMainThread = true,
): Promise<T> {
  const host = new Host({
    offMainThread,
    registry: new Registry(),
    plugins: () => [Stepper, Recorder, Blocker, CpuHog, Waiter],
    allowUnauthenticated: guiPort !== undefined,
    heartbeatIntervalMs: 50,
    log: () => {},
    ...(guiPort !== undefined && { guiPort }),
  });
  try {
    if (guiPort !== undefined) await host.show();
    else await host.serve(0);
    const client = new XmlRpcClient(host.url!, { token: host.token });
    try {
      return await run(host, client);
    } finally {
      client.close();
    }
  } finally {
    await host.uninstall();
  }
}

describe('host extensions', () => {
  it('streams records of a running pair through pyblish.poll and cancels it', () =>
    withHost(async (_host, client) => {
      const callId = (await client.call('pyblish.begin', ['Stepper', null, null])) as string;
      const first = (await client.call('pyblish.poll', [callId, 0, 5000])) as unknown as PollJSON;
      expect(first).toMatchObject({ done: false, seq: 1, result: null });
      expect(first.records.map((r) => r.message)).toEqual(['step one']);
      const live = (await client.call('pyblish.liveness')) as unknown as LivenessJSON;
      expect(live).toMatchObject({ busy: true, callId, pid: process.pid });
      expect(live.since).toBeGreaterThan(0);

      expect(await client.call('pyblish.cancel', [callId])).toBe(true);
      let polled = first;
      while (!polled.done)
        polled = (await client.call('pyblish.poll', [callId, polled.seq, 5000])) as unknown as PollJSON;
      // The error points at the plug-in, not at the host's code that aborted it.
      expect(polled.result).toMatchObject({
        success: false,
        error: {
          message: 'Cancelled by the GUI',
          fname: 'mem:Stepper',
          func: 'Stepper.process',
          exc: 'AbortError',
        },
      });
      expect(polled.result?.error).not.toHaveProperty('line_number');
      expect(await client.call('pyblish.cancel', [callId])).toBe(false);
      expect(((await client.call('pyblish.liveness')) as unknown as LivenessJSON).busy).toBe(false);
      await expect(client.call('pyblish.poll', ['no-such-call', 0])).rejects.toBeInstanceOf(Fault);
    }));

  it('delivers the result and the context revision when a begun pair finishes', () =>
    withHost(async (_host, client) => {
      const callId = (await client.call('pyblish.begin', [{ id: 'Stepper' }, null, null])) as string;
      await client.call('pyblish.poll', [callId, 0, 5000]);
      release();
      let polled = (await client.call('pyblish.poll', [callId, 1, 5000])) as unknown as PollJSON;
      while (!polled.done)
        polled = (await client.call('pyblish.poll', [callId, polled.seq, 5000])) as unknown as PollJSON;
      expect(polled.records.map((r) => r.message)).toEqual(['step two']);
      expect(polled.result?.success).toBe(true);
      // The records went out in the polls; the result says how many rather than repeating them.
      expect(polled.result?.records).toEqual([]);
      expect(polled.result?.recordsStreamed).toBe(2);
      expect(polled.result?.contextRevision).toBe(1);
      const context = (await client.call('context')) as { children: XmlRpcValue[] };
      expect(context.children).toHaveLength(1);
    }));

  it('answers pyblish.begin at once when the begun plug-in then blocks the main thread', () =>
    // The caller is another process: this one's thread is the one the plug-in blocks.
    withHost(async (host) => {
      const url = host.url!.replace('://', `://pyblish:${host.token}@`);
      const caller = startPeer('python3', [beginClient, url, 'CpuHog']);
      const begun = await caller.next('begun');
      // Had begin waited for the plug-in, the pair would be over by now and never seen busy.
      expect(begun.liveness).toMatchObject({ busy: true, callId: begun.callId });
      const done = await caller.next('done');
      expect(done.result).toMatchObject({ success: true, plugin: { name: 'CpuHog' } });
    }));

  for (const offMainThread of [true, false])
    it(`answers pyblish.begin with a wait with the whole quick pair in one request (${offMainThread ? 'worker' : 'in thread'})`, () =>
      withHost(
        async (host, client) => {
          const before = host.service.requestCount;
          const begun = (await client.call('pyblish.begin', [
            'Recorder',
            null,
            null,
            5000,
          ])) as unknown as BeginJSON;
          expect(begun).toMatchObject({
            done: true,
            seq: 1,
            result: { success: true, plugin: { name: 'Recorder' } },
          });
          expect(begun.records.map((r) => r.message)).toEqual(['recorded']);
          expect(typeof begun.callId).toBe('string');
          // The host's stats count it once too, though the worker follows the pair with polls.
          expect(host.service.requestCount - before).toBe(1);
          // Without the wait, the reply is the call id alone, as before.
          expect(typeof (await client.call('pyblish.begin', ['Recorder', null, null]))).toBe('string');
        },
        undefined,
        offMainThread,
      ));

  it('replies to pyblish.begin with a wait when the wait is over, with the records so far, then polls and cancels', () =>
    withHost(async (_host, client) => {
      const begun = (await client.call('pyblish.begin', [
        'Stepper',
        null,
        null,
        100,
      ])) as unknown as BeginJSON;
      expect(begun).toMatchObject({ done: false, result: null });
      let seq = begun.seq;
      const messages = begun.records.map((r) => r.message);
      if (seq === 0) {
        const first = (await client.call('pyblish.poll', [begun.callId, 0, 5000])) as unknown as PollJSON;
        messages.push(...first.records.map((r) => r.message));
        seq = first.seq;
      }
      expect(messages).toEqual(['step one']);
      expect(await client.call('pyblish.cancel', [begun.callId])).toBe(true);
      let polled = (await client.call('pyblish.poll', [begun.callId, seq, 5000])) as unknown as PollJSON;
      while (!polled.done)
        polled = (await client.call('pyblish.poll', [begun.callId, polled.seq, 5000])) as unknown as PollJSON;
      expect(polled.result).toMatchObject({ success: false, error: { message: 'Cancelled by the GUI' } });
    }));

  it('replies "not done" to pyblish.begin with a wait while the begun plug-in blocks the main thread', () =>
    withHost(async (host) => {
      const url = host.url!.replace('://', `://pyblish:${host.token}@`);
      const caller = startPeer('python3', [beginClient, url, 'CpuHog', '200']);
      const begun = await caller.next('begun');
      // The server worker kept the clock: the 1.5 s plug-in was still running when the reply came.
      expect(begun.done).toBe(false);
      expect(begun.liveness).toMatchObject({ busy: true, callId: begun.callId });
      const done = await caller.next('done');
      expect(done.result).toMatchObject({ success: true, plugin: { name: 'CpuHog' } });
    }));

  for (const offMainThread of [true, false])
    it(`aborts a plain process call's plug-in when its caller disconnects (${offMainThread ? 'worker' : 'in thread'})`, () =>
      withHost(
        async (host) => {
          waits.length = 0;
          const body = encodeMethodCall('process', ['Waiter', null, null]);
          const req = request(host.url!, {
            method: 'POST',
            headers: { 'content-type': 'text/xml', authorization: `Bearer ${host.token}` },
          });
          req.on('error', () => {});
          req.end(body);
          await until(() => waits.includes('started'), 10_000, 'the plug-in to start');
          req.destroy();
          await until(() => waits.length > 1, 15_000, 'the plug-in to end');
          expect(waits).toEqual(['started', 'aborted']);
        },
        undefined,
        offMainThread,
      ));

  it('processes a batch of pairs in one request with system.multicall, in order', () =>
    withHost(async (_host, client) => {
      order.length = 0;
      const replies = (await client.call('system.multicall', [
        [
          { methodName: 'process', params: ['Recorder', null, null] },
          { methodName: 'process', params: ['NoSuchPlugin', null, null] },
          { methodName: 'process', params: ['Recorder', null, null] },
          { methodName: 'stats', params: [] },
        ],
      ])) as unknown as [{ success: boolean }][];
      expect(replies[0]?.[0]?.success).toBe(true);
      expect(replies[1]).toMatchObject({ faultCode: -32500 });
      expect(replies[2]?.[0]?.success).toBe(true);
      expect(order).toEqual(['start', 'end', 'start', 'end']);
    }));

  it('runs concurrent pairs one after the other, never interleaved', () =>
    withHost(async (_host, client) => {
      order.length = 0;
      await Promise.all([
        client.call('process', ['Recorder', null, null]),
        client.call('process', ['Recorder', null, null]),
        client.call('process', ['Recorder', null, null]),
      ]);
      expect(order).toEqual(['start', 'end', 'start', 'end', 'start', 'end']);
    }));

  it('answers ping and liveness, and keeps sending heartbeats, while a plug-in blocks the main thread', async () => {
    const gui = startPeer('python3', [fakeGui, '--probe-busy', marker, '--timeout', '30']);
    const { port } = await gui.next('listening');
    await withHost(async (_host, client) => {
      await gui.next('show');
      const result = (await client.call('process', ['Blocker', null, null])) as { success: boolean };
      expect(result.success).toBe(true);
    }, port as number);
    const probe = await gui.next('probe');
    expect(probe).toMatchObject({
      liveness: { busy: true, callId: null },
      stillBusy: true,
      ping: { message: 'Hello, whomever you are' },
    });
    expect(probe.heartbeatsWhileBusy).toBeGreaterThan(0);
  });
});
