// The console logic that needs no browser: reconnecting, the noVNC channel, key strokes and the
// release combination, the console chooser, the VM route.
import { describe, expect, it, vi } from 'vitest';
import type { StreamHandle } from '../../../../shared/api/contract.js';
import type { ConsoleInfo } from '../../../../shared/models/console.js';
import { parseVmRoute, vmRouteHash } from '../route.js';
import { consoleChoices, defaultChoice, isLive } from './choices.js';
import { ReleaseCombo, strokeFor, strokesFor } from './keyboard.js';
import { HoldError, type LinkState, Reconnector, type Timers } from './reconnect.js';
import { StreamChannel } from './vnc-channel.js';

/** Timers run by hand. */
function manualTimers(): Timers & { fire(): void; pending(): number[] } {
  let next = 1;
  const timers = new Map<number, { fn: () => void; ms: number }>();
  return {
    set: (fn, ms) => {
      timers.set(next, { fn, ms });
      return next++;
    },
    clear: (id) => void timers.delete(id as number),
    fire() {
      const all = [...timers.entries()];
      timers.clear();
      for (const [, t] of all) t.fn();
    },
    pending: () => [...timers.values()].map((t) => t.ms),
  };
}

function handle(): StreamHandle & { written: Uint8Array[]; closed: number } {
  const written: Uint8Array[] = [];
  const h: StreamHandle & { written: Uint8Array[]; closed: number } = { written, closed: 0, write: (b) => written.push(b), close: () => void h.closed++ };
  return h;
}

