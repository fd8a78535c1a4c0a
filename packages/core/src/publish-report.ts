// The JSON report of a headless publish (`pyblish publish --json`): what ran, on what, and what
// happened. The CLI writes it; the GUI's viewer reads it.
import type { Context } from './data.js';
import type { Discovery } from './discovery.js';
import type { PluginError } from './errors.js';
import type { LogRecord } from './log.js';
import { describePlugin, type PluginClass, pluginId, pyblishVersion } from './plugin.js';
import type { Result } from './process.js';

export interface ResultReport {
  plugin: { id: string; label: string };
  instance: { id: string; name: string } | null;
  action: string | null;
  success: boolean;
  error: PluginError | null;
  records: LogRecord[];
  duration: number;
}

export interface Failure {
  plugin: string;
  instance: string | null;
  message: string;
  file: string | null;
  line: number | null;
}

export interface Summary {
  success: boolean;
  pairs: number;
  succeeded: number;
  failed: number;
  /** Pairs that logged at WARNING or above without failing. */
  warnings: number;
  stopped: string | null;
  discoveryErrors: number;
  /** Milliseconds for the whole publish. */
  duration: number;
  failures: Failure[];
}

/** "1 pair", "2 pairs": a count and its noun, in the plural unless it is one. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/**
 * The counts of a publish as its last line says them: "9 pairs, 7 succeeded, 2 failed, 1 with
 * warnings in 0.52 s" (the CLI prints it after "Published" or "Failed"; the viewer shows it).
 */
export function summaryCounts(summary: Omit<Summary, 'failures'>): string {
  const parts = [plural(summary.pairs, 'pair'), `${summary.succeeded} succeeded`, `${summary.failed} failed`];
  if (summary.warnings > 0) parts.push(`${summary.warnings} with warnings`);
  if (summary.discoveryErrors > 0) parts.push(plural(summary.discoveryErrors, 'discovery error'));
  return `${parts.join(', ')} in ${(summary.duration / 1000).toFixed(2)} s`;
}

export const WARNING = 30;

export function pluginLabel(plugin: PluginClass): string {
  return typeof plugin.label === 'string' && plugin.label !== '' ? plugin.label : plugin.name;
}

export function hasWarning(result: Pick<Result, 'records'>): boolean {
  return result.records.some((r) => r.levelno >= WARNING);
}

export function summarise(
  results: Result[],
  stopped: string | null,
  discovery: Discovery,
  duration: number,
): Summary {
  return summariseReports(results.map(toResultReport), stopped, discovery.errors.length, duration);
}

/** The summary of results already in report form (a farm's results arrive that way). */
export function summariseReports(
  results: ResultReport[],
  stopped: string | null,
  discoveryErrors: number,
  duration: number,
): Summary {
  const failed = results.filter((r) => !r.success);
  return {
    success: failed.length === 0 && discoveryErrors === 0 && stopped === null,
    pairs: results.length,
    succeeded: results.length - failed.length,
    failed: failed.length,
    warnings: results.filter((r) => r.success && hasWarning(r)).length,
    stopped,
    discoveryErrors,
    duration,
    failures: failed.map((r) => ({
      plugin: r.plugin.label,
      instance: r.instance?.name ?? null,
      message: r.error?.message ?? '',
      file: r.error?.fname ?? null,
      line: r.error?.lineNumber ?? null,
    })),
  };
}

/** One result as plain data: the plug-in and instance by id and name. */
export function toResultReport(r: Result): ResultReport {
  return {
    plugin: { id: pluginId(r.plugin), label: pluginLabel(r.plugin) },
    instance: r.instance ? { id: r.instance.id, name: r.instance.name } : null,
    action: r.action,
    success: r.success,
    error: r.error,
    records: r.records,
    duration: r.duration,
  };
}

/** A JSON-safe copy: functions dropped, cycles and deep nesting cut, bigints as strings. */
export function jsonSafe(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol' || value === undefined) return undefined;
  if (value === null || typeof value !== 'object')
    return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value) || depth > 8) return '[...]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => jsonSafe(v, seen, depth + 1) ?? null);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const safe = jsonSafe(v, seen, depth + 1);
      if (safe !== undefined) out[k] = safe;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

export function buildReport(options: {
  context: Context;
  plugins: PluginClass[];
  targets: string[];
  paths: string[];
  discovery: Discovery;
  results: Result[];
  summary: Summary;
}) {
  const { context, discovery, results } = options;
  const { results: _results, ...contextData } = context.data;
  return {
    pyblish: { version: pyblishVersion, node: process.version },
    targets: options.targets,
    pluginPaths: options.paths,
    context: { id: context.id, name: context.name, data: jsonSafe(contextData) },
    plugins: options.plugins.map(describePlugin),
    instances: [...context].map((i) => ({
      id: i.id,
      name: i.name,
      label: i.label,
      family: i.family,
      families: i.families,
      publish: i.publish,
      data: jsonSafe(i.data),
    })),
    discovery: { errors: discovery.errors, duplicates: discovery.duplicates },
    results: results.map(toResultReport),
    summary: options.summary,
  };
}
