import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Context, ContextPlugin, describePlugin, discover, processPlugin, Registry } from '../src/index.js';

const core = pathToFileURL(join(import.meta.dirname, '../src/index.ts')).href;
const root = mkdtempSync(join(tmpdir(), 'pyblish-discovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const header = `import { ContextPlugin, InstancePlugin, Order } from '${core}';\n`;
const plugin = (name: string, statics = '', body = 'process() {}') =>
  `export class ${name} extends ContextPlugin { ${statics} ${body} }\n`;

let folders = 0;
/** A fresh folder holding the given files. */
function folder(files: Record<string, string>): string {
  const dir = join(root, `f${folders++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const names = (plugins: { name: string }[]) => plugins.map((p) => p.name);

describe('discovery', () => {
  it('takes every exported plug-in class from .ts, .mjs and .js files, sorted by order, and skips _ files', async () => {
    const dir = folder({
      'collect.ts': `${header}${plugin('CollectA', 'static override order = Order.Collector;')}${plugin('CollectB', 'static override order = -0.2;')}export const helper = 1;\nexport class NotAPlugin {}\n`,
      'validate.mjs': `${header}${plugin('ValidateC', 'static order = Order.Validator;')}`,
      'extract.js': `${header}export default class ExtractD extends InstancePlugin { static order = 2; process() {} }\n`,
      '_helpers.ts': `${header}${plugin('Hidden')}`,
      'notes.txt': 'not a plug-in',
    });
    const found = await discover({ paths: [dir], registry: new Registry() });
    expect(names(found.plugins)).toEqual(['CollectB', 'CollectA', 'ValidateC', 'ExtractD']);
    expect(found.errors).toEqual([]);
    const info = describePlugin(found.plugins[3]!);
    expect(info).toMatchObject({
      path: join(dir, 'extract.js'),
      module: 'extract',
      instanceEnabled: true,
      type: 'Extractor',
    });
  });

  it('reports files that fail to load and malformed plug-ins with path and reason, and goes on', async () => {
    const dir = folder({
      'a_syntax.ts': `${header}export class Broken extends ContextPlugin {\n  process( {\n}\n`,
      'b_throws.ts': `${header}throw new Error('module exploded');\n`,
      'c_invalid.ts': `${header}${plugin('BadFamilies', "static override families = 'model' as never;")}${plugin('Fine')}`,
      'd_missing_import.ts': `import { nothing } from './does-not-exist.js';\nexport const x = nothing;\n`,
    });
    const found = await discover({ paths: [dir, join(root, 'nowhere')], registry: new Registry() });
    expect(names(found.plugins)).toEqual(['Fine']);
    const byCode = found.errors.map((e) => [e.code, e.path.replace(`${root}/`, ''), e.name]);
    expect(byCode).toEqual([
      ['LOAD_FAILED', `${dir.replace(`${root}/`, '')}/a_syntax.ts`, null],
      ['LOAD_FAILED', `${dir.replace(`${root}/`, '')}/b_throws.ts`, null],
      ['INVALID_PLUGIN', `${dir.replace(`${root}/`, '')}/c_invalid.ts`, 'BadFamilies'],
      ['LOAD_FAILED', `${dir.replace(`${root}/`, '')}/d_missing_import.ts`, null],
      ['PATH_NOT_FOUND', 'nowhere', null],
    ]);
    expect(found.errors[1]!.reason).toMatch(/module exploded/);
    expect(found.errors[2]!.reason).toMatch(/"families" must be a list of strings/);
    expect(found.errors[3]!.reason).toMatch(/does-not-exist/);
  });

  it('keeps the first plug-in of a name and lists later ones as duplicates with the file that won', async () => {
    const first = folder({ 'one.ts': `${header}${plugin('Same', 'static override label = "first";')}` });
    const second = folder({ 'two.ts': `${header}${plugin('Same', 'static override label = "second";')}` });
    const found = await discover({ paths: [first, second], registry: new Registry() });
    expect(found.plugins.map((p) => p.label)).toEqual(['first']);
    expect(found.duplicates).toEqual([
      { name: 'Same', path: join(second, 'two.ts'), winner: join(first, 'one.ts') },
    ]);
  });

  it('reads PYBLISH_PLUGINPATH at discovery time, after the registered paths', async () => {
    const registered = folder({ 'r.ts': `${header}${plugin('FromRegistry', 'static override order = 1;')}` });
    const fromEnv = folder({ 'e.ts': `${header}${plugin('FromEnv')}` });
    const registry = new Registry();
    registry.registerPluginPath(registered);
    const env = { PYBLISH_PLUGINPATH: [fromEnv, join(root, 'also-missing')].join(delimiter) };
    const found = await discover({ registry, env });
    expect(names(found.plugins).sort()).toEqual(['FromEnv', 'FromRegistry']);
    expect(found.errors.map((e) => e.code)).toEqual(['PATH_NOT_FOUND']);
  });

  it('adds registered plug-ins after the files, under the same duplicate rule', async () => {
    class Registered extends ContextPlugin {
      process() {}
    }
    const dir = folder({
      'x.ts': `${header}${plugin('Registered', 'static override label = "from file";')}`,
    });
    const registry = new Registry();
    registry.registerPlugin(Registered);
    const found = await discover({ paths: [dir], registry });
    expect(found.plugins.map((p) => p.label)).toEqual(['from file']);
    expect(found.duplicates[0]).toMatchObject({
      name: 'Registered',
      path: 'mem:Registered',
      winner: join(dir, 'x.ts'),
    });
    const alone = await discover({ paths: [], registry });
    expect(alone.plugins).toEqual([Registered]);
  });

  it('leaves out plug-ins for other hosts and keeps those for a registered host', async () => {
    const dir = folder({
      'h.ts': `${header}${plugin('Anywhere')}${plugin('MayaOnly', "static override hosts = ['maya'];")}`,
    });
    const registry = new Registry();
    expect(names((await discover({ paths: [dir], registry })).plugins)).toEqual(['Anywhere']);
    registry.registerHost('maya');
    expect(names((await discover({ paths: [dir], registry })).plugins)).toEqual(['Anywhere', 'MayaOnly']);
  });

  it('passes the result through registered discovery filters', async () => {
    const dir = folder({ 'f.ts': `${header}${plugin('Keep')}${plugin('Drop')}` });
    const registry = new Registry();
    registry.registerDiscoveryFilter((plugins) => {
      plugins.splice(
        plugins.findIndex((p) => p.name === 'Drop'),
        1,
      );
    });
    registry.registerDiscoveryFilter((plugins) => [...plugins].reverse());
    expect(names((await discover({ paths: [dir], registry })).plugins)).toEqual(['Keep']);
  });

  it('picks up edited plug-in code on the next discovery and imports nothing when files are unchanged', async () => {
    const dir = folder({
      'edit.ts': `${header}${plugin('Edited', '', "process(c) { c.data.version = 'one'; }")}`,
    });
    const registry = new Registry();
    const first = await discover({ paths: [dir], registry });
    expect(first.imported).toBe(1);
    const again = await discover({ paths: [dir], registry });
    expect([again.imported, again.reused]).toEqual([0, 1]);
    expect(again.plugins[0]).toBe(first.plugins[0]);

    writeFileSync(
      join(dir, 'edit.ts'),
      `${header}${plugin('Edited', '', "process(c) { c.data.version = 'two'; }")}`,
    );
    const edited = await discover({ paths: [dir], registry });
    expect(edited.imported).toBe(1);
    const context = new Context();
    await processPlugin(edited.plugins[0]!, context, null, { registry });
    expect(context.data.version).toBe('two');
  });

  // Edit -> Reset is a TD's basic loop: discover() again in the same process must run the edited
  // code for every kind of plug-in file, and for a plug-in whose helper module was edited. A real
  // Node process (vitest's module runner has caches of its own).
  it('runs edited code on the next discovery for every plug-in file kind and for edited helpers, and imports nothing when unchanged', async () => {
    const esmPlugin = (name: string, from = '') =>
      `import { ContextPlugin } from '@pyblish/core';\n${from ? `import { value } from '${from}';\n` : 'const value = VERSION;\n'}export class ${name} extends ContextPlugin { process(c) { c.data.${name} = value; } }\n`;
    const cjsPlugin = (name: string, from = '') =>
      `const { ContextPlugin } = require('@pyblish/core');\n${from ? `const { value } = require('${from}');\n` : 'const value = VERSION;\n'}exports.${name} = class ${name} extends ContextPlugin { process(c) { c.data.${name} = value; } };\n`;
    const esm = folder({
      'package.json': '{ "type": "module" }',
      'esm_ts.ts': esmPlugin('EsmTs'),
      'esm_js.js': esmPlugin('EsmJs'),
      'mts.mts': esmPlugin('Mts'),
      'mjs.mjs': esmPlugin('Mjs'),
      'helped.ts': esmPlugin('EsmHelped', './lib/deep.mjs'),
      '_helper.ts': 'export const value = VERSION;\n',
    });
    mkdirSync(join(esm, 'lib'));
    writeFileSync(join(esm, 'lib/deep.mjs'), "export { value } from '../_helper.ts';\n");
    const commonjs = folder({
      'cjs_ts.ts': cjsPlugin('CjsTs'),
      'cjs_js.js': cjsPlugin('CjsJs'),
      'cts.cts': cjsPlugin('Cts'),
      'cjs.cjs': cjsPlugin('Cjs'),
      'helped.js': cjsPlugin('CjsHelped', './_helper'),
      'helped_ts.ts': esmPlugin('CjsTsHelped', './_helper'),
      '_helper.ts': 'export const value = VERSION;\n',
    });
    const templates = [esm, commonjs]
      .flatMap((dir) =>
        ['', 'lib'].flatMap((sub) =>
          existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)).map((f) => join(dir, sub, f)) : [],
        ),
      )
      .filter((f) => statSync(f).isFile());
    const script = `const { readFileSync, writeFileSync } = await import('node:fs');
      const { discover, Context, processPlugin, Registry } = await import(process.env.CORE);
      const dirs = process.env.DIRS.split('\\n');
      const originals = process.env.FILES.split('\\n').map((f) => [f, readFileSync(f, 'utf8')]);
      const version = (v) => { for (const [f, text] of originals) writeFileSync(f, text.replaceAll('VERSION', JSON.stringify(v))); };
      const run = async () => {
        const found = await discover({ paths: dirs, registry: new Registry() });
        const context = new Context();
        for (const plugin of found.plugins) await processPlugin(plugin, context);
        const { results, ...data } = context.data;
        return { data, errors: found.errors.map((e) => e.reason), imported: found.imported };
      };
      version('one');
      const first = await run();
      version('two');
      const edited = await run();
      const unchanged = await run();
      console.log(JSON.stringify({ first, edited, unchanged: unchanged.imported }));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      {
        cwd: join(import.meta.dirname, '../../..'),
        env: { ...process.env, CORE: core, DIRS: `${esm}\n${commonjs}`, FILES: templates.join('\n') },
      },
    );
    const { first, edited, unchanged } = JSON.parse(stdout);
    const kinds = [
      'EsmTs',
      'EsmJs',
      'Mts',
      'Mjs',
      'EsmHelped',
      'CjsTs',
      'CjsJs',
      'Cts',
      'Cjs',
      'CjsHelped',
      'CjsTsHelped',
    ];
    expect(first.errors).toEqual([]);
    expect(first.data).toEqual(Object.fromEntries(kinds.map((k) => [k, 'one'])));
    expect(edited.errors).toEqual([]);
    expect(edited.data).toEqual(Object.fromEntries(kinds.map((k) => [k, 'two'])));
    expect(unchanged).toBe(0);
  });

  // vitest's module runner resolves imports itself, so this runs discovery in a real Node process
  // (under tsx, as hosts and the pyblish command run).
  it('lets plug-in files in any folder import the running @pyblish/core, as ES modules and as CommonJS (whatever the module exports)', async () => {
    const bare = `import { ContextPlugin } from '@pyblish/core';\n`;
    const esm = folder({ 'package.json': '{ "type": "module" }', 'esm.ts': `${bare}${plugin('EsmPlugin')}` });
    const commonjs = folder({
      'cjs.ts': `${bare}${plugin('CjsPlugin')}`,
      'required.js': `const { ContextPlugin } = require('@pyblish/core');\nexports.RequiredPlugin = class RequiredPlugin extends ContextPlugin { process() {} };\n`,
      // Exports Node's lexer cannot see: only module.exports (the namespace's default) has them.
      'assigned.js': `const { ContextPlugin } = require('@pyblish/core');\nconst plugins = { AssignedPlugin: class AssignedPlugin extends ContextPlugin { process() {} } };\nmodule.exports = plugins;\n`,
    });
    const script = `const { discover, ContextPlugin, Registry } = await import(process.env.CORE);
      const found = await discover({ paths: process.env.DIRS.split('\\n'), registry: new Registry() });
      console.log(JSON.stringify({
        names: found.plugins.map((p) => p.name),
        errors: found.errors.map((e) => e.reason),
        running: found.plugins.every((p) => Object.getPrototypeOf(p) === ContextPlugin),
      }));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      {
        cwd: join(import.meta.dirname, '../../..'),
        env: { ...process.env, CORE: core, DIRS: `${esm}\n${commonjs}` },
      },
    );
    expect(JSON.parse(stdout)).toEqual({
      names: ['EsmPlugin', 'AssignedPlugin', 'CjsPlugin', 'RequiredPlugin'],
      errors: [],
      running: true,
    });
  });
});
