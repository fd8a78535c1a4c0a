// The GUI's discovery file: how a host learns the token of the GUI at a port without trusting
// whoever happens to listen there. The GUI writes `<runtime dir>/gui-<port>.json`; only its
// user can read it, so a host that reads it and finds the writer alive knows the token is real.
// A writer that only looks alive (a zombie nobody reaped, a pid now another process's) is caught
// by the identity challenge: whatever holds the port must prove it knows the token before it
// is sent any (provenGuiDiscovery).
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  type Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HostError } from './errors.js';
import { checkIdentity } from './identity.js';

export interface GuiDiscovery {
  port: number;
  pid: number;
  token: string;
  /** ISO 8601 time the GUI started. */
  startedAt: string;
  /** The GUI's version. */
  version: string;
}

/** `$PYBLISH_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/pyblish`, else `~/.pyblish/run`. */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PYBLISH_RUNTIME_DIR) return env.PYBLISH_RUNTIME_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'pyblish');
  return join(homedir(), '.pyblish', 'run');
}

export function guiDiscoveryPath(port: number, env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeDir(env), `gui-${port}.json`);
}

// Windows has no uid or POSIX modes; there the checks below are skipped (documented in docs/host.md).
const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Why `st` is not safe to trust, or null when it is. */
function insecurity(st: Stats, kind: 'file' | 'directory'): string | null {
  if (st.isSymbolicLink()) return 'is a symbolic link';
  if (kind === 'file' ? !st.isFile() : !st.isDirectory()) return `is not a ${kind}`;
  if (uid === undefined) return null;
  if (st.uid !== uid) return `is owned by uid ${st.uid}, not by you (uid ${uid})`;
  if ((st.mode & 0o077) !== 0) {
    return `has mode ${(st.mode & 0o777).toString(8)}; other users may read it (expected ${kind === 'file' ? '600' : '700'})`;
  }
  return null;
}

function insecure(path: string, why: string): HostError {
  return new HostError(
    'DISCOVERY_INSECURE',
    `Refusing to use ${path}: it ${why}. Remove it (or fix its owner and permissions) and restart the GUI.`,
  );
}

/**
 * Creates the runtime directory owner-only, or tightens one we own; refuses anything else (a
 * DISCOVERY_INSECURE HostError). Secrets the GUI hands over in files (discovery, window launch)
 * live there.
 */
export function ensureRuntimeDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (
    uid !== undefined &&
    st.isDirectory() &&
    !st.isSymbolicLink() &&
    st.uid === uid &&
    (st.mode & 0o077) !== 0
  ) {
    chmodSync(dir, 0o700);
    return;
  }
  const why = insecurity(st, 'directory');
  if (why) throw insecure(dir, why);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes the discovery file for a GUI listening at `port` (mode 0600 in a 0700 directory).
 * Replaces the file atomically; refuses when a symlink or another user's file sits at the path.
 */
