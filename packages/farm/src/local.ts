// The local farm: a dispatcher in this process feeding worker processes on this machine over IPC.
// No server: the queue and the event log live here, for as long as this process does. Same job
// documents, worker code and events as the BullMQ farm; same rules (the context job after the
// others, retries, lost workers, cancellation).
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  type EventsOptions,
  type FarmBackend,
  type Logged,
  type RetryOptions,
  retryDelay,
} from './backend.js';
import { FarmError } from './errors.js';
import type { FarmEvent } from './events.js';
import type { FromWorker, ToWorker } from './ipc.js';
import { type JobDocument, type PublishPlan, submittedEvent } from './job.js';

export interface LocalFarmOptions extends RetryOptions {
  /** The plug-in paths the worker processes discover from. */
  pluginPaths: string[];
  /** Worker processes. Default: the number of cores, at most 4. */
  workers?: number;
  /** Lost workers a job survives before it fails for good. Default 3. */
  maxLost?: number;
  env?: NodeJS.ProcessEnv;
  /** Lines the worker processes write to stderr; to this process's stderr by default. */
  log?(line: string): void;
}

interface Task {
  publishId: string;
  document: JobDocument;
  id: string;
  starts: number;
  failures: number;
  lost: number;
  previous: string | null;
}

interface Slot {
  child: ChildProcess;
  ready: boolean;
  task: Task | null;
}

interface Publish {
  log: Logged[];
  waiters: Set<() => void>;
  /** The context job, queued once every instances job finished. */
  context: Task;
  remaining: number;
  blocked: boolean;
  cancelled: boolean;
}

// "#local-worker" (package.json) is dist/local-worker.js, or from the sources a shim that registers tsx.
const entry = fileURLToPath(import.meta.resolve('#local-worker'));

export class LocalFarm implements FarmBackend {
  readonly name = 'local';
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private readonly publishes = new Map<string, Publish>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closing = false;
  private seq = 0;

  constructor(private readonly options: LocalFarmOptions) {}

