import { describe, expect, it } from 'vitest';
import { FlowGate, compactBytes } from './flow.js';

describe('FlowGate', () => {
  it('pauses the source above the high water mark and resumes at the low one', () => {
    const calls: string[] = [];
    const gate = new FlowGate(100, 40);
    gate.attach({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    gate.sent(60);
    gate.sent(60);
    expect(calls).toEqual(['pause']);
    gate.sent(10); // already paused
    gate.delivered(60);
    expect(calls).toEqual(['pause']);
    gate.delivered(40);
    expect(calls).toEqual(['pause', 'resume']);
    expect(gate.inFlight).toBe(30);
  });

  it('pauses a source attached after the bytes piled up', () => {
    const calls: string[] = [];
    const gate = new FlowGate(100, 40);
    gate.sent(500);
    expect(gate.isPaused).toBe(true);
    gate.attach({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    expect(calls).toEqual(['pause']);
    gate.delivered(1000);
    expect(calls).toEqual(['pause', 'resume']);
    expect(gate.inFlight).toBe(0);
  });

  it('refuses marks in the wrong order', () => {
    expect(() => new FlowGate(10, 10)).toThrow(RangeError);
  });
});

describe('compactBytes', () => {
  it('keeps an array that owns its buffer, copies a view of a larger one', () => {
    const whole = new Uint8Array([1, 2, 3]);
    expect(compactBytes(whole)).toBe(whole);
    const view = new Uint8Array(new ArrayBuffer(64), 8, 3);
    view.set([4, 5, 6]);
    const copy = compactBytes(view);
    expect(copy).not.toBe(view);
    expect([...copy]).toEqual([4, 5, 6]);
    expect(copy.buffer.byteLength).toBe(3);
    // A subclass (as Node's Buffer, often a slice of a pool) becomes a plain Uint8Array.
    class Pooled extends Uint8Array {}
    const pooled = new Pooled(new ArrayBuffer(8192), 16, 3);
    const plain = compactBytes(pooled);
    expect(plain.constructor).toBe(Uint8Array);
    expect(plain.buffer.byteLength).toBe(3);
  });
});
