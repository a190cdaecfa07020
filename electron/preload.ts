// Sandboxed preload (bundled to CommonJS): exposes the API contract as window.vireo and
// nothing else: no ipcRenderer, no Node. Streams get their own MessagePort to the main process.
// It imports no schema at run time (keeps it small); the main process validates everything.
import { contextBridge, ipcRenderer } from 'electron';
import { type VireoBridge, ipcChannels } from '../shared/api/bridge.js';
import { type PagePort, openStreamOverPort } from '../shared/api/stream-port.js';
import type { EventMessage } from '../shared/api/contract.js';

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
    // Typed as Node's MessagePort (this program has no DOM lib); at run time it is the DOM's.
    return openStreamOverPort(port1 as unknown as PagePort, sink);
  },
};

contextBridge.exposeInMainWorld('vireo', bridge);
