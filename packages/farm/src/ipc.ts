// The messages between the local dispatcher and its worker processes (Node's IPC channel).
import type { FarmEvent } from './events.js';

export interface ClaimMessage {
  document: unknown;
  jobId: string;
  publishId: string;
  attempt: number;
  lastAttempt: boolean;
  previous: string | null;
}

export type ToWorker =
  | { type: 'job'; claim: ClaimMessage }
  /** Stop the job: 'cancel' ends it for good, 'handback' returns it to the queue. */
  | { type: 'abort'; jobId: string; why: 'cancel' | 'handback'; message: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'event'; event: FarmEvent }
  | { type: 'done'; jobId: string }
  | { type: 'failed'; jobId: string; retry: boolean; message: string }
  | { type: 'handback'; jobId: string };
