// Promises that resolve once a condition on the GUI's state holds: each waiter's predicate is
// checked after every change (the controller calls check), and fails the wait when it throws
// or when time runs out (with what the state was then, to say what it was waiting in).
export class Waiters {
  private readonly waiting = new Set<() => void>();

  constructor(private readonly describe: () => string) {}

  /** Resolves when `predicate` holds (checked now and after every change). */
  until(predicate: () => boolean, timeoutMs: number): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(check);
        reject(new Error(`Timed out waiting; the GUI is ${this.describe()}`));
      }, timeoutMs);
      const check = () => {
        let outcome: boolean | Error;
        try {
          outcome = predicate();
        } catch (err) {
          outcome = err instanceof Error ? err : new Error(String(err));
        }
        if (outcome === false) return;
        clearTimeout(timer);
        this.waiting.delete(check);
        if (outcome === true) resolve();
        else reject(outcome);
      };
      this.waiting.add(check);
    });
  }

  /** Something changed: every waiter checks its predicate. */
  check(): void {
    for (const w of [...this.waiting]) w();
  }
}
