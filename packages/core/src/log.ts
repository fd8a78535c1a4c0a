// Log records shaped like Python's logging.LogRecord, captured per plug-in call.
// A plug-in logs through `api.log`; helpers it calls may use `getLogger(name)`, and plain
// `console.*` calls made while it runs are captured too (AsyncLocalStorage), so nothing it
// prints is lost and every record lands in the result of the call that produced it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { isMainThread, threadId } from 'node:worker_threads';

export const Level = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;
export type LevelName = keyof typeof Level;

export interface LogRecord {
  /** Logger name: `pyblish.<PluginId>` for a plug-in's own logger. */
  name: string;
  levelname: LevelName;
  levelno: number;
  /** The formatted message (arguments already substituted, as util.format does). */
  message: string;
  /** Seconds since the epoch. */
  created: number;
  msecs: number;
  /** Milliseconds since this process started. */
  relativeCreated: number;
  filename: string;
  pathname: string;
  lineno: number;
  funcName: string;
  module: string;
  thread: number;
  threadName: string;
  process: number;
  processName: string;
}

export interface Logger {
  readonly name: string;
  debug(message: unknown, ...args: unknown[]): void;
  info(message: unknown, ...args: unknown[]): void;
  warning(message: unknown, ...args: unknown[]): void;
  warn(message: unknown, ...args: unknown[]): void;
  error(message: unknown, ...args: unknown[]): void;
  critical(message: unknown, ...args: unknown[]): void;
  log(level: number, message: unknown, ...args: unknown[]): void;
}

/** Where the records of one plug-in call go. */
export interface Capture {
  readonly records: LogRecord[];
  /** Logger name for captured console output. */
  readonly name: string;
  onRecord?: ((record: LogRecord) => void) | undefined;
  closed: boolean;
}

const storage = new AsyncLocalStorage<Capture>();
const started = Date.now() - performance.now();
const ownFile = fileURLToPath(import.meta.url);

export function levelName(levelno: number): LevelName {
  if (levelno >= Level.CRITICAL) return 'CRITICAL';
  if (levelno >= Level.ERROR) return 'ERROR';
  if (levelno >= Level.WARNING) return 'WARNING';
  if (levelno >= Level.INFO) return 'INFO';
  return 'DEBUG';
}

interface Site {
  pathname: string;
  lineno: number;
  funcName: string;
}

// "    at fn (file:///a/b.ts:12:5)" or "    at file:///a/b.ts:12:5" or "    at async fn (/a/b.js:1:2)"
const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.*?):(\d+):\d+\)?$/;

/** Parses a V8 stack into frames (skipping the message lines). */
export function parseStack(stack: string | undefined): Site[] {
  const frames: Site[] = [];
  for (const line of (stack ?? '').split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let pathname = m[2] ?? '';
    if (pathname.startsWith('file://')) {
      try {
        pathname = fileURLToPath(pathname);
      } catch {
        // keep the URL as it is
      }
    }
    frames.push({ pathname, lineno: Number(m[3]), funcName: m[1] ?? '<module>' });
  }
  return frames;
}

function callSite(): Site {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, callSite);
  for (const frame of parseStack(holder.stack)) {
    if (frame.pathname !== ownFile) return frame;
  }
  return { pathname: '', lineno: 0, funcName: '' };
}

export function makeRecord(
  name: string,
  levelno: number,
  message: string,
  site: Site = callSite(),
): LogRecord {
  const now = Date.now();
  const file = site.pathname.split('?')[0] ?? '';
  const filename = basename(file);
  return {
    name,
    levelname: levelName(levelno),
    levelno,
    message,
    created: now / 1000,
    msecs: now % 1000,
    relativeCreated: now - started,
    filename,
    pathname: file,
    lineno: site.lineno,
    funcName: site.funcName.replace(/^(?:Object|Module)\./, ''),
    module: basename(filename, extname(filename)),
    thread: threadId,
    threadName: isMainThread ? 'MainThread' : `Thread-${threadId}`,
    process: process.pid,
    processName: 'MainProcess',
  };
}

function deliver(capture: Capture, record: LogRecord): void {
  capture.records.push(record);
  try {
    capture.onRecord?.(record);
  } catch (err) {
    // A broken live listener must not break the plug-in that logged.
    process.stderr.write(`pyblish: onRecord listener failed: ${String(err)}\n`);
  }
}

/** Where records go when no plug-in call is capturing: warnings and worse to stderr, like Python's last resort. */
function fallback(record: LogRecord): void {
  if (record.levelno >= Level.WARNING)
    process.stderr.write(`${record.levelname}:${record.name}:${record.message}\n`);
}

/** Records go to a fixed capture or, without one, to the capture of the plug-in call running now. */
class CapturingLogger implements Logger {
  constructor(
    readonly name: string,
    private readonly target: Capture | undefined,
  ) {}

  log(levelno: number, message: unknown, ...args: unknown[]): void {
    const capture = this.target ?? storage.getStore();
    const record = makeRecord(this.name, levelno, format(message, ...args));
    if (capture && !capture.closed) deliver(capture, record);
    else fallback(record);
  }

  debug(message: unknown, ...args: unknown[]): void {
    this.log(Level.DEBUG, message, ...args);
  }

  info(message: unknown, ...args: unknown[]): void {
    this.log(Level.INFO, message, ...args);
  }

  warning(message: unknown, ...args: unknown[]): void {
    this.log(Level.WARNING, message, ...args);
  }

  warn(message: unknown, ...args: unknown[]): void {
    this.log(Level.WARNING, message, ...args);
  }

  error(message: unknown, ...args: unknown[]): void {
    this.log(Level.ERROR, message, ...args);
  }

  critical(message: unknown, ...args: unknown[]): void {
    this.log(Level.CRITICAL, message, ...args);
  }
}

/** A logger writing into `target`, or into the current plug-in call's capture when omitted. */
export function createLogger(name: string, target?: Capture): Logger {
  return new CapturingLogger(name, target);
}

/** A logger for helper code: inside a plug-in call its records join that call's result. */
export function getLogger(name: string): Logger {
  return createLogger(name);
}

const consoleLevels = {
  debug: Level.DEBUG,
  trace: Level.DEBUG,
  log: Level.INFO,
  info: Level.INFO,
  warn: Level.WARNING,
  error: Level.ERROR,
} as const;

let consolePatched = false;

/** Routes console output made inside a capture into it; outside any capture the console is untouched. */
function patchConsole(): void {
  if (consolePatched) return;
  consolePatched = true;
  for (const method of Object.keys(consoleLevels) as (keyof typeof consoleLevels)[]) {
    const original = console[method];
    console[method] = function captured(this: Console, ...args: unknown[]) {
      const capture = storage.getStore();
      if (!capture || capture.closed) return original.apply(this, args);
      const holder: { stack?: string } = {};
      Error.captureStackTrace(holder, captured);
      const site = parseStack(holder.stack)[0];
      deliver(capture, makeRecord(capture.name, consoleLevels[method], format(...args), site));
    };
  }
}

/** Runs `fn` with `capture` as the current capture (for getLogger and console output). */
export function withCapture<T>(capture: Capture, fn: () => T): T {
  patchConsole();
  return storage.run(capture, fn);
}
