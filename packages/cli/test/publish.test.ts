import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pyblish, tsExample } from './pyblish-process.js';

const fixtures = join(import.meta.dirname, 'fixtures/plugins');
const tmp = mkdtempSync(join(tmpdir(), 'pyblish-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Report {
  summary: {
    success: boolean;
    failed: number;
    stopped: string | null;
    failures: { plugin: string; instance: string | null; message: string; file: string | null }[];
  };
  results: {
    plugin: { id: string };
    instance: { name: string } | null;
    success: boolean;
    records: { message: string }[];
  }[];
  instances: { name: string; family: string }[];
  context: { data: Record<string, unknown> };
  discovery: { errors: { code: string; name: string | null; path: string }[] };
  plugins: { id: string }[];
}
const readReport = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Report;

describe('pyblish publish', () => {
  it('publishes the demo, prints a line per result and writes a report whose failures name plug-in, instance and message', async () => {
    const out = join(tmp, 'demo.json');
    const { code, stdout } = await pyblish(['publish', '--demo', '--json', out]);
    expect(code).toBe(1);
    // Collectors may still grow the plan: no percentage for them yet.
    expect(stdout).toMatch(/ {2}ok \[ {4}\] Collect instances › Context/);
    expect(stdout).toMatch(/FAIL \[ *\d+%\] Validate naming › tree01/);
    expect(stdout).toContain('Stopped due to failed validation');
    expect(stdout).not.toContain('\u001b[');
    const report = readReport(out);
    expect(report.summary.failures).toContainEqual(
      expect.objectContaining({
        plugin: 'Validate naming',
        instance: 'tree01',
        message: '"tree01" must start with a capital letter: rename it, or press Repair.',
        file: expect.stringMatching(/demo[/\\]validate\.ts$/),
      }),
    );
    expect(report.summary.stopped).toBe('Stopped due to failed validation');
    expect(report.instances).toHaveLength(8);
    expect(report.discovery.errors).toEqual([
      expect.objectContaining({ code: 'INVALID_PLUGIN', name: 'ValidateFutureApi' }),
    ]);
    expect(report.results.find((r) => r.plugin.id === 'ValidateVerbose')!.records.length).toBeGreaterThan(5);
  });

  it('publishes a folder given with --plugin-path, with context data and targets, and exits 0 on success', async () => {
    const out = join(tmp, 'folder.json');
    const { code, stdout } = await pyblish([
      'publish',
      '--plugin-path',
      fixtures,
      '--data',
      'shots=["sh010","sh020"]',
      '-d',
      'project=forest',
      '--target',
      'default,studio',
      '--json',
      out,
      '--verbose',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('Collected 2 shot(s) for forest');
    expect(stdout).toMatch(/Published: 4 pairs, 4 succeeded, 0 failed/);
    const report = readReport(out);
    expect(report.summary.success).toBe(true);
    expect(report.context.data).toMatchObject({ project: 'forest', shots: ['sh010', 'sh020'] });
    expect(report.results.map((r) => `${r.plugin.id}:${r.instance?.name ?? '-'}`)).toEqual([
      'CollectShots:-',
      'ValidateShotNames:sh010',
      'ValidateShotNames:sh020',
      'IntegrateForStudio:-',
    ]);
  });

  it('exits non-zero when a plug-in fails, and finds plug-ins through PYBLISH_PLUGINPATH', async () => {
    const { code, stdout } = await pyblish(['publish', '-d', 'shots=["shot 1"]'], {
      PYBLISH_PLUGINPATH: fixtures,
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL \[ *\d+%\] ValidateShotNames › shot 1/);
    expect(stdout).toContain('Shot "shot 1" must be named like sh010.');
    expect(stdout).not.toContain('IntegrateForStudio');
  });

  it('reports a plug-in file that fails to load and still runs the others', async () => {
    const dir = mkdtempSync(join(tmp, 'broken-'));
    writeFileSync(join(dir, 'broken.ts'), 'export const x = ;\n');
    const { code, stdout } = await pyblish(['publish', fixtures, dir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/discovery: LOAD_FAILED .*broken\.ts/);
    expect(stdout).toMatch(/ok \[ *\d+%\] ValidateShotNames › sh010/);
  });

  // The temporary folders are outside the repository, with no node_modules: the plug-ins' bare
  // '@pyblish/core' import must reach the running framework.
  it('runs the complete example of docs/plugins.md, as written, from a folder outside the repository', async () => {
    const dir = mkdtempSync(join(tmp, 'guide-'));
    writeFileSync(join(dir, 'shots.ts'), tsExample('docs/plugins.md'));
    const { code, stdout } = await pyblish(['publish', '--plugin-path', dir]);
    expect(stdout).not.toContain('LOAD_FAILED');
    expect(code).toBe(1);
    expect(stdout).toMatch(/ok \[ *\d+%\] Validate shot names › sh010/);
    expect(stdout).toMatch(/FAIL \[ *\d+%\] Validate shot names › SH030/);
    expect(stdout).toContain('"SH030" must be lower case: rename it, or press Repair. (shots.ts:');
  });

  it('runs the README example, as written, from a folder outside the repository: SH030 fails and nothing is extracted', async () => {
    const dir = mkdtempSync(join(tmp, 'readme-'));
    writeFileSync(join(dir, 'shots.ts'), tsExample('README.md', '// plugins/shots.ts'));
    const out = join(tmp, 'readme.json');
    const { code, stdout } = await pyblish(['publish', '--plugin-path', dir, '--json', out]);
    expect(stdout).not.toContain('LOAD_FAILED');
    expect(code).toBe(1);
    expect(stdout).toMatch(/ok \[ *\d+%\] ValidateShotNames › sh010/);
    expect(stdout).toMatch(/FAIL \[ *\d+%\] ValidateShotNames › SH030/);
    const report = readReport(out);
    expect(report.summary.stopped).toBe('Stopped due to failed validation');
    expect(report.summary.failures).toEqual([
      expect.objectContaining({ plugin: 'ValidateShotNames', instance: 'SH030' }),
    ]);
    expect(report.plugins.map((p) => p.id)).toContain('ExtractShots');
    expect(report.results.map((r) => r.plugin.id)).not.toContain('ExtractShots');
  });

  it('says what to do when no plug-ins are found', async () => {
    const { code, stderr } = await pyblish(['publish']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /no plug-ins found\. Pass --plugin-path DIR, set PYBLISH_PLUGINPATH, or try --demo/,
    );
  });

  it('rejects bad usage with exit code 2 and a pointer to the help', async () => {
    const bad = await pyblish(['publish', '--data', 'novalue']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--data "novalue" is not KEY=VALUE/);
    const unknown = await pyblish(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const help = await pyblish(['publish', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--plugin-path PATH/);
  });
});
