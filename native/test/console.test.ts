// Streams and graphics against the lab's libvirtd (qemu:///system) with the tiny guest
// (scripts/tiny-guest-xml.sh): a real lifecycle event, the serial console through
// domainOpenConsole + toDuplex, a screenshot, the VNC socket from domainOpenGraphicsFD, and
// volume upload/download round trips in a dir pool under os.tmpdir().
// Needs `bash scripts/lab.sh start`; VIREO_NO_DAEMON=1 skips it (and says so).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, type NativeEvent, type NativeStream, loadBinding, toDuplex } from '../index.js';
import { noDaemon } from './support.js';

const lv = loadBinding();
const suite = noDaemon ? describe.skip : describe;
const title = noDaemon
  ? 'streams on the lab libvirtd: SKIPPED because VIREO_NO_DAEMON=1 (no qemu:///system)'
  : 'streams on the lab libvirtd (qemu:///system, tiny guest)';
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Text read from a Duplex, with waiting for a pattern. */
class Screen {
  text = '';
  private waiters: (() => void)[] = [];
  constructor(readonly stream: NodeJS.ReadableStream) {
    stream.on('data', (b: Buffer) => {
      this.text += b.toString('latin1');
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async waitFor(re: RegExp, ms: number, poke?: () => void): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    let lastPoke = 0;
    for (;;) {
      const m = this.text.match(re);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`console: no ${re} within ${ms} ms; last output: ${JSON.stringify(this.text.slice(-400))}`);
      if (poke && Date.now() - lastPoke > 2000) {
        lastPoke = Date.now();
        poke();
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, 250);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }
}

suite(title, () => {
  let conn: ConnectionHandle;
  let events: ConnectionHandle;
  const seen: NativeEvent[] = [];
  const name = `vireo-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  const pool = `vireo-test-pool-${process.pid}-${randomBytes(3).toString('hex')}`;
  let dir = '';

  beforeAll(async () => {
    conn = await lv.open('qemu:///system');
    events = await lv.open('qemu:///system');
    await lv.subscribeEvents(events, (e) => seen.push(e));
    const xml = execFileSync('bash', ['scripts/tiny-guest-xml.sh', name], { encoding: 'utf8' });
    await lv.domainDefine(conn, xml);
    dir = mkdtempSync(join(tmpdir(), 'vireo-stream-pool-'));
  });

  afterAll(async () => {
    // Leave nothing behind on the shared daemon, through a fresh connection in case the test
    // connection died (a libvirtd restart, for instance).
    const c = await lv.open('qemu:///system').catch(() => conn);
    if (c) {
      await lv.domainDestroy(c, name).catch(() => undefined);
      await lv.domainUndefine(c, name).catch(() => undefined);
      for (const v of await lv.volList(c, pool).catch(() => [])) await lv.volDelete(c, v.key).catch(() => undefined);
      await lv.poolDestroy(c, pool).catch(() => undefined);
      await lv.poolUndefine(c, pool).catch(() => undefined);
    }
    for (const h of new Set([c, conn, events])) if (h) await lv.close(h).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const lifecycleOf = (event: string) =>
    seen.find((e) => e.type === 'domain-lifecycle' && e.domain.name === name && e.event === event) as
      | Extract<NativeEvent, { type: 'domain-lifecycle' }>
      | undefined;
  async function waitForLifecycle(event: string, ms = 10_000) {
    const deadline = Date.now() + ms;
    while (!lifecycleOf(event) && Date.now() < deadline) await sleep(50);
    return lifecycleOf(event);
  }

  it('reports defined/added and started/booted for a real guest', async () => {
    expect(await waitForLifecycle('defined')).toMatchObject({ event: 'defined', detail: 'added', domain: { name, id: -1 } });
    await lv.domainCreate(conn, name);
    const started = await waitForLifecycle('started');
    expect(started).toMatchObject({ type: 'domain-lifecycle', event: 'started', detail: 'booted', domain: { name } });
    expect(started!.domain.id).toBeGreaterThan(0);
    expect(started!.domain.uuid).toBe((await lv.domainLookup(conn, name)).uuid);
  });

  let tty: ReturnType<typeof toDuplex>;
  let screen: Screen;

  it('opens the serial console, reaches the prompt and runs a command', async () => {
    const native = await lv.domainOpenConsole(conn, name, null, { safe: true });
    tty = toDuplex(native, { readableHighWaterMark: 16 * 1024 });
    screen = new Screen(tty);
    // TCG boot takes a few seconds; an Enter now and then brings the prompt back if it was
    // printed before the console was opened.
    await screen.waitFor(/tiny# /, 120_000, () => tty.write('\n'));
    const tag = randomBytes(4).toString('hex');
    screen.text = '';
    tty.write(`echo hello-${tag}-$RANDOM\n`);
    const m = await screen.waitFor(new RegExp(`^hello-${tag}-(\\d+)\\r?$`, 'm'), 20_000);
    expect(Number(m[1])).toBeGreaterThanOrEqual(0);
    // The typed line was echoed back too, unexpanded.
    expect(screen.text).toContain(`echo hello-${tag}-$RANDOM`);
  }, 180_000);

  it('refuses a second console session unless forced', async () => {
    await expect(lv.domainOpenConsole(conn, name, null, { safe: true })).rejects.toMatchObject({
      code: 'VIR_ERR_OPERATION_FAILED',
      message: expect.stringMatching(/[Aa]ctive console session/),
    });
  });

  it('keeps every byte of a large output while the reader is paused (backpressure)', async () => {
    screen.text = '';
    tty.pause(); // the Duplex buffer fills (16 KiB), then the native stream is paused
    const t0 = Date.now();
    // dmesg -n 1: no kernel messages in between the numbers.
    tty.write('dmesg -n 1; seq 1 20000; echo SEQ-DONE\n');
    await sleep(3000);
    tty.resume();
    await screen.waitFor(/^SEQ-DONE\r?$/m, 120_000);
    const lines = screen.text.split(/\r?\n/);
    const from = lines.indexOf('1');
    expect(from).toBeGreaterThan(-1);
    const numeric = lines.slice(from).filter((l) => /^\d+$/.test(l));
    const other = lines.slice(from, lines.findIndex((l) => l === '20000') + 1).filter((l) => !/^\d+$/.test(l));
    expect(other).toEqual([]);
    expect(numeric.map(Number)).toEqual(Array.from({ length: 20000 }, (_, i) => i + 1));
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThan(0);
  }, 180_000);

  it('takes a screenshot', async () => {
    const shot = await lv.domainScreenshot(conn, name, 0);
    expect(shot.mimeType).toMatch(/^image\/(png|x-portable-pixmap)$/);
    expect(shot.data.length).toBeGreaterThan(1000);
    const magic = shot.mimeType === 'image/png' ? Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) : Buffer.from('P6');
    expect(shot.data.subarray(0, magic.length)).toEqual(magic);
    await expect(lv.domainScreenshot(conn, name, 7)).rejects.toMatchObject({ code: expect.stringMatching(/^VIR_ERR_/) });
  });

  it('opens the VNC socket as an fd and reads the RFB greeting', async () => {
    const fd = await lv.domainOpenGraphicsFD(conn, name, 0);
    expect(fd).toBeGreaterThan(2);
    const sock = new net.Socket({ fd, readable: true, writable: true });
    try {
      const greeting = await new Promise<string>((resolve, reject) => {
        let got = '';
        sock.on('data', (b) => {
          got += b.toString('latin1');
          if (got.length >= 12) resolve(got);
        });
        sock.on('error', reject);
        setTimeout(() => reject(new Error(`no RFB greeting; got ${JSON.stringify(got)}`)), 10_000);
      });
      expect(greeting.slice(0, 12)).toBe('RFB 003.008\n');
    } finally {
      sock.destroy();
    }
    await expect(lv.domainOpenGraphicsFD(conn, name, 5)).rejects.toMatchObject({ code: expect.stringMatching(/^VIR_ERR_/) });
  });

  it('aborts a console stream whose object was garbage-collected', async () => {
    // End the Duplex's session first, then leak a second one and let GC abort it.
    tty.destroy();
    await sleep(200);
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    await (async () => {
      await lv.domainOpenConsole(conn, name, null, { safe: true }); // dropped at once
    })();
    let reopened: NativeStream | undefined;
    for (let i = 0; i < 50 && !reopened; i++) {
      gc();
      await sleep(100);
      reopened = await lv.domainOpenConsole(conn, name, null, { safe: true }).catch(() => undefined);
    }
    expect(reopened).toBeDefined();
    await reopened!.abort();
  });

  it('reports device-added/removed, job-completed, saved and restored from a real guest', async () => {
    const waitForEvent = async (pred: (e: NativeEvent) => boolean, ms = 30_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = seen.find(pred);
        if (found || Date.now() > deadline) return found;
        await sleep(50);
      }
    };
    const mine = (e: NativeEvent) => 'domain' in e && e.domain.name === name;
    const disk = join(dir, 'hotplug.img');
    execFileSync('truncate', ['-s', '1M', disk]);
    const diskXml = `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/><target dev='vdb' bus='virtio'/></disk>`;
    await lv.domainAttachDevice(conn, name, diskXml, { live: true });
    expect(await waitForEvent((e) => mine(e) && e.type === 'domain-device-added')).toMatchObject({ device: 'virtio-disk1' });
    await lv.domainDetachDevice(conn, name, diskXml, { live: true });
    expect(await waitForEvent((e) => mine(e) && e.type === 'domain-device-removed')).toMatchObject({ device: 'virtio-disk1' });

    await lv.domainManagedSave(conn, name);
    const job = await waitForEvent((e) => mine(e) && e.type === 'domain-job-completed');
    expect(job).toMatchObject({ stats: { operation: expect.any(Number), time_elapsed: expect.any(Number), memory_total: expect.any(Number) } });
    expect(await waitForLifecycle('stopped')).toMatchObject({ detail: 'saved', domain: { id: -1 } });
    await lv.domainCreate(conn, name);
    expect(await waitForEvent((e) => mine(e) && e.type === 'domain-lifecycle' && e.event === 'started' && e.detail === 'restored')).toBeDefined();
    // Only the next lifecycle 'stopped' counts for the test below.
    seen.length = 0;
  }, 120_000);

  it('ends the console (EOF) and reports stopped/destroyed when the guest is destroyed', async () => {
    const native = await lv.domainOpenConsole(conn, name, null, { force: true });
    const d = toDuplex(native);
    const errors: Error[] = [];
    d.on('error', (e) => errors.push(e));
    const closed = new Promise<void>((r) => d.on('close', () => r()));
    d.resume();
    await sleep(200);
    await lv.domainDestroy(conn, name);
    await closed;
    expect(errors).toEqual([]);
    expect(d.readableEnded).toBe(true);
    expect(await waitForLifecycle('stopped')).toMatchObject({ event: 'stopped', detail: 'destroyed' });
    // A finished stream: write rejects, finish resolves, abort resolves.
    await expect(native.write(Buffer.from('x'))).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });
    await native.finish();
    await native.abort();
  });

  it('round-trips bytes through volUpload and volDownload', async () => {
    const target = join(dir, 'pool');
    await lv.poolDefine(conn, `<pool type='dir'><name>${pool}</name><target><path>${target}</path></target></pool>`);
    await lv.poolBuild(conn, pool);
    await lv.poolStart(conn, pool);
    const vol = await lv.volCreate(
      conn,
      pool,
      `<volume><name>data.img</name><capacity unit='MiB'>8</capacity><target><format type='raw'/></target></volume>`,
    );

    // 6 MiB in uneven pieces through the Duplex (pipeline ends with finish()).
    const payload = randomBytes(6 * MiB + 12345);
    const pieces: Buffer[] = [];
    for (let off = 0; off < payload.length; ) {
      const len = Math.min(payload.length - off, 1 + Math.floor(Math.random() * 300_000));
      pieces.push(payload.subarray(off, off + len));
      off += len;
    }
    const up0 = Date.now();
    await pipeline(Readable.from(pieces), toDuplex(await lv.volUpload(conn, vol.key, 0, payload.length), { readable: false }));
    const upMs = Date.now() - up0;
    expect(readFileSync(vol.path).subarray(0, payload.length).equals(payload)).toBe(true);

    const chunks: Buffer[] = [];
    const down0 = Date.now();
    await pipeline(
      toDuplex(await lv.volDownload(conn, vol.key, 0, payload.length), { writable: false }),
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(chunk);
          cb();
        },
      }),
    );
    const downMs = Date.now() - down0;
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
    // Visible with --reporter=verbose; the numbers go into the report.
    process.stdout.write(`[stream] upload ${(payload.length / MiB / (upMs / 1000)).toFixed(1)} MiB/s, download ${(payload.length / MiB / (downMs / 1000)).toFixed(1)} MiB/s\n`);

    // Offset and length, with the raw NativeStream API.
    const up = await lv.volUpload(conn, vol.path, 4096, 5);
    await up.write(Buffer.from('hello'));
    await up.finish();
    await expect(up.write(Buffer.from('late'))).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });
    const down = await lv.volDownload(conn, `${pool}/data.img`, 4090, 16);
    const got: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      down.start((chunk) => (chunk ? got.push(chunk) : resolve()), reject);
    });
    expect(Buffer.concat(got)).toEqual(Buffer.concat([payload.subarray(4090, 4096), Buffer.from('hello'), payload.subarray(4101, 4106)]));

    // An aborted upload: finish afterwards reports the abort.
    const aborted = await lv.volUpload(conn, vol.key, 0, 0);
    await aborted.write(Buffer.alloc(1000));
    await aborted.abort();
    await expect(aborted.finish()).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_ABORTED' });

    await expect(lv.volDownload(conn, `${pool}/missing.img`, 0, 0)).rejects.toMatchObject({ code: 'VIR_ERR_NO_STORAGE_VOL' });
    await expect(lv.volUpload(conn, vol.key, -1 as number, 0)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });

  it('rejects bad stream arguments with ERR_INVALID_ARG', async () => {
    const up = await lv.volUpload(conn, `${pool}/data.img`, 0, 0);
    await expect(up.write('text' as unknown as Buffer)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect(() => up.start(null as never, null as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    await up.abort();
    // Downloads are read-only: data sent into one would wedge libvirtd's side of the connection.
    const down = await lv.volDownload(conn, `${pool}/data.img`, 0, 0);
    await expect(down.write(Buffer.from('x'))).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID', message: /read-only/ });
    await expect(down.finish()).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });
    await down.abort();
    await expect(lv.domainOpenConsole(conn, 42 as never, null)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(lv.domainScreenshot(conn, name, -1)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(lv.domainOpenGraphicsFD(conn, name, 0, { skipAuth: 'yes' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });
});
