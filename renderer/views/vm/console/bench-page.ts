// The page of the VNC benchmark (npm run bench:console bundles it with esbuild; not part of the
// app): the same noVNC, fed either through Vireo's bridge (the browser shell's WebSocket API,
// the 'console.graphics' stream, this folder's StreamChannel) or through websockify to the
// guest's VNC port. It counts the framebuffer updates noVNC completes and the bytes it gets.
import RFB from '@novnc/novnc';
import { createWebSocketClient } from '../../../api/ws-client.js';
import { StreamChannel } from './vnc-channel.js';

interface Counters {
  updates: number;
  bytes: number;
  connected: boolean;
  error: string | null;
  /** Milliseconds from a FramebufferUpdateRequest to the first bytes after it. */
  rtts: number[];
}
const counters: Counters = { updates: 0, bytes: 0, connected: false, error: null, rtts: [] };
let requestAt: number | null = null;
const sent = (data: ArrayBuffer | Uint8Array) => {
  const first = data instanceof Uint8Array ? data[0] : new Uint8Array(data)[0];
  if (first === 3 && requestAt === null) requestAt = performance.now();
};
const received = () => {
  if (requestAt === null) return;
  if (counters.rtts.length < 5000) counters.rtts.push(performance.now() - requestAt);
  requestAt = null;
};
Object.assign(window, { benchCounters: counters });

// A FramebufferUpdate is complete when noVNC's handler returns true.
const rfbProto = RFB.prototype as unknown as { _framebufferUpdate: () => boolean };
const update = Reflect.get(rfbProto, '_framebufferUpdate') as () => boolean;
Reflect.set(rfbProto, '_framebufferUpdate', function (this: unknown) {
  const done = update.call(this);
  if (done) counters.updates++;
  return done;
});

const params = new URLSearchParams(location.hash.slice(1));
const screen = document.getElementById('screen')!;
let rfb: RFB;
if (params.get('mode') === 'vireo') {
  const api = new URL('/api', location.href);
  api.protocol = 'ws:';
  api.searchParams.set('token', params.get('token') ?? '');
  const client = createWebSocketClient(api.href, () => undefined);
  const channel = new StreamChannel();
  const send = channel.send.bind(channel);
  channel.send = (data) => {
    sent(data);
    send(data);
  };
  const data = channel.sink.data;
  Object.assign(channel.sink, {
    data: (bytes: Uint8Array) => {
      received();
      data(bytes);
    },
  });
  rfb = new RFB(screen, channel, { shared: true });
  setInterval(() => {
    counters.bytes = channel.bytesIn;
    if (params.has('debug')) console.log(`channel state ${channel.readyState} in ${channel.bytesIn} out ${channel.bytesOut}`);
  }, 500);
  const target = { connectionId: params.get('connection') ?? 'launch', uuid: params.get('uuid') ?? '', index: 0 };
  void (async () => {
    try {
      channel.opened(await client.openStream('console.graphics', target, channel.sink));
    } catch (e) {
      counters.error = String(e);
    }
  })();
} else {
  // websockify: count what its WebSocket delivers. (A subclass would not do: noVNC looks for
  // send, close... among the own properties of the channel's prototype.)
  const Native = window.WebSocket;
  function CountingWebSocket(url: string | URL, protocols?: string | string[]): WebSocket {
    const ws = new Native(url, protocols);
    ws.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => {
      received();
      counters.bytes += e.data.byteLength;
    });
    const send = ws.send.bind(ws);
    ws.send = (data: string | Blob | BufferSource) => {
      if (data instanceof ArrayBuffer || data instanceof Uint8Array) sent(data);
      send(data);
    };
    return ws;
  }
  CountingWebSocket.prototype = Native.prototype;
  window.WebSocket = Object.assign(CountingWebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 }) as unknown as typeof WebSocket;
  rfb = new RFB(screen, `ws://127.0.0.1:${params.get('port')}`, { shared: true });
}
rfb.scaleViewport = false;
rfb.addEventListener('connect', () => {
  counters.connected = true;
});
rfb.addEventListener('disconnect', () => {
  counters.connected = false;
});
