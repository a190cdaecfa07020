import type { ListChange } from './list.js';

/** Where a connection entry comes from: it decides whether it can be removed and whether it is persisted. */
export type ConnectionOrigin =
  /** The built-in Demo connection (libvirt's test driver): always present. */
  | 'demo'
  /** A local libvirt daemon found on this machine (qemu:///system, qemu:///session). */
  | 'detected'
  /** Added by the user; persisted in connections.json. */
  | 'user'
  /** Given on the command line (--connect); lives for this launch only. */
  | 'launch';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

export interface ConnectionInfo {
  id: string;
  name: string;
  uri: string;
  origin: ConnectionOrigin;
  autoconnect: boolean;
  state: ConnectionState;
  /** Why the connection is disconnected (libvirt's message), or null after a clean disconnect. */
  reason: string | null;
  /** Reconnect attempt under way or scheduled (1, 2...), 0 when not reconnecting. */
  reconnectAttempt: number;
  /** When the next reconnect attempt starts (ms since the epoch), null when none is scheduled. */
  nextRetryAt: number | null;
}

/** Connection list changes; `removed` holds connection ids. */
export type ConnectionListChange = ListChange<ConnectionInfo>;

/** What this launch of the app was asked to show first (--connect URI, else Demo). */
export interface LaunchInfo {
  initialConnectionId: string;
}
