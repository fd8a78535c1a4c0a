import { afterEach, describe, expect, it } from 'vitest';
import {
  createServer,
  Fault,
  FaultCode,
  MethodRegistry,
  method,
  SystemMethod,
  XmlRpcClient,
} from '../src/index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Sum {
  total: number;
  terms: number;
}

const add = method<[a: number, b: number, c?: number], Sum>('math.add', {
  signature: ['int', 'int', { type: 'int', name: 'c', optional: true }],
  returns: 'struct',
  help: 'Adds two or three integers.',
});

async function served(registry: MethodRegistry): Promise<XmlRpcClient> {
  const server = await createServer({ port: 0, routes: { '/RPC2': registry } });
  const client = new XmlRpcClient(server.url('/RPC2'));
  cleanups.push(
    () => server.close(),
    () => client.close(),
  );
  return client;
}

describe('a declared method', () => {
  it('is served with its declared signature and help, and called by its declaration', async () => {
    const seen: (number | undefined)[][] = [];
    const registry = new MethodRegistry().register(add, (params) => {
      seen.push(params);
      const [a, b, c = 0] = params;
      return { total: a + b + c, terms: params.length };
    });
    const client = await served(registry);
    const sum: Sum = await client.call(add, [2, 3]);
    expect(sum).toEqual({ total: 5, terms: 2 });
    expect(await client.call(add, [2, 3, 4])).toEqual({ total: 9, terms: 3 });
    expect(await client.call(SystemMethod.methodSignature, ['math.add'])).toEqual([
      ['struct', 'int', 'int', 'int'],
    ]);
    expect(await client.call(SystemMethod.methodHelp, ['math.add'])).toBe('Adds two or three integers.');
    expect(await client.call(SystemMethod.listMethods, [])).toContain('math.add');
    // The declared signature guards the handler: a wrong call never reaches it.
    await expect(client.call('math.add', ['2', 3])).rejects.toMatchObject({
      faultCode: FaultCode.InvalidParams,
    });
    await expect(client.call('math.add', [1])).rejects.toBeInstanceOf(Fault);
    expect(seen).toEqual([
      [2, 3],
      [2, 3, 4],
    ]);
  });

  it('can be registered by name like any other, and called by name', async () => {
    const registry = new MethodRegistry().register(add.name, () => ({ total: 0, terms: 0 }), add.options);
    const client = await served(registry);
    expect(await client.call('math.add', [1, 1])).toEqual({ total: 0, terms: 0 });
    expect(await client.call(SystemMethod.methodSignature, [add.name])).toEqual([
      ['struct', 'int', 'int', 'int'],
    ]);
  });
});
