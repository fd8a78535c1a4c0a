// The server hosts find at 127.0.0.1:9090: show, hide, quit, kill, heartbeat, ping and
// find_available_port, with pyblish-qml's names and meanings (declared in @pyblish/host's
// protocol.ts as GuiMethod), and checked arguments; plus our pyblish.register, by which a host
// met again after a GUI restart tells its settings.
// Served on `/`, `/RPC2` (Python's ServerProxy default) and `/pyblish`; the identity route
// (IDENTITY_PATH) answers hosts' challenges without a token, so they can check the GUI before
// they send it theirs.

import { exceptIdentity, GuiMethod, identityRoute, PING_REPLY, type ShowSettings } from '@pyblish/host';
import {
  createServer,
  Fault,
  FaultCode,
  MethodRegistry,
  tokenAuthenticator,
  tokenMatcher,
  type XmlRpcServer,
  type XmlRpcStruct,
} from '@pyblish/xmlrpc';
import { isFarm } from './farm-run.js';
import { REFUSED_CALLER_ADVICE, RefusalLog } from './refusals.js';

export interface GuiServerHandlers {
  show(port: number, settings: ShowSettings, authenticated: boolean): void;
  hide(): void;
  quit(): void;
  kill(): void;
  /** True when the GUI knows the host from its heartbeats only and wants its settings. */
  heartbeat(port: number, authenticated: boolean): boolean;
  register(port: number, settings: ShowSettings, authenticated: boolean): void;
  findAvailablePort(start: number): Promise<number | null>;
}

export interface GuiServerOptions {
  port: number;
  token: string;
  allowUnauthenticated: boolean;
  handlers: GuiServerHandlers;
  /** Told about handlers that failed (callers only see "METHOD failed"). */
  onError?: (err: unknown, method: string) => void;
  /** Lines for the person running the GUI (callers refused for want of the token). */
  log?: (line: string) => void;
}

function checkSettings(s: XmlRpcStruct): ShowSettings {
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
  if ('Farm' in s && !(typeof s.Farm === 'string' && isFarm(s.Farm)))
    fail('Farm must be "local" or a farm URL, redis://[user:password@]HOST:PORT (rediss:// for TLS)');
  return s as ShowSettings;
}

export async function startGuiServer(options: GuiServerOptions): Promise<XmlRpcServer> {
  const { handlers, token } = options;
  const hasToken = tokenMatcher(token);
  const methods = new MethodRegistry()
    .register(GuiMethod.show, ([port, settings], call) => {
      handlers.show(port, checkSettings(settings ?? {}), hasToken(call.headers));
      return true;
    })
    .register(GuiMethod.hide, () => {
      handlers.hide();
      return true;
    })
    .register(GuiMethod.quit, () => {
      handlers.quit();
      return true;
    })
    .register(GuiMethod.kill, () => {
      handlers.kill();
      return true;
    })
    .register(GuiMethod.heartbeat, ([port], call) =>
      handlers.heartbeat(port, hasToken(call.headers)) ? { settingsWanted: true } : null,
    )
    .register(GuiMethod.register, ([port, settings], call) => {
      handlers.register(port, checkSettings(settings ?? {}), hasToken(call.headers));
      return true;
    })
    .register(GuiMethod.ping, () => ({ ...PING_REPLY }))
    .register(GuiMethod.findAvailablePort, async ([start = 9001]) => {
      const port = await handlers.findAvailablePort(start);
      if (port === null) {
        throw new Fault(FaultCode.ApplicationError, `No free port from ${start} upwards; start lower.`);
      }
      return port;
    });
  const serverOptions: Parameters<typeof createServer>[0] = {
    port: options.port,
    routes: { '/': methods, '/RPC2': methods, '/pyblish': methods, ...identityRoute(token, 'gui') },
  };
  if (options.onError) serverOptions.onError = options.onError;
  if (!options.allowUnauthenticated) {
    serverOptions.authenticate = exceptIdentity(tokenAuthenticator(token));
    serverOptions.unauthorizedMessage = REFUSED_CALLER_ADVICE;
    const refusals = new RefusalLog(options.log ?? (() => undefined));
    serverOptions.onUnauthorized = (req) => refusals.refused(req);
  }
  return createServer(serverOptions);
}
