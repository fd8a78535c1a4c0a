// The heartbeat: `heartbeat(port)` to the GUI every interval, backing off (never spinning) while
// the GUI is down, and picking up a restarted GUI (and its new token) without a host restart: a
// GUI that knows the host from its heartbeats only asks for its settings, which it then sends.
// Authenticated beats go only to a GUI that has just proven it knows the token: a GUI that died
// leaves its port to anyone, and a kept-alive connection would reconnect to them unseen.
import { Fault, XmlRpcClient, type XmlRpcStruct } from '@pyblish/xmlrpc';
import { provenGuiDiscovery } from './gui-discovery-file.js';
import { GuiMethod } from './protocol.js';

export interface HeartbeatOptions {
  guiPort: number;
  hostPort: number;
  /** Between beats while the GUI answers (ms, default 1000 as the original). */
  intervalMs?: number;
  /** The longest wait between attempts while the GUI is down (ms, default 10 000). */
  maxBackoffMs?: number;
  /** Read the GUI's token from its discovery file and send it. */
  authenticated: boolean;
  /** What `pyblish.register` tells a GUI that asks (a restarted GUI): the host's show settings. */
  settings?: Record<string, unknown>;
}

export interface GuiState {
  up: boolean;
  /** Why the last beat failed. */
  error: string | null;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private client: XmlRpcClient | null = null;
  /** The token `client` sends. */
  private token: string | undefined;
  private delay: number;
  private up: boolean | null = null;
  private error: string | null = null;
  private stopped = false;
  private readonly interval: number;
  private readonly maxBackoff: number;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly onState: (state: GuiState) => void = () => {},
  ) {
    this.interval = options.intervalMs ?? 1000;
    this.maxBackoff = Math.max(this.interval, options.maxBackoffMs ?? 10_000);
    this.delay = this.interval;
  }

  start(): void {
    this.stopped = false;
    void this.beat();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.client?.close();
    this.client = null;
  }

  /** The client for this beat: with the token of a GUI that just proved it knows it. */
  private async connect(): Promise<XmlRpcClient> {
    const { guiPort, authenticated } = this.options;
    const timeout = Math.max(1000, this.interval * 2);
    // Read every beat: a restarted GUI writes a new token, and a dead GUI's stale file must stop
    // the token from going to whoever took its port.
    const token = authenticated
      ? (await provenGuiDiscovery(guiPort, { timeoutMs: timeout })).token
      : undefined;
    if (this.client && token !== this.token) {
      this.client.close();
      this.client = null;
    }
    this.token = token;
    this.client ??= new XmlRpcClient(`http://127.0.0.1:${guiPort}`, {
      timeout,
      ...(token !== undefined && { token }),
    });
    return this.client;
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = await this.connect();
      if (this.stopped) {
        // Stopped while the GUI proved itself: stop() found no client to close.
        client.close();
        this.client = null;
        return;
      }
      const reply = await client.call(GuiMethod.heartbeat, [this.options.hostPort]);
      if (reply?.settingsWanted === true) await this.register(client);
      this.delay = this.interval;
      this.report({ up: true, error: null });
    } catch (err) {
      this.client?.close();
      this.client = null;
      this.delay = this.up === false ? Math.min(this.maxBackoff, this.delay * 2) : this.interval;
      this.report({ up: false, error: err instanceof Error ? err.message : String(err) });
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.beat(), this.delay);
  }

  /** Tells a GUI that met this host by its heartbeats only who it is; a GUI without the method is left be. */
  private async register(client: XmlRpcClient): Promise<void> {
    const { hostPort, settings } = this.options;
    if (!settings) return;
    await client.call(GuiMethod.register, [hostPort, settings as XmlRpcStruct]).catch((err: unknown) => {
      if (!(err instanceof Fault)) throw err;
    });
  }

  /** Tells of a change: up or down, or down for another reason. */
  private report(state: GuiState): void {
    if (state.up === this.up && state.error === this.error) return;
    this.up = state.up;
    this.error = state.error;
    this.onState(state);
  }
}
