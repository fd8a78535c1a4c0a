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
  IdentityMethod,
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
export {
  cappedRecords,
  cutText,
  RECORD_LIMITS,
  RecordBuffer,
  type RecordLimits,
} from './record-buffer.js';

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
  type RunningPairJSON,
  type RunPollJSON,
  type RunResultJSON,
  type RunSpecJSON,
  type ShowSettings,
  type StatsJSON,
  type TestVars,
} from './wire.js';
export {
  packRunResults,
  type RunResultColumnsJSON,
  readRunColumns,
  runResultsOf,
  unpackRunResults,
} from './run-columns.js';
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
  formatRunResult,
  pyblishTime,
} from './format.js';

// Authentication: the per-run token and the GUI's discovery file that carries it to hosts
export { generateToken, UNAUTHENTICATED_WARNING, unauthenticatedFromEnv } from './auth.js';
export {
  ensureRuntimeDir,
  type GuiDiscovery,
  guiDiscoveryPath,
  provenGuiDiscovery,
  readGuiDiscovery,
  removeGuiDiscovery,
  runtimeDir,
  writeGuiDiscovery,
} from './gui-discovery-file.js';

// Proving who answers at a port without sending the secret (GUI to host and host to GUI)
export {
  checkIdentity,
  exceptIdentity,
  guardedRoutes,
  IDENTITY_PATH,
  IDENTITY_SCHEME,
  type IdentityOutcome,
  type IdentityRole,
  identityProof,
  identityRoute,
} from './identity.js';

// Errors
export { HostError, type HostErrorCode } from './errors.js';
