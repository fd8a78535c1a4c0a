// The host's errors, on the one base of @pyblish/errors (a code typed as a union, instanceof
// across copies). What a caller of the /pyblish service did wrong is a Fault (from
// @pyblish/xmlrpc), sent back to it; a HostError is for the host's own embedder: the GUI cannot be
// found or trusted, the port is taken, install() and uninstall() in the wrong order.
import { codedError } from '@pyblish/errors';

export class HostError extends codedError('pyblish.host.HostError', [
  'DISCOVERY_MISSING', // No discovery file for the GUI's port: no GUI of ours runs there (or it is a Python GUI).
  'DISCOVERY_INSECURE', // The discovery file is a symlink, another user's, or readable by others: not trusted.
  'DISCOVERY_STALE', // The process that wrote the discovery file is gone: whoever holds the port now is not that GUI.
  'DISCOVERY_INVALID', // The discovery file is not what a GUI writes.
  'GUI_UNREACHABLE', // Nothing answers at the GUI's port.
  'GUI_UNAUTHENTICATED', // A GUI answers but cannot prove who it is, or refuses this host's token.
  'PORT_IN_USE', // The host's own port is taken.
]) {}
/** What went wrong on the host side, as a stable string a caller can branch on. */
export type HostErrorCode = HostError['code'];
