// Plug-ins and actions: classes with static metadata. Nothing here inspects parameter names; the
// base class a plug-in extends (ContextPlugin or InstancePlugin) says what its `process` receives.
import { basename, extname } from 'node:path';
import type { Context, Instance } from './data.js';
import { PyblishError } from './errors.js';
import type { Logger } from './log.js';
import { type PluginType, pluginType } from './logic.js';

/** The pyblish-base API level this core implements; a plug-in's `requires` is checked against it. */
export const pyblishVersion = '1.9.0';

export const Order = { Collector: 0, Validator: 1, Extractor: 2, Integrator: 3 } as const;

/** How a plug-in's families (and targets) are compared with an instance's (or the session's). */
export enum Match {
  /** At least one in common. */
  Intersection = 1,
  /** Every one of the plug-in's is present. */
  Subset = 2,
  /** Both sets are equal. */
  Exact = 4,
}

export interface ProcessApi {
  log: Logger;
  /** Aborted when the caller cancels the call; long-running plug-ins should honour it. */
  signal: AbortSignal;
  context: Context;
}

export const ACTION_ON = [
  'all',
  'notProcessed',
  'processed',
  'failed',
  'succeeded',
  'warning',
  'failedOrWarning',
] as const;
export type ActionOn = (typeof ACTION_ON)[number];

/** A command offered next to a plug-in (in a GUI's context menu); runs at context level. */
export abstract class Action {
  static readonly kind: string = 'action';
  static label: string | null = null;
  /** A Font Awesome icon name, or an image path. */
  static icon = '';
  /** When the action is offered, relative to the plug-in's state. */
  static on: ActionOn | string = 'all';
  static active = true;
  static doc: string | null = null;
  abstract process(context: Context, plugin: PluginClass, api: ProcessApi): void | Promise<void>;
}

export type ActionClass = typeof Action;

/** A line between actions in a menu. Use the class itself or an instance in `static actions`. */
export class Separator {
  readonly type = 'separator';
}

/** A heading grouping the actions that follow it: `new Category('Debug')`. */
export class Category {
  readonly type = 'category';
  constructor(readonly label: string) {}
}

export type ActionEntry = ActionClass | typeof Separator | Separator | Category;

abstract class PluginBase {
  /** Processing order; its integer neighbourhood gives the type (see Order and pluginType). */
  static order = -1;
  static families: readonly string[] = ['*'];
  static hosts: readonly string[] = ['*'];
  static targets: readonly string[] = ['default'];
  static match: Match = Match.Intersection;
  /** Shown instead of the class name. */
  static label: string | null = null;
  /** The user may switch it off in a GUI. */
  static optional = false;
  /** Inactive plug-ins are never processed (an optional one may be switched on by the user). */
  static active = true;
  static version: readonly number[] = [0, 0, 0];
  static actions: readonly ActionEntry[] = [];
  /** Version requirement on the pyblish API, e.g. 'pyblish>=1'. */
  static requires = 'pyblish>=1';
  /** Documentation; the first line is the summary. */
  static doc: string | null = null;
  /** Grouping hint for GUIs. */
  static category: string | null = null;
}

/** Processes the context once. */
export abstract class ContextPlugin extends PluginBase {
  static readonly kind: 'context' | 'instance' = 'context';
  static readonly contextEnabled: boolean = true;
  static readonly instanceEnabled: boolean = false;
  abstract process(context: Context, api: ProcessApi): void | Promise<void>;
  repair?(context: Context, api: ProcessApi): void | Promise<void>;
}

/** Processes each compatible instance. */
export abstract class InstancePlugin extends PluginBase {
  static readonly kind: 'context' | 'instance' = 'instance';
  static readonly contextEnabled: boolean = false;
  static readonly instanceEnabled: boolean = true;
  abstract process(instance: Instance, api: ProcessApi): void | Promise<void>;
  repair?(instance: Instance, api: ProcessApi): void | Promise<void>;
}

export type PluginClass = typeof ContextPlugin | typeof InstancePlugin;
export type PluginObject = ContextPlugin | InstancePlugin;

export interface ActionInfo {
  /** The class name; unique within a plug-in's actions. */
  id: string;
  label: string;
  description: string | null;
  active: boolean;
  icon: string;
  on: string;
  type: 'action' | 'category' | 'separator';
  /** Why this entry is unusable (bad `on`, not an action...), or null. */
  error: string | null;
}

