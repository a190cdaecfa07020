import { describe, expect, it } from 'vitest';
import { decodeStreamFrame, encodeStreamFrame } from './protocol.js';

describe('stream frames', () => {
  it('carry a 4-byte big-endian stream id before the bytes', () => {
    const frame = encodeStreamFrame(0x01020304, new Uint8Array([9, 8, 7]));
    expect([...frame]).toEqual([1, 2, 3, 4, 9, 8, 7]);
  });

  it('decode what they encode, also from a view into a larger buffer', () => {
    const frame = encodeStreamFrame(4_000_000_000, new TextEncoder().encode('login: '));
    const padded = new Uint8Array(frame.byteLength + 3);
    padded.set(frame, 3);
    const decoded = decodeStreamFrame(padded.subarray(3));
    expect(decoded?.streamId).toBe(4_000_000_000);
    expect(new TextDecoder().decode(decoded?.bytes)).toBe('login: ');
  });

  it('refuse a frame too short for a stream id', () => {
    expect(decodeStreamFrame(new Uint8Array([0, 1]))).toBeNull();
    expect(decodeStreamFrame(new Uint8Array([0, 0, 0, 1]))?.bytes.byteLength).toBe(0);
  });
});
