// `pyblish farm status|logs|cancel ID`: a farm publish seen (or stopped) from any terminal.
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { FarmError, followPublish, type JobStatus, openFarm, readPublish } from '@pyblish/farm';
import { farmAddress } from './farm-address.js';
import type { OptionTable } from './usage.js';

const help = `Usage: pyblish farm status|logs|cancel PUBLISH_ID --farm redis://HOST:PORT [options]

  status   the publish's jobs: state, attempt, farm machine, retries, last error. Exits 0 when
           it succeeded or is still running, 1 when it failed or was cancelled.
  logs     every log record, result and retry of the publish, in order (--follow: and new ones
           until it is over)
  cancel   jobs not started never run; running ones stop at their next plug-in

Options:
      --farm URL   the farm (redis://[USER@]HOST:PORT, rediss:// for TLS); its password in
                   PYBLISH_FARM_PASSWORD (not in the URL: every local user could read it)
      --json       print JSON (status: the report so far; logs: one event per line)
  -f, --follow     logs: keep printing until the publish is over
  -h, --help       show this help`;

/** The command line's grammar (shared short letters: see the documented-commands test). */
export const options = {
  farm: { type: 'string' },
  json: { type: 'boolean', default: false },
  follow: { type: 'boolean', short: 'f', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies OptionTable;

function row(job: JobStatus): string {
  const instances = job.kind === 'context' ? '(context)' : job.instances.map((i) => i.name).join(', ');
  const retries =
    job.retries.length > 0 ? `, ${job.retries.length} retr${job.retries.length === 1 ? 'y' : 'ies'}` : '';
  const where = job.machine ? ` on ${job.machine}` : '';
  const error = job.error && job.state !== 'finished' ? `\n      ${job.error}` : '';
  return `  ${job.state.padEnd(9)} ${job.jobId}  ${instances}  attempt ${job.attempt}${where}${retries}${error}`;
}

export async function run(argv: string[]): Promise<number> {
  let values: { farm?: string; json: boolean; follow: boolean; help: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, allowPositionals: true, options }));
  } catch (error) {
    console.error(`pyblish farm: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    console.log(help);
    return 0;
  }
  const [action, publishId] = positionals;
  if (!action || !['status', 'logs', 'cancel'].includes(action) || !publishId || !values.farm) {
    console.error(`pyblish farm: give status, logs or cancel, a publish id and --farm URL.\n\n${help}`);
    return 2;
  }
  if (values.farm === 'local') {
    console.error(
      'pyblish farm: a local farm lives inside the publishing process; only a redis:// farm can be asked from another terminal.',
    );
    return 2;
  }
  let farm: ReturnType<typeof openFarm>;
  try {
    farm = openFarm(farmAddress(values.farm));
  } catch (error) {
    console.error(`pyblish farm: ${(error as Error).message}`);
    return 2;
  }
  try {
    if (action === 'cancel') {
      const { ledger } = await readPublish(farm, publishId);
      if (ledger.done) {
        console.error(`pyblish farm: publish ${publishId} is already over; nothing to cancel.`);
        return 1;
      }
      await farm.cancel(publishId, `${userInfo().username}@${hostname()}`);
      console.log(`Cancelled publish ${publishId}`);
      return 0;
    }
    if (action === 'status') {
      const { ledger } = await readPublish(farm, publishId);
      const status = ledger.status();
      if (values.json) console.log(JSON.stringify(ledger.report(), null, 2));
      else {
        const verdict = status.cancelled
          ? `cancelled by ${status.cancelled}`
          : !status.done
            ? 'running'
            : status.success
              ? 'succeeded'
              : 'failed';
        const origin = status.origin ? ` from ${status.origin.user}@${status.origin.host}` : '';
        console.log(`Publish ${publishId}${origin}: ${verdict}`);
        for (const job of status.jobs) console.log(row(job));
      }
      return status.cancelled || (status.done && !status.success) ? 1 : 0;
    }
    const events = values.follow
      ? (async function* () {
          for await (const { event } of followPublish(farm, publishId)) yield event;
        })()
      : (await readPublish(farm, publishId)).events;
    for await (const event of events) {
      if (values.json) console.log(JSON.stringify(event));
      else if (event.type === 'record')
        console.log(
          `${event.machine} ${event.jobId} ${event.record.levelname.padEnd(8)} ${event.plugin} › ${event.instance ?? 'Context'}: ${event.record.message}`,
        );
      else if (event.type === 'result' && !event.result.success)
        console.log(
          `${event.machine} ${event.jobId} FAILED   ${event.result.plugin.label} › ${event.result.instance?.name ?? 'Context'}: ${event.result.error?.message} (${event.result.error?.fname}:${event.result.error?.lineNumber})`,
        );
      else if (event.type === 'retried')
        console.log(`${event.machine} ${event.jobId} RETRIED  attempt ${event.attempt}: ${event.reason}`);
      else if (event.type === 'failed')
        console.log(`${event.machine} ${event.jobId} ${event.final ? 'FAILED' : 'failed'}   ${event.error}`);
      else if (event.type === 'cancelled') console.log(`cancelled by ${event.by}`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof FarmError)) throw error;
    console.error(`pyblish farm: ${error.message}`);
    return 1;
  } finally {
    await farm.close();
  }
}
