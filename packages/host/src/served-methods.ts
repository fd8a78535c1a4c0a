// The /pyblish methods as a server serves them, built the same way wherever the server runs: on
// the main thread over the service's handlers, or in the server worker over handlers that forward
// to the main thread. Each method is registered by its declaration (protocol.ts); every call is
// counted here, once; and pyblish.begin's wait is laid over the table's own begin and poll, so it
// is timed on the thread that serves the request (in the worker, a plug-in blocking the main
// thread cannot hold the "not done yet" reply).
import { type HandlersOf, type MethodRegistry, untypedHandler } from '@pyblish/xmlrpc';
import { beginAndWait } from './begin-wait.js';
import { HostMethod, type HostMethodKey } from './protocol.js';
import type { RequestCounter } from './request-counter.js';

/** One handler per /pyblish method. `begin` only starts the pair: its wait is added here. */
export type HostHandlers = HandlersOf<typeof HostMethod>;

/** Liveness is how a GUI watches a busy host: asking it is not a request of the publish. */
const UNCOUNTED: ReadonlySet<HostMethodKey> = new Set(['liveness']);

export function serveMethods<T extends MethodRegistry>(
  registry: T,
  handlers: HostHandlers,
  served: readonly HostMethodKey[],
  requests: RequestCounter,
): T {
  const table: HostHandlers = { ...handlers, begin: beginWaiting(handlers.begin, handlers.poll) };
  for (const key of served) {
    const handler = untypedHandler(table[key]);
    const { name, options } = HostMethod[key];
    if (UNCOUNTED.has(key)) registry.register(name, handler, options);
    else {
      registry.register(
        name,
        (params, call) => {
          requests.add();
          return handler(params, call);
        },
        options,
      );
    }
  }
  return registry;
}

/** pyblish.begin with a wait: the begin, then polls until the pair is done or the wait is over. */
function beginWaiting(begin: HostHandlers['begin'], poll: HostHandlers['poll']): HostHandlers['begin'] {
  return (params, call) => {
    const [plugin, instance, action, waitMs] = params;
    if (waitMs === undefined || waitMs === null) return begin(params, call);
    const steps = {
      begin: async () => String(await begin([plugin, instance, action], call)),
      poll: async (callId: string, afterSeq: number, ms: number) => poll([callId, afterSeq, ms], call),
    };
    return beginAndWait(steps, waitMs);
  };
}
