// The JSON report of a headless publish (`pyblish publish --json FILE`, e.g. on a render farm or
// in CI) recognised by its shape, checked, and turned into the GUI's own report so the viewer
// shows it with the rows and terminal a live run makes. @pyblish/core's publish-report.ts writes it; the
// types here say what the viewer reads of it, looser where older files may differ. Pure: the
// caller reads the file.

import { instancesByPlugin, isPublished, matches, type Summary, summaryCounts } from '@pyblish/core';
import {
  checkError,
  checkRecords,
  fields,
  INSTANCE_NAMING,
  isObject,
  type Json,
  listOf,
  object,
} from './json-check.js';
import type { PluginRow, Report, SavedReportInfo } from './view-model.js';
import type { NewTerminalEntry } from './view-state.js';

/** What the viewer reads of a plug-in in the CLI report (core's describePlugin). */
interface CliPlugin {
  id: string;
  name: string;
  label: string | null;
  order: number;
  type: PluginRow['type'];
  families: string[];
  targets: string[];
  match: number;
  optional?: boolean;
  active: boolean;
  doc?: string | null;
  module: string;
  path: string;
  instanceEnabled: boolean;
}

interface CliInstance {
  id: string;
  name: string;
  label: string;
  family: string | null;
  families: string[];
  publish: boolean;
}

interface CliResult {
  plugin: { id: string; label: string };
  instance: { id: string; name: string } | null;
  action: string | null;
  success: boolean;
  error: Report['results'][number]['error'];
  records: Report['results'][number]['records'];
  duration: number;
}

/** What the viewer reads of the summary: its failures come from the results instead. */
type CliSummary = Omit<Summary, 'failures'>;

/** The document `pyblish publish --json FILE` writes, as far as the viewer reads it. */
export interface PublishReport {
  pyblish: { version: string; node?: string };
  targets: string[];
  pluginPaths: string[];
  context: { id: string; name: string; data: Record<string, unknown> };
  plugins: CliPlugin[];
  instances: CliInstance[];
  discovery: {
    errors: Array<{ path: string; name: string | null; reason: string; code: string }>;
    duplicates: Array<{ name: string; path: string; winner: string }>;
  };
  results: CliResult[];
  summary: CliSummary;
}

/**
 * Whether a parsed file is a CLI report: a GUI report carries `format`, a CLI report instead
 * names the pyblish that wrote it and holds results and a summary. Only the marks are looked
 * at here, so a damaged CLI report is still told apart from some other JSON.
 */
export function isPublishReport(value: unknown): boolean {
  return (
    isObject(value) &&
    value.format === undefined &&
    isObject(value.pyblish) &&
    typeof value.pyblish.version === 'string' &&
    'results' in value &&
    'summary' in value
  );
}

/** Throws Malformed at the first field the viewer relies on that is missing or of the wrong type. */
export function checkPublishReport(r: Json): asserts r is Json & PublishReport {
  fields(r.pyblish as Json, 'report.pyblish', { version: 'string', node: 'string?' });
  fields(r, 'report', { targets: 'string[]', pluginPaths: 'string[]', context: 'object' });
  fields(r.context as Json, 'report.context', { id: 'string', name: 'string', data: 'object' });
  listOf(r.plugins, 'report.plugins', {
    id: 'string',
    name: 'string',
    label: 'string|null',
    order: 'number',
    type: 'string',
    families: 'string[]',
    targets: 'string[]',
    match: 'number',
    optional: 'boolean?',
    active: 'boolean',
    doc: 'string|null?',
    module: 'string',
    path: 'string',
    instanceEnabled: 'boolean',
  });
  listOf(r.instances, 'report.instances', {
    ...INSTANCE_NAMING,
    publish: 'boolean',
  });
  const discovery = object(r.discovery, 'report.discovery');
  listOf(discovery.errors, 'report.discovery.errors', {
    path: 'string',
    name: 'string|null',
    reason: 'string',
    code: 'string',
  });
  listOf(discovery.duplicates, 'report.discovery.duplicates', {
    name: 'string',
    path: 'string',
    winner: 'string',
  });
  const results = listOf(r.results, 'report.results', {
    action: 'string|null',
    success: 'boolean',
    duration: 'number',
  });
  results.forEach((result, i) => {
    const at = `report.results[${i}]`;
    fields(object(result.plugin, `${at}.plugin`), `${at}.plugin`, { id: 'string', label: 'string' });
    if (result.instance !== null)
      fields(object(result.instance, `${at}.instance`), `${at}.instance`, { id: 'string', name: 'string' });
    checkError(result.error, `${at}.error`);
    checkRecords(result.records, `${at}.records`);
  });
  fields(object(r.summary, 'report.summary'), 'report.summary', {
    success: 'boolean',
    pairs: 'number',
    succeeded: 'number',
    failed: 'number',
    warnings: 'number',
    stopped: 'string|null',
    discoveryErrors: 'number',
    duration: 'number',
  });
}

