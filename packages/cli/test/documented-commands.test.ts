// Every `pyblish` and `pyblish-gui` command line that README.md and docs/*.md show, taken from the
// markdown itself (so a line added to the documentation is covered the day it is written):
// - lines of code blocks (``` and ```sh) that start with `pyblish`, `pyblish-gui` or `npx ...`;
// - inline code that starts so in the first cell of a table row (the command tables' synopses).
// Inline code in running text (or in a table's description cells) names an option or a command inside a sentence (`pyblish publish
// --json`), not a line to type, and is left out. Lines of other programs (npm, node, python) are not
// these commands' to test.
//
// Every line is parsed with its command's own option table (node:util parseArgs, strict), without
// --help. Synopses are expanded first: [optional] parts are included, `a|b` takes `a`, `…` and `...`
// go, and placeholders get values (DIR: a plug-in folder holding the README's example, FILE: a
// report, N: a free port, TARGET, KEY=VALUE, TEXT). Then every line is run, as written, but for
// those that need what a test may not have or take:
// - a farm (`--farm`, `pyblish worker`, `pyblish farm`): Redis and workers (the farm's own tests
//   run those);
// - a window (`pyblish-gui` without --no-browser): a desktop session;
// - a fixed port: `pyblish-gui` without --port (and `pyblish host --register` without --gui-port)
//   use 9090, and `--web-port 8100` is 8100; tests never assume a fixed port is free.
// A line that runs must not be refused as bad usage (exit 2); a publish may exit 1 (the demo's
// validators fail by design), and a command that serves (host, GUI, viewer) must come up and stop
// cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Gui, startGui } from '@pyblish/gui';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { options as guiOptions } from '../../gui/src/command-line.js';
import { options as farmOptions } from '../src/farm.js';
import { options as hostOptions } from '../src/host.js';
import { options as publishOptions } from '../src/publish.js';
import type { OptionTable } from '../src/usage.js';
import { options as workerOptions } from '../src/worker.js';
import { root, tsExample } from './pyblish-process.js';

const BINS = {
  pyblish: join(root, 'packages/cli/bin/pyblish.mjs'),
  'pyblish-gui': join(root, 'packages/gui/bin/pyblish-gui.mjs'),
};

/** Each command's options, as its module parses them. */
const TABLES: Record<string, { options: OptionTable; positionals: boolean }> = {
  'pyblish publish': { options: publishOptions, positionals: true },
  'pyblish host': { options: hostOptions, positionals: false },
  'pyblish worker': { options: workerOptions, positionals: true },
  'pyblish farm': { options: farmOptions, positionals: true },
  'pyblish-gui': { options: guiOptions, positionals: false },
};

interface Documented {
  /** As the document shows it. */
  text: string;
  where: string;
}

const COMMAND = /^(?:npx )?pyblish(?:-gui)?(?: |$)/;

function documentedLines(): Documented[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => join('docs', f))].filter((f) =>
    f.endsWith('.md'),
  );
  const found: Documented[] = [];
  for (const file of files) {
    let fence: string | null = null;
    for (const [i, line] of readFileSync(join(root, file), 'utf8').split('\n').entries()) {
      const where = `${file}:${i + 1}`;
      const opening = /^```(\w*)/.exec(line);
      if (opening) {
        fence = fence === null ? (opening[1] ?? '') : null;
        continue;
      }
      if (fence !== null) {
        const text = line
          .replace(/^\$ /, '')
          .replace(/\s+#.*$/, '')
          .trim();
        if (['', 'sh', 'bash', 'shell', 'console'].includes(fence) && COMMAND.test(text))
          found.push({ text, where });
      } else if (line.startsWith('|')) {
        // The first cell: a command table's commands (the other cells describe them).
        const cell = line.split(/(?<!\\)\|/)[1] ?? '';
        for (const [, code] of cell.matchAll(/`([^`]+)`/g))
          if (COMMAND.test(code!)) found.push({ text: code!, where });
      }
    }
  }
  return found;
}

interface Expanded {
  documented: Documented;
  bin: keyof typeof BINS;
  /** `pyblish publish`, `pyblish-gui`... */
  command: string;
  args: string[];
  /** Why it is only parsed, or null when it runs. */
  skip: string | null;
}

/** The placeholders of the synopses, and what a run gives them. */
function value(
  placeholder: string,
  option: string | undefined,
  ports: () => string,
  guiPort: string,
): string | null {
  switch (placeholder) {
    case 'DIR':
    case 'PATH':
    case 'PLUGIN_PATH':
      return 'plugins';
    case 'FILE':
      return 'report.json';
    case 'N':
      if (option === '--gui-port') return guiPort;
      return option === '--port' || option === '--web-port' ? ports() : '2';
    case 'TARGET':
    case 'NAME':
      return 'default';
    case 'KEY=VALUE':
      return 'shot=sh010';
    case 'TEXT':
      return 'Pyblish (docs)';
    case 'options':
      return null;
    default:
      return placeholder;
  }
}

