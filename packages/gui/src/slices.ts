// Work whose size a host decides (its instances, its plug-ins) done in slices: a loop over them
// gives the event loop back every few milliseconds, so the 9090 server, other hosts and the
// window are served meanwhile, whatever the host sent.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** The longest a slice runs before it lets the event loop serve others. */
export const SLICE_MS = 8;

export class Slices {
  private start = performance.now();
  private calls = 0;

  /** Call in a loop: resolves at once while the slice lasts, after the event loop's next turn when it is used up. */
  pause(): Promise<void> | null {
    // Reading the clock costs more than a loop step: look every 64 steps.
    if ((++this.calls & 63) !== 0 || performance.now() - this.start < SLICE_MS) return null;
    return nextTurn().then(() => {
      this.start = performance.now();
    });
  }
}

/** `fn` over every item, in slices; `fn` runs synchronously for each. */
export async function eachSliced<T>(
  items: Iterable<T>,
  fn: (item: T) => void,
  slices = new Slices(),
): Promise<void> {
  for (const item of items) {
    fn(item);
    const pause = slices.pause();
    if (pause) await pause;
  }
}
