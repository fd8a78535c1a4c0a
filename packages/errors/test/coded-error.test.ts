import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CodedError, codedError } from '../src/index.js';

const SOURCE = new URL('../src/coded-error.ts', import.meta.url);
const folders: string[] = [];

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

type ErrorModule = {
  CodedError: typeof CodedError;
  ShowError: new (code: 'SHOW_FAILED', message: string) => CodedError<'SHOW_FAILED'>;
  OtherError: new (code: 'OTHER', message: string) => CodedError<'OTHER'>;
};

/** A separate copy of the package on disk with two error classes, as a second install would be. */
async function loadCopy(): Promise<ErrorModule> {
  const folder = mkdtempSync(join(tmpdir(), 'pyblish-errors-copy-'));
  folders.push(folder);
  copyFileSync(SOURCE, join(folder, 'coded-error.ts'));
  writeFileSync(
    join(folder, 'classes.ts'),
    `import { CodedError, codedError } from './coded-error.ts';
export { CodedError };
export class ShowError extends codedError('pyblish.test.ShowError', ['SHOW_FAILED']) {}
export class OtherError extends CodedError<'OTHER'> {
  static override readonly brand = 'pyblish.test.OtherError';
  static override readonly codes = ['OTHER'] as const;
}
`,
  );
  return (await import(join(folder, 'classes.ts'))) as ErrorModule;
}

describe('CodedError', () => {
  it('carries its code, a name from its brand, the message and the cause', () => {
    class HostLike extends CodedError<'GONE'> {
      static override readonly brand = 'pyblish.test.HostLike';
    }
    const cause = new Error('socket closed');
    const err = new HostLike('GONE', 'The host stopped answering.', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(CodedError);
    expect(err).toMatchObject({ code: 'GONE', name: 'HostLike', message: 'The host stopped answering.' });
    expect(err.cause).toBe(cause);
    expect(String(err)).toBe('HostLike: The host stopped answering.');
  });

  it('is instanceof its class when thrown by another copy of the package, and not of another class', async () => {
    const a = await loadCopy();
    const b = await loadCopy();
    expect(a.ShowError).not.toBe(b.ShowError);
    const fromB = new b.ShowError('SHOW_FAILED', 'no GUI');
    expect(fromB).toBeInstanceOf(a.ShowError);
    expect(fromB).toBeInstanceOf(a.CodedError);
    expect(fromB).toBeInstanceOf(CodedError);
    expect(fromB).not.toBeInstanceOf(a.OtherError);
    expect(new a.OtherError('OTHER', 'x')).not.toBeInstanceOf(b.ShowError);
  });

  it('is not fooled by plain errors and values', () => {
    class Branded extends CodedError<'X'> {
      static override readonly brand = 'pyblish.test.Branded';
    }
    for (const value of [new Error('x'), { code: 'X' }, null, undefined, 'X', 3]) {
      expect(value instanceof Branded).toBe(false);
      expect(value instanceof CodedError).toBe(false);
    }
  });

  it('makes a class with its brand and codes in one line', () => {
    class GoneError extends codedError('pyblish.test.GoneError', ['GONE', 'LOST']) {}
    const err = new GoneError('LOST', 'lost');
    expect(err).toBeInstanceOf(GoneError);
    expect(err).toMatchObject({ name: 'GoneError', code: 'LOST' });
    expect(GoneError.brand).toBe('pyblish.test.GoneError');
    expect(GoneError.codes).toEqual(['GONE', 'LOST']);
    class Unbranded extends GoneError {}
    expect(new Unbranded('GONE', 'm')).toBeInstanceOf(GoneError);
    expect(err).not.toBeInstanceOf(Unbranded);
  });

  it('falls back to the prototype check for a subclass without a brand of its own', () => {
    class Branded extends CodedError<'X'> {
      static override readonly brand = 'pyblish.test.Branded2';
    }
    class Unbranded extends Branded {}
    expect(new Unbranded('X', 'm')).toBeInstanceOf(Branded);
    expect(new Unbranded('X', 'm')).toBeInstanceOf(Unbranded);
    expect(new Branded('X', 'm')).not.toBeInstanceOf(Unbranded);
    expect(new Unbranded('X', 'm').name).toBe('Unbranded');
  });
});
