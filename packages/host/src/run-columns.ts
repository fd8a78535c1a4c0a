// The results of a pyblish.pollRun reply as columns (spec `resultsAs: 'columns'`): one JSON text
// with a list per field, entry i of each being result i's. A run of 10,000 instances sends
// 90,000 results; as XML-RPC structs they cost both ends more than the pairs themselves, as
// columns a few milliseconds per 5,000 (JSON is read and written natively, and each field's name
// travels once, not once a result). Our GUI asks for it; other callers get the list.
import type { ErrorJSON, RecordJSON, RunResultJSON } from './wire.js';

/** The wire form of a batch of results, before JSON.stringify (docs/host.md). */
export interface RunResultColumnsJSON {
  /** The plug-ins of the batch, each once; `plugin` holds places in this list. */
  plugins: string[];
  plugin: number[];
  instance: Array<string | null>;
  success: boolean[];
  /** Milliseconds, to the microsecond. */
  duration: number[];
  contextRevision: Array<number | null>;
  /** The few results with an error or records: [place in the batch, its error or records]. */
  errors: Array<[number, ErrorJSON]>;
  records: Array<[number, RecordJSON[]]>;
  /** The first result's recordsStreamed (the pair the GUI followed while it ran), or null. */
  firstRecordsStreamed: number | null;
}

/** `results` as the JSON text of their columns. */
export function packRunResults(results: readonly RunResultJSON[]): string {
  const n = results.length;
  const places = new Map<string, number>();
  const columns: RunResultColumnsJSON = {
    plugins: [],
    plugin: new Array(n),
    instance: new Array(n),
    success: new Array(n),
    duration: new Array(n),
    contextRevision: new Array(n),
    errors: [],
    records: [],
    firstRecordsStreamed: results[0]?.recordsStreamed ?? null,
  };
  for (let i = 0; i < n; i++) {
    const r = results[i] as RunResultJSON;
    let place = places.get(r.plugin);
    if (place === undefined) {
      place = columns.plugins.push(r.plugin) - 1;
      places.set(r.plugin, place);
    }
    columns.plugin[i] = place;
    columns.instance[i] = r.instance;
    columns.success[i] = r.success;
    columns.duration[i] = Math.round(r.duration * 1000) / 1000;
    columns.contextRevision[i] = r.contextRevision ?? null;
    if (r.error) columns.errors.push([i, r.error]);
    if (r.records.length) columns.records.push([i, r.records]);
  }
  return JSON.stringify(columns);
}

/** The records of every result that has none (most): one frozen list, not one each. */
const NO_RECORDS = Object.freeze([]) as unknown as RecordJSON[];

const LISTS = ['plugin', 'instance', 'success', 'duration', 'contextRevision'] as const;

/** Checks sparse entries ([place, value]) against the batch's length. */
function sparse(entries: unknown, n: number, field: string): void {
  const ok =
    Array.isArray(entries) &&
    entries.every(
      (e) => Array.isArray(e) && e.length === 2 && Number.isInteger(e[0]) && e[0] >= 0 && e[0] < n,
    );
  if (!ok) throw new Error(`its result columns' "${field}" is not a list of [place, value] within the batch`);
}

/** The results packed by packRunResults (readRunColumns, then runResultsOf). */
export function unpackRunResults(text: string): RunResultJSON[] {
  return runResultsOf(readRunColumns(text));
}

/**
 * The columns of packRunResults' text, checked: every list as long as the batch, the sparse
 * entries within it. Throws an Error saying what is wrong when they are not (the caller names
 * the host and the method); the results' own fields are the caller's to check, as in a list.
 */
export function readRunColumns(text: string): RunResultColumnsJSON {
  let columns: Partial<RunResultColumnsJSON> | null = null;
  try {
    columns = JSON.parse(text) as Partial<RunResultColumnsJSON>;
  } catch (err) {
    throw new Error(`its result columns are not JSON (${(err as Error).message})`);
  }
  if (typeof columns !== 'object' || columns === null)
    throw new Error('its result columns are not an object');
  const n = Array.isArray(columns.plugin) ? columns.plugin.length : -1;
  for (const field of LISTS) {
    const column = columns[field];
    if (!Array.isArray(column) || column.length !== n)
      throw new Error(`its result columns lack "${field}", or it is not a list as long as "plugin"`);
  }
  const c = columns as RunResultColumnsJSON;
  if (!Array.isArray(c.plugins)) throw new Error('its result columns lack "plugins"');
  sparse(c.errors, n, 'errors');
  sparse(c.records, n, 'records');
  for (let i = 0; i < n; i++) {
    if (typeof c.plugins[c.plugin[i] as number] !== 'string')
      throw new Error(`its result columns name no plug-in for result ${i}`);
  }
  return c;
}

/** The results of columns readRunColumns checked. */
export function runResultsOf(c: RunResultColumnsJSON): RunResultJSON[] {
  const n = c.plugin.length;
  const results = new Array<RunResultJSON>(n);
  for (let i = 0; i < n; i++) {
    const result: RunResultJSON = {
      success: c.success[i] as boolean,
      plugin: c.plugins[c.plugin[i] as number] as string,
      instance: c.instance[i] as string | null,
      error: null,
      records: NO_RECORDS,
      duration: c.duration[i] as number,
    };
    const revision = c.contextRevision[i];
    if (revision !== null && revision !== undefined) result.contextRevision = revision;
    results[i] = result;
  }
  for (const [i, error] of c.errors) (results[i] as RunResultJSON).error = error;
  for (const [i, list] of c.records) (results[i] as RunResultJSON).records = list;
  const first = results[0];
  if (first && typeof c.firstRecordsStreamed === 'number') first.recordsStreamed = c.firstRecordsStreamed;
  return results;
}
