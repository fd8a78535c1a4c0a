// The host life cycle (docs/host.md): install() asks the GUI for a port, serves /pyblish there
// and sends heartbeats; show() asks the GUI to show this host; uninstall() stops it all.
import {
  Fault,
  type MethodType,
  type ParamList,
  TransportError,
  XmlRpcClient,
  type XmlRpcStruct,
} from '@pyblish/xmlrpc';
import { generateToken, UNAUTHENTICATED_WARNING, unauthenticatedFromEnv } from './auth.js';
import { HostError } from './errors.js';
import { guiDiscoveryPath, provenGuiDiscovery } from './gui-discovery-file.js';
import type { GuiState } from './heartbeat.js';
import { IDENTITY_SCHEME } from './identity.js';
import { GuiMethod } from './protocol.js';
import { type DispatchWrapper, type PyblishMethods, PyblishService, type ServiceOptions } from './service.js';
import { type HostTransport, startInThread, startInWorker } from './transport.js';
import type { ShowSettings } from './wire.js';

export interface HostOptions extends ServiceOptions {
  /** The GUI's port (default 9090). */
  guiPort?: number;
  /** Accept callers without a token and register with GUIs that have no discovery file. Default: PYBLISH_ALLOW_UNAUTHENTICATED. */
  allowUnauthenticated?: boolean;
  /** Heartbeat interval (ms, default 1000) and longest back-off while the GUI is down (ms, default 10 000). */
  heartbeatIntervalMs?: number;
  heartbeatMaxBackoffMs?: number;
  /** Timeout of find_available_port and show (ms, default 5000). */
  guiTimeoutMs?: number;
  /** Serve from a worker thread so ping, liveness and heartbeats survive a blocking plug-in (default true). */
  offMainThread?: boolean;
  /** The first port asked of find_available_port (default 9001). */
  firstPort?: number;
  /** Where notices go (default stderr). */
  log?: (message: string) => void;
}

/** What pyblish-qml's settings.py sent; a host overrides what it needs. */
export const DEFAULT_SETTINGS: Readonly<ShowSettings> = Object.freeze<ShowSettings>({
  WindowTitle: 'Pyblish',
  ContextLabel: 'Context',
  WindowSize: [430, 600],
  WindowPosition: [100, 100],
  HeartbeatInterval: 60,
  HiddenSections: ['Collect'],
  autoPublish: false,
  autoValidate: false,
});

const PORT_ATTEMPTS = 3;

function reason(err: unknown): string {
  if (err instanceof Fault) return err.faultString;
  return err instanceof Error ? err.message : String(err);
}

/** The GUI answered but turned the caller away (no token, or a token it no longer accepts). */
function refused(err: unknown): err is TransportError & { status: number } {
  return (
    err instanceof TransportError && err.code === 'HTTP_STATUS' && (err.status === 401 || err.status === 403)
  );
}

export class Host {
  readonly service: PyblishService;
  readonly methods: PyblishMethods;
  /** Callers of this host's /pyblish must present it (unless unauthenticated). */
  readonly token: string;
  readonly authenticated: boolean;
  readonly guiPort: number;
  /** The last heartbeat outcome, null before the first one. */
  guiState: GuiState | null = null;
  private transport: HostTransport | null = null;
  private starting: Promise<HostTransport> | null = null;
  private heartbeating = false;
  private readonly log: (message: string) => void;

  constructor(private readonly options: HostOptions = {}) {
    this.service = new PyblishService({
      ...options,
      port: options.port ?? (() => this.transport?.port ?? -1),
      onBusy: (state) => {
        this.transport?.setBusy(state);
        options.onBusy?.(state);
      },
    });
    this.methods = this.service.methods();
    this.token = generateToken();
    this.authenticated = !(options.allowUnauthenticated ?? unauthenticatedFromEnv());
    this.guiPort = options.guiPort ?? 9090;
    this.log = options.log ?? ((m) => process.stderr.write(`pyblish host: ${m}\n`));
  }

  /** The port /pyblish is served on, or null when not serving. */
  get port(): number | null {
    return this.transport?.port ?? null;
  }

