// The server hosts find at 127.0.0.1:9090: show, hide, quit, kill, heartbeat, ping and
// find_available_port, with pyblish-qml's names and meanings, and checked arguments.
// Served on `/`, `/RPC2` (Python's ServerProxy default) and `/pyblish`.

import type { IncomingMessage } from 'node:http';
import { PING_REPLY, type ShowSettings } from '@pyblish/host';
import {
  createServer,
  Fault,
  FaultCode,
  MethodRegistry,
  type XmlRpcServer,
  type XmlRpcValue,
} from '@pyblish/xmlrpc';
import { PORT_MAX, PORT_MIN } from './ports.js';
import { requestHasToken } from './tokens.js';

export interface GuiServerHandlers {
  show(port: number, settings: ShowSettings, authenticated: boolean): void;
  hide(): void;
  quit(): void;
  kill(): void;
  heartbeat(port: number, authenticated: boolean): void;
  findAvailablePort(start: number): Promise<number | null>;
}

export interface GuiServerOptions {
  port: number;
  token: string;
  allowUnauthenticated: boolean;
  handlers: GuiServerHandlers;
  /** Told about handlers that failed (callers only see "METHOD failed"). */
  onError?: (err: unknown, method: string) => void;
}

const PORT_SPEC = { type: 'int', name: 'port', min: 1, max: PORT_MAX } as const;

function checkSettings(value: XmlRpcValue): ShowSettings {
  const s = value as Record<string, XmlRpcValue>;
  const fail = (why: string): never => {
    throw new Fault(FaultCode.InvalidParams, `show: settings.${why}`);
  };
  const strings = ['WindowTitle', 'ContextLabel', 'token'];
  for (const key of strings) if (key in s && typeof s[key] !== 'string') fail(`${key} must be a string`);
  for (const key of ['WindowSize', 'WindowPosition']) {
    if (!(key in s)) continue;
    const v = s[key];
    if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      fail(`${key} must be two numbers`);
    }
  }
  if ('HiddenSections' in s) {
    const v = s.HiddenSections;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      fail('HiddenSections must be a list of strings');
  }
  for (const key of ['autoPublish', 'autoValidate']) {
    if (key in s && typeof s[key] !== 'boolean') fail(`${key} must be true or false`);
  }
  if ('HeartbeatInterval' in s && typeof s.HeartbeatInterval !== 'number')
    fail('HeartbeatInterval must be a number');
  if ('pid' in s && !(typeof s.pid === 'number' && Number.isInteger(s.pid) && s.pid > 0))
    fail('pid must be a process id');
  return s as ShowSettings;
}

export async function startGuiServer(options: GuiServerOptions): Promise<XmlRpcServer> {
  const { handlers, token } = options;
  const authed = (call: { headers: IncomingMessage['headers'] }) => requestHasToken(call.headers, token);
  const methods = new MethodRegistry()
    .register(
      'show',
      (params, call) => {
        const settings = checkSettings(params[1] ?? {});
        handlers.show(params[0] as number, settings, authed(call));
        return true;
      },
      {
        signature: [PORT_SPEC, { type: 'struct', name: 'settings', optional: true }],
        returns: 'boolean',
        help: 'Shows the GUI for the host serving /pyblish at port, with its settings.',
      },
    )
    .register(
      'hide',
      () => {
        handlers.hide();
        return true;
      },
      { signature: [], help: 'Hides the GUI; the process stays.' },
    )
    .register(
      'quit',
      () => {
        handlers.quit();
        return true;
      },
      { signature: [], help: 'Ends the current run, writes its report and exits.' },
    )
    .register(
      'kill',
      () => {
        handlers.kill();
        return true;
      },
      { signature: [], help: 'Exits at once (status 1), still writing the report.' },
    )
    .register(
      'heartbeat',
      (params, call) => {
        handlers.heartbeat(params[0] as number, authed(call));
        return null;
      },
      { signature: [PORT_SPEC], help: 'Tells the GUI the host at port is alive.' },
    )
    .register('ping', () => ({ ...PING_REPLY }), { signature: [], help: 'Liveness check.' })
    .register(
      'find_available_port',
      async (params) => {
        const start = params[0] === undefined ? 9001 : (params[0] as number);
        const port = await handlers.findAvailablePort(start);
        if (port === null) {
          throw new Fault(FaultCode.ApplicationError, `No free port from ${start} upwards; start lower.`);
        }
        return port;
      },
      {
        signature: [{ type: 'int', name: 'start', optional: true, min: PORT_MIN, max: PORT_MAX }],
        returns: 'int',
        help: 'A port no other host uses, from start upwards.',
      },
    );
  const serverOptions: Parameters<typeof createServer>[0] = {
    port: options.port,
    routes: { '/': methods, '/RPC2': methods, '/pyblish': methods },
  };
  if (options.onError) serverOptions.onError = options.onError;
  if (!options.allowUnauthenticated) {
    serverOptions.authenticate = (req) => requestHasToken(req.headers, token);
  }
  return createServer(serverOptions);
}
