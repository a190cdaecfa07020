// Backpressure for byte streams crossing a bridge (WebSocket, MessagePort): the bridge counts the
// bytes it handed to the transport and the bytes the transport confirmed gone (written to the
// socket, or acknowledged by the other end), and pauses the stream's source in between.
import type { StreamHandle } from './contract.js';

export const FLOW_HIGH_WATER = 1024 * 1024;
export const FLOW_LOW_WATER = 256 * 1024;

export class FlowGate {
  private pending = 0;
  private paused = false;
  private handle: Pick<StreamHandle, 'pause' | 'resume'> | null = null;

  constructor(
    private readonly high = FLOW_HIGH_WATER,
    private readonly low = FLOW_LOW_WATER,
  ) {
    if (!(low < high)) throw new RangeError('the low water mark must be below the high one');
  }

  /** Bytes handed to the transport and not yet confirmed. */
  get inFlight(): number {
    return this.pending;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The source to pause; bytes may flow (and be counted) before it is known. */
  attach(handle: Pick<StreamHandle, 'pause' | 'resume'>): void {
    this.handle = handle;
    if (this.paused) handle.pause?.();
  }

  sent(bytes: number): void {
    this.pending += bytes;
    if (!this.paused && this.pending > this.high) {
      this.paused = true;
      this.handle?.pause?.();
    }
  }

  delivered(bytes: number): void {
    this.pending = Math.max(0, this.pending - bytes);
    if (this.paused && this.pending <= this.low) {
      this.paused = false;
      this.handle?.resume?.();
    }
  }
}

/**
 * The bytes as a Uint8Array that owns exactly its buffer. Structured clone (postMessage) copies a
 * view's whole ArrayBuffer, and Node hands out slices of larger pools.
 */
export function compactBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.constructor === Uint8Array) return bytes;
  return new Uint8Array(bytes); // a copy, as a plain Uint8Array (not a Buffer)
}
