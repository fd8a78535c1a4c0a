// The command line of `pyblish-gui`: its options and its help, apart from main.ts so that they
// can be read (and checked against the documentation) without starting the GUI.
import { type ParseArgsConfig, parseArgs } from 'node:util';

export const HELP = `Usage: pyblish-gui [options]

The Pyblish GUI: hosts find it at 127.0.0.1:PORT and it drives their publishes in a window.

Options:
  --port N                  where hosts find the GUI (default 9090)
  --web-port N              the window's port (default: any free port)
  --no-browser              do not open a window; print its address (with the token)
  --auto-validate           validate every host as soon as it is shown and collected
  --auto-publish            publish every host as soon as it is shown and collected
  --report FILE             write the report of each run to FILE (JSON)
  --allow-unauthenticated   accept hosts that send no token (pyblish-qml 0.x Python hosts)
  --kill                    stop the GUI already running at the port, then start
  --demo                    also start a demo TypeScript host that shows itself
  --farm URL                offer "Publish on farm": validate here, extract and integrate on the
                            farm (local, or redis://[user:password@]HOST:PORT; rediss:// for TLS).
                            PYBLISH_FARM is read too; a host's own Farm setting wins for it
  --farm-attempts N         runs of a farm job whose extraction or integration fails (default 3)
  --farm-retry-delay MS     the wait before a farm job runs again, doubling (default 5000)
  --open-report FILE        show a saved report read-only instead: one the GUI wrote, or
                            the JSON of \`pyblish publish --json\`; takes only --web-port
                            and --no-browser, and needs no port 9090
  -h, --help                this text
`;

export const options = {
  port: { type: 'string' },
  'web-port': { type: 'string' },
  'no-browser': { type: 'boolean', default: false },
  'auto-publish': { type: 'boolean', default: false },
  'auto-validate': { type: 'boolean', default: false },
  report: { type: 'string' },
  'allow-unauthenticated': { type: 'boolean', default: false },
  kill: { type: 'boolean', default: false },
  demo: { type: 'boolean', default: false },
  farm: { type: 'string' },
  'farm-attempts': { type: 'string' },
  'farm-retry-delay': { type: 'string' },
  'open-report': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies NonNullable<ParseArgsConfig['options']>;

export function parse(args: string[]) {
  return parseArgs({ args, options, strict: true });
}

/** The options of the command line, as read. */
export type GuiCommandOptions = ReturnType<typeof parse>['values'];
