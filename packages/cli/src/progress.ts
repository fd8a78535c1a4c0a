// What `pyblish publish` prints: one line per result, and on a terminal a live status line for
// the pair being processed (colours too). Without a terminal the output is plain lines only.
import { basename } from 'node:path';
import {
  type Discovery,
  hasWarning,
  type Instance,
  type LogRecord,
  type PluginClass,
  type PluginError,
  pluginLabel,
  pluginType,
  type Result,
  type Summary,
  summaryCounts,
  WARNING,
} from '@pyblish/core';

/** One processed pair as printed: from a local Result, or from a farm's result event. */
export interface ResultLine {
  success: boolean;
  label: string;
  instance: string | null;
  error: PluginError | null;
  records: LogRecord[];
  duration: number;
  progress?: number;
  /** Where it ran (a farm machine), printed after the duration. */
  machine?: string;
}

export interface DisplayOptions {
  /** Live line and colours. */
  tty: boolean;
  /** Print every record, not only warnings and errors. */
  verbose: boolean;
  /** Print failures and the summary only. */
  quiet: boolean;
  columns?: number;
}

// Built from a string: a literal escape character in a regex literal reads as a mistake.
const ESC = String.fromCharCode(27);
const ESCAPES = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g');
const COLOUR = new RegExp(`^${ESC}\\[[0-9;]*m$`);
const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

function paint(tty: boolean, code: number, text: string): string {
  return tty ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** Terminal control sequences other than colours are removed; without a terminal, all of them. */
function clean(text: string, tty: boolean): string {
  return tty ? text.replace(ESCAPES, (s) => (COLOUR.test(s) ? s : '')) : text.replace(ESCAPES, '');
}

/** " (file.ts:12)" after a failure, " (file.ts)" when the line is unknown (a cancelled call), or nothing. */
function where(file: string | null, line: number | null): string {
  if (!file) return '';
  return line === null ? ` (${basename(file)})` : ` (${basename(file)}:${line})`;
}

function indent(text: string, by: string): string {
  return text.replace(/\n/g, `\n${by}`);
}

export class Display {
  private current: string | null = null;
  private lastRecord = '';
  private started = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The fraction done, as printed; null while only collectors have run. */
  private progress: number | null = null;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly options: DisplayOptions,
  ) {}

  private write(line: string): void {
    this.clearLive();
    this.out.write(`${line}\n`);
    this.drawLive();
  }

  private clearLive(): void {
    if (this.options.tty && this.current !== null) this.out.write('\r\u001b[K');
  }

  private drawLive(): void {
    if (!this.options.tty || this.current === null) return;
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    const spin = SPINNER[this.frame++ % SPINNER.length];
    const status = `${spin} ${this.percent()} ${this.current} ${seconds}s ${this.lastRecord}`;
    const width = Math.max(20, (this.options.columns ?? 80) - 1);
    this.out.write(`\r\u001b[K${paint(true, 36, status.replace(ESCAPES, '').slice(0, width))}`);
  }

  /** Four columns: " 42%", or blank while the plan may still grow. */
  private percent(): string {
    return this.progress === null ? '    ' : `${Math.round(this.progress * 100)}%`.padStart(4);
  }

  discovery(found: Discovery): void {
    for (const e of found.errors) {
      this.write(
        paint(
          this.options.tty,
          33,
          `discovery: ${e.code} ${e.name ? `${e.name} in ` : ''}${e.path}: ${e.reason}`,
        ),
      );
    }
    for (const d of found.duplicates) {
      this.write(
        paint(
          this.options.tty,
          33,
          `discovery: duplicate ${d.name} in ${d.path} ignored; kept the one in ${d.winner}`,
        ),
      );
    }
  }

  start(plugin: PluginClass, instance: Instance | null): void {
    this.begin(`${pluginType(plugin.order)} · ${pluginLabel(plugin)} › ${instance?.name ?? 'Context'}`);
  }

  /** Shows `what` on the live line (the pair, or the farm job, being processed). */
  begin(what: string): void {
    this.current = what;
    this.lastRecord = '';
    this.started = performance.now();
    if (this.options.tty && !this.timer) {
      this.timer = setInterval(() => {
        this.clearLive();
        this.drawLive();
      }, 100);
      this.timer.unref();
    }
    this.drawLive();
  }

  record(record: LogRecord): void {
    this.lastRecord = record.message.split('\n')[0] ?? '';
  }

  result(result: Result): void {
    this.line({
      success: result.success,
      label: pluginLabel(result.plugin),
      instance: result.instance?.name ?? null,
      error: result.error,
      records: result.records,
      duration: result.duration,
      // Collectors create the instances the rest runs on: until they are done, the plan is a guess.
      ...(pluginType(result.plugin.order) === 'Collector' ? {} : { progress: result.progress }),
    });
  }

  /** A line of its own (a farm's news: a job retried or failed), in a colour (31 red, 33 yellow). */
  note(text: string, colour: number): void {
    this.write(paint(this.options.tty, colour, text));
  }

  line(result: ResultLine): void {
    const { tty, verbose, quiet } = this.options;
    // Never back: a plug-in after the collectors that adds instances grows the plan again.
    if (result.progress !== undefined) this.progress = Math.max(this.progress ?? 0, result.progress);
    const warned = hasWarning(result);
    if (quiet && result.success) return;
    const status = !result.success
      ? paint(tty, 31, 'FAIL')
      : warned
        ? paint(tty, 33, 'WARN')
        : paint(tty, 32, '  ok');
    const pct = `[${this.percent()}]`;
    const what = `${result.label} › ${result.instance ?? 'Context'}`;
    const ms = `(${result.duration < 10 ? result.duration.toFixed(1) : Math.round(result.duration)} ms)`;
    const on = result.machine ? ` on ${result.machine}` : '';
    const lines = [`${status} ${pct} ${what} ${paint(tty, 2, `${ms}${on}`)}`];
    if (result.error) {
      const at = where(result.error.fname, result.error.lineNumber);
      lines.push(
        `       ${paint(tty, 31, indent(clean(result.error.message, tty), '       '))}${paint(tty, 2, at)}`,
      );
    }
    for (const r of result.records) {
      if (!verbose && r.levelno < WARNING) continue;
      const level = r.levelname.padEnd(8);
      const colour = r.levelno >= 40 ? 31 : r.levelno >= WARNING ? 33 : 2;
      lines.push(`       ${paint(tty, colour, level)} ${indent(clean(r.message, tty), '                ')}`);
    }
    this.write(lines.join('\n'));
  }

  finish(summary: Summary): void {
    if (this.timer) clearInterval(this.timer);
    this.clearLive();
    this.current = null;
    const { tty } = this.options;
    if (summary.failures.length > 0) {
      this.out.write('\nFailures:\n');
      for (const f of summary.failures) {
        this.out.write(
          `  ${f.plugin} › ${f.instance ?? 'Context'}: ${indent(clean(f.message, tty), '    ')}${where(f.file, f.line)}\n`,
        );
      }
    }
    if (summary.stopped) this.out.write(`\n${paint(tty, 33, summary.stopped)}\n`);
    const verdict = summary.success ? paint(tty, 32, 'Published') : paint(tty, 31, 'Failed');
    this.out.write(`\n${verdict}: ${summaryCounts(summary)}\n`);
  }
}
