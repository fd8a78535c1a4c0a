/** What went wrong on the host side, as a stable string a caller can branch on. */
export type HostErrorCode =
  | 'DISCOVERY_MISSING'
  | 'DISCOVERY_INSECURE'
  | 'DISCOVERY_STALE'
  | 'DISCOVERY_INVALID'
  | 'GUI_UNREACHABLE'
  | 'GUI_UNAUTHENTICATED'
  | 'PORT_IN_USE'
  | 'NOT_INSTALLED'
  | 'ALREADY_INSTALLED';

export class HostError extends Error {
  readonly code: HostErrorCode;
  constructor(code: HostErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HostError';
    this.code = code;
  }
}
