// Host devices (nodedev.cc) against the test driver: "computer" (system) with SCSI hosts
// below it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, loadBinding } from '../index.js';
import { codesOf, expected } from './support.js';

const lv = loadBinding();


describe('node devices (test driver)', () => {
  let conn: ConnectionHandle;
  beforeAll(async () => {
    conn = await lv.open('test:///default');
  });
  afterAll(async () => {
    await lv.close(conn);
  });

  it('lists the device tree with parents and capabilities', async () => {
    const devs = await lv.nodeDeviceList(conn);
    const byName = new Map(devs.map((d) => [d.name, d]));
    expect(byName.get('computer')).toEqual({ name: 'computer', parent: null, caps: ['system'] });
    expect(byName.get('scsi_host1')).toEqual({ name: 'scsi_host1', parent: 'computer', caps: ['scsi_host'] });
    // Every parent is itself a listed device; only the root has none.
    expect(devs.filter((d) => d.parent !== null && !byName.has(d.parent)).map((d) => d.name)).toEqual([]);
    expect(devs.filter((d) => d.caps.length === 0).map((d) => d.name)).toEqual([]);
    expect(devs.filter((d) => d.parent === null).map((d) => d.name)).toEqual(['computer']);
  });

  it('filters by capability', async () => {
    const all = await lv.nodeDeviceList(conn, {});
    const hosts = await lv.nodeDeviceList(conn, { cap: 'scsi_host' });
    expect(hosts.map((d) => d.name).toSorted()).toEqual(all.filter((d) => d.caps.includes('scsi_host')).map((d) => d.name).toSorted());
    expect(hosts.length).toBeGreaterThan(0);
    expect(hosts.length).toBeLessThan(all.length);
    expect((await lv.nodeDeviceList(conn, { cap: 'system' })).map((d) => d.name)).toEqual(['computer']);
    expect(await lv.nodeDeviceList(conn, { cap: 'pci' })).toEqual([]);
  });

  it('reads a device XML', async () => {
    const xml = await lv.nodeDeviceGetXML(conn, 'scsi_host1');
    expect(xml).toContain('<name>scsi_host1</name>');
    expect(xml).toContain('<parent>computer</parent>');
    expect(xml).toContain("<capability type='scsi_host'>");
  });

  it('rejects an unknown device with VIR_ERR_NO_NODE_DEVICE', async () => {
    await expect(lv.nodeDeviceGetXML(conn, 'no_such_device')).rejects.toMatchObject({ code: 'VIR_ERR_NO_NODE_DEVICE' });
  });

  it('rejects bad arguments with ERR_INVALID_ARG', async () => {
    const any = lv as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const bad: [string, unknown[]][] = [
      ['nodeDeviceList', [conn, { cap: 'nonsense' }]],
      ['nodeDeviceList', [conn, { cap: 3 }]],
      ['nodeDeviceList', [conn, 'pci']],
      ['nodeDeviceList', [undefined]],
      ['nodeDeviceGetXML', [conn, null]],
      ['nodeDeviceGetXML', [conn, 'a\u0000b']],
      ['nodeDeviceGetXML', [{}, 'computer']],
    ];
    const calls = bad.map(([name, args]): [string, () => Promise<unknown>] => [`${name} ${String(args[1])}`, () => any[name]!(...args)]);
    expect(await codesOf(calls)).toEqual(expected(calls, 'ERR_INVALID_ARG'));
    await expect(lv.nodeDeviceList(conn, { cap: 'gpu' })).rejects.toThrow(/unknown node device capability 'gpu'/);
  });

  it('rejects on a closed connection', async () => {
    const c = await lv.open('test:///default');
    await lv.close(c);
    await expect(lv.nodeDeviceList(c)).rejects.toThrow(/closed/);
  });
});
