// The published packages as a user gets them: compiled, packed with `npm pack`, installed from the
// tarballs with plain `npm install` into a folder outside the repository, and used with plain
// `node`: no loader, no workspace links, none of the repository's NODE_OPTIONS. One install for
// the whole file; each step of it names itself when it fails.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultReport } from '@pyblish/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { example } from '../../packages/cli/test/pyblish-process.js';
import type { Report } from '../../packages/gui/src/view-model.js';
import { watch } from '../../packages/gui/test/helpers.js';
import { freePort } from '../../packages/host/test/helpers/fake-gui.js';
import { ensureBuilt } from '../../packages/web/test/support/browser.js';
import {
  compile,
  install,
  type Packed,
  type Published,
  pack,
  publishedPackages,
  REPO,
  repoDevDependency,
  userEnv,
} from '../../scripts/packages.js';

/** Runs one step of the set-up; its failure says which step and what the command printed. */
function step<T>(name: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const { message, stdout, stderr } = error as { message: string; stdout?: unknown; stderr?: unknown };
    const printed = [stdout, stderr].map((s) => String(s ?? '').trim()).filter(Boolean);
    throw new Error(`step "${name}" failed: ${message}\n${printed.join('\n')}`);
  }
}

let root = '';
/** The user's project: the tarballs installed, and the README's files. */
let app = '';
let packed: Packed[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pyblish-installed-'));
  app = join(root, 'app');
  mkdirSync(app);
  mkdirSync(join(root, 'tarballs'));
  step('compile the packages (tsc -b) and build the web front end', () => {
    compile();
    ensureBuilt();
  });
  packed = step('npm pack every published package', () => pack(join(root, 'tarballs')));
  step('npm install the tarballs into a folder outside the repository', () =>
    install(app, packed, { '@types/node': repoDevDependency('@types/node') }),
  );
}, 600_000);

