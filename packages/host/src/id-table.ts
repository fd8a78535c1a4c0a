// The begun pairs (and the host-side runs) a host keeps by id: the ones under way, and the last
// few that ended, until their last poll has fetched what they left.
export class IdTable<T extends { readonly id: string; readonly done: boolean }, A extends unknown[] = []> {
  private readonly items = new Map<string, T>();
  private next = 0;

  /**
   * @param prefix starts each id (`call-3-…`, `run-1-…`)
   * @param keepEnded how many ended ones are kept
   */
  constructor(
    private readonly prefix: string,
    private readonly keepEnded: number,
    private readonly make: (id: string, ...args: A) => T,
  ) {}

  /** A new item; `args` go to `make` after its id. */
  create(...args: A): T {
    const item = this.make(`${this.prefix}-${++this.next}-${Date.now().toString(36)}`, ...args);
    this.items.set(item.id, item);
    const ended = [...this.items.values()].filter((i) => i.done);
    for (const i of ended.slice(0, Math.max(0, ended.length - this.keepEnded))) this.items.delete(i.id);
    return item;
  }

  get(id: string): T | undefined {
    return this.items.get(id);
  }
}
