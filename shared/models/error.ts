/** Codes the backend itself raises; libvirt failures use libvirt's own 'VIR_ERR_…' names. */
export type ApiErrorCode =
  | 'invalid-input'
  | 'unknown-method'
  | 'not-found'
  | 'not-connected'
  | 'already-exists'
  | 'not-removable'
  | 'not-implemented'
  | 'transport-closed'
  | 'internal';

export interface ApiErrorIssue {
  /** Path into the params, e.g. ['intervalMs'] or ['uuid']. */
  path: (string | number)[];
  message: string;
}

/** The one error shape every method call can fail with, on every transport. */
export interface ApiError {
  code: ApiErrorCode | `VIR_ERR_${string}`;
  message: string;
  /** Present for 'invalid-input'. */
  issues?: ApiErrorIssue[];
  /** Present for libvirt failures. */
  libvirt?: { virCode: number; virDomainName: string };
}