// SIGTERM first: a GUI stops its --demo host on the way out, which a SIGKILL would orphan.
afterEach(async () => {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** An installed command, run with plain node as a user's shell would. */
function bin(name: string): string {
  return join(app, 'node_modules', '.bin', name);
}

/** Runs a command of the user's project to its end; a failure says which and shows what it printed. */
function run(what: string, command: string, args: string[], options: { expectFailure?: boolean } = {}) {
  let stdout: string;
  try {
    stdout = execFileSync(command, args, { cwd: app, encoding: 'utf8', stdio: 'pipe', env: userEnv() });
  } catch (error) {
    const { status, stdout, stderr } = error as { status?: number; stdout?: string; stderr?: string };
    if (options.expectFailure && typeof status === 'number') return `${stdout}${stderr}`;
    throw new Error(
      `${what}: ${status === undefined ? (error as Error).message : `exit status ${status}`}\n${stdout ?? ''}${stderr ?? ''}`,
    );
  }
  if (options.expectFailure) throw new Error(`${what}: exited 0, expected a failure:\n${stdout}`);
  return stdout;
}

/** Starts a command of the user's project that keeps running. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(command, args, { cwd: app, env: userEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return watch(child);
}

/** Writes the README's JavaScript files (plugins.mjs, publish.mjs, host.mjs) into the project. */
function readmeFile(name: string, edit: (text: string) => string = (text) => text): void {
  writeFileSync(join(app, name), edit(example('README.md', 'js', `// ${name}\n`)));
}

async function readReport(file: string, kind: Report['kind']): Promise<Report> {
  let report: Report | null = null;
  await expect
    .poll(
      () => {
        try {
          report = JSON.parse(readFileSync(file, 'utf8')) as Report;
          return report.kind;
        } catch {
          return null;
        }
      },
      { timeout: 20_000 },
    )
    .toBe(kind);
  return report!;
}

type Manifest = Record<string, unknown> & { version: string; dependencies?: Record<string, string> };

/** Every path a package.json points at: exports and imports (all conditions) and bins. */
function pointedAt(manifest: Manifest): string[] {
  const paths: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') paths.push(value.replace(/^\.\//, ''));
    else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  for (const field of ['exports', 'imports', 'bin']) walk(manifest[field]);
  return paths;
}

describe('the published packages, installed from their tarballs outside the repository', () => {
  it('are every public workspace, and ship compiled code with declarations, source maps and a README, but no tests, fixtures or benchmarks', () => {
    expect(packed.map((p) => p.name)).toEqual(publishedPackages().map((p) => p.name));
    // One version for all, which they require of each other exactly, and which the changelog names.
    const [{ version }] = publishedPackages() as [Published];
    for (const { name, dir } of publishedPackages()) {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
      const paths = packed.find((p) => p.name === name)!.files.map((f) => f.path);
      expect(paths, name).toContain('README.md');
      expect(
        paths.filter((p) => /(^|\/)(tests?|fixtures|bench)\/|\.test\.|tsbuildinfo/.test(p)),
        name,
      ).toEqual([]);
      expect(paths.filter((p) => /^dist\/.*\.d\.ts$/.test(p)).length, `${name} declarations`).toBeGreaterThan(
        0,
      );
      expect(
        paths.filter((p) => /^dist\/.*\.js\.map$/.test(p)).length,
        `${name} source maps`,
      ).toBeGreaterThan(0);
      // What ships references nothing it does not ship.
      expect(
        pointedAt(manifest).filter((p) => !paths.includes(p)),
        `${name}: package.json names files the tarball lacks`,
      ).toEqual([]);
      for (const field of ['license', 'repository', 'engines', 'files'])
        expect(manifest[field], name).toBeTruthy();
      expect(manifest.version, name).toBe(version);
      for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
        if (dependency.startsWith('@pyblish/')) expect(range, `${name} -> ${dependency}`).toBe(version);
      }
    }
    expect(readFileSync(join(REPO, 'CHANGELOG.md'), 'utf8')).toContain(`## ${version}`);
    expect(
      packed.find((p) => p.name === '@pyblish/gui')!.files.map((f) => f.path),
      'the GUI ships the built web front end',
    ).toContain('dist/web/index.html');
  });

  it('publish a JavaScript plug-in set with @pyblish/core under plain node (the README lines)', () => {
    readmeFile('plugins.mjs');
    readmeFile('publish.mjs');
    const out = run('node publish.mjs', process.execPath, ['publish.mjs']);
    expect(out.trim().split('\n')).toEqual([
      'ok: CollectLayers',
      'ok: ValidateLayerNames on background',
      'ok: ValidateLayerNames on character',
      'ok: ExtractLayers on background',
      'ok: ExtractLayers on character',
    ]);
  });

  it("run the JavaScript examples of @pyblish/core's and @pyblish/xmlrpc's READMEs as written", () => {
    writeFileSync(join(app, 'core-readme.mjs'), example('packages/core/README.md', 'js'));
    expect(run('the example of packages/core/README.md', process.execPath, ['core-readme.mjs'])).toBe(
      'true CollectShots undefined\ntrue ValidateShots sh010\ntrue ValidateShots sh020\n',
    );
    writeFileSync(join(app, 'xmlrpc-readme.mjs'), example('packages/xmlrpc/README.md', 'js'));
    expect(run('the example of packages/xmlrpc/README.md', process.execPath, ['xmlrpc-readme.mjs'])).toBe(
      '3\n',
    );
  });

  it('embed a host with @pyblish/host as the README shows, which the installed GUI serves its page for and publishes headless (--auto-publish)', async () => {
    const runtime = join(root, 'run');
    const guiPort = await freePort();
    const reportFile = join(root, 'host-report.json');
    const gui = start(
      bin('pyblish-gui'),
      ['--port', String(guiPort), '--no-browser', '--auto-publish', '--report', reportFile],
      { PYBLISH_RUNTIME_DIR: runtime },
    );
    const window = (await gui.line(/^Window: /)).slice('Window: '.length);
    const page = await fetch(window);
    expect(page.status, 'the GUI serves its page').toBe(200);
    const script = /<script[^>]+src="\.\/([^"]+\.js)"/.exec(await page.text())?.[1];
    expect(script, 'the page loads its script').toBeTruthy();
    const asset = await fetch(new URL(script!, window));
    expect([asset.status, asset.headers.get('content-type')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);

    readmeFile('plugins.mjs');
    readmeFile('host.mjs', (text) => {
      expect(text, "the README's host uses the GUI's default port").toContain('guiPort: 9090');
      return text.replace('guiPort: 9090', `guiPort: ${guiPort}`);
    });
    start(process.execPath, ['host.mjs'], { PYBLISH_RUNTIME_DIR: runtime });
    const report = await readReport(reportFile, 'publish');
    expect([report.success, report.message, report.host?.label]).toEqual([
      true,
      'Published',
      'Pyblish (My tool)',
    ]);
    const name = (id: string | null, of: { id: string; name: string }[]) => of.find((x) => x.id === id)?.name;
    const pairs = report.results.map(
      (r) => `${name(r.pluginId, report.plugins)} ${name(r.instanceId, report.instances) ?? ''}`,
    );
    expect(pairs.map((p) => p.trim())).toEqual([
      'CollectLayers',
      'ValidateLayerNames background',
      'ValidateLayerNames character',
      'ExtractLayers background',
      'ExtractLayers character',
    ]);
  }, 60_000);

  it('run the installed pyblish and pyblish-gui commands: --help, the demo headless, and the GUI with its demo host', async () => {
    expect(run('pyblish --help', bin('pyblish'), ['--help'])).toMatch(/^Usage: pyblish <command>/);
    expect(run('pyblish-gui --help', bin('pyblish-gui'), ['--help'])).toMatch(
      /^Usage: pyblish-gui \[options\]/,
    );
    const demo = run('pyblish publish --demo', bin('pyblish'), ['publish', '--demo', '--json', 'demo.json'], {
      expectFailure: true,
    });
    expect(demo, 'the demo has failing validators').toMatch(/Failed: \d+ pairs/);

    const guiPort = await freePort();
    const reportFile = join(root, 'demo-report.json');
    start(
      bin('pyblish-gui'),
      ['--port', String(guiPort), '--no-browser', '--demo', '--auto-publish', '--report', reportFile],
      {
        PYBLISH_RUNTIME_DIR: join(root, 'run-demo'),
        PYBLISH_DEMO_DELAY: '1',
      },
    );
    const report = await readReport(reportFile, 'publish');
    expect(report.message, 'the demo host of the installed pyblish registered and was published').toBe(
      'Stopped due to failed validation',
    );
  }, 60_000);

  it('load TypeScript plug-ins through the installed pyblish, from a plain folder (CommonJS) and an ES module package', () => {
    const studio = join(root, 'studio');
    mkdirSync(studio);
    writeFileSync(
      join(studio, 'collect.ts'),
      `import { type Context, ContextPlugin, Order } from '@pyblish/core';
export class CollectTyped extends ContextPlugin {
  static override order = Order.Collector;
  process(context: Context): void {
    const shots: readonly string[] = ['sh010', 'sh020'];
    for (const shot of shots) context.createInstance(shot, { family: 'shot' });
  }
}
`,
    );
    mkdirSync(join(app, 'plugins'));
    writeFileSync(
      join(app, 'plugins', 'validate.ts'),
      `import { type Instance, InstancePlugin, Order } from '@pyblish/core';
export class ValidateTyped extends InstancePlugin {
  static override order = Order.Validator;
  static override families = ['shot'];
  process(instance: Instance): void {
    instance.data.checked = true satisfies boolean;
  }
}
`,
    );
    const out = run('pyblish publish with .ts plug-ins', bin('pyblish'), [
      'publish',
      '--plugin-path',
      studio,
      '--plugin-path',
      'plugins',
      '--json',
      'typed.json',
    ]);
    expect(out).toMatch(/Published: 3 pairs, 3 succeeded, 0 failed/);
    const report = JSON.parse(readFileSync(join(app, 'typed.json'), 'utf8')) as { results: ResultReport[] };
    expect(report.results.map((r) => `${r.plugin.label} ${r.instance?.name ?? ''}`.trim())).toEqual([
      'CollectTyped',
      'ValidateTyped sh010',
      'ValidateTyped sh020',
    ]);
  });

  it('give a TypeScript consumer their types, with moduleResolution node16 and bundler', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { type Context, ContextPlugin, Order, publish } from '@pyblish/core';
import type { ViewState } from '@pyblish/gui/view-model';
import { startGui } from '@pyblish/gui';
import { Host } from '@pyblish/host';
import { XmlRpcClient, type XmlRpcValue } from '@pyblish/xmlrpc';

export class Collect extends ContextPlugin {
  static override order = Order.Collector;
  process(context: Context): void {
    context.createInstance('a', { family: 'thing' });
  }
}
export const published: Promise<Context> = publish({ plugins: [Collect] });
export const host = new Host({ guiPort: 9090 });
// @ts-expect-error the port is a number: the declarations are real, not any
export const wrong = new Host({ guiPort: '9090' });
export const gui: typeof startGui = startGui;
export const client = new XmlRpcClient('http://127.0.0.1:9090');
export const value: XmlRpcValue = [1, 'two', { three: true }];
export type Visible = ViewState['visible'];
`,
    );
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const common = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', types: ['node'] };
    for (const [name, options] of [
      ['node16', { module: 'node16', moduleResolution: 'node16' }],
      ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
    ] as const) {
      const config = join(app, `tsconfig.${name}.json`);
      writeFileSync(
        config,
        JSON.stringify({ compilerOptions: { ...common, ...options }, files: ['consumer.ts'] }),
      );
      run(`tsc --noEmit with moduleResolution ${name}`, process.execPath, [tsc, '-p', config]);
    }
  }, 180_000); // two full type-checks, @types/node included (skipLibCheck off: our .d.ts files are checked too)
});
