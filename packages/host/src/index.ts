export * from './auth.js';
export { type BusyState, livenessOf } from './calls.js';
export * from './discovery.js';
export * from './errors.js';
export * from './format.js';
export { type GuiState, Heartbeat, type HeartbeatOptions } from './heartbeat.js';
export { DEFAULT_SETTINGS, Host, type HostOptions } from './host.js';
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
export * from './wire.js';
