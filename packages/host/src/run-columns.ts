// The results of a pyblish.pollRun reply as columns (spec `resultsAs: 'columns'`): one JSON text
// with a list per field, entry i of each being result i's. A run of 10,000 instances sends
// 90,000 results; as XML-RPC structs they cost both ends more than the pairs themselves, as
// columns a few milliseconds per 5,000 (JSON is read and written natively, and each field's name
// travels once, not once a result). Our GUI asks for it; other callers get the list.
import type { ErrorJSON, RecordJSON, RunResultJSON } from './wire.js';

/** The wire form of a batch of results, before JSON.stringify (docs/host.md). */
export interface RunResultColumnsJSON {
  success: boolean[];
  plugin: string[];
  instance: Array<string | null>;
  error: Array<ErrorJSON | null>;
  records: RecordJSON[][];
  duration: number[];
  contextRevision: Array<number | null>;
  /** The first result's recordsStreamed (the pair the GUI followed while it ran), or null. */
  firstRecordsStreamed: number | null;
}

/** `results` as the JSON text of their columns. */
export function packRunResults(results: readonly RunResultJSON[]): string {
  const n = results.length;
  const columns: RunResultColumnsJSON = {
    success: new Array(n),
    plugin: new Array(n),
    instance: new Array(n),
    error: new Array(n),
    records: new Array(n),
    duration: new Array(n),
    contextRevision: new Array(n),
    firstRecordsStreamed: results[0]?.recordsStreamed ?? null,
  };
  for (let i = 0; i < n; i++) {
    const r = results[i] as RunResultJSON;
    columns.success[i] = r.success;
    columns.plugin[i] = r.plugin;
    columns.instance[i] = r.instance;
    columns.error[i] = r.error;
    columns.records[i] = r.records;
    columns.duration[i] = r.duration;
    columns.contextRevision[i] = r.contextRevision ?? null;
  }
  return JSON.stringify(columns);
}

const FIELDS = ['success', 'plugin', 'instance', 'error', 'records', 'duration', 'contextRevision'] as const;

/**
 * The results packed by packRunResults. Throws an Error saying what is wrong when the text is
 * not such columns (the caller names the host and the method); the results' own fields are
 * the caller's to check, as they are in a list.
 */
export function unpackRunResults(text: string): RunResultJSON[] {
  let columns: Partial<RunResultColumnsJSON> | null = null;
  try {
    columns = JSON.parse(text) as Partial<RunResultColumnsJSON>;
  } catch (err) {
    throw new Error(`its result columns are not JSON (${(err as Error).message})`);
  }
  if (typeof columns !== 'object' || columns === null)
    throw new Error('its result columns are not an object');
  const n = Array.isArray(columns.plugin) ? columns.plugin.length : -1;
  for (const field of FIELDS) {
    const column = columns[field];
    if (!Array.isArray(column) || column.length !== n)
      throw new Error(`its result columns lack "${field}", or it is not a list as long as "plugin"`);
  }
  const c = columns as RunResultColumnsJSON;
  const results = new Array<RunResultJSON>(n);
  for (let i = 0; i < n; i++) {
    const result: RunResultJSON = {
      success: c.success[i] as boolean,
      plugin: c.plugin[i] as string,
      instance: c.instance[i] as string | null,
      error: c.error[i] as ErrorJSON | null,
      records: c.records[i] as RecordJSON[],
      duration: c.duration[i] as number,
    };
    const revision = c.contextRevision[i];
    if (revision !== null && revision !== undefined) result.contextRevision = revision;
    results[i] = result;
  }
  const first = results[0];
  if (first && typeof c.firstRecordsStreamed === 'number') first.recordsStreamed = c.firstRecordsStreamed;
  return results;
}