function expand(documented: Documented, ports: () => string, guiPort: string): Expanded {
  const words = documented.text
    .replace(/\\\|/g, '|')
    .replace(/^npx /, '')
    .split(/\s+/)
    .map((w) => w.replace(/[[\]…]/g, '').replace(/\.\.\.$/, ''))
    .filter((w) => w !== '');
  const bin = words.shift() as keyof typeof BINS;
  const sub = bin === 'pyblish' && words[0] && !words[0].startsWith('-') ? words.shift()! : null;
  const command = sub ? `${bin} ${sub}` : bin;
  const args: string[] = [];
  for (const word of words) {
    const filled = value(word.split('|')[0]!, args.at(-1), ports, guiPort);
    if (filled !== null) args.push(filled);
  }
  const has = (name: string) => args.includes(name);
  let skip: string | null = null;
  if (has('--farm') || sub === 'worker' || sub === 'farm') skip = 'needs a farm';
  else if (bin === 'pyblish-gui' && !has('--no-browser')) skip = 'needs a window';
  else if (bin === 'pyblish-gui' && !has('--port') && !has('--open-report'))
    skip = 'binds the GUI port 9090, which tests never assume is free';
  else if (sub === 'host' && has('--register') && !has('--gui-port'))
    skip = 'registers with a GUI at port 9090, which tests never assume is free';
  else if (/--web-port \d+/.test(documented.text))
    skip = 'binds a fixed port, which tests never assume is free';
  return { documented, bin, command, args, skip };
}

/** A port free right now (the OS's pick). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** What a command prints once it serves: it then runs until stopped. */
const SERVING = /pyblish host: serving|^Window: /m;

async function run(line: Expanded, cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [BINS[line.bin], ...line.command.split(' ').slice(1), ...line.args], {
    cwd,
    env,
  });
  let stdout = '';
  let stderr = '';
  let served = false;
  child.stdout.on('data', (d) => {
    stdout += d;
    if (!served && SERVING.test(stdout)) {
      served = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, served, stdout, stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'pyblish-documented-'));
const runtime = join(tmp, 'runtime');
const env = {
  ...process.env,
  PYBLISH_PLUGINPATH: '',
  PYBLISH_DEMO_DELAY: '20',
  PYBLISH_RUNTIME_DIR: runtime,
};
let gui: Gui;
let lines: Expanded[] = [];
const documented = documentedLines();

beforeAll(async () => {
  mkdirSync(join(tmp, 'plugins'), { recursive: true });
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  writeFileSync(join(tmp, 'plugins', 'shots.ts'), tsExample('README.md', '// plugins/shots.ts'));
  // A GUI for the lines that register with one at --gui-port N.
  gui = await startGui({ port: 0, env, allowUnauthenticated: true });
  const ports: number[] = [];
  for (let i = 0; i < documented.length * 3; i++) ports.push(await freePort());
  let next = 0;
  lines = documented.map((d) => expand(d, () => String(ports[next++]), String(gui.port)));
  // A report for the lines that open one.
  const made = await run(
    {
      documented: { text: '', where: 'setup' },
      bin: 'pyblish',
      command: 'pyblish publish',
      args: ['--demo', '--json', 'report.json'],
      skip: null,
    },
    tmp,
    env,
  );
  expect(made.code, made.stderr).toBe(1);
}, 60_000);

afterAll(async () => {
  await gui?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the command lines the documentation shows', () => {
  it('are found in README.md and docs/*.md', () => {
    const texts = documented.map((d) => d.text);
    expect(texts).toContain(
      'npx pyblish host [--demo] [-p DIR]… [--port N] [--register] [--gui-port N] [--allow-unauthenticated]',
    );
    expect(texts.length).toBeGreaterThan(20);
  });

  it('all parse with their command options, farm and window lines included', () => {
    const refused: string[] = [];
    for (const line of lines) {
      const table = TABLES[line.command];
      if (!table) {
        refused.push(`${line.documented.where}: "${line.documented.text}": no command "${line.command}"`);
        continue;
      }
      try {
        parseArgs({
          args: line.args,
          options: table.options,
          allowPositionals: table.positionals,
          strict: true,
        });
      } catch (err) {
        refused.push(`${line.documented.where}: "${line.documented.text}": ${(err as Error).message}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('run as written, but for those that need a farm, a window or a fixed port', async () => {
    const failures: string[] = [];
    for (const line of lines.filter((l) => l.skip === null)) {
      const outcome = await run(line, tmp, env);
      const serves = line.command === 'pyblish host' || line.bin === 'pyblish-gui';
      const ok = serves ? outcome.served && outcome.code === 0 : outcome.code === 0 || outcome.code === 1;
      if (!ok)
        failures.push(
          `${line.documented.where}: "${line.documented.text}" as ${line.command} ${line.args.join(' ')}: exit ${outcome.code}\n${outcome.stderr}`,
        );
    }
    expect(failures).toEqual([]);
    // The lines that ran cover each kind of command that can run here.
    const ran = new Set(lines.filter((l) => l.skip === null).map((l) => l.command));
    expect([...ran].sort()).toEqual(['pyblish host', 'pyblish publish', 'pyblish-gui']);
  }, 240_000);
});

describe("the commands' short options", () => {
  it('mean the same option in every command that has it', () => {
    const letters = new Map<string, string>();
    const shorts = new Map<string, string>();
    const clashes: string[] = [];
    for (const [command, { options }] of Object.entries(TABLES)) {
      for (const [long, spec] of Object.entries(options)) {
        const short = spec.short ?? '';
        const known = letters.get(long);
        if (known !== undefined && known !== short)
          clashes.push(`${command}: --${long} is "-${short}" here, "-${known}" elsewhere`);
        if (short) {
          const owner = shorts.get(short);
          if (owner !== undefined && owner !== long)
            clashes.push(`${command}: -${short} is --${long} here, --${owner} elsewhere`);
          shorts.set(short, long);
        }
        if (known === undefined) letters.set(long, short);
      }
    }
    expect(clashes).toEqual([]);
  });
});
