// Our GUI asks our hosts for a run's results as columns (resultsAs 'columns'). A host that sends
// columns the GUI cannot read fails the run with a reply error naming the host and the method;
// one that ignores the ask and sends the plain list is read as before.
import { packRunResults } from '@pyblish/host';
import { createServer, MethodRegistry, type XmlRpcServer } from '@pyblish/xmlrpc';
import { afterEach, describe, expect, it } from 'vitest';
import { HostCallError } from '../src/errors.js';
import { HostClient } from '../src/host-client.js';

const servers: XmlRpcServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const result = { success: true, plugin: 'Collect', instance: null, error: null, records: [], duration: 1 };

/** A host whose pyblish.run answers at once with a finished run carrying `results` and `extra`. */
async function hostAnswering(extra: Record<string, unknown>): Promise<HostClient> {
  const methods = new MethodRegistry().register('pyblish.run', () => ({
    runId: 'run-1',
    seq: 1,
    results: [],
    current: null,
    progress: { done: 1, planned: 1 },
    finished: true,
    stopped: null,
    cancelled: false,
    error: null,
    ...extra,
  }));
  const server = await createServer({ port: 0, routes: { '/pyblish': methods } });
  servers.push(server);
  return new HostClient({ port: server.port });
}

function follow(client: HostClient) {
  const replies: unknown[] = [];
  const done = client.followRun(
    { phase: 'collect', resultsAs: 'columns' },
    {
      signal: new AbortController().signal,
      pollWaitMs: 100,
      onRunId: () => undefined,
      onReply: (reply) => {
        replies.push(reply.results);
      },
      stillAlive: () => true,
      onPolling: () => undefined,
    },
  );
  return { done, replies };
}

describe('a run reply with result columns', () => {
  it('is read into the results it packs', async () => {
    const client = await hostAnswering({
      resultColumns: packRunResults([result]),
    });
    const { done, replies } = follow(client);
    await done;
    expect(replies).toEqual([[result]]);
    client.close();
  });

  it('fails the run with HOST_BAD_REPLY, saying what is wrong, when the columns cannot be read', async () => {
    for (const [columns, said] of [
      ['{"plugin": ["Collect"', /result columns are not JSON/],
      ['{"plugin": [0], "instance": [null], "success": []}', /result columns lack "success"/],
    ] as const) {
      const client = await hostAnswering({ resultColumns: columns });
      const failure = await follow(client).done.catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(HostCallError);
      expect(failure).toMatchObject({ code: 'HOST_BAD_REPLY', method: 'pyblish.run' });
      expect((failure as Error).message).toMatch(
        /the host at port \d+ sent an unusable reply to pyblish\.run/,
      );
      expect((failure as Error).message).toMatch(said);
      client.close();
    }
  });

  it('is not needed: a host that sends the plain list is read as before', async () => {
    const client = await hostAnswering({ results: [result] });
    const { done, replies } = follow(client);
    await done;
    expect(replies).toEqual([[result]]);
    client.close();
  });
});
