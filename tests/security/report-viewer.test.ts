// docs/security-cases.md, case 59: `pyblish-gui --open-report FILE` given something that is not a
// report file, or one too large or too deep: it refuses at once (before reading it whole) with
// exit status 2 and one line naming the file, and never hangs.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportBuilder } from '@pyblish/gui';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, REPO, tempDir } from '../support/system.js';

const BIN = join(REPO, 'packages/gui/bin/pyblish-gui.mjs');

afterAll(cleanup);

/** Runs the viewer on `file`; resolves with its exit status and output, killing it after `ms`. */
function openReport(
  file: string,
  ms = 20_000,
): Promise<{ status: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, '--open-report', file, '--no-browser'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYBLISH_RUNTIME_DIR: tempDir('pyblish-viewer-run-') },
    });
    let stderr = '';
    let stdout = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    proc.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, stdout });
    });
  });
}

describe('case 59: the report viewer given what is not a report it can read', () => {
  const dir = tempDir('pyblish-viewer-');
  const deepReport = () => {
    const report = ReportBuilder.empty();
    let data: Record<string, unknown> = { bottom: true };
    for (let i = 0; i < 200; i++) data = { level: data };
    report.context.data = data;
    return JSON.stringify(report);
  };
  const cases: Array<[string, () => string, RegExp]> = [
    [
      'a named pipe no one writes to',
      () => {
        const path = join(dir, 'pipe.json');
        execFileSync('mkfifo', [path]);
        return path;
      },
      /pipe\.json: is a named pipe, not a report file\.$/,
    ],
    ['a device that never ends', () => '/dev/zero', /\/dev\/zero: is a device, not a report file\.$/],
    [
      'a directory',
      () => {
        const path = join(dir, 'folder.json');
        mkdirSync(path);
        return path;
      },
      /folder\.json: is a directory, not a report file\.$/,
    ],
    [
      'a file of 300 MiB',
      () => {
        const path = join(dir, 'huge.json');
        writeFileSync(path, '');
        truncateSync(path, 300 * 1024 * 1024);
        return path;
      },
      /huge\.json: is 300 MiB; the viewer reads reports of up to 256 MiB\.$/,
    ],
    [
      'a report whose data nests 200 levels',
      () => {
        const path = join(dir, 'deep.json');
        writeFileSync(path, deepReport());
        return path;
      },
      /deep\.json: nests its JSON more than 128 levels deep; the viewer reads reports up to that depth\.$/,
    ],
    [
      'a million opening brackets',
      () => {
        const path = join(dir, 'brackets.json');
        writeFileSync(path, '['.repeat(1_000_000));
        return path;
      },
      /brackets\.json: nests its JSON more than 128 levels deep/,
    ],
  ];
  for (const [what, make, said] of cases) {
    it(`case 59: ${what}: exit status 2 and one line naming the file`, async () => {
      const file = make();
      const { status, stderr, stdout } = await openReport(file);
      expect(status).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^pyblish-gui: /);
      expect(lines[0]).toMatch(said);
    });
  }
});
