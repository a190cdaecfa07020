// ApiClient over the browser shell's WebSocket (protocol: shared/api/protocol.ts).
import type { ApiClient, ApiEvents, EventMessage, EventName, StreamSink } from '../../shared/api/contract.js';
import { ApiCallError } from '../../shared/api/errors.js';
import { type ClientMessage, type OpenStreamResult, type ServerMessage, decodeStreamFrame, encodeStreamFrame } from '../../shared/api/protocol.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: ApiCallError) => void };
type AnyListener = (payload: ApiEvents[EventName]) => void;

const CLOSED = { code: 'transport-closed', message: 'The connection to the Vireo backend is closed' } as const;

/** How the socket ended: never accepted (wrong or missing token), or closed later (backend stopped). */
export type SocketEnd = 'refused' | 'closed';

/** `onClosed` runs once the socket is gone; pending calls have failed by then. */
export function createWebSocketClient(url: string, onClosed: (end: SocketEnd) => void): ApiClient {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  let wasOpen = false;
  const opened = new Promise<void>((resolve) =>
    socket.addEventListener('open', () => {
      wasOpen = true;
      resolve();
    }, { once: true }),
  );
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<AnyListener>>();
  const streams = new Map<number, StreamSink>();
  let lastId = 0;
  let closed = false;

  socket.addEventListener('message', ({ data }: MessageEvent<string | ArrayBuffer>) => {
    if (typeof data !== 'string') {
      const frame = decodeStreamFrame(new Uint8Array(data));
      if (frame) streams.get(frame.streamId)?.data(frame.bytes);
      return;
    }
    const message = JSON.parse(data) as ServerMessage;
    if ('event' in message) return deliver(message);
    if ('streamEnd' in message) {
      streams.get(message.streamEnd)?.end(message.error);
      streams.delete(message.streamEnd);
      return;
    }
    const caller = typeof message.id === 'number' ? pending.get(message.id) : undefined;
    if (!caller) return;
    pending.delete(message.id as number);
    if ('error' in message) caller.reject(new ApiCallError(message.error));
    else caller.resolve(message.result);
  });

  socket.addEventListener('close', () => {
    closed = true;
    for (const caller of pending.values()) caller.reject(new ApiCallError(CLOSED));
    pending.clear();
    for (const sink of streams.values()) sink.end(CLOSED);
    streams.clear();
    onClosed(wasOpen ? 'closed' : 'refused');
  });

  function deliver(message: EventMessage): void {
    for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
  }

  async function request(message: { method: string; params?: unknown } | { openStream: string; params?: unknown }): Promise<unknown> {
    if (closed) throw new ApiCallError(CLOSED);
    await opened;
    const id = ++lastId;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, ...message }));
    });
  }

  return {
    call: (method, ...[params]) => request({ method, params }) as never,
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as AnyListener);
      listeners.set(event, set);
      return () => set.delete(listener as AnyListener);
    },
    async openStream(channel, params, sink) {
      const { streamId } = (await request({ openStream: channel, params })) as OpenStreamResult;
      streams.set(streamId, sink);
      return {
        write: (bytes) => socket.send(encodeStreamFrame(streamId, bytes)),
        close: () => {
          streams.delete(streamId);
          if (!closed) socket.send(JSON.stringify({ closeStream: streamId } satisfies ClientMessage));
        },
      };
    },
  };
}
