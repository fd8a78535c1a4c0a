// How the GUI follows a host-side run: the next poll goes out as a reply arrives, so the host
// sends its next batch while the GUI shows this one; never more than one poll is out, so a GUI
// behind a quick run still holds the host's replies back; and a reply the GUI fails to take in
// ends the run without a poll left behind. A real XML-RPC server on loopback plays the host.
import { createServer, MethodRegistry, type XmlRpcServer } from '@pyblish/xmlrpc';
import { afterEach, describe, expect, it } from 'vitest';
import { HostClient, type RunFollowOptions } from '../src/host-client.js';

const servers: XmlRpcServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const LAST = 3;

/** A host whose run has LAST replies after the first; it notes each poll and when it ended. */
async function runningHost() {
  const log: string[] = [];
  const reply = (seq: number) => ({
    runId: 'run-1',
    seq,
    results: [],
    current: null,
    progress: { done: seq, planned: LAST },
    finished: seq === LAST,
    stopped: null,
    cancelled: false,
    error: null,
  });
  const methods = new MethodRegistry()
    .register('pyblish.run', () => reply(0))
    .register('pyblish.pollRun', ([, afterSeq], call) => {
      log.push(`poll after ${afterSeq}`);
      call.signal.addEventListener('abort', () => log.push(`poll after ${afterSeq} called off`));
      return reply(Number(afterSeq) + 1);
    });
  const server = await createServer({ port: 0, routes: { '/pyblish': methods } });
  servers.push(server);
  return { client: new HostClient({ port: server.port }), log };
}

function options(onReply: RunFollowOptions['onReply']): RunFollowOptions {
  return {
    signal: new AbortController().signal,
    pollWaitMs: 100,
    onRunId: () => undefined,
    onReply,
    stillAlive: () => true,
    onPolling: () => undefined,
  };
}

describe('following a host-side run', () => {
  it('polls for the next reply while it takes one in, with one poll out at most', async () => {
    const { client, log } = await runningHost();
    const taken: number[] = [];
    let release: (() => void) | null = null;
    const following = client.followRun(
      { phase: 'publish' },
      options(async (reply) => {
        log.push(`taking ${reply.seq}`);
        // The first reply is held until the poll after it has reached the host.
        if (reply.seq === 0) await new Promise<void>((resolve) => (release = resolve));
        taken.push(reply.seq);
      }),
    );
    while (!log.includes('poll after 0')) await new Promise((r) => setTimeout(r, 5));
    // Held: the poll after it went out, and no other.
    await new Promise((r) => setTimeout(r, 50));
    expect(log).toEqual(['taking 0', 'poll after 0']);
    release!();
    const last = await following;
    expect(last.finished).toBe(true);
    expect(taken).toEqual([0, 1, 2, 3]);
    expect(log).toEqual([
      'taking 0',
      'poll after 0',
      'taking 1',
      'poll after 1',
      'taking 2',
      'poll after 2',
      'taking 3',
    ]);
    client.close();
  });

  it('ends with the error of a reply it could not take in, and polls no further', async () => {
    const { client, log } = await runningHost();
    const failure = await client
      .followRun(
        { phase: 'publish' },
        options((reply) => {
          if (reply.seq === 1) throw new Error('the view could not show it');
        }),
      )
      .catch((e: unknown) => e);
    expect((failure as Error).message).toBe('the view could not show it');
    await new Promise((r) => setTimeout(r, 50));
    // The poll out when it failed is called off or answered unread; none follows it.
    expect(log).toContain('poll after 0');
    expect(log).not.toContain('poll after 2');
    client.close();
  });
});
