// Sandboxed preload (bundled to CommonJS): exposes the API contract as window.vireo and
// nothing else: no ipcRenderer, no Node. Streams get their own MessagePort to the main process.
// It imports no schema at run time (keeps it small); the main process validates everything.
import { contextBridge, ipcRenderer } from 'electron';
import { type StreamPortMessage, type VireoBridge, ipcChannels } from '../shared/api/bridge.js';
import type { EventMessage } from '../shared/api/contract.js';
import type { Outcome } from '../shared/api/dispatch.js';

const bridge: VireoBridge = {
  // Main validates the request and opens or focuses the VM's window.
  openVmWindow: async (request) => {
    await ipcRenderer.invoke(ipcChannels.openVmWindow, request);
  },

  call(method, params) {
    // Main registers one handler per contract method: a name outside the contract has none.
    return ipcRenderer.invoke(ipcChannels.call(method), params).catch(() => ({
      ok: false,
      error: { code: 'unknown-method', message: `No API method named ${JSON.stringify(method)}` },
    }));
  },

  on(event, listener) {
    const forward = (_: unknown, message: EventMessage) => {
      if (message.event === event) listener(message.payload as Parameters<typeof listener>[0]);
    };
    ipcRenderer.on(ipcChannels.event, forward);
    return () => void ipcRenderer.removeListener(ipcChannels.event, forward);
  },

  openStream(channel, params, sink) {
    const { port1, port2 } = new MessageChannel();
    ipcRenderer.postMessage(ipcChannels.openStream, { channel, params }, [port2]);
    return new Promise((resolve) => {
      let opened = false;
      let closed = false;
      // Acknowledged bytes let main resume a paused source (shared/api/flow.ts); one ack per burst.
      let unacked = 0;
      const ack = () => {
        if (!closed && unacked > 0) port1.postMessage({ kind: 'ack', bytes: unacked } satisfies StreamPortMessage);
        unacked = 0;
      };
      // Typed as Node's MessagePort (this program has no DOM lib); at run time it is the DOM's.
      port1.addEventListener('message', (event) => {
        const { data } = event as unknown as { data: Uint8Array | StreamPortMessage };
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
              // The page's bytes are copied by contextBridge (and by postMessage): noVNC may reuse its buffer.
              write: (bytes) => {
                if (!closed) port1.postMessage(bytes);
              },
              close: () => {
                if (closed) return;
                closed = true;
                port1.postMessage({ kind: 'close' } satisfies StreamPortMessage);
                port1.close();
              },
            },
          });
        } else if (data.kind === 'end') {
          closed = true;
          port1.close();
          if (opened) sink.end(data.error);
          else resolve({ ok: false, error: data.error ?? { code: 'internal', message: 'The stream ended before it opened' } } satisfies Outcome<never>);
        }
      });
      port1.start();
    });
  },
};

contextBridge.exposeInMainWorld('vireo', bridge);
