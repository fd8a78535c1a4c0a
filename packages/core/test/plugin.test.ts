import { describe, expect, it } from 'vitest';
import {
  Action,
  assertPlugin,
  Category,
  type Context,
  ContextPlugin,
  checkRequires,
  describePlugin,
  type Instance,
  InstancePlugin,
  isPluginClass,
  Match,
  Order,
  pluginProblem,
  pyblishVersion,
  Separator,
} from '../src/index.js';

class OpenFolder extends Action {
  static override label = 'Open folder';
  static override icon = 'folder-open';
  static override on = 'failed';
  static override doc = 'Opens the output folder.';
  process() {}
}
class NoLabel extends Action {
  process() {}
}
class BadOn extends Action {
  static override on = 'sometimes';
  process() {}
}

class ValidateNames extends InstancePlugin {
  static override order = Order.Validator + 0.1;
  static override families = ['model', 'rig'];
  static override match = Match.Subset;
  static override label = 'Validate names';
  static override optional = true;
  static override version = [1, 2, 3];
  static override actions = [new Category('Fix'), OpenFolder, Separator, NoLabel, BadOn, 'nonsense' as never];
  static override doc = `Names start with a capital.

    Lower-case names break the pipeline.
      Indented line.`;
  process(_instance: Instance) {}
  override repair(_instance: Instance) {}
}

class CollectScene extends ContextPlugin {
  process(_context: Context) {}
}

describe('describePlugin', () => {
  it('describes an instance plug-in as plain data with its metadata', () => {
    const info = describePlugin(ValidateNames);
    expect(info).toMatchObject({
      id: 'ValidateNames',
      name: 'ValidateNames',
      label: 'Validate names',
      order: 1.1,
      type: 'Validator',
      families: ['model', 'rig'],
      hosts: ['*'],
      targets: ['default'],
      match: 2,
      optional: true,
      active: true,
      version: [1, 2, 3],
      requires: 'pyblish>=1',
      hasRepair: true,
      contextEnabled: false,
      instanceEnabled: true,
      module: 'mem',
      path: 'mem:ValidateNames',
    });
    expect(info.doc).toBe(
      'Names start with a capital.\n\nLower-case names break the pipeline.\n  Indented line.',
    );
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });

  it('gives a context plug-in the base defaults (order -1, type Other, no label, no repair)', () => {
    expect(describePlugin(CollectScene)).toMatchObject({
      order: -1,
      type: 'Other',
      label: null,
      families: ['*'],
      hasRepair: false,
      contextEnabled: true,
      instanceEnabled: false,
      doc: null,
      actions: [],
    });
  });

  it('describes actions, categories and separators, and flags malformed actions instead of failing', () => {
    const actions = describePlugin(ValidateNames).actions;
    expect(actions.map((a) => [a.type, a.id, a.label])).toEqual([
      ['category', 'category-Fix', 'Fix'],
      ['action', 'OpenFolder', 'Open folder'],
      ['separator', 'separator-2', ''],
      ['action', 'NoLabel', 'NoLabel'],
      ['action', 'BadOn', 'BadOn'],
      ['action', 'invalid-5', 'invalid-5'],
    ]);
    expect(actions[1]).toMatchObject({
      icon: 'folder-open',
      on: 'failed',
      description: 'Opens the output folder.',
      error: null,
    });
    expect(actions[3]).toMatchObject({ on: 'all', icon: '', error: null });
    expect(actions[4]!.error).toMatch(/"on" is "sometimes"; use one of all, notProcessed/);
    expect(actions[5]!.error).toMatch(/Not an Action/);
  });
});

describe('plug-in validation', () => {
  it('recognises concrete plug-in classes but not the base classes or other values', () => {
    expect(isPluginClass(ValidateNames)).toBe(true);
    expect(isPluginClass(CollectScene)).toBe(true);
    expect(isPluginClass(ContextPlugin)).toBe(false);
    expect(isPluginClass(InstancePlugin)).toBe(false);
    expect(isPluginClass(OpenFolder)).toBe(false);
    expect(isPluginClass({ kind: 'context' })).toBe(false);
  });

  it('reports malformed metadata with a reason that says what to write', () => {
    class BadFamilies extends ContextPlugin {
      static override families = 'model' as unknown as string[];
      process() {}
    }
    class BadOrder extends ContextPlugin {
      static override order = Number.NaN;
      process() {}
    }
    class BadMatch extends ContextPlugin {
      static override match = 3 as Match;
      process() {}
    }
    class TooNew extends ContextPlugin {
      static override requires = 'pyblish>=99';
      process() {}
    }
    expect(pluginProblem(BadFamilies)).toMatch(/"families" must be a list of strings/);
    expect(pluginProblem(BadOrder)).toMatch(/"order" must be a finite number/);
    expect(pluginProblem(BadMatch)).toMatch(/"match" must be/);
    expect(pluginProblem(TooNew)).toMatch(/requires pyblish>=99/);
    expect(pluginProblem(ValidateNames)).toBeNull();
    expect(() => assertPlugin(BadOrder)).toThrow(expect.objectContaining({ code: 'INVALID_PLUGIN' }));
    expect(() => assertPlugin(42)).toThrow(/not a plug-in/);
  });

  it('checks version requirements against the implemented pyblish API', () => {
    expect(pyblishVersion).toBe('1.9.0');
    expect(checkRequires('pyblish')).toBeNull();
    expect(checkRequires('pyblish>=1.8,<2')).toBeNull();
    expect(checkRequires('pyblish==1.9.0')).toBeNull();
    expect(checkRequires('pyblish<1')).toMatch(/requires pyblish<1/);
    expect(checkRequires('pyblish>=one')).toMatch(/unreadable/);
    expect(checkRequires('maya>=2020')).toMatch(/write it as/);
  });
});
