// docs/security-cases.md, cases 13-18: dispatch and parameters. Only registered names are callable, every
// argument is checked before a handler runs, and errors say little.

import { Registry } from '@pyblish/core';
import { Host } from '@pyblish/host';
import { encodeMethodCall, Fault, type XmlRpcValue } from '@pyblish/xmlrpc';
import { describe, expect, it } from 'vitest';
import {
  call,
  type Endpoint,
  faultOf,
  guiAndHostPerFile,
  guiEndpoint,
  hostEndpoint,
  ping,
  post,
  raw,
  rawRequest,
} from '../support/system.js';

const system = guiAndHostPerFile();

/** The fault `method(params)` gets from `e` (fails the test when it succeeds). */
async function faultFrom(e: Endpoint, method: string, params: XmlRpcValue[] = []): Promise<Fault> {
  try {
    const value = await call(e, method, params);
    throw new Error(`${e.name} answered ${method} with ${JSON.stringify(value)}`);
  } catch (err) {
    if (!(err instanceof Fault)) throw err;
    return err;
  }
}

/** The GUI knows no host and nobody asked it to quit: no handler with a side effect ran. */
function guiUntouched(): void {
  expect(system.gui.snapshot().hosts).toEqual([]);
  expect(system.gui.snapshot().phase).toBe('noHost');
  expect(system.gui.exits).toEqual([]);
}

describe('cases 13-15: method names', () => {
  const names = [
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    '__setattr__',
    '__dir__',
    '_dispatch',
    '_count',
    'listening',
    'NotFound',
    'requestCount',
    'session',
    'service',
    'methods',
    'register',
    'dispatch',
  ];

  it('case 13: prototype, private and internal names get -32601 and the server keeps serving stats and ping', async () => {
    const h = hostEndpoint(system.host);
    const before = (await call(h, 'stats')) as { totalRequestCount: number };
    for (const e of system.endpoints) {
      for (const name of names) {
        const params: XmlRpcValue[] = name === '__setattr__' ? ['_count', 'x'] : [];
        const fault = await faultFrom(e, name, params);
        expect(fault.faultCode, `${e.name} ${JSON.stringify(name)}`).toBe(-32601);
        expect(fault.faultString.length).toBeLessThan(120);
      }
      // An empty name is not even a well-formed call.
      expect([-32600, -32601]).toContain((await faultFrom(e, '')).faultCode);
      expect(await ping(e)).toEqual({ message: 'Hello, whomever you are' });
    }
    // The 0.2 regression: a remote __setattr__ on the counter must not break every later call.
    const after = (await call(h, 'stats')) as { totalRequestCount: number };
    expect(after.totalRequestCount).toBeGreaterThan(before.totalRequestCount);
    expect(typeof after.totalRequestCount).toBe('number');
    guiUntouched();
  });

  it('case 14: dotted names that walk into objects get -32601', async () => {
    const dotted = [
      'service.__class__.__init__',
      'system.__proto__',
      'system.constructor',
      'pyblish.__proto__',
      'constructor.constructor',
      'system.listMethods.call',
      'system.multicall.apply',
      'pyblish.begin.constructor',
      'ping.',
      '.ping',
    ];
    for (const e of system.endpoints) {
      for (const name of dotted)
        expect((await faultFrom(e, name)).faultCode, `${e.name} ${name}`).toBe(-32601);
      expect(await ping(e)).toBeTruthy();
    }
    guiUntouched();
  });

  it('case 14: system.multicall (enabled) caps its entries, refuses nesting and checks each entry like a call', async () => {
    for (const e of system.endpoints) {
      const many = Array.from({ length: 65 }, () => ({ methodName: 'ping', params: [] }));
      expect((await faultFrom(e, 'system.multicall', [many])).faultCode).toBe(-32099);
      const results = (await call(e, 'system.multicall', [
        [
          { methodName: '__proto__', params: [] },
          { methodName: 'system.multicall', params: [[{ methodName: 'ping', params: [] }]] },
          { methodName: 'ping', params: ['extra'] },
          { methodName: 'ping', params: [] },
        ],
      ])) as XmlRpcValue[];
      expect(results[0]).toMatchObject({ faultCode: -32601 });
      expect(results[1]).toMatchObject({ faultCode: -32600 });
      expect(results[2]).toMatchObject({ faultCode: -32602 });
      expect(results[3]).toEqual([{ message: 'Hello, whomever you are' }]);
    }
    // A re-targeting show hidden in a batch is checked like any other call.
    const batch = (await call(guiEndpoint(system.gui), 'system.multicall', [
      [{ methodName: 'show', params: ['9001', {}] }],
    ])) as XmlRpcValue[];
    expect(batch[0]).toMatchObject({ faultCode: -32602 });
    guiUntouched();
  });

  it('case 14: system.listMethods lists the registered methods only', async () => {
    for (const e of system.endpoints) {
      const listed = (await call(e, 'system.listMethods')) as string[];
      for (const name of listed)
        expect(name, e.name).toMatch(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/);
      expect(listed).toContain('ping');
    }
    expect(await call(guiEndpoint(system.gui), 'system.listMethods')).toEqual(
      expect.arrayContaining(['show', 'hide', 'quit', 'kill', 'heartbeat', 'ping', 'find_available_port']),
    );
  });

  it('case 15: an unknown method gets HTTP 200 with fault -32601 and the keep-alive connection stays usable', async () => {
    for (const e of system.endpoints) {
      const reply = await post(e, 'nope');
      expect(reply.status).toBe(200);
      expect(faultOf(reply)?.code).toBe(-32601);
      const exchange = await raw(
        e.port,
        [rawRequest(e, encodeMethodCall('nope', [])), rawRequest(e, encodeMethodCall('ping', []))],
        { gapMs: 50, waitMs: 400 },
      );
      expect(exchange.text.match(/HTTP\/1\.1 200/g)?.length, e.name).toBe(2);
      expect(exchange.text).toContain('-32601');
      expect(exchange.text).toContain('Hello, whomever you are');
      expect(exchange.closed).toBe(false);
    }
  });
});