export interface PluginInfo {
  id: string;
  name: string;
  label: string | null;
  order: number;
  type: PluginType;
  families: string[];
  hosts: string[];
  targets: string[];
  match: number;
  optional: boolean;
  active: boolean;
  version: [number, number, number];
  requires: string;
  doc: string | null;
  category: string | null;
  module: string;
  path: string;
  hasRepair: boolean;
  contextEnabled: boolean;
  instanceEnabled: boolean;
  actions: ActionInfo[];
}

interface Source {
  path: string;
  module: string;
}

// Where each discovered class came from; classes registered in memory have none.
const sources = new WeakMap<object, Source>();

export function setPluginSource(plugin: object, path: string): void {
  sources.set(plugin, { path, module: basename(path, extname(path)) });
}

export function pluginSource(plugin: PluginClass): Source {
  return sources.get(plugin) ?? { path: `mem:${plugin.name}`, module: 'mem' };
}

/** The plug-in's id: its class name (made unique by discovery's duplicate rule), stable across resets. */
export function pluginId(plugin: PluginClass): string {
  return plugin.name;
}

/**
 * True for concrete plug-in classes, also ones built against another copy of this module
 * (discovery may load plug-in files in a separate module graph): the check is on the `kind` brand,
 * and the two base classes, which own it, are excluded.
 */
export function isPluginClass(value: unknown): value is PluginClass {
  if (typeof value !== 'function') return false;
  const kind = (value as { kind?: unknown }).kind;
  return (kind === 'context' || kind === 'instance') && !Object.hasOwn(value, 'kind');
}

export function isInstancePlugin(plugin: PluginClass): plugin is typeof InstancePlugin {
  return plugin.kind === 'instance';
}

function isActionClass(value: unknown): value is ActionClass {
  return typeof value === 'function' && (value as { kind?: unknown }).kind === 'action';
}

/** Removes the common indentation and surrounding blank lines, like Python's inspect.cleandoc. */
export function cleanDoc(doc: unknown): string | null {
  if (typeof doc !== 'string' || doc.trim() === '') return null;
  const lines = doc.replace(/\r\n?/g, '\n').split('\n');
  const first = (lines.shift() ?? '').trim();
  const indents = lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length);
  const indent = indents.length > 0 ? Math.min(...indents) : 0;
  return [first, ...lines.map((l) => l.slice(indent).trimEnd())].join('\n').trim();
}

export function describeAction(entry: unknown, index: number): ActionInfo {
  const base = { description: null, active: true, icon: '', on: 'all', error: null };
  if (
    entry === Separator ||
    entry instanceof Separator ||
    (entry as { type?: unknown })?.type === 'separator'
  ) {
    return { ...base, id: `separator-${index}`, label: '', type: 'separator' };
  }
  if (entry instanceof Category || (entry as { type?: unknown })?.type === 'category') {
    const label = String((entry as { label?: unknown }).label ?? '');
    return { ...base, id: `category-${label}`, label, type: 'category' };
  }
  if (!isActionClass(entry)) {
    const id = typeof entry === 'function' ? entry.name : `invalid-${index}`;
    return {
      ...base,
      id,
      label: id,
      type: 'action',
      error: 'Not an Action: extend Action from @pyblish/core.',
    };
  }
  const on = String(entry.on);
  const problems: string[] = [];
  if (!(ACTION_ON as readonly string[]).includes(on)) {
    problems.push(`"on" is "${on}"; use one of ${ACTION_ON.join(', ')}.`);
  }
  if (typeof entry.prototype.process !== 'function') problems.push('It has no process method.');
  return {
    id: entry.name,
    label: typeof entry.label === 'string' && entry.label !== '' ? entry.label : entry.name,
    description: cleanDoc(entry.doc),
    active: entry.active !== false,
    icon: typeof entry.icon === 'string' ? entry.icon : '',
    on,
    type: 'action',
    error: problems.length > 0 ? problems.join(' ') : null,
  };
}

/** Finds a runnable action of a plug-in by id. */
export function findAction(plugin: PluginClass, actionId: string): ActionClass | undefined {
  return (plugin.actions ?? []).find((a): a is ActionClass => isActionClass(a) && a.name === actionId);
}

