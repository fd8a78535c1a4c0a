// Unauthenticated mode (for Python GUIs) drops the token, never the transport guards.
import { request } from 'node:http';
import { ContextPlugin, Registry } from '@pyblish/core';
import { encodeMethodCall } from '@pyblish/xmlrpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../src/host.js';

class Noop extends ContextPlugin {
  process(): void {}
}

let host: Host;
const warnings: string[] = [];

beforeAll(async () => {
  host = new Host({
    registry: new Registry(),
    plugins: () => [Noop],
    allowUnauthenticated: true,
    log: (m) => warnings.push(m),
  });
  await host.serve(0);
});
afterAll(() => host.uninstall());

function post(headers: Record<string, string>): Promise<number> {
  const body = encodeMethodCall('reset', []);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port!,
        path: '/pyblish',
        method: 'POST',
        headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'text/xml', ...headers },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('an unauthenticated host', () => {
  it('warns at start that anyone local can drive it', () => {
    expect(warnings.join('\n')).toMatch(/authentication is off/);
  });

  it('still refuses web pages and rebinding: wrong Content-Type, foreign Origin, foreign Host', async () => {
    expect(await post({})).toBe(200);
    expect(await post({ 'Content-Type': 'text/plain' })).toBeGreaterThanOrEqual(400);
    expect(await post({ Origin: 'https://evil.example' })).toBe(403);
    expect(await post({ Origin: 'null' })).toBe(403);
    expect(await post({ Host: `evil.example:${host.port}` })).toBe(403);
  });
});
