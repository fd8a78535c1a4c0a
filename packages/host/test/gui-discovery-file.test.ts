import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostError } from '../src/errors.js';
import {
  guiDiscoveryPath,
  readGuiDiscovery,
  removeGuiDiscovery,
  writeGuiDiscovery,
} from '../src/gui-discovery-file.js';

let root: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pyblish-discovery-'));
  env = { PYBLISH_RUNTIME_DIR: join(root, 'run') };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HostError);
    return (err as HostError).code;
  }
  throw new Error('expected a HostError');
}

describe('GUI discovery file', () => {
  it('is written owner-only in an owner-only directory and read back with its token', () => {
    const path = writeGuiDiscovery(9123, 'secret-token', { env, version: '1.2.3' });
    expect(path).toBe(guiDiscoveryPath(9123, env));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'run')).mode & 0o777).toBe(0o700);
    const d = readGuiDiscovery(9123, { env });
    expect(d).toMatchObject({ port: 9123, pid: process.pid, token: 'secret-token', version: '1.2.3' });
    expect(Date.parse(d.startedAt)).not.toBeNaN();
  });

  it('tells the user how to start a GUI or allow unauthenticated peers when no file exists', () => {
    expect(codeOf(() => readGuiDiscovery(9124, { env }))).toBe('DISCOVERY_MISSING');
    expect(() => readGuiDiscovery(9124, { env })).toThrow(/--allow-unauthenticated/);
  });

  it('refuses a file other users can read', () => {
    const path = writeGuiDiscovery(9125, 't', { env });
    chmodSync(path, 0o644);
    expect(codeOf(() => readGuiDiscovery(9125, { env }))).toBe('DISCOVERY_INSECURE');
  });

  it('refuses a directory other users can enter', () => {
    writeGuiDiscovery(9126, 't', { env });
    chmodSync(join(root, 'run'), 0o755);
    expect(codeOf(() => readGuiDiscovery(9126, { env }))).toBe('DISCOVERY_INSECURE');
  });

  it('refuses to read or overwrite a symbolic link planted at the path', () => {
    writeGuiDiscovery(1, 'x', { env }); // creates the directory
    const target = join(root, 'elsewhere.json');
    writeFileSync(target, '{}', { mode: 0o600 });
    symlinkSync(target, guiDiscoveryPath(9127, env));
    expect(codeOf(() => readGuiDiscovery(9127, { env }))).toBe('DISCOVERY_INSECURE');
    expect(codeOf(() => writeGuiDiscovery(9127, 'new', { env }))).toBe('DISCOVERY_INSECURE');
    expect(readFileSync(target, 'utf8')).toBe('{}');
  });

  it('reports a file whose GUI process has exited as stale', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const path = guiDiscoveryPath(9128, env);
    writeGuiDiscovery(9128, 't', { env });
    const body = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...body, pid: Number(dead.stdout) }), { mode: 0o600 });
    expect(codeOf(() => readGuiDiscovery(9128, { env }))).toBe('DISCOVERY_STALE');
  });

  it('rejects a file that describes another port or has no token', () => {
    writeGuiDiscovery(9129, 't', { env });
    const path = guiDiscoveryPath(9129, env);
    writeFileSync(path, JSON.stringify({ port: 1, pid: process.pid, token: 't' }), { mode: 0o600 });
    expect(codeOf(() => readGuiDiscovery(9129, { env }))).toBe('DISCOVERY_INVALID');
    writeFileSync(path, 'not json', { mode: 0o600 });
    expect(codeOf(() => readGuiDiscovery(9129, { env }))).toBe('DISCOVERY_INVALID');
  });

  it('is removed on request, and removing a missing file is harmless', () => {
    writeGuiDiscovery(9130, 't', { env });
    removeGuiDiscovery(9130, { env });
    expect(codeOf(() => readGuiDiscovery(9130, { env }))).toBe('DISCOVERY_MISSING');
    removeGuiDiscovery(9130, { env });
  });
});