  private spawn(): void {
    const args = this.options.pluginPaths.flatMap((p) => ['--plugin-path', p]);
    const child = fork(entry, args, {
      env: this.options.env ?? process.env,
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const slot: Slot = { child, ready: false, task: null };
    this.slots.add(slot);
    const log = this.options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    let partial = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) log(line);
    });
    child.on('message', (message: FromWorker) => this.onMessage(slot, message));
    child.on('exit', (code, signal) => this.onExit(slot, code, signal));
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        slot.ready = true;
        break;
      case 'event':
        this.append(message.event);
        return;
      case 'done':
        this.settle(slot, (task, publish) => {
          if (task.document.kind === 'instances' && --publish.remaining === 0 && !publish.blocked)
            this.enqueue(publish.context);
        });
        break;
      case 'handback':
        this.settle(slot, (task) => {
          task.previous = 'the previous worker handed it back (it was shutting down)';
          this.queue.unshift(task);
        });
        break;
      case 'failed':
        this.settle(slot, (task, publish) => {
          task.failures++;
          if (message.retry && task.failures < (this.options.attempts ?? 3)) {
            task.previous = `the previous attempt failed: ${message.message}`;
            const timer = setTimeout(
              () => {
                this.timers.delete(timer);
                this.enqueue(task);
                this.pump();
              },
              retryDelay(this.options, task.failures),
            );
            this.timers.add(timer);
          } else if (task.document.kind === 'instances') publish.blocked = true;
        });
        break;
    }
    this.pump();
  }

  private settle(slot: Slot, then: (task: Task, publish: Publish) => void): void {
    const task = slot.task;
    slot.task = null;
    const publish = task && this.publishes.get(task.publishId);
    if (task && publish) then(task, publish);
  }

  private onExit(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    this.slots.delete(slot);
    const task = slot.task;
    if (task) {
      task.lost++;
      const publish = this.publishes.get(task.publishId);
      if (task.lost > (this.options.maxLost ?? 3)) {
        if (task.document.kind === 'instances' && publish) publish.blocked = true;
        this.append({
          type: 'failed',
          publishId: task.publishId,
          jobId: task.document.jobId,
          kind: task.document.kind,
          attempt: task.starts,
          machine: 'lost',
          at: Date.now(),
          error: `Its worker was lost ${task.lost} times (killed or crashed); it was not run again.`,
          final: true,
        });
      } else {
        task.previous = `the previous worker was lost (its process ended with ${signal ?? `code ${code}`})`;
        this.queue.unshift(task);
      }
    }
    if (!this.closing) {
      this.spawn();
      this.pump();
    }
  }

  private enqueue(task: Task): void {
    const publish = this.publishes.get(task.publishId);
    if (publish && !publish.cancelled) this.queue.push(task);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.task || !slot.child.connected) continue;
      const task = this.queue.shift();
      if (!task) return;
      task.starts++;
      slot.task = task;
      const message: ToWorker = {
        type: 'job',
        claim: {
          document: task.document,
          jobId: task.id,
          publishId: task.publishId,
          attempt: task.starts,
          lastAttempt: task.failures + 1 >= (this.options.attempts ?? 3),
          previous: task.previous,
        },
      };
      slot.child.send(message);
    }
  }

  private append(event: FarmEvent): void {
    const publish = this.publishes.get(event.publishId);
    if (!publish) return;
    publish.log.push({ ...event, seq: String(++this.seq) });
    for (const wake of publish.waiters) wake();
  }

  /** Always there: it lives in this process. */
  async reach(): Promise<void> {}

  async submit(plan: PublishPlan): Promise<void> {
    if (this.closing) throw new FarmError('UNSUPPORTED', 'This local farm is closed.');
    const task = (document: JobDocument): Task => ({
      publishId: plan.publishId,
      document,
      id: `${plan.publishId}.${document.jobId}`,
      starts: 0,
      failures: 0,
      lost: 0,
      previous: null,
    });
    const tasks = plan.jobs.map(task);
    const context = tasks.find((t) => t.document.kind === 'context');
    if (!context) throw new FarmError('JOB_INVALID', 'A publish plan needs its context job.');
    const others = tasks.filter((t) => t !== context);
    this.publishes.set(plan.publishId, {
      log: [],
      waiters: new Set(),
      context,
      remaining: others.length,
      blocked: false,
      cancelled: false,
    });
    this.append(submittedEvent(plan));
    const wanted = this.options.workers ?? Math.min(4, availableParallelism());
    while (this.slots.size < wanted) this.spawn();
    for (const t of others) this.enqueue(t);
    if (others.length === 0) this.enqueue(context);
    this.pump();
  }

  async *events(publishId: string, options: EventsOptions = {}): AsyncGenerator<Logged> {
    const publish = this.publishes.get(publishId);
    if (!publish)
      throw new FarmError(
        'UNKNOWN_PUBLISH',
        `No publish ${publishId} on this local farm: a local farm knows only the publishes of its own process.`,
      );
    let next = options.after ? publish.log.findIndex((e) => e.seq === options.after) + 1 : 0;
    for (;;) {
      while (next < publish.log.length) yield publish.log[next++]!;
      if (!options.follow || options.signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          publish.waiters.delete(wake);
          options.signal?.removeEventListener('abort', wake);
          resolve();
        };
        publish.waiters.add(wake);
        options.signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  async cancel(publishId: string, by: string): Promise<void> {
    const publish = this.publishes.get(publishId);
    if (!publish) throw new FarmError('UNKNOWN_PUBLISH', `No publish ${publishId} on this local farm.`);
    publish.cancelled = true;
    this.append({ type: 'cancelled', publishId, at: Date.now(), by });
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.publishId === publishId) this.queue.splice(i, 1);
    for (const slot of this.slots)
      if (slot.task?.publishId === publishId)
        slot.child.send({
          type: 'abort',
          jobId: slot.task.id,
          why: 'cancel',
          message: `Cancelled by ${by}`,
        } satisfies ToWorker);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    const exits = [...this.slots].map(
      (slot) =>
        new Promise<void>((resolve) => {
          if (slot.child.exitCode !== null || slot.child.signalCode !== null) return resolve();
          slot.child.once('exit', () => resolve());
          slot.child.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  }
}