function version3(v: readonly unknown[] | undefined): [number, number, number] {
  const n = (i: number) => (typeof v?.[i] === 'number' ? (v[i] as number) : 0);
  return [n(0), n(1), n(2)];
}

/** The plain-data description of a plug-in: what logic.ts, the wire and reports use. */
export function describePlugin(plugin: PluginClass): PluginInfo {
  const instanceEnabled = isInstancePlugin(plugin);
  const source = pluginSource(plugin);
  return {
    id: pluginId(plugin),
    name: plugin.name,
    label: typeof plugin.label === 'string' && plugin.label !== '' ? plugin.label : null,
    order: plugin.order,
    type: pluginType(plugin.order),
    families: [...plugin.families],
    hosts: [...plugin.hosts],
    targets: [...plugin.targets],
    match: plugin.match,
    optional: plugin.optional,
    active: plugin.active,
    version: version3(plugin.version),
    requires: plugin.requires,
    doc: cleanDoc(plugin.doc),
    category: typeof plugin.category === 'string' ? plugin.category : null,
    module: source.module,
    path: source.path,
    hasRepair: typeof plugin.prototype.repair === 'function',
    contextEnabled: !instanceEnabled,
    instanceEnabled,
    actions: (plugin.actions ?? []).map(describeAction),
  };
}

const OPERATORS: Record<string, (cmp: number) => boolean> = {
  '>=': (c) => c >= 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '<': (c) => c < 0,
  '==': (c) => c === 0,
  '!=': (c) => c !== 0,
};

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Why a `requires` string is not met by this core ('pyblish>=1,<2'), or null when it is. */
export function checkRequires(requires: string): string | null {
  const m = /^\s*pyblish\s*(.*)$/i.exec(requires);
  if (!m) return `"requires" is "${requires}"; write it as e.g. "pyblish>=1".`;
  const specs = (m[1] ?? '').trim();
  if (specs === '') return null;
  for (const spec of specs.split(',')) {
    const s = /^\s*(>=|<=|==|!=|>|<)\s*(\d+(?:\.\d+)*)\s*$/.exec(spec);
    if (!s) return `"requires" has an unreadable part "${spec.trim()}"; write it as e.g. "pyblish>=1".`;
    if (!OPERATORS[s[1]!]!(compareVersions(pyblishVersion, s[2]!))) {
      return `It requires ${requires.trim()}, and this core implements pyblish ${pyblishVersion}.`;
    }
  }
  return null;
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Why a plug-in class cannot be used, or null when it is valid. */
export function pluginProblem(plugin: PluginClass): string | null {
  const p = plugin as unknown as Record<string, unknown> & { prototype: Record<string, unknown> };
  if (typeof p.prototype?.process !== 'function') return 'It has no process method.';
  if (typeof p.order !== 'number' || !Number.isFinite(p.order)) return '"order" must be a finite number.';
  for (const key of ['families', 'hosts', 'targets']) {
    if (!isStringList(p[key])) return `"${key}" must be a list of strings, e.g. ['*'].`;
  }
  if (![Match.Intersection, Match.Subset, Match.Exact].includes(p.match as Match)) {
    return '"match" must be Match.Intersection, Match.Subset or Match.Exact.';
  }
  for (const key of ['optional', 'active']) {
    if (typeof p[key] !== 'boolean') return `"${key}" must be true or false.`;
  }
  if (!Array.isArray(p.actions)) return '"actions" must be a list.';
  if (typeof p.requires !== 'string') return '"requires" must be a string such as "pyblish>=1".';
  return checkRequires(p.requires);
}

/** Throws a PyblishError (code INVALID_PLUGIN) when the class is not a usable plug-in. */
export function assertPlugin(plugin: unknown): asserts plugin is PluginClass {
  if (!isPluginClass(plugin)) {
    throw new PyblishError(
      'INVALID_PLUGIN',
      `${String(plugin)} is not a plug-in: extend ContextPlugin or InstancePlugin.`,
    );
  }
  const problem = pluginProblem(plugin);
  if (problem) throw new PyblishError('INVALID_PLUGIN', `Plug-in ${plugin.name}: ${problem}`);
}
