// Storage pools and volumes (storage.cc): the test driver (pool "default-pool", in memory),
// and the lab's libvirtd (qemu:///system) for what the test driver does not implement
// (volume resize and wipe) on a dir pool in a temporary directory.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, loadBinding } from '../index.js';
import { codesOf, expected, noDaemon } from './support.js';

const lv = loadBinding();

const MiB = 1024 * 1024;

const volXml = (name: string, mib: number, format = 'raw', allocation?: number) =>
  `<volume><name>${name}</name><capacity unit='MiB'>${mib}</capacity>` +
  (allocation === undefined ? '' : `<allocation>${allocation}</allocation>`) +
  `<target><format type='${format}'/></target></volume>`;

async function poolNames(conn: ConnectionHandle): Promise<string[]> {
  return (await lv.poolList(conn)).map((p) => p.name).toSorted();
}
async function volNames(conn: ConnectionHandle, pool: string): Promise<string[]> {
  return (await lv.volList(conn, pool)).map((v) => v.name).toSorted();
}

describe('storage pools (test driver)', () => {
  let conn: ConnectionHandle;
  beforeAll(async () => {
    conn = await lv.open('test:///default');
  });
  afterAll(async () => {
    await lv.close(conn);
  });

  it('lists the default pool, and reads it by name and by UUID', async () => {
    const pools = await lv.poolList(conn);
    const pool = pools.find((p) => p.name === 'default-pool');
    expect(pool).toMatchObject({ active: true, persistent: true, autostart: false, state: 2 });
    expect(pool?.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(pool!.capacity).toBeGreaterThan(0);
    expect(pool!.available).toBeLessThanOrEqual(pool!.capacity);
    expect(await lv.poolGetInfo(conn, 'default-pool')).toEqual(pool);
    expect(await lv.poolGetInfo(conn, pool!.uuid)).toEqual(pool);
    const xml = await lv.poolGetXML(conn, pool!.uuid);
    expect(xml).toContain('<name>default-pool</name>');
    expect(xml).toContain(`<uuid>${pool!.uuid}</uuid>`);
  });

  it('defines, builds, starts, autostarts, refreshes, destroys, deletes and undefines a pool', async () => {
    const defined = await lv.poolDefine(conn, "<pool type='dir'><name>vireo-p1</name><target><path>/vireo-p1</path></target></pool>", {
      validate: true,
    });
    expect(defined.name).toBe('vireo-p1');
    expect(await poolNames(conn)).toEqual(['default-pool', 'vireo-p1']);
    expect(await lv.poolGetInfo(conn, 'vireo-p1')).toMatchObject({ uuid: defined.uuid, active: false, persistent: true, state: 0 });
    await expect(lv.volList(conn, 'vireo-p1')).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });

    await lv.poolBuild(conn, 'vireo-p1');
    await lv.poolStart(conn, defined.uuid);
    expect(await lv.poolGetInfo(conn, 'vireo-p1')).toMatchObject({ active: true, state: 2 });
    await expect(lv.poolStart(conn, 'vireo-p1')).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });
    await expect(lv.poolUndefine(conn, 'vireo-p1')).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });
    await expect(lv.poolDelete(conn, 'vireo-p1')).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });

    await lv.poolSetAutostart(conn, 'vireo-p1', true);
    expect((await lv.poolList(conn)).find((p) => p.name === 'vireo-p1')?.autostart).toBe(true);
    await lv.poolSetAutostart(conn, 'vireo-p1', false);
    expect((await lv.poolGetInfo(conn, 'vireo-p1')).autostart).toBe(false);

    await lv.volCreate(conn, 'vireo-p1', volXml('a.img', 3));
    await lv.poolRefresh(conn, 'vireo-p1');
    expect(await volNames(conn, 'vireo-p1')).toEqual(['a.img']);

    await lv.poolDestroy(conn, 'vireo-p1');
    expect((await lv.poolGetInfo(conn, 'vireo-p1')).active).toBe(false);
    await expect(lv.poolRefresh(conn, 'vireo-p1')).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });
    await lv.poolDelete(conn, 'vireo-p1');
    await lv.poolUndefine(conn, 'vireo-p1');
    expect(await poolNames(conn)).toEqual(['default-pool']);
    await expect(lv.poolGetInfo(conn, defined.uuid)).rejects.toMatchObject({ code: 'VIR_ERR_NO_STORAGE_POOL' });
  });

  it('passes the build and XML flags through (the test driver rejects them by value)', async () => {
    await lv.poolDefine(conn, "<pool type='dir'><name>vireo-p2</name><target><path>/vireo-p2</path></target></pool>");
    try {
      await expect(lv.poolBuild(conn, 'vireo-p2', { noOverwrite: true })).rejects.toThrow(/unsupported flags \(0x4\)/);
      await expect(lv.poolBuild(conn, 'vireo-p2', { overwrite: true })).rejects.toThrow(/unsupported flags \(0x8\)/);
      await expect(lv.poolGetXML(conn, 'vireo-p2', { inactive: true })).rejects.toMatchObject({ code: 'VIR_ERR_INVALID_ARG' });
    } finally {
      await lv.poolUndefine(conn, 'vireo-p2');
    }
  });

  it('reports define errors with libvirt codes', async () => {
    await expect(lv.poolDefine(conn, '<pool')).rejects.toMatchObject({ code: 'VIR_ERR_XML_DETAIL' });
    const invalid = "<pool type='dir'><name>vireo-p3</name><bogus/><target><path>/vireo-p3</path></target></pool>";
    await expect(lv.poolDefine(conn, invalid, { validate: true })).rejects.toMatchObject({ code: 'VIR_ERR_XML_INVALID_SCHEMA' });
    expect(await poolNames(conn)).toEqual(['default-pool']);
    await expect(
      lv.poolDefine(conn, "<pool type='dir'><name>default-pool</name><target><path>/elsewhere</path></target></pool>"),
    ).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_FAILED' });
  });

  it('rejects unknown pools with VIR_ERR_NO_STORAGE_POOL', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['poolGetInfo', () => lv.poolGetInfo(conn, 'no-such-pool')],
      ['poolGetXML', () => lv.poolGetXML(conn, 'no-such-pool')],
      ['poolBuild', () => lv.poolBuild(conn, 'no-such-pool')],
      ['poolStart', () => lv.poolStart(conn, 'no-such-pool')],
      ['poolDestroy', () => lv.poolDestroy(conn, 'no-such-pool')],
      ['poolUndefine', () => lv.poolUndefine(conn, 'no-such-pool')],
      ['poolDelete', () => lv.poolDelete(conn, 'no-such-pool')],
      ['poolRefresh', () => lv.poolRefresh(conn, 'no-such-pool')],
      ['poolSetAutostart', () => lv.poolSetAutostart(conn, 'no-such-pool', true)],
      ['volList', () => lv.volList(conn, '00000000-0000-4000-8000-000000000000')],
      ['volCreate', () => lv.volCreate(conn, 'no-such-pool', volXml('x.img', 1))],
      ['volCreateFrom', () => lv.volCreateFrom(conn, 'no-such-pool', volXml('x.img', 1), '/default-pool/none')],
    ];
    expect(await codesOf(calls)).toEqual(expected(calls, 'VIR_ERR_NO_STORAGE_POOL'));
  });

  it('rejects bad arguments with ERR_INVALID_ARG', async () => {
    const any = lv as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const bad: [string, unknown[]][] = [
      ['poolList', [{}]],
      ['poolGetInfo', [conn, 42]],
      ['poolGetXML', [conn, 'default-pool', { inactive: 1 }]],
      ['poolDefine', [conn, null]],
      ['poolDefine', [conn, '<pool/>', { validate: 'yes' }]],
      ['poolBuild', [conn, 'default-pool', { overwrite: 'no' }]],
      ['poolStart', [conn]],
      ['poolDestroy', [conn, ['default-pool']]],
      ['poolUndefine', [conn, 'a\u0000b']],
      ['poolDelete', [null, 'default-pool']],
      ['poolRefresh', [conn, {}]],
      ['poolSetAutostart', [conn, 'default-pool', 'yes']],
      ['volList', [conn, 1]],
      ['volGetInfo', [conn, undefined]],
      ['volGetXML', [conn, 3]],
      ['volCreate', [conn, 'default-pool', 7]],
      ['volCreate', [conn, 'default-pool', volXml('x.img', 1), { preallocMetadata: 1 }]],
      ['volCreateFrom', [conn, 'default-pool', volXml('x.img', 1)]],
      ['volDelete', [conn, null]],
      ['volWipe', [conn, false]],
      ['volResize', [conn, '/default-pool/x.img', -1]],
      ['volResize', [conn, '/default-pool/x.img', 1.5]],
      ['volResize', [conn, '/default-pool/x.img', MiB, { shrink: 'yes' }]],
    ];
    const calls = bad.map(([name, args]): [string, () => Promise<unknown>] => [name, () => any[name]!(...args)]);
    expect(await codesOf(calls)).toEqual(expected(calls, 'ERR_INVALID_ARG'));
  });
});

