// `pyblish-gui`: the long-lived GUI process hosts find at 127.0.0.1:9090. This module only reads
// the command line: the GUI's modules load once it asks for more than the help, so that
// `pyblish-gui --help` answers as quickly as Node starts.

import { type GuiCommandOptions, HELP, parse } from './command-line.js';

let options: GuiCommandOptions;
try {
  options = parse(process.argv.slice(2)).values;
} catch (err) {
  process.stderr.write(`pyblish-gui: ${(err as Error).message}\n\n${HELP}\n`);
  process.exit(1);
}
if (options.help) process.stdout.write(HELP);
else await (await import('./start.js')).start(options);
