// `pyblish-gui --open-report FILE` through the real CLI: a report it cannot show gets a message
// naming the file and what is wrong, with status 2 and no stack trace; a good one is served.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportBuilder } from '../src/index.js';
import { REPO, watch } from './helpers.js';

const BIN = join(REPO, 'packages/gui/bin/pyblish-gui.mjs');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyblish-report-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gui(args: string[]) {
  const runtime = join(dir, `runtime-${Math.random().toString(36).slice(2)}`);
  mkdirSync(runtime);
  const proc = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYBLISH_RUNTIME_DIR: runtime },
  });
  return { ...watch(proc, 30_000), runtime };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('pyblish-gui --open-report', () => {
  it('says what is wrong with a file it cannot show, and exits 2', async () => {
    const good = JSON.stringify(ReportBuilder.empty());
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /missing\.json: no such file/],
      [file('broken.json', '{"format": "pyblish-report",'), /broken\.json: is not JSON/],
      [file('other.json', '{"hello": "world"}'), /other\.json: is not a Pyblish GUI report/],
      [
        file('future.json', good.replace('"formatVersion":1', '"formatVersion":2')),
        /future\.json: is a pyblish-report of formatVersion 2; this pyblish-gui reads formatVersion 1/,
      ],
      [
        file('damaged.json', good.replace('"results":[]', '"results":{}')),
        /damaged\.json: is a damaged pyblish-report: report\.results must be a list/,
      ],
    ];
    const runs = cases.map(([path]) => gui(['--open-report', path, '--no-browser']));
    for (const [i, run] of runs.entries()) {
      expect(await run.exited).toBe(2);
      const text = run.output.join('\n');
      expect(text).toMatch(cases[i]?.[1] as RegExp);
      expect(text).toMatch(/^pyblish-gui: /);
      expect(text).not.toMatch(/\n\s+at /);
    }
  });

  it('serves a good report on its own port and takes no host port', async () => {
    const path = file('good.json', JSON.stringify(ReportBuilder.empty()));
    const run = gui(['--open-report', path, '--no-browser']);
    const url = (await run.line(/^Window: /)).slice('Window: '.length);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#secret=/);
    expect(run.output.join('\n')).toContain(`showing the saved report ${path}`);
    const secret = decodeURIComponent(url.slice(url.indexOf('#secret=') + '#secret='.length));
    const report = await fetch(new URL('/api/report', url), {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(report.status).toBe(200);
    // No GUI discovery file: hosts cannot find (or be driven by) a report viewer.
    expect(existsSync(run.runtime) && readdirSync(run.runtime)).toEqual([]);
    run.proc.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('refuses host options with the viewer', async () => {
    const run = gui(['--open-report', join(dir, 'any.json'), '--auto-publish', '--no-browser']);
    expect(await run.exited).toBe(2);
    expect(run.output.join('\n')).toMatch(/drop --auto-publish/);
  });
});
