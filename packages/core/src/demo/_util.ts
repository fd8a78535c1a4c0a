// Shared by the demo plug-ins; the leading underscore keeps discovery from loading it as plug-ins.

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** How long the slow demo steps take: PYBLISH_DEMO_DELAY milliseconds (tests set it low), else `ms`. */
export function demoDelay(ms: number): number {
  const fromEnv = Number(process.env.PYBLISH_DEMO_DELAY);
  return Number.isFinite(fromEnv) && process.env.PYBLISH_DEMO_DELAY !== '' ? Math.min(fromEnv, ms) : ms;
}
