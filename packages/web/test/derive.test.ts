import type { ActionRow, TerminalEntry } from '@pyblish/gui/view-model';
import { describe, expect, it } from 'vitest';
import {
  actionProblem,
  buildListItems,
  buildReport,
  controlsFor,
  menuEntries,
  openErrors,
  reportText,
  sinceLastReset,
  terminalFilter,
} from '../src/derive.js';
import { instanceRow, pluginRow } from './support/fixture.js';

const ctx = instanceRow('ctx', 'Context', '', { isContext: true, family: null, families: [], category: '' });

describe('overview lists', () => {
  it('puts the context first and shows one header per category even when categories interleave', () => {
    const rows = [
      ctx,
      instanceRow('a', 'A', 'model'),
      instanceRow('b', 'B', 'rig'),
      instanceRow('c', 'C', 'model'),
    ];
    const items = buildListItems(rows, { query: '', collapsed: new Set() });
    expect(items.map((i) => (i.type === 'section' ? `#${i.key}` : i.id))).toEqual([
      'ctx',
      '#model',
      'a',
      'c',
      '#rig',
      'b',
    ]);
  });

  it('hides plug-ins without compatible instances and rows of collapsed sections', () => {
    const rows = [
      pluginRow('c', 'Collect', 0),
      pluginRow('v', 'Validate', 1),
      pluginRow('x', 'Validate other', 1, { hasCompatible: false }),
    ];
    const items = buildListItems(rows, { query: '', collapsed: new Set(['Collect']) });
    expect(items.map((i) => (i.type === 'section' ? `#${i.key}` : i.id))).toEqual([
      '#Collect',
      '#Validate',
      'v',
    ]);
  });

  it('searches labels and families, showing matches inside collapsed sections', () => {
    const rows = [ctx, instanceRow('a', 'Box', 'model'), instanceRow('b', 'Hero', 'rig')];
    const items = buildListItems(rows, { query: 'RIG', collapsed: new Set(['rig']) });
    expect(items.map((i) => (i.type === 'section' ? `#${i.key}` : i.id))).toEqual(['#rig', 'b']);
  });
});

describe('footer controls', () => {
  it('offers Stop only while running and the rest only while idle', () => {
    expect(controlsFor('ready')).toMatchObject({ reset: true, validate: true, publish: true, stop: false });
    expect(controlsFor('validating')).toMatchObject({
      reset: false,
      validate: false,
      publish: false,
      stop: true,
    });
    expect(controlsFor('stopping')).toMatchObject({ reset: false, stop: false });
    expect(controlsFor('acting')).toMatchObject({ reset: false, publish: false, stop: true });
    expect(controlsFor('noHost')).toMatchObject({
      reset: false,
      validate: false,
      publish: false,
      stop: false,
    });
  });
});

describe('action menus', () => {
  const a = (id: string, kind: ActionRow['kind'], available = true): ActionRow => ({
    id,
    label: id,
    icon: '',
    on: 'all',
    kind,
    active: true,
    error: null,
    available,
  });
  it('drops unavailable actions, categories with nothing under them and stray separators', () => {
    const entries = menuEntries([
      a('cat1', 'category'),
      a('hidden', 'action', false),
      a('sep0', 'separator'),
      a('cat2', 'category'),
      a('run', 'action'),
      a('sep1', 'separator'),
    ]);
    expect(entries.map((e) => e.id)).toEqual(['cat2', 'run']);
  });
  it('says why an action cannot run: a broken one names its problem, an inactive one says so', () => {
    expect(actionProblem(a('run', 'action'))).toBeNull();
    expect(actionProblem({ ...a('bad', 'action'), error: '"on" is not one of all, failed...' })).toBe(
      'There is a problem with this action: "on" is not one of all, failed...',
    );
    expect(actionProblem({ ...a('off', 'action'), active: false })).toBe('Action not active.');
  });
});

