// The `pyblish` command: dispatches to a subcommand module, loaded only when asked for.
// A subcommand module exports `run(argv): Promise<number>` (the exit code).

interface Command {
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  publish: {
    summary: 'publish headlessly: collect, validate, extract, integrate',
    load: () => import('./publish.js'),
  },
  host: { summary: 'run this process as a Pyblish host for the GUI', load: () => import('./host.js') },
  worker: {
    summary: "serve a farm's publish jobs with this machine's plug-ins",
    load: () => import('./worker.js'),
  },
  farm: { summary: 'status, logs or cancel of a farm publish', load: () => import('./farm.js') },
};

const usage = `Usage: pyblish <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Run "pyblish <command> --help" for the options of a command.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`pyblish: unknown command "${name}".\n\n${usage}`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}

// A reader that goes away (`pyblish publish | head`) is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`pyblish: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
