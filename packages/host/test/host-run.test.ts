// The host-side run (pyblish.run / pyblish.pollRun / pyblish.cancel on a run id): the host
// iterates a whole phase itself, with the semantics a GUI drives pair by pair, and streams the
// results, the running pair with its records, and the progress. Both thread modes.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type Context,
  ContextPlugin,
  type Instance,
  InstancePlugin,
  type ProcessApi,
  Registry,
} from '@pyblish/core';
import { Fault, XmlRpcClient } from '@pyblish/xmlrpc';
import { describe, expect, it } from 'vitest';
import { Host } from '../src/host.js';
import { HostMethod } from '../src/protocol.js';
import { unpackRunResults } from '../src/run-columns.js';
import type { RunPollJSON, RunSpecJSON } from '../src/wire.js';
import { CollectShots } from './helpers/shots.js';

/** A second collector: sees the shots the first made. */
class CollectFrames extends InstancePlugin {
  static override order = 0.1;
  static override families = ['shot'];
  process(instance: Instance): void {
    instance.data.frames = 10;
  }
}

class ValidateNames extends InstancePlugin {
  static override order = 1;
  static override families = ['shot'];
  process(instance: Instance, { log }: ProcessApi): void {
    log.info(`checking ${instance.name}`);
    if (instance.name === 'sh020') throw new Error('sh020 is misnamed');
  }
}

class ValidateOptional extends ContextPlugin {
  static override order = 1.1;
  static override optional = true;
  static override active = false;
  process(): void {}
}

class ExtractShots extends InstancePlugin {
  static override order = 2;
  static override families = ['shot'];
  process(): void {}
}

/** Only for the farm target. */
class ExtractOnFarm extends ContextPlugin {
  static override order = 2.1;
  static override targets = ['farm'];
  process(): void {}
}

let hold: ((release: () => void) => void) | null = null;

