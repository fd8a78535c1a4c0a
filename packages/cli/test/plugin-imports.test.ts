// Plug-in files anywhere on disk import '@pyblish/core' and get the framework that runs them, in
// `pyblish publish` and in `pyblish host`. Real processes: vitest's own module runner does not go
// through Node's loaders, so only the bin shows what users get.
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pyblish, startPyblish, tsExample } from './pyblish-process.js';

const tmp = mkdtempSync(join(tmpdir(), 'pyblish-imports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A plug-in that fails unless its '@pyblish/core' is the running one (same Context class). */
const identity = (
  name: string,
) => `import { Context, ContextPlugin, Order, type ProcessApi } from '@pyblish/core';
export class ${name} extends ContextPlugin {
  static override order = Order.Collector;
  process(context: Context, { log }: ProcessApi) {
    if (!(context instanceof Context)) throw new Error('${name} got another copy of @pyblish/core');
    log.info('${name} shares the running framework');
  }
}
`;

function folder(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe('plug-in files importing @pyblish/core from any folder', () => {
  it('get the running framework as CommonJS, as ESM and as .mts, even beside their own node_modules copy', async () => {
    const commonjs = folder('commonjs', { 'common.ts': identity('CommonJsPlugin') });
    const esm = folder('esm', {
      'package.json': '{ "type": "module" }',
      'esm.ts': identity('EsmPlugin'),
      'mts.mts': identity('MtsPlugin'),
      // A stale private copy: plug-ins must still get the framework that runs them.
      'node_modules/@pyblish/core/package.json': '{ "name": "@pyblish/core", "exports": "./index.js" }',
      'node_modules/@pyblish/core/index.js': 'throw new Error("the stale private copy was loaded");\n',
    });
    const { code, stdout } = await pyblish(['publish', commonjs, esm, '--verbose']);
    expect(stdout).not.toContain('LOAD_FAILED');
    for (const name of ['CommonJsPlugin', 'EsmPlugin', 'MtsPlugin'])
      expect(stdout).toContain(`${name} shares the running framework`);
    expect(code).toBe(0);
  });

  it('are discovered by `pyblish host`, whose discover call over XML-RPC lists them', async () => {
    const dir = folder('host', { 'shots.ts': tsExample('README.md', '// plugins/shots.ts') });
    const host = startPyblish(['host', '--plugin-path', dir, '--port', '0']);
    try {
      let out = '';
      host.stdout.setEncoding('utf8');
      while (!/token \S+\n/.test(out)) {
        const [chunk] = (await Promise.race([once(host.stdout, 'data'), once(host, 'exit')])) as [unknown];
        if (typeof chunk !== 'string') throw new Error(`pyblish host exited early:\n${out}`);
        out += chunk;
      }
      const url = /serving (\S+)/.exec(out)![1]!;
      const token = /token (\S+)/.exec(out)![1]!;
      const reply = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml', Authorization: `Bearer ${token}` },
        body: '<?xml version="1.0"?><methodCall><methodName>discover</methodName><params/></methodCall>',
      });
      const ids = [...(await reply.text()).matchAll(/<name>id<\/name><value><string>(\w+)</g)].map(
        (m) => m[1],
      );
      expect(ids).toEqual(['CollectShots', 'ValidateShotNames', 'ExtractShots']);
    } finally {
      host.kill('SIGTERM');
      if (host.exitCode === null) await once(host, 'exit');
    }
  });
});
