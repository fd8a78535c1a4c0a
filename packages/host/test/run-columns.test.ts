// A run's results as columns (run-columns.ts): what the host packs is what a reader unpacks, and
// text that is not such columns is refused saying what is wrong with it.
import { describe, expect, it } from 'vitest';
import { packRunResults, unpackRunResults } from '../src/run-columns.js';
import type { RunResultJSON } from '../src/wire.js';

const record = {
  name: 'pyblish.ValidateNames',
  levelname: 'WARNING',
  levelno: 30,
  message: 'item <b> & "c"',
} as RunResultJSON['records'][number];

const results: RunResultJSON[] = [
  {
    success: true,
    plugin: 'Collect',
    instance: null,
    error: null,
    records: [],
    duration: 1.5,
    contextRevision: 3,
    recordsStreamed: 2,
  },
  {
    success: false,
    plugin: 'ValidateNames',
    instance: 'id-1',
    error: { message: 'bad name', fname: 'v.ts', line_number: 3, func: 'process', exc: null },
    records: [record],
    duration: 0.25,
  },
];

describe('result columns', () => {
  it('unpack to the results packed, field by field (durations to the microsecond)', () => {
    const precise = { ...(results[0] as RunResultJSON), duration: 0.123456789 };
    expect(unpackRunResults(packRunResults([precise]))[0]?.duration).toBe(0.123);
    expect(unpackRunResults(packRunResults(results))).toEqual(results);
    expect(unpackRunResults(packRunResults([]))).toEqual([]);
  });

  it('are refused, saying why, when they are not JSON, not an object or a column is missing or short', () => {
    expect(() => unpackRunResults('{"plugin": [')).toThrow(/result columns are not JSON/);
    expect(() => unpackRunResults('[1, 2]')).toThrow(/lack "plugin"/);
    expect(() => unpackRunResults('null')).toThrow(/not an object/);
    const columns = JSON.parse(packRunResults(results));
    columns.duration.pop();
    expect(() => unpackRunResults(JSON.stringify(columns))).toThrow(
      /lack "duration", or it is not a list as long as "plugin"/,
    );
  });
});
