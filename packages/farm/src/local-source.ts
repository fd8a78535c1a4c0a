// The worker side of the local farm: jobs arrive from the dispatcher over this process's IPC
// channel, one at a time; events go back the same way.
import type { Claim, JobHandler, WorkSource } from './backend.js';
import { HandBack, JobFailure } from './errors.js';
import type { FromWorker, ToWorker } from './ipc.js';

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send)
      return reject(new Error('This worker has no IPC channel: start it from a local farm.'));
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

export class IpcWorkSource implements WorkSource {
  private current: { jobId: string; controller: AbortController; done: Promise<void> } | null = null;
  private listener: ((message: ToWorker) => void) | null = null;

  async serve(handler: JobHandler): Promise<void> {
    this.listener = (message: ToWorker) => {
      if (message.type === 'abort') {
        if (this.current?.jobId === message.jobId)
          this.current.controller.abort(
            message.why === 'handback' ? new HandBack() : new Error(message.message),
          );
        return;
      }
      const controller = new AbortController();
      let pending: Promise<void> = Promise.resolve();
      const claim: Claim = {
        ...message.claim,
        signal: controller.signal,
        emit: (event) => {
          pending = pending.then(() => send({ type: 'event', event }));
        },
        flush: () => pending,
      };
      const { jobId } = message.claim;
      const done = handler(claim).then(
        () => send({ type: 'done', jobId }),
        (error: unknown) =>
          error instanceof HandBack
            ? send({ type: 'handback', jobId })
            : send({
                type: 'failed',
                jobId,
                retry: !(error instanceof JobFailure) || error.retry,
                message: (error as Error).message,
              }),
      );
      this.current = { jobId, controller, done: done.finally(() => (this.current = null)) };
    };
    process.on('message', this.listener);
    await send({ type: 'ready' });
  }

  async stop(graceMs: number): Promise<void> {
    if (this.listener) process.off('message', this.listener);
    const current = this.current;
    if (current) {
      const timer = setTimeout(() => current.controller.abort(new HandBack()), graceMs);
      await current.done;
      clearTimeout(timer);
    }
    process.disconnect?.();
  }
}
