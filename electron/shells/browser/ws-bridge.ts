// Serves one authenticated WebSocket with the protocol of shared/api/protocol.ts.
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import type { StreamHandle } from '../../../shared/api/contract.js';
import {
  type ClientMessage,
  type OpenStreamResult,
  type RequestId,
  type ServerMessage,
  decodeStreamFrame,
  encodeStreamFrame,
} from '../../../shared/api/protocol.js';
import type { Outcome } from '../../../shared/api/dispatch.js';
import { FlowGate } from '../../../shared/api/flow.js';
import type { Backend } from '../../backend/backend.js';
import { ApiSession } from '../../backend/session.js';

const requestId = z.union([z.number(), z.string().max(100)]);
const clientMessage: z.ZodType<ClientMessage> = z.union([
  z.object({ id: requestId, method: z.string().max(200), params: z.unknown().optional() }),
  z.object({ id: requestId, openStream: z.string().max(200), params: z.unknown().optional() }),
  z.object({ closeStream: z.number().int() }),
]);

const toBytes = (data: RawData): Uint8Array => (Array.isArray(data) ? Buffer.concat(data) : new Uint8Array(data as ArrayBuffer | Buffer));

export function bridgeWebSocket(socket: WebSocket, backend: Backend): void {
  const send = (message: ServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  /** Stream bytes; the gate counts them until ws wrote them to the socket (backpressure). */
  const sendFrame = (streamId: number, bytes: Uint8Array, gate: FlowGate) => {
    if (socket.readyState !== socket.OPEN) return;
    const frame = encodeStreamFrame(streamId, bytes);
    gate.sent(frame.byteLength);
    socket.send(frame, () => gate.delivered(frame.byteLength));
  };
  const reply = (id: RequestId, outcome: Outcome<unknown>) =>
    send(outcome.ok ? { id, result: outcome.value ?? null } : { id, error: outcome.error });

  const session = new ApiSession(backend, send);
  const streams = new Map<number, StreamHandle>();
  let lastStreamId = 0;

  async function openStream(id: RequestId, channel: string, params: unknown): Promise<void> {
    const streamId = ++lastStreamId;
    // Until the client has the stream id (our reply), what the handler sends is held back.
    const held: (Uint8Array | ServerMessage)[] = [];
    let replied = false;
    let ended = false;
    // While the client reads slower than the stream produces, the stream's source is paused.
    const gate = new FlowGate();
    const deliver = (item: Uint8Array | ServerMessage) => {
      if (!replied) held.push(item);
      else if (item instanceof Uint8Array) sendFrame(streamId, item, gate);
      else send(item);
    };
    const outcome = await session.openStream(channel, params, {
      data: (bytes) => deliver(bytes),
      end: (error) => {
        ended = true;
        streams.delete(streamId);
        deliver({ streamEnd: streamId, error });
      },
    });
    if (!outcome.ok) return reply(id, outcome);
    gate.attach(outcome.value);
    if (!ended) streams.set(streamId, outcome.value);
    reply(id, { ok: true, value: { streamId } satisfies OpenStreamResult });
    replied = true;
    for (const item of held) deliver(item);
  }

  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      const frame = decodeStreamFrame(toBytes(data));
      if (frame) streams.get(frame.streamId)?.write(frame.bytes);
      return;
    }
    let message: ClientMessage;
    try {
      message = clientMessage.parse(JSON.parse(data.toString()));
    } catch {
      send({ id: null, error: { code: 'invalid-input', message: 'Not a Vireo API message: expected {id, method, params}, {id, openStream, params} or {closeStream}' } });
      return;
    }
    if ('method' in message) void session.call(message.method, message.params).then((outcome) => reply(message.id, outcome));
    else if ('openStream' in message) void openStream(message.id, message.openStream, message.params);
    else {
      streams.get(message.closeStream)?.close();
      streams.delete(message.closeStream);
    }
  });
  socket.on('close', () => session.dispose());
}
