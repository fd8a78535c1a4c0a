// The /pyblish service serves what protocol.ts declares, in either thread: every declared method,
// nothing undeclared, each with its declared signature and help (the GUI side calls by the same
// declarations, so a method that drifts from its declaration fails here).
import { Registry } from '@pyblish/core';
import { XmlRpcClient } from '@pyblish/xmlrpc';
import { describe, it } from 'vitest';
import { expectServedAsDeclared } from '../../xmlrpc/test/helpers.js';
import { Host, type HostOptions } from '../src/host.js';
import { HOST_EXTENSIONS, HostMethod } from '../src/protocol.js';

async function withServed(options: HostOptions, check: (client: XmlRpcClient) => Promise<void>) {
  const host = new Host({ registry: new Registry(), plugins: () => [], log: () => {}, ...options });
  await host.serve(0);
  const client = new XmlRpcClient(host.url!, { token: host.token });
  try {
    await check(client);
  } finally {
    client.close();
    await host.uninstall();
  }
}

describe('the /pyblish methods', () => {
  for (const offMainThread of [true, false]) {
    it(`are served as declared, every one and no other (${offMainThread ? 'worker' : 'main thread'})`, () =>
      withServed({ offMainThread }, (client) => expectServedAsDeclared(client, Object.values(HostMethod))));
  }

  it("are pyblish-qml's alone, as declared, when the extensions are turned off", () =>
    withServed({ extensions: false }, (client) =>
      expectServedAsDeclared(
        client,
        Object.entries(HostMethod)
          .filter(([key]) => !(HOST_EXTENSIONS as string[]).includes(key))
          .map(([, m]) => m),
      ),
    ));
});