describe('the validation report', () => {
  const error = (
    seq: number,
    pluginId: string,
    instanceId: string | null,
    message: string,
  ): TerminalEntry => ({
    seq,
    type: 'error',
    pluginId,
    instanceId,
    error: { message, fname: 'v.ts', lineNumber: 3, func: 'process', exc: 'Error' },
  });
  it('lists each error once with every instance that failed with it, in plug-in order', () => {
    const report = buildReport(
      [error(1, 'v2', 'a', 'No UVs'), error(2, 'v1', 'a', 'No normals'), error(3, 'v1', 'b', 'No normals')],
      ['v1', 'v2'],
    );
    expect(report.map((r) => r.pluginId)).toEqual(['v1', 'v2']);
    expect(report[0]?.errors).toHaveLength(1);
    expect(report[0]?.errors[0]?.instances).toEqual(['a', 'b']);
  });

  it('drops what a repair fixed', () => {
    const report = buildReport(
      [error(1, 'v1', 'a', 'No normals'), error(2, 'v1', 'b', 'No normals')],
      ['v1'],
    );
    const open = openErrors(report, (_plugin, instance) => instance === 'b');
    expect(open[0]?.errors[0]?.instances).toEqual(['b']);
    expect(openErrors(report, () => false)[0]?.errors).toEqual([]);
  });

  it('starts at the last reset', () => {
    const entries: TerminalEntry[] = [
      error(1, 'v1', 'a', 'old'),
      { seq: 2, type: 'context', header: {} },
      error(3, 'v1', 'a', 'new'),
    ];
    expect(sinceLastReset(entries).map((e) => e.seq)).toEqual([2, 3]);
  });

  it("keeps a farm job's last run, with the machines that ran it and the label of a plug-in the list lacks", () => {
    const onFarm = (entry: TerminalEntry, jobId: string, attempt: number, machine: string): TerminalEntry =>
      ({
        ...entry,
        farm: { jobId, attempt, machine },
      }) as TerminalEntry;
    const report = buildReport(
      [
        onFarm(error(1, 'extract', 'a', 'disk full'), 'instance-a', 1, 'farm1:10'),
        onFarm(error(2, 'extract', 'a', 'no faces'), 'instance-a', 2, 'farm2:20'),
        onFarm(error(3, 'extract', 'b', 'no faces'), 'instance-b', 1, 'farm1:10'),
        {
          ...onFarm(error(4, 'farm-job:context', null, 'lost 3 times'), 'context', 1, 'farm2:20'),
          label: 'Context job',
        } as TerminalEntry,
      ],
      ['extract'],
    );
    expect(report[0]?.errors.map((e) => [e.message, e.instances, e.farm.map((f) => f.machine)])).toEqual([
      ['no faces', ['a', 'b'], ['farm2:20', 'farm1:10']],
    ]);
    expect(report[1]).toMatchObject({ pluginId: 'farm-job:context', label: 'Context job' });
    const text = reportText(
      report,
      (id) => id.toUpperCase(),
      (id) => id ?? 'Context',
    );
    expect(text).toContain('EXTRACT: no faces (v.ts:3) [on the farm: farm2:20, farm1:10]');
    expect(text).toContain('Context job: lost 3 times (v.ts:3) [on the farm: farm2:20]');
  });
});

describe('terminal filters', () => {
  const record = (seq: number, levelname: 'DEBUG' | 'INFO', message: string): TerminalEntry => ({
    seq,
    type: 'record',
    pluginId: 'p',
    instanceId: null,
    record: {
      message,
      levelname,
      levelno: levelname === 'DEBUG' ? 10 : 20,
      name: 'p',
      filename: 'p.ts',
      pathname: '/p.ts',
      lineno: 1,
      funcName: 'process',
      threadName: 'main',
      created: 0,
      msecs: 0,
    },
  });
  it('applies the text filter and the level toggles together', () => {
    const keep = terminalFilter(new Set(['INFO']), 'mesh');
    expect(keep(record(1, 'INFO', 'Checking mesh'))).toHaveLength(1);
    expect(keep(record(2, 'DEBUG', 'Checking mesh'))).toEqual([]);
    expect(keep(record(3, 'INFO', 'Checking rig'))).toEqual([]);
  });

  it("keeps the heading of a plug-in with a matching line, once, and no other plug-in's", () => {
    const heading = (seq: number, pluginId: string): TerminalEntry => ({
      seq,
      type: 'plugin',
      pluginId,
      label: pluginId,
    });
    const keep = terminalFilter(new Set(['INFO']), 'mesh');
    const entries = [
      heading(1, 'q'),
      { ...record(2, 'INFO', 'Checking rig'), pluginId: 'q' },
      heading(3, 'p'),
      record(4, 'INFO', 'Checking rig'),
      record(5, 'INFO', 'Checking mesh'),
      record(6, 'INFO', 'Checked mesh'),
    ];
    expect(entries.flatMap(keep).map((e) => e.seq)).toEqual([3, 5, 6]);
  });
});
