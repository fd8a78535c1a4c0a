// The published packages, tried as a user gets them: compiled, packed with `npm pack` and installed
// from the tarballs with plain `npm install` into a folder outside the repository. Used by the
// test of the installed packages (tests/package) and the start-up benchmark (packages/cli/bench).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  workspaces?: string[];
  devDependencies?: Record<string, string>;
}

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

export interface Published {
  name: string;
  version: string;
  /** The package's folder in the repository. */
  dir: string;
}

/** Every workspace that is not private: adding a package to the workspaces publishes it. */
export function publishedPackages(): Published[] {
  return (manifest(REPO).workspaces ?? [])
    .map((workspace) => ({ dir: join(REPO, workspace), ...manifest(join(REPO, workspace)) }))
    .filter((m) => !m.private)
    .map(({ name, version, dir }) => ({ name, version, dir }));
}

/** The version of a development dependency of the repository (to give a consumer the same one). */
export function repoDevDependency(name: string): string {
  const version = manifest(REPO).devDependencies?.[name];
  if (!version) throw new Error(`package.json has no devDependency ${name}`);
  return version;
}

// What `npm test` or `npm run` sets about this repository (npm_config_local_prefix would send a
// nested npm to it); the user's npm configuration (registry, cache, certificates) stays.
const ABOUT_THIS_REPOSITORY =
  /^(NODE_OPTIONS|INIT_CWD|npm_(package_|lifecycle_|command$|config_local_prefix$|config_call$|config_workspace))/i;

/** The environment of a user's shell: without this repository's NODE_OPTIONS, which run the sources. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !ABOUT_THIS_REPOSITORY.test(key)),
  );
  return { ...env, ...extra };
}

/** Compiles the published packages (incremental `tsc -b`; their dist/ only). */
export function compile(): void {
  const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
  const projects = publishedPackages().map((p) => join(p.dir, 'tsconfig.build.json'));
  execFileSync(process.execPath, [tsc, '-b', ...projects], { cwd: REPO, stdio: 'pipe', env: userEnv() });
}

export interface PackedFile {
  path: string;
  size: number;
}

export interface Packed {
  name: string;
  /** The tarball's path. */
  tarball: string;
  /** Compressed and unpacked sizes in bytes. */
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

/** `npm pack` of every published package into `destination`, with what each tarball holds. */
export function pack(destination: string): Packed[] {
  const workspaces = publishedPackages().flatMap((p) => ['-w', p.name]);
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination, ...workspaces], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: userEnv(),
  });
  const reports = JSON.parse(out) as (Omit<Packed, 'tarball'> & { filename: string })[];
  return reports.map(({ name, filename, size, unpackedSize, files }) => ({
    name,
    tarball: join(destination, filename),
    size,
    unpackedSize,
    files,
  }));
}

/**
 * Installs the tarballs into `folder` (a new project: package.json written here) with plain
 * `npm install`, so dependencies between them resolve to each other and the rest comes from the
 * registry, as for a user.
 */
export function install(
  folder: string,
  packed: Packed[],
  devDependencies: Record<string, string> = {},
): void {
  const dependencies = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
  const project = { name: 'pyblish-consumer', private: true, type: 'module', dependencies, devDependencies };
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(project, null, 2)}\n`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: folder,
    stdio: 'pipe',
    env: userEnv(),
  });
}
