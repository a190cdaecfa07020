// Lists the backend keeps (connections, a connection's VMs) reach clients as one snapshot plus
// change batches. Every batch carries a version from one increasing counter, and a snapshot the
// version of the last batch it includes, so a client can order them whatever the transport does.

export interface ListSnapshot<T> {
  version: number;
  items: T[];
}

export interface ListChange<T> {
  version: number;
  /** true: `upserted` is the whole list and replaces what the client holds. */
  reset: boolean;
  upserted: T[];
  /** Keys of removed items. */
  removed: string[];
}
