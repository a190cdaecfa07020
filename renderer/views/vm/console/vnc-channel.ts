// A WebSocket-like channel over a Vireo byte stream, for noVNC's RFB (which accepts "a WebSocket
// or RTCDataChannel" instead of a URL; core/websock.js lists the properties it checks). The bytes
// travel through libvirt (virDomainOpenGraphicsFD) and the app's own transport (MessagePort or
// the browser shell's WebSocket), never through a VNC port the page connects to.
import type { RfbChannel } from '@novnc/novnc';
import type { StreamHandle, StreamSink } from '../../../../shared/api/contract.js';
import type { ApiError } from '../../../../shared/models/error.js';

// WebSocket.readyState values (noVNC compares with WebSocket.CONNECTING...).
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export class StreamChannel implements RfbChannel {
  binaryType = 'arraybuffer';
  readonly protocol = '';
  readyState: number = CONNECTING;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: { data: ArrayBuffer }) => void) | null = null;
  onclose: ((event: { code?: number; reason?: string; wasClean?: boolean }) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  /** Why the stream ended, when it ended with an error. */
  endError: ApiError | null = null;
  bytesIn = 0;
  bytesOut = 0;
  private handle: StreamHandle | null = null;
  /** Bytes that arrived before the stream was reported open (kept in order). */
  private early: ArrayBuffer[] = [];

  /** The sink to open the stream with. */
  readonly sink: StreamSink = {
    data: (bytes) => this.receive(bytes),
    end: (error) => this.finish(error),
  };

  /** The stream opened: RFB starts its handshake. */
  opened(handle: StreamHandle): void {
    if (this.readyState !== CONNECTING) {
      handle.close(); // closed (or ended) while it opened
      return;
    }
    this.handle = handle;
    this.readyState = OPEN;
    this.onopen?.(new Event('open'));
    for (const data of this.early.splice(0)) this.onmessage?.({ data });
  }

  /** The stream could not open. */
  failed(error: ApiError): void {
    this.finish(error);
  }

  send(data: ArrayBuffer | Uint8Array): void {
    if (this.readyState !== OPEN || !this.handle) return;
    // noVNC hands a view of its send buffer, which it reuses at once: copy before it travels.
    const copy = data instanceof Uint8Array ? data.slice() : new Uint8Array(data.slice(0));
    this.bytesOut += copy.byteLength;
    this.handle.write(copy);
  }

  close(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.handle?.close();
    this.handle = null;
    // Like a WebSocket: 'close' follows close() asynchronously (RFB waits for it).
    queueMicrotask(() => this.onclose?.({ code: 1000, reason: '', wasClean: true }));
  }

  private receive(bytes: Uint8Array): void {
    this.bytesIn += bytes.byteLength;
    // An ArrayBuffer of exactly these bytes (RFB copies it into its receive queue).
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const data = whole ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
    if (this.readyState === CONNECTING) this.early.push(data);
    else if (this.readyState === OPEN) this.onmessage?.({ data });
  }

  private finish(error: ApiError | null): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.handle = null;
    this.endError = error;
    this.onclose?.({ code: error ? 1011 : 1000, reason: error?.message ?? '', wasClean: error === null });
  }
}