/** What the banner says of a headless publish instead of a host. */
export type HeadlessOrigin = NonNullable<SavedReportInfo['headless']>;

export interface ConvertedReport {
  report: Report;
  headless: HeadlessOrigin;
  /** Terminal lines before the run: the plug-in files that failed to load, duplicates left out. */
  notes: NewTerminalEntry[];
}

/** The footer line, in the words the CLI ends its output with. */
function summaryMessage(summary: CliSummary): string {
  const verdict = `${summary.success ? 'Published' : 'Failed'}: ${summaryCounts(summary)}`;
  return summary.stopped ? `${summary.stopped}. ${verdict}` : verdict;
}

/**
 * The GUI report of a headless publish. The CLI report has no clock times, so `writtenAt`
 * (the file's modification time) stands for the end and the summary's duration gives the start.
 */
export function fromPublishReport(cli: PublishReport, writtenAt: Date): ConvertedReport {
  const published = cli.instances.map(asInstanceLike).filter(isPublished);
  const ran = new Set(cli.results.map((r) => r.plugin.id));
  const report: Report = {
    format: 'pyblish-report',
    formatVersion: 1,
    host: null,
    startedAt: new Date(writtenAt.getTime() - cli.summary.duration).toISOString(),
    finishedAt: writtenAt.toISOString(),
    // A headless publish runs every stage it reaches; one stopped by validation shows its
    // extractors and integrators as skipped, as a stopped Publish in the window does.
    kind: 'publish',
    iteration: 'publish',
    finalPhase: 'finished',
    message: summaryMessage(cli.summary),
    fault: null,
    success: cli.summary.success,
    comment: typeof cli.context.data.comment === 'string' ? cli.context.data.comment : '',
    context: { id: cli.context.id, name: cli.context.name, data: cli.context.data },
    instances: cli.instances.map((i) => ({
      id: i.id,
      name: i.name,
      label: i.label,
      family: i.family,
      families: i.families,
      toggled: i.publish,
    })),
    plugins: cli.plugins.map((p) => ({
      id: p.id,
      name: p.name,
      label: p.label ?? p.name,
      order: p.order,
      type: p.type,
      toggled: p.active,
      doc: p.doc ?? null,
      families: p.families,
      // As the live GUI lists them: plug-ins with nothing to do in this publish stay hidden.
      hasCompatible:
        ran.has(p.id) ||
        (matches(p.targets, cli.targets, p.match) &&
          (!p.instanceEnabled || instancesByPlugin(published, p).length > 0)),
      module: p.module,
      path: p.path,
    })),
    results: cli.results.map((r) => ({
      pluginId: r.plugin.id,
      instanceId: r.instance?.id ?? null,
      success: r.success,
      duration: r.duration,
      error: r.error,
      records: r.records,
      actionId: r.action,
    })),
    stats: {
      pairs: cli.summary.pairs,
      failed: cli.summary.failed,
      requests: 0,
      durationMs: cli.summary.duration,
      droppedResults: 0,
    },
  };
  const notes: NewTerminalEntry[] = [
    ...cli.discovery.errors.map(
      (e): NewTerminalEntry => ({
        type: 'message',
        level: 'error',
        text: `Discovery: ${e.code} ${e.name ? `${e.name} in ` : ''}${e.path}: ${e.reason}`,
      }),
    ),
    ...cli.discovery.duplicates.map(
      (d): NewTerminalEntry => ({
        type: 'message',
        level: 'warning',
        text: `Discovery: duplicate ${d.name} in ${d.path} ignored; kept the one in ${d.winner}`,
      }),
    ),
  ];
  return {
    report,
    headless: {
      pyblishVersion: cli.pyblish.version,
      node: cli.pyblish.node ?? null,
      targets: cli.targets,
      pluginPaths: cli.pluginPaths,
    },
    notes,
  };
}

/** The terminal's first lines for a headless publish: what ran it, in place of a host's port. */
export function headlessHeader(
  origin: HeadlessOrigin,
  data: Record<string, unknown>,
): Record<string, string> {
  return {
    Pyblish: origin.pyblishVersion,
    ...(origin.node ? { Node: origin.node } : {}),
    Targets: origin.targets.join(', '),
    ...(data.user !== undefined && data.user !== null ? { User: String(data.user) } : {}),
  };
}

function asInstanceLike(i: CliInstance) {
  return { id: i.id, data: { family: i.family, families: i.families, publish: i.publish } };
}
