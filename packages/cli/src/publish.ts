// `pyblish publish`: discover plug-ins, publish headlessly, print progress, write a JSON report.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildReport,
  Context,
  createState,
  demoPluginPath,
  discover,
  publishIter,
  Registry,
  type Result,
  summarise,
} from '@pyblish/core';
import { UsageError } from './errors.js';
import { farmAddress } from './farm-address.js';
import { publishOnFarm } from './farm-publish.js';
import { Display } from './progress.js';
import { type OptionTable, parseCommand, writeReport } from './usage.js';

const help = `Usage: pyblish publish [options] [PLUGIN_PATH...]

Discovers plug-ins and publishes: collect, validate, extract, integrate. Validation failures stop
the run before extraction. Exits with 0 when everything succeeded, 1 when anything failed (a
plug-in, or loading a plug-in file), 2 for bad usage, 130 when interrupted.

Options:
  -p, --plugin-path PATH  a folder (or file) of plug-ins; repeatable; positional paths count too.
                          PYBLISH_PLUGINPATH (a ${process.platform === 'win32' ? ';' : ':'}-separated list) is searched as well.
      --demo              add the demo plug-ins
  -t, --target NAME       a publishing target; repeatable or comma-separated (default: "default")
  -d, --data KEY=VALUE    set context data before collection; VALUE is parsed as JSON when it can be
      --host NAME         register a host name (plug-ins limited to other hosts are left out)
      --json FILE         write the full report (plug-ins, instances, results, summary) to FILE
      --farm FARM         collect and validate here (targets default,local), then extract and
                          integrate on a farm (targets farm): "local" (worker processes on this
                          machine) or redis://[USER@]HOST:PORT (rediss:// for TLS), with the
                          password in PYBLISH_FARM_PASSWORD (a password in the URL is visible to
                          every user of the machine). Follows the farm's jobs and exits with their
                          outcome; Ctrl+C cancels.
      --detach            with a redis farm: submit, print the publish id and return at once
      --workers N         worker processes of a local farm (default: the cores, at most 4)
      --attempts N        runs of a farm job whose extraction or integration keeps failing (default 3)
      --retry-delay MS    wait before a failed farm job runs again, doubling each time (default 5000)
  -v, --verbose           print every log record, not only warnings and errors
  -q, --quiet             print failures and the summary only
  -h, --help              show this help

Environment: PYBLISH_DEMO_DELAY=MS shortens the demo's slow steps.`;

/** The command line's grammar (shared short letters: see the documented-commands test). */
export const options = {
  'plugin-path': { type: 'string', short: 'p', multiple: true, default: [] },
  demo: { type: 'boolean', default: false },
  target: { type: 'string', short: 't', multiple: true, default: [] },
  data: { type: 'string', short: 'd', multiple: true, default: [] },
  host: { type: 'string', multiple: true, default: [] },
  json: { type: 'string' },
  farm: { type: 'string' },
  detach: { type: 'boolean', default: false },
  workers: { type: 'string' },
  attempts: { type: 'string' },
  'retry-delay': { type: 'string' },
  verbose: { type: 'boolean', short: 'v', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies OptionTable;

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
  const data: Record<string, unknown> = {};
  for (const pair of values.data) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new UsageError('BAD_DATA_OPTION', `--data "${pair}" is not KEY=VALUE, e.g. --data shot=sh010`);
    const raw = pair.slice(eq + 1);
    try {
      data[pair.slice(0, eq)] = JSON.parse(raw);
    } catch {
      data[pair.slice(0, eq)] = raw;
    }
  }
  const targets = values.target
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  const whole = (name: 'workers' | 'attempts' | 'retry-delay', min: number) => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(
        'BAD_NUMBER_OPTION',
        `--${name} must be a whole number of at least ${min}, not "${raw}"`,
      );
    if (values.farm === undefined) throw new UsageError('FARM_OPTION_ALONE', `--${name} goes with --farm`);
    return n;
  };
  const workers = whole('workers', 1);
  const attempts = whole('attempts', 1);
  const retryDelay = whole('retry-delay', 0);
  if (values.detach && values.farm === undefined)
    throw new UsageError('FARM_OPTION_ALONE', '--detach goes with --farm');
  return {
    farm: values.farm === undefined ? undefined : farmAddress(values.farm),
    detach: values.detach,
    workers,
    attempts,
    retryDelay,
    paths: [...values['plugin-path'], ...positionals].map((p) => resolve(p)),
    demo: values.demo,
    targets,
    hosts: values.host,
    data,
    json: values.json,
    verbose: values.verbose,
    quiet: values.quiet,
    help: values.help,
  };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand('publish', help, argv, parse);
  if (typeof args === 'number') return args;

  const registry = new Registry();
  for (const path of args.demo ? [...args.paths, demoPluginPath] : args.paths)
    registry.registerPluginPath(path);
  for (const host of args.hosts) registry.registerHost(host);
  const paths = registry.pluginPaths();
  const display = new Display(process.stdout, {
    tty: process.stdout.isTTY === true,
    verbose: args.verbose,
    quiet: args.quiet,
    columns: process.stdout.columns,
  });

  const discovery = await discover({ registry });
  display.discovery(discovery);
  if (discovery.plugins.length === 0) {
    console.error(
      'pyblish publish: no plug-ins found. Pass --plugin-path DIR, set PYBLISH_PLUGINPATH, or try --demo.',
    );
    return 1;
  }

  if (args.farm !== undefined)
    return publishOnFarm({ ...args, farm: args.farm }, registry, discovery, display);

  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error('Interrupted (Ctrl+C); press it again to quit at once.'));
  };
  process.on('SIGINT', interrupt);

  const context = new Context({ ...args.data });
  const targets = args.targets.length > 0 ? args.targets : registry.defaultTargets();
  const state = createState();
  const results: Result[] = [];
  const started = performance.now();
  try {
    for await (const result of publishIter({
      context,
      plugins: discovery.plugins,
      targets,
      registry,
      state,
      signal: controller.signal,
      onPair: (plugin, instance) => display.start(plugin, instance),
      onRecord: (record) => display.record(record),
    })) {
      results.push(result);
      display.result(result);
    }
  } finally {
    process.off('SIGINT', interrupt);
  }
  const summary = summarise(results, state.stopped, discovery, performance.now() - started);
  display.finish(summary);

  if (args.json) {
    const report = buildReport({
      context,
      plugins: discovery.plugins,
      targets,
      paths,
      discovery,
      results,
      summary,
    });
    if (!(await writeReport(args.json, report, args.quiet))) return 1;
  }
  if (controller.signal.aborted) return 130;
  return summary.success ? 0 : 1;
}
