// The error model across packages: every exported error class derives from CodedError, names
// itself with a brand of its own, lists its codes, and no code string means two things (one code,
// one class, unless one class extends the other, as DecodeError extends Fault).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@pyblish/core';
import { CodedError } from '@pyblish/errors';
import * as farm from '@pyblish/farm';
import * as gui from '@pyblish/gui';
import * as host from '@pyblish/host';
import * as xmlrpc from '@pyblish/xmlrpc';
import { describe, expect, it } from 'vitest';
import * as cli from '../packages/cli/src/errors.js';

type ErrorClass = typeof CodedError & { readonly name: string };

const PACKAGES: Record<string, Record<string, unknown>> = { core, xmlrpc, host, gui, farm, cli };
const REPO = new URL('../', import.meta.url).pathname;

const classes = Object.entries(PACKAGES).flatMap(([pkg, exports]) =>
  Object.values(exports)
    .filter(
      (v): v is ErrorClass => typeof v === 'function' && Object.prototype.isPrototypeOf.call(CodedError, v),
    )
    .map((cls) => ({ pkg, cls })),
);

const related = (a: ErrorClass, b: ErrorClass) =>
  Object.prototype.isPrototypeOf.call(a, b) || Object.prototype.isPrototypeOf.call(b, a);

/** Every `export class X extends Y` in a package's sources whose parent is an error class. */
function exportedErrorClasses(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name)) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/export (?:abstract )?class (\w+)(?:<[^>]*>)? extends (\w+)/g))
          if (/Error$|^Fault$|^Malformed$/.test(m[2]!) || /Error$/.test(m[1]!)) found.push(m[1]!);
      }
    }
  };
  for (const pkg of readdirSync(join(REPO, 'packages'))) {
    if (pkg !== 'errors') walk(join(REPO, 'packages', pkg, 'src'));
  }
  return found;
}

describe('the error model', () => {
  it('covers every exported error class of every package, each on CodedError', () => {
    const checked = new Set(classes.map(({ cls }) => cls.name));
    expect(exportedErrorClasses().filter((name) => !checked.has(name))).toEqual([]);
    expect([...checked].sort()).toEqual(
      [
        'PyblishError',
        'Fault',
        'DecodeError',
        'TransportError',
        'EncodeError',
        'ListenError',
        'RegistrationError',
        'HostError',
        'CommandError',
        'HostCallError',
        'ReportFileError',
        'Malformed',
        'UsageError',
        'FarmError',
        'JobFailure',
        'HandBack',
      ].sort(),
    );
  });

  it('gives each class a brand of its own, named pyblish.<package>.<class>', () => {
    for (const { pkg, cls } of classes) expect(cls.brand).toBe(`pyblish.${pkg}.${cls.name}`);
  });

  it('lists the codes of each class, and no code belongs to two unrelated classes', () => {
    const owner = new Map<string, ErrorClass>();
    const clashes: string[] = [];
    for (const { cls } of classes) {
      expect(cls.codes.length, cls.name).toBeGreaterThan(0);
      for (const code of cls.codes) {
        const other = owner.get(code);
        if (other && !related(other, cls)) clashes.push(`${code}: ${other.name} and ${cls.name}`);
        owner.set(code, cls);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('is described whole in the Errors table of docs/ARCHITECTURE.md: each class, each of its codes', () => {
    const doc = readFileSync(join(REPO, 'docs/ARCHITECTURE.md'), 'utf8');
    const rows = doc.split('\n').filter((line) => /^\| \w+ +\| `\w+/.test(line));
    const table = new Map(
      rows.map((row) => {
        const [pkg, cls, codes] = row
          .split('|')
          .slice(1, 4)
          .map((cell) => cell.trim());
        const name = /^`(\w+)/.exec(cls!)![1]!;
        return [`${pkg} ${name}`, new Set([...codes!.matchAll(/`(\w+)`/g)].map((m) => m[1]!))] as const;
      }),
    );
    const missing: string[] = [];
    for (const { pkg, cls } of classes) {
      const listed = table.get(`${pkg} ${cls.name}`);
      if (!listed) missing.push(`${pkg} ${cls.name}`);
      else for (const code of cls.codes) if (!listed.has(code)) missing.push(`${cls.name} ${code}`);
    }
    expect(missing).toEqual([]);
    expect(table.size).toBe(classes.length);
  });

  it('names each error after its class and keeps the code it was given', () => {
    const err = new gui.HostCallError('HOST_GONE', 'gone', 'pyblish.poll');
    expect(err).toMatchObject({ name: 'HostCallError', code: 'HOST_GONE', method: 'pyblish.poll' });
    const fault = new xmlrpc.Fault(-32601, 'method "nope" is not supported');
    expect(fault).toMatchObject({ name: 'Fault', code: 'METHOD_NOT_FOUND', faultCode: -32601 });
    expect(new xmlrpc.Fault(1, 'a Python exception').code).toBe('FAULT');
    expect(new xmlrpc.DecodeError(-32700, 'malformed XML')).toMatchObject({
      name: 'DecodeError',
      code: 'PARSE_ERROR',
    });
    expect(new xmlrpc.DecodeError(-32700, 'x')).toBeInstanceOf(xmlrpc.Fault);
  });
});
