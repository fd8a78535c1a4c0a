// The report of a session with one host: everything since the last reset (collection, then
// validations, publishes, actions and repairs), complete even when the host died mid-run.
// Written atomically (temporary file, then rename) so a reader never sees half a report.

import { randomBytes } from 'node:crypto';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FarmPublishReport, InstanceRow, PairReport, Phase, PluginRow, Report } from './view-model.js';

export interface RunEnd {
  finalPhase: Phase;
  message: string;
  fault: { code: string; message: string } | null;
  /** The run ended as asked: no fault, no failed pair, not stopped. */
  success: boolean;
  comment: string;
  instances: readonly InstanceRow[];
  plugins: readonly PluginRow[];
}

/** Pair results of earlier runs kept in the report since the last reset, by default. */
export const DEFAULT_REPORT_RESULT_LIMIT = 100_000;

export class ReportBuilder {
  private report: Report;
  private started = 0;

  /**
   * @param resultLimit results of earlier runs kept when a run begins (the oldest go first);
   * the current run's results are always kept whole.
   */
  constructor(private readonly resultLimit = DEFAULT_REPORT_RESULT_LIMIT) {
    if (!Number.isInteger(resultLimit) || resultLimit < 0) {
      throw new RangeError(`reportResultLimit must be a whole number, 0 or more (got ${resultLimit})`);
    }
    this.report = ReportBuilder.empty();
  }

  static empty(): Report {
    return {
      format: 'pyblish-report',
      formatVersion: 1,
      host: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      kind: 'none',
      iteration: null,
      finalPhase: 'noHost',
      message: '',
      fault: null,
      success: true,
      comment: '',
      context: { id: '', name: '', data: {} },
      instances: [],
      plugins: [],
      results: [],
      stats: { pairs: 0, failed: 0, requests: 0, durationMs: 0, droppedResults: 0 },
    };
  }

  /** A reset starts a new report; other runs add to it. */
  begin(kind: string, host: { port: number; label: string }, fresh: boolean): void {
    if (fresh) {
      this.report = ReportBuilder.empty();
      this.report.host = host;
    }
    // A session publishing again and again without a reset must not keep every run forever.
    const excess = this.report.results.length - this.resultLimit;
    if (excess > 0) {
      this.report.results.splice(0, excess);
      this.report.stats.droppedResults += excess;
    }
    this.report.kind = kind;
    if (kind === 'validate' || kind === 'publish') this.report.iteration = kind;
    if (kind === 'farm') this.report.iteration = 'publish';
    this.report.finishedAt = null;
    this.report.fault = null;
    this.started = performance.now();
  }

  setContext(context: { id: string; name: string; data: Record<string, unknown> }): void {
    this.report.context = { id: context.id, name: context.name, data: { ...context.data } };
  }

  addPair(pair: PairReport): void {
    this.report.results.push(pair);
    this.report.stats.pairs++;
    if (!pair.success) this.report.stats.failed++;
  }

  addFarmPublish(publish: FarmPublishReport): void {
    this.report.farm = [...(this.report.farm ?? []), publish];
  }

  addRequests(n: number): void {
    this.report.stats.requests += n;
  }

  /**
   * Ends the run's part of the report and returns the report itself, not a copy (a copy of a
   * long session's results costs more than the run): read or write it out now; current() copies.
   */
  finish(end: RunEnd): Readonly<Report> {
    const r = this.report;
    r.finishedAt = new Date().toISOString();
    r.finalPhase = end.finalPhase;
    r.message = end.message;
    r.fault = end.fault;
    r.comment = end.comment;
    r.stats.durationMs += performance.now() - this.started;
    const contextLabel = end.instances.find((i) => i.isContext)?.label;
    if (contextLabel !== undefined) r.context.label = contextLabel;
    r.instances = end.instances
      .filter((i) => !i.isContext)
      .map((i) => ({
        id: i.id,
        name: i.name,
        label: i.label,
        family: i.family,
        families: i.families,
        category: i.category,
        toggled: i.toggled,
      }));
    r.plugins = end.plugins.map((p) => ({
      id: p.id,
      name: p.name,
      label: p.label,
      order: p.order,
      type: p.type,
      toggled: p.toggled,
      doc: p.doc,
      families: p.families,
      hasCompatible: p.hasCompatible,
      module: p.module,
      path: p.path,
    }));
    r.success = end.success;
    return r;
  }

  current(): Report {
    return structuredClone(this.report);
  }
}

export function writeReportFile(path: string, report: Report): void {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.report.tmp`);
  try {
    writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw err;
  }
}
