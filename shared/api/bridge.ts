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
}

/** IPC channel names, derived from the contract's method names. */
export const ipcChannels = {
  call: (method: MethodName) => `vireo:call:${method}`,
  event: 'vireo:event',
  openStream: 'vireo:open-stream',
} as const;

/**
 * Messages on a stream's MessagePort besides raw bytes (Uint8Array, both ways). Main sends
 * 'opened', or 'end' first when the stream could not open; the preload sends 'close'.
 */
export type StreamPortMessage = { kind: 'opened' } | { kind: 'end'; error: ApiError | null } | { kind: 'close' };
