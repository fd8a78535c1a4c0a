// What the GUI keeps of each host across its resets, for as long as the GUI runs: the publish's
// comment and the artist's toggles. Kept per host process (a host restarted with a new token is a
// new entry and starts afresh) and never shared between hosts: a comment typed while one host was
// shown cannot reach another. Not kept across a GUI restart: a restarted GUI cannot know that a
// host it meets again holds the same scene.
// Toggles are remembered by identity, since a reset makes new ids: an instance by its family and
// name (two instances with both the same get the same toggle), a plug-in by its id (its class name).

/** One host's memory. */
export interface HostMemory {
  /** The context comment: the publish's. */
  comment: string;
  /** Instance identity (instanceIdentity) -> publish, where the artist changed it. */
  instances: Map<string, boolean>;
  /** Plug-in id -> active, where the artist changed it. */
  plugins: Map<string, boolean>;
}

export function instanceIdentity(row: { family: string | null; name: string }): string {
  return `${row.family ?? ''}\u0000${row.name}`;
}

export class HostMemories {
  private readonly memories = new WeakMap<object, HostMemory>();

  /** The memory of `host` (any object that stands for one host process: its registry entry). */
  of(host: object): HostMemory {
    let memory = this.memories.get(host);
    if (!memory) {
      memory = { comment: '', instances: new Map(), plugins: new Map() };
      this.memories.set(host, memory);
    }
    return memory;
  }
}
