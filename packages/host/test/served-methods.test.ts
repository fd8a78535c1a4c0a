// The table a host's server serves, in either thread: the request count `stats` reports is kept
// in one place, where calls are taken.
import { Registry } from '@pyblish/core';
import { Fault, XmlRpcClient } from '@pyblish/xmlrpc';
import { describe, expect, it } from 'vitest';
import { Host } from '../src/host.js';
import { HostMethod } from '../src/protocol.js';

describe('the served /pyblish table', () => {
  for (const offMainThread of [true, false]) {
    it(`counts every call once, each of a multicall too, but not liveness nor a refused call (${offMainThread ? 'worker' : 'main thread'})`, async () => {
      const host = new Host({ offMainThread, registry: new Registry(), plugins: () => [], log: () => {} });
      await host.serve(0);
      const client = new XmlRpcClient(host.url!, { token: host.token });
      try {
        const count = async () => (await client.call(HostMethod.stats, [])).totalRequestCount;
        const before = await count();
        await client.call(HostMethod.ping, []);
        await client.call(HostMethod.liveness, []);
        await client.call('system.multicall', [
          [
            { methodName: 'ping', params: [] },
            { methodName: 'context', params: [] },
          ],
        ]);
        await expect(client.call('ping', [1])).rejects.toBeInstanceOf(Fault);
        // ping, the two calls of the multicall, and this stats.
        expect((await count()) - before).toBe(4);
        expect(host.service.requestCount).toBe(before + 4);
      } finally {
        client.close();
        await host.uninstall();
      }
    });
  }
});
