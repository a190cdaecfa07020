// The browser shell's wire format over one WebSocket.
// Text frames carry JSON:
//   client → server  { id, method, params }        call a contract method
//                    { id, openStream, params }    open a byte stream; result { streamId }
//                    { closeStream: streamId }
//   server → client  { id, result } | { id, error: ApiError }
//                    { event, payload }
//                    { streamEnd: streamId, error: ApiError | null }
// Binary frames carry stream bytes in both directions: a 4-byte big-endian stream id, then the bytes.
import type { EventMessage } from './contract.js';
import type { ApiError } from '../models/error.js';

export type RequestId = number | string;

export type ClientMessage =
  | { id: RequestId; method: string; params?: unknown }
  | { id: RequestId; openStream: string; params?: unknown }
  | { closeStream: number };

export type ServerMessage =
  | { id: RequestId | null; result: unknown }
  | { id: RequestId | null; error: ApiError }
  | EventMessage
  | { streamEnd: number; error: ApiError | null };

export interface OpenStreamResult {
  streamId: number;
}

/** Query parameter of the /api WebSocket URL carrying the per-launch token. */
export const TOKEN_PARAM = 'token';
export const API_PATH = '/api';

const STREAM_ID_BYTES = 4;

export function encodeStreamFrame(streamId: number, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(STREAM_ID_BYTES + bytes.byteLength);
  new DataView(frame.buffer).setUint32(0, streamId);
  frame.set(bytes, STREAM_ID_BYTES);
  return frame;
}

/** null for a frame too short to carry a stream id. */
export function decodeStreamFrame(frame: Uint8Array): { streamId: number; bytes: Uint8Array } | null {
  if (frame.byteLength < STREAM_ID_BYTES) return null;
  const streamId = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  return { streamId, bytes: frame.subarray(STREAM_ID_BYTES) };
}