function info(graphics: string[], serials: { devName: string | null; unavailable?: string }[]): ConsoleInfo {
  return {
    connectionId: 'c',
    uuid: 'u',
    name: 'vm',
    state: 'running',
    graphics: graphics.map((type, index) => ({ index, type, passwordRequired: false, address: null, port: null, tlsPort: null, socket: null })),
    serials: serials.map((s, i) => ({ devName: s.devName, kind: 'serial', targetType: 'isa-serial', port: i, sourceType: 'pty', label: `Serial ${i + 1}`, unavailable: s.unavailable ?? null })),
    graphicsTransport: 'fd',
    externalViewer: { command: 'remote-viewer', available: false },
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function harness(outcomes: (() => Promise<void>)[]) {
  const timers = manualTimers();
  const states: LinkState[] = [];
  const cancel = vi.fn<() => void>();
  let calls = 0;
  const r = new Reconnector({
    connect: () => {
      const outcome = outcomes[Math.min(calls, outcomes.length - 1)]!;
      calls++;
      return outcome();
    },
    cancel,
    onChange: (s) => states.push(s),
    timers,
    now: () => 1000,
    delaysMs: [100, 200, 400],
    maxAttempts: 3,
  });
  return { r, timers, states, cancel, calls: () => calls, phase: () => r.state.phase };
}

const ok = () => Promise.resolve();
const fail = (m = 'refused') => () => Promise.reject(new Error(m));
const never = () => new Promise<void>(() => undefined);

describe('Reconnector', () => {
  it('waits while the guest is not running, connects once it runs', async () => {
    const h = harness([ok]);
    h.r.start(false);
    expect(h.phase()).toBe('not-running');
    expect(h.calls()).toBe(0);
    h.r.setRunning(true);
    expect(h.phase()).toBe('connecting');
    await flush();
    expect(h.phase()).toBe('connected');
  });

  it('after a drop it reconnects with backoff while the guest runs', async () => {
    const h = harness([ok, fail('no server yet'), fail('no server yet'), ok]);
    h.r.start(true);
    await flush();
    h.r.lost('EOF');
    expect(h.r.state).toEqual({ phase: 'connecting', attempt: 1, error: 'EOF', retryAt: 1100 });
    h.timers.fire();
    await flush();
    expect(h.r.state).toMatchObject({ phase: 'connecting', attempt: 2, error: 'no server yet' });
    expect(h.timers.pending()).toEqual([200]);
    h.timers.fire();
    await flush();
    expect(h.timers.pending()).toEqual([400]);
    h.timers.fire();
    await flush();
    expect(h.phase()).toBe('connected');
    expect(h.calls()).toBe(4);
  });

  it('gives up after maxAttempts, and retry() starts over', async () => {
    const h = harness([ok, fail(), fail(), fail(), ok]);
    h.r.start(true);
    await flush();
    h.r.lost(null);
    for (let i = 0; i < 3; i++) {
      h.timers.fire();
      await flush();
    }
    expect(h.r.state).toMatchObject({ phase: 'failed', attempt: 3, error: 'refused' });
    h.r.retry();
    await flush();
    expect(h.phase()).toBe('connected');
  });

  it('goes to not-running when the guest stops, abandoning an attempt under way', async () => {
    const h = harness([never]);
    h.r.start(true);
    expect(h.phase()).toBe('connecting');
    h.r.setRunning(false);
    expect(h.phase()).toBe('not-running');
    expect(h.cancel).toHaveBeenCalledTimes(1);
  });

  it('a drop while the guest is stopping waits for it to run again', async () => {
    const h = harness([ok]);
    h.r.start(true);
    await flush();
    h.r.setRunning(false); // the state event came first: the link stays up until it drops
    expect(h.phase()).toBe('connected');
    h.r.lost(null);
    expect(h.phase()).toBe('not-running');
    h.r.setRunning(true);
    await flush();
    expect(h.phase()).toBe('connected');
  });

  it('holds on a HoldError (busy console, refused password) until retry()', async () => {
    const h = harness([() => Promise.reject(new HoldError('Another client is connected')), ok]);
    h.r.start(true);
    await flush();
    expect(h.r.state).toMatchObject({ phase: 'held', error: 'Another client is connected' });
    expect(h.timers.pending()).toEqual([]);
    h.r.retry();
    await flush();
    expect(h.phase()).toBe('connected');
  });

  it('ignores the result of an attempt that was abandoned', async () => {
    let resolveFirst!: () => void;
    const h = harness([() => new Promise<void>((r) => (resolveFirst = r)), fail('second')]);
    h.r.start(true);
    h.r.retry(); // abandons the first
    await flush();
    resolveFirst();
    await flush();
    expect(h.r.state).toMatchObject({ phase: 'connecting', attempt: 1, error: 'second' });
  });

  it('stop() ends everything', async () => {
    const h = harness([ok]);
    h.r.start(true);
    await flush();
    h.r.stop();
    h.r.lost('x');
    h.r.setRunning(true);
    expect(h.phase()).toBe('stopped');
  });
});

describe('StreamChannel (noVNC raw channel)', () => {

  it('has every property noVNC checks, on itself or its prototype', () => {
    const ch = new StreamChannel();
    const props = [...Object.keys(ch), ...Object.getOwnPropertyNames(Object.getPrototypeOf(ch))];
    for (const p of ['send', 'close', 'binaryType', 'onerror', 'onmessage', 'onopen', 'protocol', 'readyState']) expect(props).toContain(p);
    expect(ch.readyState).toBe(0);
  });

  it('opens, delivers bytes that came early in order, as ArrayBuffers of exactly those bytes', () => {
    const ch = new StreamChannel();
    const got: number[][] = [];
    const events: string[] = [];
    // The handlers noVNC sets (as properties, like on a WebSocket).
    Object.assign(ch, {
      onopen: () => void events.push('open'),
      onmessage: ({ data }: { data: ArrayBuffer }) => {
        expect(data).toBeInstanceOf(ArrayBuffer);
        got.push([...new Uint8Array(data)]);
      },
    });
    const frame = new Uint8Array([0, 0, 0, 7, 1, 2, 3]);
    ch.sink.data(frame.subarray(4)); // before 'opened': held
    ch.opened(handle());
    ch.sink.data(new Uint8Array([4]));
    expect(events).toEqual(['open']);
    expect(got).toEqual([[1, 2, 3], [4]]);
    expect(ch.bytesIn).toBe(4);
  });

  it('copies what noVNC sends: noVNC reuses its send buffer', () => {
    const ch = new StreamChannel();
    const h = handle();
    ch.opened(h);
    const buffer = new Uint8Array(16);
    buffer.set([1, 2, 3]);
    ch.send(new Uint8Array(buffer.buffer, 0, 3));
    buffer.set([9, 9, 9]);
    expect([...h.written[0]!]).toEqual([1, 2, 3]);
    expect(h.written[0]!.buffer.byteLength).toBe(3);
  });

  it('reports the end of the stream as close, with the error as the reason', () => {
    const ch = new StreamChannel();
    const closes: unknown[] = [];
    Object.assign(ch, { onclose: (e: unknown) => void closes.push(e) });
    ch.opened(handle());
    ch.sink.end({ code: 'not-connected', message: 'The connection to libvirt was closed' });
    expect(ch.readyState).toBe(3);
    expect(closes).toEqual([{ code: 1011, reason: 'The connection to libvirt was closed', wasClean: false }]);
    ch.sink.end(null); // once
    expect(closes).toHaveLength(1);
  });

  it('close() closes the stream and reports close asynchronously, like a WebSocket', async () => {
    const ch = new StreamChannel();
    const h = handle();
    ch.opened(h);
    const closes: unknown[] = [];
    Object.assign(ch, { onclose: (e: unknown) => void closes.push(e) });
    ch.close();
    expect(h.closed).toBe(1);
    expect(closes).toEqual([]);
    await flush();
    expect(closes).toEqual([{ code: 1000, reason: '', wasClean: true }]);
    ch.send(new Uint8Array([1])); // ignored
    expect(h.written).toEqual([]);
  });

  it('closes a stream that opens after the channel was closed', () => {
    const ch = new StreamChannel();
    ch.close();
    const h = handle();
    ch.opened(h);
    expect(h.closed).toBe(1);
  });
});

describe('keyboard', () => {
  it('types characters as US-layout key presses', () => {
    expect(strokeFor('a')).toEqual({ keysym: 0x61, code: 'KeyA', shift: false });
    expect(strokeFor('M')).toEqual({ keysym: 0x4d, code: 'KeyM', shift: true });
    expect(strokeFor('>')).toEqual({ keysym: 0x3e, code: 'Period', shift: true });
    expect(strokeFor('/')).toEqual({ keysym: 0x2f, code: 'Slash', shift: false });
    expect(strokeFor('\n')).toEqual({ keysym: 0xff0d, code: 'Enter', shift: false });
    expect(strokeFor('é')).toBeNull();
    const { strokes, skipped } = strokesFor('echo é\r\n');
    expect(strokes.map((s) => s.code)).toEqual(['KeyE', 'KeyC', 'KeyH', 'KeyO', 'Space', 'Enter']);
    expect(skipped).toBe(1);
  });

  it('releases on Ctrl+Alt pressed and released alone, not on Ctrl+Alt+Del', () => {
    const combo = new ReleaseCombo();
    combo.keydown('Control');
    combo.keydown('Alt');
    expect(combo.keyup('Alt')).toBe(true);
    expect(combo.keyup('Control')).toBe(false); // fired once
    combo.keydown('Control');
    combo.keydown('Alt');
    combo.keydown('Delete');
    expect(combo.keyup('Delete')).toBe(false);
    expect(combo.keyup('Alt')).toBe(false);
    expect(combo.keyup('Control')).toBe(false);
    combo.keydown('Control');
    expect(combo.keyup('Control')).toBe(false); // Ctrl alone
  });
});

describe('console chooser', () => {
  it('lists graphics, then text consoles; shows VNC first', () => {
    const choices = consoleChoices(info(['spice', 'vnc'], [{ devName: 'serial0' }]));
    expect(choices.map((c) => c.label)).toEqual(['Graphical console 1 (SPICE)', 'Graphical console 2 (VNC)', 'Serial 1']);
    expect(defaultChoice(choices)?.key).toBe('graphics:1');
  });

  it('shows a SPICE-only display first (its notice), a serial console when there is no display', () => {
    expect(defaultChoice(consoleChoices(info(['spice'], [{ devName: 'serial0' }])))?.key).toBe('graphics:0');
    expect(defaultChoice(consoleChoices(info([], [{ devName: 'serial0', unavailable: 'file' }, { devName: 'serial1' }])))?.key).toBe('serial:1');
    expect(defaultChoice([])).toBeNull();
  });

  it('knows in which states consoles can be opened', () => {
    expect(['running', 'paused', 'blocked', 'shutdown', 'pmsuspended'].every((s) => isLive(s as never))).toBe(true);
    expect(['shutoff', 'crashed', 'nostate', undefined].some((s) => isLive(s as never))).toBe(false);
  });
});

describe('VM window route', () => {
  it('parses #/vm/<connectionId>/<uuid>/<tab>, with a token after it', () => {
    const uuid = '6695eb01-f6a4-8304-79aa-97f2502e193f';
    expect(parseVmRoute(`#/vm/qemu-system/${uuid}/details`)).toEqual({ connectionId: 'qemu-system', uuid, tab: 'details' });
    expect(parseVmRoute(`#/vm/qemu-system/${uuid}`)).toEqual({ connectionId: 'qemu-system', uuid, tab: 'console' });
    expect(parseVmRoute(`#/vm/qemu-system/${uuid}/console?token=abc`)).toEqual({ connectionId: 'qemu-system', uuid, tab: 'console' });
    expect(parseVmRoute(`#/vm/a%2Fb/${uuid}/nonsense`)).toEqual({ connectionId: 'a/b', uuid, tab: 'console' });
    expect(parseVmRoute('#token=abc')).toBeNull();
    expect(parseVmRoute('')).toBeNull();
    expect(parseVmRoute('#/vm/%E0%A4%A/x')).toBeNull();
    expect(parseVmRoute(vmRouteHash({ connectionId: 'a/b', uuid, tab: 'details' }))).toEqual({ connectionId: 'a/b', uuid, tab: 'details' });
  });
});
