// @pyblish/host: makes a Node process a Pyblish host (the counterpart of pyblish-rpc). The public
// surface, grouped; anything not listed is internal.

// The host life cycle: install (port from the GUI, serve, heartbeat), show, uninstall
export { DEFAULT_SETTINGS, Host, type HostOptions } from './host.js';
export { type GuiState, Heartbeat, type HeartbeatOptions } from './heartbeat.js';

// The /pyblish service and the session state behind it
export {
  GuiMethod,
  HOST_EXTENSIONS,
  HostMethod,
  type HostMethodKey,
  type IdParam,
  PORT_MAX,
  PORT_MIN,
} from './protocol.js';
export {
  createService,
  type DispatchWrapper,
  PyblishMethods,
  PyblishService,
  type ServiceOptions,
} from './service.js';
export { HOST_VERSION, Session, type SessionOptions } from './session.js';
export { type BusyState, livenessOf } from './calls.js';

// Wire shapes (what a GUI and a host exchange) and the serialisers from core objects to them
export {
  type ActionJSON,
  type ActionOn,
  type BeginJSON,
  type ContextJSON,
  type DataJSON,
  type ErrorJSON,
  type InstanceJSON,
  type LevelName,
  type EmitJSON,
  type HeartbeatJSON,
  type LivenessJSON,
  PING_REPLY,
  type PingJSON,
  type PluginJSON,
  type PluginType,
  type PollJSON,
  type RecordJSON,
  type ResultJSON,
  type ShowSettings,
  type StatsJSON,
  type TestVars,
} from './wire.js';
export {
  DATA_WHITELIST,
  formatAction,
  formatContext,
  formatData,
  formatError,
  formatInstance,
  formatPlugin,
  formatRecord,
  formatResult,
  pyblishTime,
} from './format.js';

// Authentication: the per-run token and the GUI's discovery file that carries it to hosts
export { generateToken, UNAUTHENTICATED_WARNING, unauthenticatedFromEnv } from './auth.js';
export {
  type GuiDiscovery,
  guiDiscoveryPath,
  readGuiDiscovery,
  removeGuiDiscovery,
  runtimeDir,
  writeGuiDiscovery,
} from './gui-discovery-file.js';

// Errors
export { HostError, type HostErrorCode } from './errors.js';