describe('storage volumes (test driver)', () => {
  let conn: ConnectionHandle;
  beforeAll(async () => {
    conn = await lv.open('test:///default');
  });
  afterAll(async () => {
    await lv.close(conn);
  });

  it('creates, reads, clones and deletes volumes, seen through volList and volGetInfo', async () => {
    expect(await lv.volList(conn, 'default-pool')).toEqual([]);
    const a = await lv.volCreate(conn, 'default-pool', volXml('a.img', 5));
    expect(a).toEqual({ name: 'a.img', key: '/default-pool/a.img', path: '/default-pool/a.img', type: 0, capacity: 5 * MiB, allocation: expect.any(Number) });
    expect(await lv.volList(conn, 'default-pool')).toEqual([a]);
    // Every kind of volume key: libvirt key, path, "pool/name".
    expect(await lv.volGetInfo(conn, a.key)).toEqual(a);
    expect(await lv.volGetInfo(conn, a.path)).toEqual(a);
    expect(await lv.volGetInfo(conn, 'default-pool/a.img')).toEqual(a);
    const xml = await lv.volGetXML(conn, 'default-pool/a.img');
    expect(xml).toContain('<name>a.img</name>');
    expect(xml).toContain(`<capacity unit='bytes'>${5 * MiB}</capacity>`);

    const b = await lv.volCreateFrom(conn, 'default-pool', volXml('b.img', 5), a.path);
    expect(b).toMatchObject({ name: 'b.img', path: '/default-pool/b.img', capacity: a.capacity });
    expect(await volNames(conn, 'default-pool')).toEqual(['a.img', 'b.img']);
    expect((await lv.poolGetInfo(conn, 'default-pool')).allocation).toBeGreaterThan(0);

    await expect(lv.volCreate(conn, 'default-pool', volXml('a.img', 1))).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_FAILED' });
    await lv.volDelete(conn, 'default-pool/a.img');
    expect(await volNames(conn, 'default-pool')).toEqual(['b.img']);
    await expect(lv.volGetInfo(conn, a.path)).rejects.toMatchObject({ code: 'VIR_ERR_NO_STORAGE_VOL' });
    await lv.volDelete(conn, b.key);
    expect(await lv.volList(conn, 'default-pool')).toEqual([]);
  });

  it('reports create errors with libvirt codes, and passes the create flags through', async () => {
    await expect(lv.volCreate(conn, 'default-pool', '<volume>')).rejects.toMatchObject({ code: 'VIR_ERR_XML_DETAIL' });
    const invalid = "<volume><name>v.img</name><bogus/><capacity>5</capacity></volume>";
    await expect(lv.volCreate(conn, 'default-pool', invalid, { validate: true })).rejects.toMatchObject({ code: 'VIR_ERR_XML_INVALID_SCHEMA' });
    // The test driver accepts no flags: this shows VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA (0x1) reached it.
    await expect(lv.volCreate(conn, 'default-pool', volXml('p.img', 1), { preallocMetadata: true })).rejects.toThrow(/unsupported flags \(0x1\)/);
    await expect(lv.volCreateFrom(conn, 'default-pool', volXml('c.img', 1), '/default-pool/missing')).rejects.toMatchObject({
      code: 'VIR_ERR_NO_STORAGE_VOL',
    });
    expect(await lv.volList(conn, 'default-pool')).toEqual([]);
  });

  it('reports resize and wipe as unsupported by the test driver', async () => {
    await lv.volCreate(conn, 'default-pool', volXml('r.img', 1));
    try {
      await expect(lv.volResize(conn, 'default-pool/r.img', 2 * MiB)).rejects.toMatchObject({ code: 'VIR_ERR_NO_SUPPORT' });
      await expect(lv.volWipe(conn, 'default-pool/r.img')).rejects.toMatchObject({ code: 'VIR_ERR_NO_SUPPORT' });
      expect((await lv.volGetInfo(conn, 'default-pool/r.img')).capacity).toBe(MiB);
    } finally {
      await lv.volDelete(conn, '/default-pool/r.img');
    }
  });

  it('rejects unknown volumes with VIR_ERR_NO_STORAGE_VOL, for every kind of key', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['volGetInfo path', () => lv.volGetInfo(conn, '/default-pool/missing.img')],
      ['volGetInfo name', () => lv.volGetInfo(conn, 'missing.img')],
      ['volGetInfo pool/name', () => lv.volGetInfo(conn, 'default-pool/missing.img')],
      ['volGetXML', () => lv.volGetXML(conn, '/default-pool/missing.img')],
      ['volDelete', () => lv.volDelete(conn, '/default-pool/missing.img')],
      ['volWipe', () => lv.volWipe(conn, '/default-pool/missing.img')],
      ['volResize', () => lv.volResize(conn, '/default-pool/missing.img', MiB)],
    ];
    expect(await codesOf(calls)).toEqual(expected(calls, 'VIR_ERR_NO_STORAGE_VOL'));
    // "pool/name" with an unknown pool names the pool.
    await expect(lv.volGetInfo(conn, 'no-such-pool/x.img')).rejects.toMatchObject({ code: 'VIR_ERR_NO_STORAGE_POOL' });
  });
});

