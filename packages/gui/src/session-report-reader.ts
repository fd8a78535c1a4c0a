// A saved session report (`pyblish-gui --report FILE`, or the window's "Export report") read back
// and checked, refusing what is not a report file before reading it; saved-report-view.ts turns it
// into what the page shows. A headless publish's report given instead is recognised and
// converted by publish-report-reader.ts first.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { Malformed, ReportFileError } from './errors.js';
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
import {
  checkPublishReport,
  fromPublishReport,
  type HeadlessOrigin,
  isPublishReport,
  type PublishReport,
} from './publish-report-reader.js';
import type { Report } from './view-model.js';
import type { NewTerminalEntry } from './view-state.js';

const WHERE_FROM =
  'write one with `pyblish-gui --report FILE`, the window\'s "Export report" or `pyblish publish --json FILE`';

// --- Reading and checking ----------------------------------------------------------------

/** Throws Malformed at the first field the viewer relies on that is missing or of the wrong type. */
function checkReport(r: Json): void {
  fields(r, 'report', {
    startedAt: 'string',
    finishedAt: 'string|null',
    kind: 'string',
    iteration: 'string|null?',
    message: 'string',
    comment: 'string?',
    context: 'object',
  });
  if (r.host !== null)
    fields(object(r.host, 'report.host'), 'report.host', { port: 'number', label: 'string' });
  if (r.fault !== null && r.fault !== undefined)
    fields(object(r.fault, 'report.fault'), 'report.fault', { code: 'string', message: 'string' });
  fields(r.context as Json, 'report.context', {
    id: 'string',
    name: 'string',
    data: 'object',
    label: 'string?',
  });
  listOf(r.instances, 'report.instances', {
    ...INSTANCE_NAMING,
    toggled: 'boolean',
    category: 'string?',
  });
  listOf(r.plugins, 'report.plugins', {
    id: 'string',
    name: 'string',
    label: 'string',
    order: 'number',
    type: 'string',
    toggled: 'boolean',
    doc: 'string|null?',
    families: 'string[]?',
    hasCompatible: 'boolean?',
    module: 'string?',
    path: 'string?',
  });
  const results = listOf(r.results, 'report.results', {
    pluginId: 'string',
    instanceId: 'string|null',
    success: 'boolean',
    duration: 'number',
    actionId: 'string|null?',
    repair: 'boolean?',
    label: 'string?',
  });
  results.forEach((result, i) => {
    const at = `report.results[${i}]`;
    checkError(result.error ?? null, `${at}.error`);
    checkRecords(result.records, `${at}.records`);
    if (result.farm !== undefined)
      fields(object(result.farm, `${at}.farm`), `${at}.farm`, {
        jobId: 'string',
        attempt: 'number',
        machine: 'string',
      });
  });
  if (r.farm === undefined) return;
  for (const [i, publish] of listOf(r.farm, 'report.farm', {
    farm: 'string',
    publishId: 'string',
    cancelled: 'string|null',
    done: 'boolean',
  }).entries()) {
    const jobs = listOf(publish.jobs, `report.farm[${i}].jobs`, {
      jobId: 'string',
      kind: 'string',
      state: 'string',
      attempt: 'number',
      machine: 'string|null',
      error: 'string|null',
    });
    for (const [j, job] of jobs.entries()) {
      listOf(job.instances, `report.farm[${i}].jobs[${j}].instances`, { id: 'string', name: 'string' });
      listOf(job.retries, `report.farm[${i}].jobs[${j}].retries`, {
        attempt: 'number',
        machine: 'string',
        reason: 'string',
      });
    }
  }
}

/** A report as the viewer shows it: a GUI report, or a headless publish's converted into one. */
export interface ReadReport {
  report: Report;
  /** Set for a headless publish: what the banner says instead of a host. */
  headless: HeadlessOrigin | null;
  /** Terminal lines shown before the run (discovery problems of a headless publish). */
  notes: NewTerminalEntry[];
}