export function writeGuiDiscovery(
  port: number,
  token: string,
  options: { version?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  const dir = runtimeDir(options.env);
  ensureRuntimeDir(dir);
  const path = guiDiscoveryPath(port, options.env);
  const existing = lstatOrNull(path);
  if (existing) {
    const why = insecurity(existing, 'file');
    // A file of ours with lax permissions is simply replaced; anything else is refused.
    if (
      why &&
      (existing.isSymbolicLink() || !existing.isFile() || (uid !== undefined && existing.uid !== uid))
    ) {
      throw insecure(path, why);
    }
  }
  const body: GuiDiscovery = {
    port,
    pid: process.pid,
    token,
    startedAt: new Date().toISOString(),
    version: options.version ?? '0.0.0',
  };
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // the umask may have narrowed it; never widened
    writeSync(fd, `${JSON.stringify(body)}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return path;
}

/**
 * Reads and checks the discovery file of the GUI at `port`. Throws a HostError with code
 * DISCOVERY_MISSING, DISCOVERY_INSECURE, DISCOVERY_STALE or DISCOVERY_INVALID.
 */
export function readGuiDiscovery(port: number, options: { env?: NodeJS.ProcessEnv } = {}): GuiDiscovery {
  const dir = runtimeDir(options.env);
  const path = guiDiscoveryPath(port, options.env);
  const st = lstatOrNull(path);
  if (!st) {
    throw new HostError(
      'DISCOVERY_MISSING',
      `No GUI discovery file at ${path}: no Pyblish TS GUI with authentication runs at port ${port} for this user. ` +
        'Start one with `npx pyblish-gui`, or, for a GUI that cannot authenticate (such as the Python pyblish-qml), ' +
        'run the host with --allow-unauthenticated (or PYBLISH_ALLOW_UNAUTHENTICATED=1).',
    );
  }
  const dirSt = lstatSync(dir);
  const dirWhy = insecurity(dirSt, 'directory');
  if (dirWhy) throw insecure(dir, dirWhy);
  const why = insecurity(st, 'file');
  if (why) throw insecure(path, why);

  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new HostError('DISCOVERY_INVALID', `${path} is not valid JSON; delete it and restart the GUI.`, {
      cause: err,
    });
  }
  const d = parsed as Partial<GuiDiscovery> | null;
  if (
    !d ||
    typeof d !== 'object' ||
    d.port !== port ||
    !Number.isInteger(d.pid) ||
    typeof d.token !== 'string' ||
    d.token.length === 0
  ) {
    throw new HostError(
      'DISCOVERY_INVALID',
      `${path} does not describe a GUI at port ${port} (expected { port, pid, token }); delete it and restart the GUI.`,
    );
  }
  if (!isAlive(d.pid as number)) {
    throw new HostError(
      'DISCOVERY_STALE',
      `${path} was written by process ${d.pid}, which is no longer running; whatever listens at port ${port} now ` +
        'is not that GUI. Start the GUI again (it rewrites the file), or delete the stale file.',
    );
  }
  return {
    port,
    pid: d.pid as number,
    token: d.token,
    startedAt: typeof d.startedAt === 'string' ? d.startedAt : '',
    version: typeof d.version === 'string' ? d.version : '',
  };
}

/**
 * The discovery file of the GUI at `port`, once whatever listens there has proven it knows the
 * file's token (without being sent it). Throws what readGuiDiscovery throws, GUI_UNAUTHENTICATED
 * when something answers without the proof, and GUI_UNREACHABLE when nothing answers.
 */
export async function provenGuiDiscovery(
  port: number,
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<GuiDiscovery> {
  const found = readGuiDiscovery(port, options.env ? { env: options.env } : {});
  const outcome = await checkIdentity(port, found.token, 'gui', options.timeoutMs);
  if (outcome.kind === 'proven') return found;
  if (outcome.kind === 'wrong') {
    throw new HostError(
      'GUI_UNAUTHENTICATED',
      `Something answers at 127.0.0.1:${port}, but it cannot prove it is the GUI that wrote ` +
        `${guiDiscoveryPath(port, options.env)} (${outcome.why}). Its process ${found.pid} still looks alive (a GUI ` +
        'that exited but was not reaped, or its pid now belongs to another process), or the file changed since ' +
        'the GUI wrote it; another program may hold the port. No token was sent to it. Stop what holds the port, ' +
        'then start the GUI again.',
    );
  }
  throw new HostError('GUI_UNREACHABLE', `No Pyblish GUI answered at 127.0.0.1:${port} (${outcome.why}).`, {
    cause: outcome.why,
  });
}

/** Removes the discovery file of the GUI at `port`, if this user owns it. Missing is fine. */
export function removeGuiDiscovery(port: number, options: { env?: NodeJS.ProcessEnv } = {}): void {
  const path = guiDiscoveryPath(port, options.env);
  const st = lstatOrNull(path);
  if (!st || (uid !== undefined && st.uid !== uid)) return;
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
