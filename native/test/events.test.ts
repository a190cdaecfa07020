// Event subscriptions (events.cc) against the test driver, which emits domain, network and
// pool lifecycle events in-process; process-level behaviour (exit, close while events are
// queued, a throwing listener) in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, type NativeEvent, loadBinding } from '../index.js';
import { noDaemon } from './support.js';

const lv = loadBinding();
const child = fileURLToPath(new URL('./events-child.ts', import.meta.url));

/** Collects events; waitFor() consumes them in order, take() returns those since the last take(). */
class Recorder {
  readonly events: NativeEvent[] = [];
  private waiters: { pred: (e: NativeEvent) => boolean; resolve: (e: NativeEvent) => void }[] = [];
  private cursor = 0; // events before it were matched by waitFor() (or skipped over)
  private taken = 0;
  readonly listener = (e: NativeEvent): void => {
    this.events.push(e);
    const w = this.waiters[0];
    if (w && w.pred(e)) {
      this.waiters.shift();
      this.cursor = this.events.length;
      w.resolve(e);
    }
  };
  take(): NativeEvent[] {
    const out = this.events.slice(this.taken);
    this.taken = this.events.length;
    this.cursor = Math.max(this.cursor, this.taken);
    return out;
  }
  /** The first event after the last one waited for that matches (one waiter at a time). */
  waitFor(pred: (e: NativeEvent) => boolean, ms = 5000): Promise<NativeEvent> {
    const idx = this.events.findIndex((e, i) => i >= this.cursor && pred(e));
    if (idx >= 0) {
      this.cursor = idx + 1;
      return Promise.resolve(this.events[idx]!);
    }
    this.cursor = this.events.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(this.events.slice(this.taken))}`)), ms);
      this.waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lifecycle = (name: string, event: string) => (e: NativeEvent) =>
  e.type === 'domain-lifecycle' && e.domain.name === name && e.event === event;

describe('events (test driver)', () => {
  let conn: ConnectionHandle;
  const rec = new Recorder();
  beforeAll(async () => {
    conn = await lv.open('test:///default');
    await lv.subscribeEvents(conn, rec.listener);
  });
  afterAll(async () => {
    await lv.unsubscribeEvents(conn);
    await lv.close(conn);
  });

  it('delivers domain lifecycle events with lower-case event and detail names', async () => {
    const uuid = (await lv.domainLookup(conn, 'test')).uuid;
    rec.take();
    await lv.domainDestroy(conn, 'test');
    expect(await rec.waitFor(lifecycle('test', 'stopped'))).toEqual({
      type: 'domain-lifecycle',
      domain: { name: 'test', uuid, id: -1 },
      event: 'stopped',
      detail: 'destroyed',
    });
    await lv.domainCreate(conn, 'test');
    const started = await rec.waitFor(lifecycle('test', 'started'));
    expect(started).toMatchObject({ event: 'started', detail: 'booted', domain: { name: 'test', uuid } });
    expect(started.type === 'domain-lifecycle' && started.domain.id).toBeGreaterThan(0);
    await lv.domainSuspend(conn, 'test');
    expect(await rec.waitFor(lifecycle('test', 'suspended'))).toMatchObject({ detail: 'paused' });
    await lv.domainResume(conn, 'test');
    expect(await rec.waitFor(lifecycle('test', 'resumed'))).toMatchObject({ detail: 'unpaused' });
    await lv.domainShutdown(conn, 'test');
    expect(await rec.waitFor(lifecycle('test', 'stopped'))).toMatchObject({ detail: 'shutdown' });
    await lv.domainCreate(conn, 'test');
    await rec.waitFor(lifecycle('test', 'started'));
    // Exactly these, in this order.
    expect(rec.take().map((e) => (e.type === 'domain-lifecycle' ? `${e.event}/${e.detail}` : e.type))).toEqual([
      'stopped/destroyed',
      'started/booted',
      'suspended/paused',
      'resumed/unpaused',
      'stopped/shutdown',
      'started/booted',
    ]);
  });

  it('delivers defined/added and undefined/removed for a new domain', async () => {
    const name = `ev-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
    const ref = await lv.domainDefine(conn, `<domain type='test'><name>${name}</name><memory>1024</memory><os><type>hvm</type></os></domain>`);
    expect(await rec.waitFor(lifecycle(name, 'defined'))).toEqual({ type: 'domain-lifecycle', domain: ref, event: 'defined', detail: 'added' });
    await lv.domainUndefine(conn, name);
    expect(await rec.waitFor(lifecycle(name, 'undefined'))).toEqual({ type: 'domain-lifecycle', domain: ref, event: 'undefined', detail: 'removed' });
  });

  it('delivers network and storage pool lifecycle events', async () => {
    rec.take();
    await lv.netDestroy(conn, 'default');
    await lv.netStart(conn, 'default');
    await lv.poolDestroy(conn, 'default-pool');
    await lv.poolStart(conn, 'default-pool');
    await rec.waitFor((e) => e.type === 'pool-lifecycle' && e.event === 'started');
    const uuid = /^[0-9a-f-]{36}$/;
    expect(rec.take()).toEqual([
      { type: 'network-lifecycle', network: { name: 'default', uuid: expect.stringMatching(uuid) }, event: 'stopped' },
      { type: 'network-lifecycle', network: { name: 'default', uuid: expect.stringMatching(uuid) }, event: 'started' },
      { type: 'pool-lifecycle', pool: { name: 'default-pool', uuid: expect.stringMatching(uuid) }, event: 'stopped' },
      { type: 'pool-lifecycle', pool: { name: 'default-pool', uuid: expect.stringMatching(uuid) }, event: 'started' },
    ]);
  });

  it('refuses a second subscriber on the same connection', async () => {
    await expect(lv.subscribeEvents(conn, () => undefined)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG', message: /already subscribed/ });
    // The first subscription still works.
    rec.take();
    await lv.domainSuspend(conn, 'test');
    await lv.domainResume(conn, 'test');
    await rec.waitFor(lifecycle('test', 'resumed'));
  });

  it('rejects bad arguments with ERR_INVALID_ARG', async () => {
    await expect(lv.subscribeEvents(conn, 'nope' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(lv.subscribeEvents({} as ConnectionHandle, () => undefined)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(lv.unsubscribeEvents(42 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    const closed = await lv.open('test:///default');
    await lv.close(closed);
    await expect(lv.subscribeEvents(closed, () => undefined)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG', message: /closed/ });
    await lv.unsubscribeEvents(closed); // nothing to unsubscribe: resolves
  });
});

describe('unsubscribe (test driver)', () => {
  let conn: ConnectionHandle;
  beforeAll(async () => {
    conn = await lv.open('test:///default');
  });
  afterAll(async () => {
    await lv.close(conn);
  });

  it('stops delivery as soon as unsubscribe is called, and allows a new subscriber', async () => {
    const first = new Recorder();
    await lv.subscribeEvents(conn, first.listener);
    await lv.domainSuspend(conn, 'test');
    await first.waitFor(lifecycle('test', 'suspended'));
    // The resume event may still be queued towards JS when unsubscribe is called: from that
    // call on, nothing more is delivered.
    await lv.domainResume(conn, 'test');
    const unsubscribed = lv.unsubscribeEvents(conn);
    const delivered = first.events.length;
    await unsubscribed;
    await lv.domainSuspend(conn, 'test');
    await lv.domainResume(conn, 'test');
    await sleep(300);
    expect(first.events).toHaveLength(delivered);
    expect(first.events.map((e) => (e.type === 'domain-lifecycle' ? e.event : e.type))).toEqual(['suspended', 'resumed'].slice(0, delivered));

    // Unsubscribing twice is fine.
    await lv.unsubscribeEvents(conn);

    const second = new Recorder();
    await lv.subscribeEvents(conn, second.listener);
    await lv.domainSuspend(conn, 'test');
    await lv.domainResume(conn, 'test');
    await second.waitFor(lifecycle('test', 'resumed'));
    expect(second.events.map((e) => (e.type === 'domain-lifecycle' ? e.event : e.type))).toEqual(['suspended', 'resumed']);
    expect(first.events).toHaveLength(delivered);
    await lv.unsubscribeEvents(conn);
  });

  it('survives subscribe/unsubscribe races without losing or leaking subscriptions', async () => {
    for (let i = 0; i < 20; i++) {
      const sub = lv.subscribeEvents(conn, () => undefined);
      const unsub = lv.unsubscribeEvents(conn);
      // The subscribe either registered and was then removed, or was cancelled first.
      const [s, u] = await Promise.allSettled([sub, unsub]);
      expect(u.status).toBe('fulfilled');
      expect(['fulfilled', 'VIR_ERR_OPERATION_ABORTED']).toContain(s.status === 'fulfilled' ? s.status : (s.reason as { code?: string }).code);
    }
    const rec = new Recorder();
    await lv.subscribeEvents(conn, rec.listener);
    await lv.domainSuspend(conn, 'test');
    await lv.domainResume(conn, 'test');
    await rec.waitFor(lifecycle('test', 'resumed'));
    await lv.unsubscribeEvents(conn);
  });

  it('survives close() racing subscribe and unsubscribe', async () => {
    for (let i = 0; i < 20; i++) {
      const c = await lv.open('test:///default');
      const sub = lv.subscribeEvents(c, () => undefined);
      const closed = lv.close(c);
      const unsub = lv.unsubscribeEvents(c);
      const [s, cl, u] = await Promise.allSettled([sub, closed, unsub]);
      expect([cl.status, u.status]).toEqual(['fulfilled', 'fulfilled']);
      expect(['fulfilled', 'VIR_ERR_OPERATION_ABORTED']).toContain(s.status === 'fulfilled' ? s.status : (s.reason as { code?: string }).code);
    }
  });
});

describe('events and the process (child process)', () => {
  // The child subscribes, floods events, closes with events still queued (or drops the handle),
  // and must then exit on its own: a subscription left behind would keep it alive.
  for (const mode of ['close', 'close-queued', 'unsubscribe', 'throwing-listener']) {
    it(`exits on its own after ${mode}`, () => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', child, mode], { encoding: 'utf8', timeout: 30_000 });
      expect({ status: run.status, signal: run.signal, stderr: run.stderr.slice(-2000) }).toMatchObject({ status: 0, signal: null });
      const report = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { mode: string; events: number; uncaught?: number };
      expect(report.mode).toBe(mode);
      expect(report.events).toBeGreaterThan(0);
      expect(report.uncaught).toBe(mode === 'throwing-listener' ? report.events : 0);
    });
  }
});

/** ssh processes this process spawned (libvirt's qemu+ssh transport). */
function ourSshChildren(): number[] {
  const run = spawnSync('pgrep', ['-P', String(process.pid), '-x', 'ssh'], { encoding: 'utf8' });
  return run.stdout.split('\n').filter(Boolean).map(Number);
}

describe.skipIf(noDaemon)('disconnection (qemu+ssh through the lab sshd; VIREO_NO_DAEMON=1 skips)', () => {
  it("reports {type: 'disconnected', reason: 'eof'} when the transport dies, and close() still works", async () => {
    const keyfile = join(process.cwd(), '.lab', 'ssh', 'client_key');
    expect(existsSync(keyfile), `${keyfile} missing: run bash scripts/lab-sshd.sh start`).toBe(true);
    const uri = `qemu+ssh://root@127.0.0.1:${process.env.SSH_LAB_PORT ?? 2222}/system?keyfile=${keyfile}&no_verify=1`;
    const before = ourSshChildren();
    const conn = await lv.open(uri);
    const rec = new Recorder();
    await lv.subscribeEvents(conn, rec.listener);
    // The ssh child libvirt spawned for this connection (ours, not the daemon's).
    const spawned = ourSshChildren().filter((p) => !before.includes(p));
    expect(spawned).toHaveLength(1);
    process.kill(spawned[0]!, 'SIGTERM');
    expect(await rec.waitFor((e) => e.type === 'disconnected', 10_000)).toEqual({ type: 'disconnected', reason: 'eof' });
    await expect(lv.connectInfo(conn)).rejects.toMatchObject({ code: expect.stringMatching(/^VIR_ERR_/) });
    await lv.close(conn);
  });
});
