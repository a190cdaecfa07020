// A byte stream over a MessagePort, the Electron shell's transport for consoles: the page side
// (the preload, with a DOM MessagePort) of the protocol whose main side is
// electron/backend/stream-port.ts. Plain code over a port-shaped object, so it runs (and is tested)
// without Electron.
//
// Messages: main → page: bytes, {kind:'opened'}, {kind:'end', error}; page → main: bytes,
// {kind:'ack', bytes} (the page took them: main may resume a paused source), {kind:'close'}.
import type { StreamHandle, StreamSink } from './contract.js';
import type { Outcome } from './dispatch.js';
import type { StreamPortMessage } from './bridge.js';

/** What the page side needs of a DOM MessagePort. */
export interface PagePort {
  postMessage(message: Uint8Array | StreamPortMessage): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
  close(): void;
}

/** Resolves the open stream once main says it opened, or main's reason why it could not. */
export function openStreamOverPort(port: PagePort, sink: StreamSink): Promise<Outcome<StreamHandle>> {
  return new Promise((resolve) => {
    let opened = false;
    let closed = false;
    // One ack per burst of messages: the page has taken them.
    let unacked = 0;
    const ack = () => {
      if (!closed && unacked > 0) port.postMessage({ kind: 'ack', bytes: unacked });
      unacked = 0;
    };
    port.addEventListener('message', (event) => {
      const data = event.data as Uint8Array | StreamPortMessage;
      if (data instanceof Uint8Array) {
        sink.data(data);
        if (unacked === 0) setTimeout(ack, 0);
        unacked += data.byteLength;
        return;
      }
      if (data.kind === 'opened') {
        opened = true;
        resolve({
          ok: true,
          value: {
            // postMessage copies the bytes: noVNC may reuse its buffer.
            write: (bytes) => {
              if (!closed) port.postMessage(bytes);
            },
            close: () => {
              if (closed) return;
              closed = true;
              port.postMessage({ kind: 'close' });
              port.close();
            },
          },
        });
      } else if (data.kind === 'end') {
        closed = true;
        port.close();
        if (opened) sink.end(data.error);
        else resolve({ ok: false, error: data.error ?? { code: 'internal', message: 'The stream ended before it opened' } });
      }
    });
    port.start();
  });
}
