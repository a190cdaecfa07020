// What the Electron preload exposes as `window.vireo`: the contract and nothing else.
// Results come back as Outcome objects rather than rejections because contextBridge keeps
// only the message of an Error; the renderer's client turns them into ApiCallErrors.
import type { ApiEvents, EventName, MethodName, MethodParams, MethodResult, StreamHandle, StreamName, StreamParams, StreamSink } from './contract.js';
import type { Outcome } from './dispatch.js';
import type { ApiError } from '../models/error.js';

export interface VireoBridge {
  call<M extends MethodName>(method: M, params: MethodParams<M> | undefined): Promise<Outcome<MethodResult<M>>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  openStream<S extends StreamName>(channel: S, params: StreamParams<S>, sink: StreamSink): Promise<Outcome<StreamHandle>>;
  /** Opens (or brings forward) the VM's own window on `tab` (manager window: renderer/vm-window.ts). */
  openVmWindow(request: VmWindowRequest): Promise<void>;
}

/** Which VM window to open: renderer route #/vm/<connectionId>/<uuid>/<tab>. */
export interface VmWindowRequest {
  connectionId: string;
  uuid: string;
  tab: 'console' | 'details';
}

/** The hash route of a VM window, e.g. "/vm/demo/6695eb01-f6a4-8304-79aa-97f2502e193f/console" (no leading #). */
export function vmWindowRoute({ connectionId, uuid, tab }: VmWindowRequest): string {
  return `/vm/${encodeURIComponent(connectionId)}/${encodeURIComponent(uuid)}/${tab}`;
}

/** The request a route names, or null for any other hash; accepts it with or without the leading #. */
export function parseVmWindowRoute(hash: string): VmWindowRequest | null {
  const match = /^#?\/vm\/([^/]+)\/([0-9a-f-]{36})\/(console|details)$/i.exec(hash);
  if (!match) return null;
  try {
    return { connectionId: decodeURIComponent(match[1]!), uuid: match[2]!.toLowerCase(), tab: match[3]!.toLowerCase() as VmWindowRequest['tab'] };
  } catch {
    return null; // a malformed %-escape
  }
}

/** IPC channel names, derived from the contract's method names. */
export const ipcChannels = {
  call: (method: MethodName) => `vireo:call:${method}`,
  event: 'vireo:event',
  openStream: 'vireo:open-stream',
  openVmWindow: 'vireo:open-vm-window',
} as const;

/**
 * Messages on a stream's MessagePort besides raw bytes (Uint8Array, both ways). Main sends
 * 'opened', or 'end' first when the stream could not open; the preload sends 'close', and 'ack'
 * for the bytes it handed to the page (main pauses the stream's source while too many are
 * unacknowledged: shared/api/flow.ts).
 */
export type StreamPortMessage = { kind: 'opened' } | { kind: 'end'; error: ApiError | null } | { kind: 'close' } | { kind: 'ack'; bytes: number };
