/** Bounds applied to every message decoded (and, for depth, encoded). */
export interface Limits {
  /** Largest body accepted, before and after gzip inflation (bytes). */
  maxBodyBytes: number;
  /** Deepest nesting of arrays and structs. */
  maxDepth: number;
  /** Most members in one struct. */
  maxStructMembers: number;
  /** Longest single string, name or scalar text (UTF-16 code units). */
  maxStringLength: number;
  /** Most calls in one `system.multicall`. */
  maxMulticall: number;
}

export const defaultLimits: Readonly<Limits> = Object.freeze({
  maxBodyBytes: 64 * 1024 * 1024,
  maxDepth: 100,
  maxStructMembers: 10_000,
  maxStringLength: 16 * 1024 * 1024,
  maxMulticall: 64,
});

const resolved = new WeakSet<Limits>([defaultLimits]);

/** Fills in defaults; a result passed back in is returned as it is (decoders are made per message). */
export function resolveLimits(limits?: Partial<Limits>): Limits {
  if (limits === undefined) return defaultLimits;
  if (resolved.has(limits as Limits)) return limits as Limits;
  const full = { ...defaultLimits, ...limits };
  resolved.add(full);
  return full;
}