describe('cases 16-18: parameters and errors', () => {
  it('case 16: wrong arity gets -32602 and changes nothing', async () => {
    const g = guiEndpoint(system.gui);
    const h = hostEndpoint(system.host);
    const cases: Array<[Endpoint, string, XmlRpcValue[]]> = [
      [g, 'show', []],
      [g, 'heartbeat', []],
      [g, 'hide', [1]],
      [g, 'kill', [1]],
      [g, 'quit', ['now']],
      [g, 'ping', [1, 2]],
      [g, 'find_available_port', [9001, 9002]],
      [h, 'process', ['CollectShots', null, null, 1, 2]],
      [h, 'process', []],
      [h, 'repair', []],
      [h, 'reset', [1]],
      [h, 'emit', []],
      [h, 'test', []],
      [h, 'pyblish.poll', []],
    ];
    for (const [e, method, params] of cases) {
      expect((await faultFrom(e, method, params)).faultCode, `${e.name} ${method}/${params.length}`).toBe(
        -32602,
      );
    }
    for (const e of system.endpoints) expect(await ping(e)).toBeTruthy();
    guiUntouched();
  });

  it('case 17: wrong types and out-of-range values get -32602 and the GUI does not re-target', async () => {
    const g = guiEndpoint(system.gui);
    const h = hostEndpoint(system.host);
    const cases: Array<[Endpoint, string, XmlRpcValue[]]> = [
      [g, 'heartbeat', ['abc']],
      [g, 'heartbeat', [70000]],
      [g, 'heartbeat', [1.5]],
      [g, 'show', ['9001', {}]],
      [g, 'show', [9001, 'notastruct']],
      [g, 'show', [0, {}]],
      [g, 'show', [-1, {}]],
      [g, 'show', [65536, {}]],
      [g, 'show', [9001.5, {}]],
      [g, 'show', [9001, { WindowSize: 'big' }]],
      [g, 'show', [9001, { WindowTitle: 12 }]],
      [g, 'show', [9001, { pid: -1 }]],
      [g, 'show', [9001, { autoPublish: 'yes' }]],
      [g, 'find_available_port', [-1]],
      [g, 'find_available_port', [70000]],
      [g, 'find_available_port', ['9001']],
      [h, 'process', [123, null, null]],
      [h, 'process', ['CollectShots', 5, null]],
      [h, 'process', ['CollectShots', null, 5]],
      [h, 'emit', [5, {}]],
      [h, 'emit', ['instanceToggled', { instance: 5, new_value: 'x' }]],
      [h, 'test', ['x']],
      [h, 'pyblish.poll', ['call-1', -1, 0]],
      [h, 'pyblish.poll', ['call-1', 0, -5]],
    ];
    for (const [e, method, params] of cases) {
      expect(
        (await faultFrom(e, method, params)).faultCode,
        `${e.name} ${method}(${JSON.stringify(params)})`,
      ).toBe(-32602);
    }
    for (const e of system.endpoints) expect(await ping(e)).toBeTruthy();
    guiUntouched();
  });

  it('case 18: a handler that throws gives -32500 with a short message: no stack, path, class name or secret', async () => {
    const registry = new Registry();
    const secret = 'S3CR3T-in-an-exception';
    registry.registerTest(() => {
      throw new TypeError(`${secret} at /home/artist/studio/pipeline.ts:12`);
    });
    const inProcess = new Host({ registry, plugins: () => [], allowUnauthenticated: false, log: () => {} });
    await inProcess.serve(0);
    try {
      const e: Endpoint = { name: 'host', port: inProcess.port!, path: '/pyblish', token: inProcess.token };
      const fault = await faultFrom(e, 'test', [{ nextOrder: 1, ordersWithError: [] }]);
      expect([-32500, -32603]).toContain(fault.faultCode);
      expect(fault.faultString).toBe('test failed');
      for (const leak of [secret, '/home/', 'TypeError', ' at ', '.ts'])
        expect(fault.faultString).not.toContain(leak);
      expect(await ping(e)).toBeTruthy();
    } finally {
      await inProcess.uninstall();
    }
  });

  it('case 18: a plug-in that raises inside process gives a result with its error filled, not a fault', async () => {
    const h = hostEndpoint(system.host);
    await call(h, 'reset');
    const collected = (await call(h, 'process', ['CollectShots', null, null])) as { success: boolean };
    expect(collected.success).toBe(true);
    const context = (await call(h, 'context')) as { children: Array<{ id: string }> };
    const instance = context.children[0]!.id;
    const result = (await call(h, 'process', ['ExtractThrows', instance, null])) as {
      success: boolean;
      error: { message: string; exc: string } | null;
    };
    expect(result.success).toBe(false);
    expect(result.error?.message).toContain('cannot extract');
    expect(result.error?.exc).toBe('TypeError');
    // Faults for lookups the GUI got wrong are short and hint at what to do.
    const missing = await faultFrom(h, 'process', ['NoSuchPlugin', null, null]);
    expect(missing.faultCode).toBe(-32500);
    expect(missing.faultString).toMatch(/^no plug-in with id "NoSuchPlugin"/);
    expect(await ping(h)).toBeTruthy();
  });
});