  get url(): string | null {
    return this.transport ? `http://127.0.0.1:${this.transport.port}/pyblish` : null;
  }

  /** Every service call runs inside `wrapper` (e.g. on an application's main-thread queue); null restores direct calls. */
  setDispatchWrapper(wrapper: DispatchWrapper | null): void {
    this.service.setDispatchWrapper(wrapper);
  }

  /** Serves /pyblish on `port` (0 picks a free one) without a GUI; returns the port. */
  async serve(port = 0): Promise<number> {
    if (this.transport) return this.transport.port;
    this.starting ??= this.startTransport(port);
    try {
      this.transport = await this.starting;
    } finally {
      this.starting = null;
    }
    return this.transport.port;
  }

  private startTransport(port: number): Promise<HostTransport> {
    if (!this.authenticated) this.log(UNAUTHENTICATED_WARNING);
    const start = this.options.offMainThread === false ? startInThread : startInWorker;
    return start(this.methods, {
      port,
      token: this.authenticated ? this.token : null,
      onGuiState: (state) => this.onGuiState(state),
      log: this.log,
      onError: (err, method) =>
        this.log(`${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    });
  }

  private onGuiState(state: GuiState): void {
    const was = this.guiState;
    this.guiState = state;
    const where = `the GUI at 127.0.0.1:${this.guiPort}`;
    if (!state.up) this.log(`${where} does not answer heartbeats (${state.error}); retrying with back-off`);
    else if (was && !was.up) this.log(`${where} answers heartbeats again`);
  }

  /**
   * A client for the GUI, with its token from the discovery file when authenticated, once the GUI
   * has proven it knows that token.
   */
  private async guiClient(): Promise<XmlRpcClient> {
    const url = `http://127.0.0.1:${this.guiPort}`;
    const timeout = this.options.guiTimeoutMs ?? 5000;
    if (!this.authenticated) return new XmlRpcClient(url, { timeout });
    try {
      const { token } = await provenGuiDiscovery(this.guiPort, { timeoutMs: timeout });
      return new XmlRpcClient(url, { timeout, token });
    } catch (err) {
      if (err instanceof HostError && err.code === 'GUI_UNREACHABLE')
        throw this.unreachable(String(err.cause));
      if (!(err instanceof HostError) || err.code !== 'DISCOVERY_MISSING') throw err;
      // No discovery file: either no GUI at all, or one that cannot authenticate (a Python GUI).
      const probe = new XmlRpcClient(url, { timeout });
      try {
        await probe.call(GuiMethod.ping, []);
      } catch (probeErr) {
        if (!refused(probeErr)) throw this.unreachable('no discovery file and nothing answers');
        throw new HostError(
          'GUI_UNAUTHENTICATED',
          `A GUI answers at 127.0.0.1:${this.guiPort} but requires its token, and its discovery file ` +
            `${guiDiscoveryPath(this.guiPort)} is missing. Run the host as the same user and with the same ` +
            'PYBLISH_RUNTIME_DIR as the GUI, or restart the GUI so it writes the file again.',
          { cause: probeErr },
        );
      } finally {
        probe.close();
      }
      throw new HostError(
        'GUI_UNAUTHENTICATED',
        `A GUI answers at 127.0.0.1:${this.guiPort} but wrote no discovery file, so it cannot prove who it is ` +
          '(a Python pyblish-qml, or a GUI of another user). Refusing to register with it. If you trust it, run ' +
          'the host with --allow-unauthenticated (or PYBLISH_ALLOW_UNAUTHENTICATED=1).',
      );
    }
  }

  private unreachable(why: string): HostError {
    return new HostError(
      'GUI_UNREACHABLE',
      `No Pyblish GUI answered at 127.0.0.1:${this.guiPort} (${why}). Start one first: \`npx pyblish-gui\` ` +
        '(or `python -m pyblish_qml`, with this host run with --allow-unauthenticated). The host keeps ' +
        'running; call show() again once the GUI is up.',
    );
  }

  private async callGui<P extends ParamList, R>(method: MethodType<P, R>, params: P): Promise<R> {
    const client = await this.guiClient();
    try {
      return await client.call(method, params);
    } catch (err) {
      if (refused(err)) {
        throw new HostError(
          'GUI_UNAUTHENTICATED',
          this.authenticated
            ? `The GUI at 127.0.0.1:${this.guiPort} refused the token from its discovery file ` +
                `${guiDiscoveryPath(this.guiPort)} (HTTP ${err.status}); the file is from an earlier GUI or ` +
                'was changed. Restart the GUI so it writes a fresh one.'
            : `The GUI at 127.0.0.1:${this.guiPort} refused this host (HTTP ${err.status}): it requires a token, ` +
                'and this host runs with --allow-unauthenticated (or PYBLISH_ALLOW_UNAUTHENTICATED=1). Run the ' +
                'host without --allow-unauthenticated so it reads the token from the GUI discovery file.',
          { cause: err },
        );
      }
      if (err instanceof TransportError) throw this.unreachable(reason(err));
      throw err;
    } finally {
      client.close();
    }
  }

  /**
   * Registers with the GUI: asks it for a port (find_available_port), serves /pyblish there, sets
   * PYBLISH_CLIENT_PORT and starts the heartbeat. Returns the port. With a server already running
   * (serve()), keeps its port.
   */
  async install(): Promise<number> {
    if (this.transport && this.heartbeating) return this.transport.port;
    if (!this.transport) {
      let start = this.options.firstPort ?? 9001;
      for (let attempt = 1; !this.transport; attempt++) {
        const port = await this.callGui(GuiMethod.findAvailablePort, [start]);
        if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
          throw new HostError(
            'GUI_UNREACHABLE',
            `The GUI answered find_available_port with ${String(port)}, not a port.`,
          );
        }
        try {
          await this.serve(port);
        } catch (err) {
          if (!(err instanceof HostError && err.code === 'PORT_IN_USE') || attempt >= PORT_ATTEMPTS)
            throw err;
          this.log(`port ${port} from the GUI is taken; asking for another`);
          start = port + 1;
        }
      }
    }
    const port = this.transport!.port;
    process.env.PYBLISH_CLIENT_PORT = String(port);
    this.startHeartbeat(this.settings({}));
    this.heartbeating = true;
    return port;
  }

  /** The show settings sent to the GUI: the defaults, the caller's, and ours (pid, token, identity). */
  private settings(given: ShowSettings): ShowSettings {
    return {
      ...DEFAULT_SETTINGS,
      ...given,
      pid: process.pid,
      ...(this.authenticated && { token: this.token, identity: IDENTITY_SCHEME }),
    };
  }

  /** (Re)starts the heartbeat; `settings` go to a GUI that asks for them (one restarted since). */
  private startHeartbeat(settings: ShowSettings): void {
    this.transport!.startHeartbeat({
      guiPort: this.guiPort,
      hostPort: this.transport!.port,
      authenticated: this.authenticated,
      settings,
      ...(this.options.heartbeatIntervalMs !== undefined && { intervalMs: this.options.heartbeatIntervalMs }),
      ...(this.options.heartbeatMaxBackoffMs !== undefined && {
        maxBackoffMs: this.options.heartbeatMaxBackoffMs,
      }),
    });
  }

  /** Asks the GUI to show this host (installing first if needed). Throws GUI_UNREACHABLE when no GUI answers. */
  async show(settings: ShowSettings = {}): Promise<void> {
    const port = await this.install();
    const sent = this.settings(settings);
    // ShowSettings allows any further keys a host adds; they travel as the struct's members.
    await this.callGui(GuiMethod.show, [port, sent as XmlRpcStruct]);
    this.startHeartbeat(sent);
  }

  /** Stops the heartbeat and the server. Safe to call twice. */
  async uninstall(): Promise<void> {
    const transport = this.transport ?? (await this.starting?.catch(() => null)) ?? null;
    this.transport = null;
    this.heartbeating = false;
    this.guiState = null;
    await transport?.close();
  }
}