/** The largest report file the viewer reads (the GUI's own reports stay far below it). */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;
/** The deepest nesting of JSON the viewer reads (a report is a few levels, host data at most 100 more). */
export const MAX_REPORT_DEPTH = 128;

/** What a file that is not a regular file is, said plainly. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The file's text, refused before it is read when it is not a regular file or is too large.
 * Opened without blocking (a named pipe would wait for a writer) and checked on the open file.
 */
function readText(file: string): { text: string; writtenAt: Date } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new ReportFileError('REPORT_NOT_FOUND', file, `no such file; ${WHERE_FROM}.`);
    if (code === 'EISDIR')
      throw new ReportFileError('REPORT_UNREADABLE', file, 'is a directory, not a report file.');
    throw new ReportFileError('REPORT_UNREADABLE', file, `cannot be read (${(err as Error).message}).`);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile())
      throw new ReportFileError('REPORT_UNREADABLE', file, `is ${kindOf(info)}, not a report file.`);
    if (info.size > MAX_REPORT_BYTES) {
      const mib = (n: number) => `${Math.ceil(n / (1024 * 1024)).toLocaleString('en')} MiB`;
      throw new ReportFileError(
        'REPORT_TOO_LARGE',
        file,
        `is ${mib(info.size)}; the viewer reads reports of up to ${mib(MAX_REPORT_BYTES)}.`,
      );
    }
    // Read what fstat promised, and not a byte more (a file that grows is read as it was).
    const buffer = Buffer.alloc(info.size);
    let read = 0;
    while (read < info.size) {
      const n = readSync(fd, buffer, read, info.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { text: buffer.toString('utf8', 0, read), writtenAt: info.mtime };
  } catch (err) {
    if (err instanceof ReportFileError) throw err;
    throw new ReportFileError('REPORT_UNREADABLE', file, `cannot be read (${(err as Error).message}).`);
  } finally {
    closeSync(fd);
  }
}

/** How deep `text` nests its lists and objects, counting no further than `limit` + 1. */
function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** Reads and checks a report file; every problem is a ReportFileError that says what to do. */
export function readReportFile(file: string): ReadReport {
  const { text, writtenAt } = readText(file);
  if (jsonDepth(text, MAX_REPORT_DEPTH) > MAX_REPORT_DEPTH) {
    throw new ReportFileError(
      'REPORT_TOO_DEEP',
      file,
      `nests its JSON more than ${MAX_REPORT_DEPTH} levels deep; the viewer reads reports up to that depth.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ReportFileError(
      'REPORT_NOT_JSON',
      file,
      `is not JSON (${(err as Error).message}); ${WHERE_FROM}.`,
    );
  }
  if (isPublishReport(value)) {
    try {
      checkPublishReport(value as Json);
    } catch (err) {
      if (!(err instanceof Malformed)) throw err;
      throw new ReportFileError(
        'REPORT_MALFORMED',
        file,
        `is a damaged headless publish report (pyblish publish --json): ${err.message}.`,
      );
    }
    return fromPublishReport(value as unknown as PublishReport, writtenAt);
  }
  if (!isObject(value) || value.format !== 'pyblish-report') {
    throw new ReportFileError(
      'REPORT_NOT_A_REPORT',
      file,
      `is not a Pyblish GUI report (it has no "format": "pyblish-report") nor a headless publish report (\`pyblish publish --json\`); ${WHERE_FROM}.`,
    );
  }
  if (value.formatVersion !== 1) {
    throw new ReportFileError(
      'REPORT_WRONG_VERSION',
      file,
      `is a pyblish-report of formatVersion ${JSON.stringify(value.formatVersion)}; this pyblish-gui reads formatVersion 1. Open it with the pyblish-gui that wrote it.`,
    );
  }
  try {
    checkReport(value);
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    throw new ReportFileError('REPORT_MALFORMED', file, `is a damaged pyblish-report: ${err.message}.`);
  }
  return { report: value as unknown as Report, headless: null, notes: [] };
}
