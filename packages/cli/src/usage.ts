// What every subcommand does with its arguments and its report file, said the same way.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';

/** A command's options as node:util parseArgs takes them (each command exports its table). */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** The parsed arguments; or the exit code when there is nothing to run (2: bad usage, 0: help shown). */
export function parseCommand<T extends { help: boolean }>(
  name: string,
  help: string,
  argv: string[],
  parse: (argv: string[]) => T,
): T | number {
  let args: T;
  try {
    args = parse(argv);
  } catch (error) {
    console.error(
      `pyblish ${name}: ${(error as Error).message}\nRun "pyblish ${name} --help" for the options.`,
    );
    return 2;
  }
  if (args.help) {
    console.log(help);
    return 0;
  }
  return args;
}

/** Writes a JSON report; false (after saying why) when it could not. */
export async function writeReport(path: string, report: unknown, quiet: boolean): Promise<boolean> {
  try {
    await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
    if (!quiet) console.log(`Report written to ${resolve(path)}`);
    return true;
  } catch (error) {
    console.error(`pyblish publish: could not write the report to ${path}: ${(error as Error).message}`);
    return false;
  }
}
