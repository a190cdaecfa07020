// The main side of a byte stream over a MessagePort (the Electron shell's transport for consoles;
// the page side is shared/api/stream-port.ts): opens the stream through the window's ApiSession
// and pumps bytes both ways, pausing the stream's source while the page has not acknowledged
// what it was sent. Written against a port-shaped object: Electron's MessagePortMain in the app.
import type { StreamPortMessage } from '../../shared/api/bridge.js';
import { FlowGate, compactBytes } from '../../shared/api/flow.js';
import type { ApiError } from '../../shared/models/error.js';
import type { ApiSession } from './session.js';

/** What the main side needs of Electron's MessagePortMain. */
export interface MainPort {
  postMessage(message: Uint8Array | StreamPortMessage): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

export async function serveStreamPort(apiSession: ApiSession, port: MainPort, channel: string, params: unknown, gate = new FlowGate()): Promise<void> {
  let portClosed = false;
  const closePort = () => {
    if (portClosed) return;
    portClosed = true;
    port.close();
  };
  const post = (message: Uint8Array | StreamPortMessage) => {
    if (!portClosed) port.postMessage(message);
  };
  // What the handler sends before the page has 'opened' (a VNC server greets at once) waits.
  let opened = false;
  const held: Uint8Array[] = [];
  let endedEarly: { error: ApiError | null } | null = null;
  const outcome = await apiSession.openStream(channel, params, {
    data: (bytes) => {
      // A compact copy: structured clone would copy a pooled Buffer's whole ArrayBuffer.
      const copy = compactBytes(bytes);
      gate.sent(copy.byteLength);
      if (opened) post(copy);
      else held.push(copy);
    },
    end: (error) => {
      if (!opened) {
        endedEarly = { error };
        return;
      }
      post({ kind: 'end', error });
      closePort();
    },
  });
  if (!outcome.ok) {
    post({ kind: 'end', error: outcome.error });
    closePort();
    return;
  }
  const stream = outcome.value;
  gate.attach(stream);
  port.on('message', ({ data }) => {
    const message = data as Uint8Array | StreamPortMessage | undefined;
    if (message instanceof Uint8Array) stream.write(message);
    else if (message?.kind === 'ack') gate.delivered(message.bytes);
    else if (message?.kind === 'close') closePort();
  });
  port.on('close', () => {
    portClosed = true;
    stream.close();
  });
  port.start();
  opened = true;
  post({ kind: 'opened' });
  for (const bytes of held.splice(0)) post(bytes);
  const early = endedEarly as { error: ApiError | null } | null;
  if (early) {
    post({ kind: 'end', error: early.error });
    closePort();
  }
}
