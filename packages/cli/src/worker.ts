// `pyblish worker`: serve a farm's publish jobs with this machine's own plug-ins.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FarmError, redisOptions, serveWorker } from '@pyblish/farm';
import { farmAddress } from './farm-address.js';
import { type OptionTable, parseCommand } from './usage.js';

const help = `Usage: pyblish worker --farm redis://[USER@]HOST:PORT [options]

Takes publish jobs from the farm and runs them: rebuilds the job's instances, then runs this
machine's plug-ins with the job's targets ("farm" by default; farm-side validators run too).
Plug-ins come only from this machine's paths, never from the job. SIGTERM (or Ctrl+C) finishes
the running job and stops; after the grace period, or a second signal, the job goes back to the
farm for another worker.

Options:
      --farm URL               the farm: redis://[USER@]HOST:PORT[/DB], rediss:// for TLS; its
                               password in PYBLISH_FARM_PASSWORD (not in the URL: others see it)
  -p, --plugin-path PATH       a folder (or file) of plug-ins; repeatable. PYBLISH_PLUGINPATH too.
  -c, --concurrency N          jobs at a time in this process (default 1; for CPU-bound plug-ins
                               run one worker process per core instead)
      --grace SECONDS          time a running job gets to finish after SIGTERM (default 30)
      --exit-when-idle SECONDS stop after this long without a job (for a worker run as a task
                               of a farm manager such as Deadline or OpenCue)
      --lock-duration MS       a job whose worker is silent this long goes to another (default 30000)
      --stalled-interval MS    how often to look for such jobs (default 15000)
      --max-stalled N          lost workers a job survives before it fails (default 3)
  -h, --help                   show this help`;

function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not "${value}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand('worker', help, argv, parse);
  if (typeof args === 'number') return args;
  const { RedisWorkSource } = await import('@pyblish/farm/redis');
  const source = new RedisWorkSource(args.farm, args.worker);
  try {
    await serveWorker(source, {
      pluginPaths: args.paths,
      concurrency: args.concurrency,
      graceMs: args.graceMs,
      idleExitMs: args.idleExitMs,
    });
  } catch (error) {
    if (!(error instanceof FarmError)) throw error;
    console.error(`pyblish worker: ${error.message}`);
    return 1;
  }
  return 0;
}

/** The command line's grammar (shared short letters: see the documented-commands test). */
export const options = {
  farm: { type: 'string' },
  'plugin-path': { type: 'string', short: 'p', multiple: true, default: [] },
  concurrency: { type: 'string', short: 'c' },
  grace: { type: 'string' },
  'exit-when-idle': { type: 'string' },
  'lock-duration': { type: 'string' },
  'stalled-interval': { type: 'string' },
  'max-stalled': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies OptionTable;

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
  // Help needs no farm (parseCommand shows it and returns before anything else is read).
  if (values.help) return { help: true } as never;
  if (values.farm === undefined)
    throw new Error('--farm URL is required, e.g. --farm redis://127.0.0.1:6379');
  if (values.farm === 'local')
    throw new Error(
      'a local farm starts its own workers (pyblish publish --farm local); give a redis:// URL here',
    );
  const farm = farmAddress(values.farm);
  redisOptions(farm);
  const paths = [...values['plugin-path'], ...positionals].map((p) => resolve(p));
  return {
    help: false,
    farm,
    paths,
    concurrency: Math.max(1, count(values.concurrency, 'concurrency', 1)),
    graceMs: count(values.grace, 'grace', 30) * 1000,
    idleExitMs:
      values['exit-when-idle'] === undefined
        ? undefined
        : count(values['exit-when-idle'], 'exit-when-idle', 0) * 1000,
    worker: {
      lockDurationMs: count(values['lock-duration'], 'lock-duration', 30_000),
      stalledIntervalMs: count(values['stalled-interval'], 'stalled-interval', 15_000),
      maxStalledCount: count(values['max-stalled'], 'max-stalled', 3),
    },
  };
}