describe.skipIf(noDaemon)('storage on the lab libvirtd (qemu:///system, dir pool in a temp dir)', () => {
  let conn: ConnectionHandle;
  let dir: string;
  const pool = `vireo-test-${process.pid}`;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vireo-pool-'));
    conn = await lv.open('qemu:///system');
  });
  afterAll(async () => {
    if (conn) {
      // Best effort: leave nothing behind on the shared daemon.
      for (const v of await lv.volList(conn, pool).catch(() => [])) await lv.volDelete(conn, v.key).catch(() => undefined);
      await lv.poolDestroy(conn, pool).catch(() => undefined);
      await lv.poolUndefine(conn, pool).catch(() => undefined);
      await lv.close(conn);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a dir pool through its lifecycle, resizing, wiping and cloning volumes', async () => {
    const target = join(dir, 'pool');
    const defined = await lv.poolDefine(conn, `<pool type='dir'><name>${pool}</name><target><path>${target}</path></target></pool>`, {
      validate: true,
    });
    expect((await lv.poolList(conn)).find((p) => p.name === pool)).toMatchObject({ uuid: defined.uuid, active: false, persistent: true });
    await lv.poolBuild(conn, pool);
    expect(statSync(target).isDirectory()).toBe(true);
    await expect(lv.poolBuild(conn, pool, { overwrite: true, noOverwrite: true })).rejects.toMatchObject({ code: 'VIR_ERR_INVALID_ARG' });
    await lv.poolStart(conn, pool);
    expect(await lv.poolGetInfo(conn, pool)).toMatchObject({ active: true, state: 2 });
    expect(await lv.poolGetXML(conn, pool, { inactive: true })).toContain(`<path>${target}</path>`);

    const r = await lv.volCreate(conn, pool, volXml('r.img', 4, 'raw', 0));
    expect(r).toMatchObject({ path: join(target, 'r.img'), capacity: 4 * MiB, allocation: 0 });
    // Shrinking needs the shrink flag.
    await expect(lv.volResize(conn, r.path, MiB)).rejects.toMatchObject({ code: 'VIR_ERR_INVALID_ARG' });
    await lv.volResize(conn, r.path, MiB, { shrink: true });
    expect((await lv.volGetInfo(conn, r.key)).capacity).toBe(MiB);
    await lv.volResize(conn, r.path, MiB, { delta: true });
    expect((await lv.volGetInfo(conn, r.key)).capacity).toBe(2 * MiB);
    await lv.volResize(conn, r.path, 3 * MiB, { allocate: true });
    expect(await lv.volGetInfo(conn, r.key)).toMatchObject({ capacity: 3 * MiB, allocation: 3 * MiB });
    await lv.volWipe(conn, `${pool}/r.img`);
    expect(statSync(r.path).size).toBe(3 * MiB);

    const q = await lv.volCreate(conn, pool, volXml('q.qcow2', 4, 'qcow2'), { preallocMetadata: true });
    expect(q.capacity).toBe(4 * MiB);
    expect(await lv.volGetXML(conn, q.path)).toContain("<format type='qcow2'/>");
    await lv.volResize(conn, q.path, 8 * MiB);
    expect((await lv.volGetInfo(conn, q.path)).capacity).toBe(8 * MiB);

    const c = await lv.volCreateFrom(conn, pool, volXml('c.img', 3), r.path);
    expect(c).toMatchObject({ capacity: 3 * MiB, path: join(target, 'c.img') });
    await expect(lv.volCreateFrom(conn, pool, volXml('d.img', 3), r.path, { preallocMetadata: true })).rejects.toMatchObject({
      code: 'VIR_ERR_CONFIG_UNSUPPORTED',
    });
    expect(await volNames(conn, pool)).toEqual(['c.img', 'q.qcow2', 'r.img']);

    // A non-empty pool directory cannot be deleted.
    await lv.poolDestroy(conn, pool);
    await expect(lv.poolDelete(conn, pool)).rejects.toMatchObject({ code: 'VIR_ERR_SYSTEM_ERROR' });
    await lv.poolStart(conn, pool);
    for (const v of [r, q, c]) await lv.volDelete(conn, v.key);
    expect(await lv.volList(conn, pool)).toEqual([]);
    await lv.poolDestroy(conn, pool);
    await lv.poolDelete(conn, pool);
    expect(existsSync(target)).toBe(false);
    await lv.poolUndefine(conn, pool);
    expect((await lv.poolList(conn)).some((p) => p.name === pool)).toBe(false);
  });
});
