// The host's request count (`stats`), in shared memory: the thread that serves /pyblish counts
// each call as it takes it (the server worker, or the main thread), and `stats` reads the count
// on the main thread. One counter, counted in one place (serveMethods).
export class RequestCounter {
  private readonly slot: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.slot = new BigInt64Array(buffer, 0, 1);
  }

  add(): void {
    Atomics.add(this.slot, 0, 1n);
  }

  get count(): number {
    return Number(Atomics.load(this.slot, 0));
  }
}
