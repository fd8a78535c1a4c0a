import type { SavedReportInfo } from '@pyblish/gui/view-model';
import { describe, expect, it } from 'vitest';
import { controlsFor, formatTimestamp, savedReportText } from '../src/derive.js';

const info: SavedReportInfo = {
  file: 'reports/shot010.json',
  host: 'Maya (demo)',
  startedAt: '2026-11-25T12:10:32.123Z',
  finishedAt: '2026-11-25T12:10:40.000Z',
  kind: 'publish',
};

describe('a saved report on the page', () => {
  it('allows nothing, whatever phase the report ended in', () => {
    for (const phase of ['ready', 'finished', 'validating'] as const) {
      expect(controlsFor(phase, true)).toEqual({
        reset: false,
        validate: false,
        publish: false,
        stop: false,
        editable: false,
      });
    }
    expect(controlsFor('finished').publish).toBe(true);
  });

  it('says which file, from which host and when, in UTC', () => {
    expect(savedReportText(info)).toBe(
      'Saved report: reports/shot010.json, from Maya (demo), started 2026-11-25 12:10:32 UTC. Read-only: nothing here runs.',
    );
    expect(savedReportText({ ...info, host: null })).toContain(', from no host, ');
    expect(formatTimestamp('yesterday')).toBe('yesterday');
  });
});