/** Logs, then waits for its signal (or for the test to release it). */
class IntegrateSlowly extends ContextPlugin {
  static override order = 3;
  async process(_context: Context, { log, signal }: ProcessApi): Promise<void> {
    log.info('integrating, part one');
    await new Promise<void>((resolve, reject) => {
      hold?.(resolve);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    log.info('integrating, part two');
  }
}

let verbosePairs = 0;

/** Off unless switched on, for the verbose target only: each pair logs 40 records of 60,000 characters. */
class ExtractVerbosely extends InstancePlugin {
  static override order = 2.2;
  static override families = ['shot'];
  static override targets = ['verbose'];
  static override optional = true;
  static override active = false;
  process(_instance: Instance, { log }: ProcessApi): void {
    verbosePairs++;
    for (let i = 0; i < 40; i++) log.info('v'.repeat(60_000));
  }
}

const CLI = fileURLToPath(new URL('../../cli/bin/pyblish.mjs', import.meta.url));
const BLOCKING = fileURLToPath(new URL('./fixtures/blocking', import.meta.url));

const PLUGINS = [
  CollectShots,
  CollectFrames,
  ValidateNames,
  ValidateOptional,
  ExtractShots,
  ExtractOnFarm,
  ExtractVerbosely,
  IntegrateSlowly,
];

async function withHost(offMainThread: boolean, run: (client: XmlRpcClient) => Promise<void>): Promise<void> {
  const host = new Host({ offMainThread, registry: new Registry(), plugins: () => PLUGINS, log: () => {} });
  await host.serve(0);
  const client = new XmlRpcClient(host.url!, { token: host.token });
  try {
    await run(client);
  } finally {
    client.close();
    await host.uninstall();
  }
}

const ids = async (client: XmlRpcClient) =>
  new Map((await client.call(HostMethod.context, [])).children.map((c) => [c.name, c.id]));

interface Followed {
  /** "Plugin" or "Plugin:instance name", in order. */
  pairs: string[];
  failed: string[];
  results: RunPollJSON['results'];
  last: RunPollJSON;
  replies: number;
}

/** Starts a run and follows it to its end. */
async function follow(client: XmlRpcClient, spec: RunSpecJSON): Promise<Followed> {
  let reply = await client.call(HostMethod.run, [spec as never]);
  const out: Followed = { pairs: [], failed: [], results: [], last: reply, replies: 1 };
  let seq = 0;
  for (;;) {
    out.results.push(...reply.results);
    seq = reply.seq;
    out.last = reply;
    if (reply.finished) break;
    reply = await client.call(HostMethod.pollRun, [reply.runId, seq, -1, 1000]);
    out.replies++;
  }
  // Results name the plug-in and the instance by id: the instances' names are in the context.
  const names = new Map([...(await ids(client))].map(([name, id]) => [id, name]));
  for (const r of out.results) {
    const name = r.plugin + (r.instance ? `:${names.get(r.instance)}` : '');
    out.pairs.push(name);
    if (r.error) out.failed.push(name);
  }
  return out;
}

for (const offMainThread of [true, false]) {
  describe(`a host-side run (${offMainThread ? 'worker' : 'main thread'})`, () => {
    it('collects with every collector seeing the instances of the ones before, and counts the plan', () =>
      withHost(offMainThread, async (client) => {
        await client.call(HostMethod.reset, []);
        const run = await follow(client, { phase: 'collect' });
        expect(run.pairs).toEqual([
          'CollectShots',
          'CollectFrames:sh010',
          'CollectFrames:sh020',
          'CollectFrames:sh030',
        ]);
        expect(run.last.progress).toEqual({ done: 4, planned: 4 });
        expect(run.results.at(-1)?.contextRevision).toBe(3);
        expect([...(await ids(client)).keys()]).toEqual(['sh010', 'sh020', 'sh030']);
      }));

    it('stops before extraction when a validator failed, and says why', () =>
      withHost(offMainThread, async (client) => {
        await client.call(HostMethod.reset, []);
        await follow(client, { phase: 'collect' });
        const run = await follow(client, { phase: 'publish' });
        expect(run.pairs).toEqual(['ValidateNames:sh010', 'ValidateNames:sh020', 'ValidateNames:sh030']);
        expect(run.failed).toEqual(['ValidateNames:sh020']);
        expect(run.last.stopped).toBe('Stopped due to failed validation');
        expect(run.results.at(-1)?.records.map((r) => r.message)).toEqual(['checking sh030']);
      }));

    it('honours the toggles it is given and the targets, and continues a validated publish', () =>
      withHost(offMainThread, async (client) => {
        await client.call(HostMethod.reset, []);
        await follow(client, { phase: 'collect' });
        const shots = await ids(client);
        hold = (release) => release();
        const validate = await follow(client, {
          phase: 'validate',
          pluginsOff: [],
          instancesOff: [shots.get('sh020')!],
        });
        // The optional validator, off by default, runs when the list leaves it on.
        expect(validate.pairs).toEqual(['ValidateNames:sh010', 'ValidateNames:sh030', 'ValidateOptional']);
        const publish = await follow(client, {
          phase: 'publish',
          continuing: true,
          pluginsOff: ['ValidateOptional'],
          instancesOff: [shots.get('sh020')!],
          targets: ['default'],
        });
        expect(publish.pairs).toEqual(['ExtractShots:sh010', 'ExtractShots:sh030', 'IntegrateSlowly']);
        expect(publish.last.progress).toEqual({ done: 3, planned: 3 });
        const farm = await follow(client, { phase: 'publish', continuing: true, targets: ['farm'] });
        expect(farm.pairs).toEqual(['ExtractOnFarm']);
      }));

    it('shows the running pair and its records while it runs, and stops inside it when cancelled', () =>
      withHost(offMainThread, async (client) => {
        await client.call(HostMethod.reset, []);
        await follow(client, { phase: 'collect' });
        let held = false;
        hold = () => {
          held = true;
        };
        const started = await client.call(HostMethod.run, [{ phase: 'publish', continuing: true }]);
        let seq = 0;
        let reply = started;
        const results: RunPollJSON['results'] = [];
        while (!(reply.current?.plugin === 'IntegrateSlowly' && reply.current.records.length > 0)) {
          reply = await client.call(HostMethod.pollRun, [started.runId, seq, -1, 1000]);
          results.push(...reply.results);
          seq = reply.seq;
        }
        expect(held).toBe(true);
        expect(reply.current.records.map((r) => r.message)).toEqual(['integrating, part one']);
        // Without targets every plug-in runs, as the GUI runs them pair by pair.
        expect(reply.current.index).toBe(4);
        expect(results.map((r) => r.plugin)).toEqual([
          'ExtractShots',
          'ExtractShots',
          'ExtractShots',
          'ExtractOnFarm',
        ]);
        // Nothing new: the poll waits, then says so.
        const quiet = await client.call(HostMethod.pollRun, [started.runId, seq, 1, 50]);
        expect(quiet.results).toEqual([]);
        expect(quiet.current?.records).toEqual([]);

        // Liveness names the run as the busy call, and that id cancels it.
        const live = await client.call(HostMethod.liveness, []);
        expect(live).toMatchObject({ busy: true, callId: started.runId });
        expect(await client.call(HostMethod.cancel, [live.callId as string])).toBe(true);
        let end = quiet;
        while (!end.finished) end = await client.call(HostMethod.pollRun, [started.runId, seq, 1, 1000]);
        expect(end.cancelled).toBe(true);
        expect(end.results.map((r) => [r.plugin, r.error?.message])).toEqual([
          ['IntegrateSlowly', 'Cancelled by the GUI'],
        ]);
        expect(await client.call(HostMethod.cancel, [started.runId])).toBe(false);
      }));

    it('sends the records of a pair it showed running only once: its result has the rest', () =>
      withHost(offMainThread, async (client) => {
        await client.call(HostMethod.reset, []);
        await follow(client, { phase: 'collect' });
        let release = () => {};
        hold = (r) => {
          release = r;
        };
        const started = await client.call(HostMethod.run, [
          { phase: 'publish', continuing: true, targets: ['default'] },
        ]);
        let reply = started;
        let seq = 0;
        while (!(reply.current?.plugin === 'IntegrateSlowly' && reply.current.records.length > 0)) {
          reply = await client.call(HostMethod.pollRun, [started.runId, seq, -1, 1000]);
          seq = reply.seq;
        }
        const taken = reply.current.seq;
        // No poll is out while the pair logs again and ends: its result has to bring that record.
        release();
        while ((await client.call(HostMethod.liveness, [])).busy) await new Promise((r) => setImmediate(r));
        const end = await client.call(HostMethod.pollRun, [started.runId, seq, taken, 0]);
        expect(end.finished).toBe(true);
        expect(
          end.results.map((r) => [r.plugin, r.recordsStreamed, r.records.map((x) => x.message)]),
        ).toEqual([['IntegrateSlowly', 1, ['integrating, part two']]]);
        // A poll that did not follow it gets them all.
        const again = await client.call(HostMethod.pollRun, [started.runId, seq, -1, 0]);
        expect(again.results[0]?.records.map((x) => x.message)).toEqual([
          'integrating, part one',
          'integrating, part two',
        ]);
        expect(again.results[0]?.recordsStreamed).toBeUndefined();
      }));

    it('keeps a reply of a few MiB of records: results of verbose pairs come one reply each', () =>
      withHost(offMainThread, async (client) => {
        await client.call(HostMethod.reset, []);
        await follow(client, { phase: 'collect' });
        verbosePairs = 0;
        const started = await client.call(HostMethod.run, [
          { phase: 'publish', continuing: true, pluginsOff: [], targets: ['verbose'] },
        ]);
        // Polled only once the run is over: everything it did is waiting to be taken.
        while (verbosePairs < 3 || (await client.call(HostMethod.liveness, [])).busy)
          await new Promise((r) => setImmediate(r));
        const replies: RunPollJSON[] = [];
        let reply = started;
        while (!reply.finished) {
          reply = await client.call(HostMethod.pollRun, [started.runId, reply.seq, -1, 0]);
          replies.push(reply);
        }
        const results = replies.flatMap((r) => r.results);
        expect(results.map((r) => [r.plugin, r.records.length])).toEqual([
          ['ExtractVerbosely', 40],
          ['ExtractVerbosely', 40],
          ['ExtractVerbosely', 40],
        ]);
        expect(replies.map((r) => r.results.length)).toEqual([1, 1, 1]);
      }));

    it('sends quick pairs in batches, not one reply per pair', () =>
      withHost(offMainThread, async (client) => {
        await client.call(HostMethod.reset, []);
        await follow(client, { phase: 'collect' });
        hold = (release) => release();
        // Ten publishes of the same scene in one go are 50 pairs; they come in far fewer replies.
        let pairs = 0;
        let replies = 0;
        for (let i = 0; i < 10; i++) {
          const run = await follow(client, { phase: 'publish', continuing: true, targets: ['default'] });
          pairs += run.pairs.length;
          replies += run.replies;
        }
        expect(pairs).toBe(40);
        expect(replies).toBeLessThan(pairs);
      }));

    it('sends the same results as columns when asked (resultsAs), records and errors included', () =>
      withHost(offMainThread, async (client) => {
        await client.call(HostMethod.reset, []);
        await follow(client, { phase: 'collect' });
        const asList = await follow(client, { phase: 'validate' });
        const started = await client.call(HostMethod.run, [{ phase: 'validate', resultsAs: 'columns' }]);
        expect(started.results).toEqual([]);
        const packed: RunPollJSON['results'] = [];
        let reply = started;
        for (;;) {
          expect(reply.results).toEqual([]);
          if (reply.resultColumns) packed.push(...unpackRunResults(reply.resultColumns));
          if (reply.finished) break;
          reply = await client.call(HostMethod.pollRun, [reply.runId, reply.seq, -1, 1000]);
        }
        // The two runs differ only in time: durations and when each record was made.
        const comparable = (r: RunPollJSON['results'][number]) => ({
          ...r,
          duration: 0,
          records: r.records.map((record) => ({ ...record, created: 0, msecs: 0, relativeCreated: 0 })),
        });
        expect(asList.failed.length).toBeGreaterThan(0);
        expect(asList.results.some((r) => r.records.length > 0)).toBe(true);
        expect(packed.map(comparable)).toEqual(asList.results.map(comparable));
        const refusal = await client
          .call(HostMethod.run, [{ phase: 'validate', resultsAs: 'xml' }])
          .catch((e) => e);
        expect((refusal as Fault).faultString).toMatch(/spec\.resultsAs must be 'columns'/);
      }));

    it('refuses a spec it cannot run, saying what to send', () =>
      withHost(offMainThread, async (client) => {
        const refusal = await client.call(HostMethod.run, [{ phase: 'deploy' }]).catch((e: unknown) => e);
        expect(refusal).toBeInstanceOf(Fault);
        expect((refusal as Fault).faultString).toMatch(
          /spec\.phase must be one of collect, validate, publish/,
        );
        const list = await client
          .call(HostMethod.run, [{ phase: 'validate', pluginsOff: 'all' }])
          .catch((e) => e);
        expect((list as Fault).faultString).toMatch(/spec\.pluginsOff must be a list of strings/);
        const unknown = await client.call(HostMethod.pollRun, ['run-0', 0, -1, 0]).catch((e) => e);
        expect((unknown as Fault).faultString).toMatch(/no call "run-0"/);
      }));
  });
}

describe('a host-side run with a plug-in blocking the main thread (worker)', () => {
  it('is still answered: the server worker says which pair runs, then the result comes', async () => {
    const host = spawn(process.execPath, [CLI, 'host', '--port', '0', '--plugin-path', BLOCKING], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: host.stdout! });
    const { url, token } = await new Promise<{ url: string; token: string }>((resolve) => {
      let url = '';
      lines.on('line', (line) => {
        url = /serving (\S+)/.exec(line)?.[1] ?? url;
        const token = /token (\S+)/.exec(line)?.[1];
        if (token) resolve({ url, token });
      });
    });
    const client = new XmlRpcClient(url, { token });
    try {
      const started = await client.call(HostMethod.run, [{ phase: 'publish' }]);
      const replies: RunPollJSON[] = [];
      let reply = started;
      while (!reply.finished) {
        const afterRecord = reply.current?.index === 0 ? reply.current.seq : -1;
        reply = await client.call(HostMethod.pollRun, [
          started.runId,
          replies.at(-1)?.seq ?? 0,
          afterRecord,
          200,
        ]);
        replies.push(reply);
      }
      // While the plug-in blocked the main thread, the worker answered: the pair runs, no news yet.
      const told = replies.find((r) => r.progress === null);
      expect(told?.current).toMatchObject({ index: 0, plugin: 'BlockMain', instance: null, records: [] });
      const results = replies.flatMap((r) => r.results);
      expect(results.map((r) => [r.plugin, r.success, r.records.map((x) => x.message)])).toEqual([
        ['BlockMain', true, ['unblocked']],
      ]);
    } finally {
      client.close();
      host.kill();
    }
  });
});
