import { type IncomingHttpHeaders, type RequestOptions, request } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'vitest';
import {
  type AnyMethodType,
  createServer,
  encodeMethodCall,
  Fault,
  FaultCode,
  MethodRegistry,
  type ParamSpec,
  type ServerOptions,
  SystemMethod,
  type XmlRpcClient,
  type XmlRpcServer,
} from '../src/index.js';

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Sends one request to 127.0.0.1 on a fresh connection and resolves with the whole reply. */
export function exchange(options: RequestOptions, body?: string | Buffer): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One HTTP request with exactly the headers given (plus Host unless `headers.host` is set). */
export function rawRequest(
  port: number,
  options: { path?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawReply> {
  return exchange(
    {
      port,
      path: options.path ?? '/RPC2',
      method: options.method ?? 'POST',
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'text/xml', ...options.headers },
    },
    options.body ?? encodeMethodCall('ping', []),
  );
}

/** Writes raw bytes on a fresh socket and resolves with everything the server sends before closing. */
export function rawSocket(
  port: number,
  data: string | Buffer,
  options: { endAfterWrite?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => {
      received += d.toString('latin1');
    });
    socket.on('close', () => resolve(received));
    socket.on('error', (err) => (received === '' ? reject(err) : resolve(received)));
    socket.write(data);
    if (options.endAfterWrite) socket.end();
  });
}

/** A registry with the small methods most tests use. */
export function testRegistry(): MethodRegistry {
  return new MethodRegistry()
    .register('ping', () => 'pong', { help: 'Answers pong.' })
    .register('echo', ([v]) => v ?? null, { signature: [{ type: 'any', optional: true }] })
    .register('add', ([a, b]) => (a as number) + (b as number), { signature: ['int', 'int'], returns: 'int' })
    .register('fail', () => {
      throw new Error('disk full at /home/secret/path');
    });
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<XmlRpcServer> {
  return createServer({ port: 0, routes: { '/RPC2': testRegistry() }, ...options });
}

const typesOf = (spec: ParamSpec) =>
  typeof spec === 'string' ? spec : typeof spec.type === 'string' ? spec.type : spec.type.join('|');

/**
 * Asserts that a live endpoint serves exactly the declared methods, no fewer and no more, each
 * with its declared signature and help, and refuses a call with one parameter too many before
 * its handler runs (so the declared signature is the one enforced).
 */
export async function expectServedAsDeclared(client: XmlRpcClient, declared: AnyMethodType[]): Promise<void> {
  const listed = (await client.call(SystemMethod.listMethods, [])).filter((n) => !n.startsWith('system.'));
  expect(listed.sort()).toEqual(declared.map((m) => m.name).sort());
  for (const m of declared) {
    const specs = m.options.signature ?? [];
    expect(m.options.signature, `${m.name} declares its signature`).toBeDefined();
    expect(await client.call(SystemMethod.methodSignature, [m.name]), m.name).toEqual([
      [m.options.returns ?? 'any', ...specs.map(typesOf)],
    ]);
    expect(await client.call(SystemMethod.methodHelp, [m.name]), m.name).toBe(m.options.help ?? '');
    const refused = await client.call(m.name, new Array(specs.length + 1).fill(null)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused, `${m.name} with ${specs.length + 1} parameters`).toBeInstanceOf(Fault);
    expect((refused as Fault).faultCode).toBe(FaultCode.InvalidParams);
  }
}
