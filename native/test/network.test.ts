// Virtual networks (network.cc) against the test driver (network "default", in memory),
// plus read-only checks against the lab libvirtd's real "default" network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, loadBinding } from '../index.js';
import { codesOf, expected, noDaemon } from './support.js';

const lv = loadBinding();


const netXml = (name: string, bridge: string, octet: number) =>
  `<network><name>${name}</name><bridge name='${bridge}'/>` +
  `<ip address='192.168.${octet}.1' netmask='255.255.255.0'><dhcp><range start='192.168.${octet}.2' end='192.168.${octet}.254'/></dhcp></ip></network>`;

describe('networks (test driver)', () => {
  let conn: ConnectionHandle;
  beforeAll(async () => {
    conn = await lv.open('test:///default');
  });
  afterAll(async () => {
    await lv.close(conn);
  });

  it('lists the default network and reads its XML by name and UUID', async () => {
    const nets = await lv.netList(conn);
    expect(nets).toEqual([
      { name: 'default', uuid: expect.stringMatching(/^[0-9a-f-]{36}$/), active: true, persistent: true, autostart: false, bridge: 'virbr0' },
    ]);
    const xml = await lv.netGetXML(conn, 'default');
    expect(xml).toContain('<name>default</name>');
    expect(xml).toContain(`<uuid>${nets[0]!.uuid}</uuid>`);
    expect(await lv.netGetXML(conn, nets[0]!.uuid)).toBe(xml);
    // The test driver accepts no XML flags: this shows VIR_NETWORK_XML_INACTIVE reached it.
    await expect(lv.netGetXML(conn, 'default', { inactive: true })).rejects.toThrow(/unsupported flags \(0x1\)/);
  });

  it('defines, starts, autostarts, destroys and undefines a network, seen through netList', async () => {
    const info = (name: string) => lv.netList(conn).then((nets) => nets.find((n) => n.name === name));
    const defined = await lv.netDefine(conn, netXml('vireo-n1', 'virbr19', 150), { validate: true });
    expect(defined.name).toBe('vireo-n1');
    expect(await info('vireo-n1')).toEqual({ ...defined, active: false, persistent: true, autostart: false, bridge: 'virbr19' });
    expect(await lv.netGetXML(conn, defined.uuid)).toContain("<bridge name='virbr19'");

    await lv.netStart(conn, defined.uuid);
    expect((await info('vireo-n1'))?.active).toBe(true);
    await expect(lv.netStart(conn, 'vireo-n1')).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });
    await expect(lv.netUndefine(conn, 'vireo-n1')).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });

    await lv.netSetAutostart(conn, 'vireo-n1', true);
    expect((await info('vireo-n1'))?.autostart).toBe(true);
    await lv.netSetAutostart(conn, 'vireo-n1', false);
    expect((await info('vireo-n1'))?.autostart).toBe(false);

    await lv.netDestroy(conn, 'vireo-n1');
    expect((await info('vireo-n1'))?.active).toBe(false);
    await lv.netUndefine(conn, 'vireo-n1');
    expect((await lv.netList(conn)).map((n) => n.name)).toEqual(['default']);
    await expect(lv.netGetXML(conn, defined.uuid)).rejects.toMatchObject({ code: 'VIR_ERR_NO_NETWORK' });
  });

  it('reports define errors with libvirt codes', async () => {
    await expect(lv.netDefine(conn, '<network')).rejects.toMatchObject({ code: 'VIR_ERR_XML_DETAIL' });
    const invalid = '<network><name>vireo-n2</name><bogus/></network>';
    await expect(lv.netDefine(conn, invalid, { validate: true })).rejects.toMatchObject({ code: 'VIR_ERR_XML_INVALID_SCHEMA' });
    expect((await lv.netList(conn)).map((n) => n.name)).toEqual(['default']);
    // Without validate the same document is accepted (unknown elements are ignored).
    await lv.netDefine(conn, invalid);
    expect((await lv.netList(conn)).map((n) => n.name).toSorted()).toEqual(['default', 'vireo-n2']);
    await lv.netUndefine(conn, 'vireo-n2');
  });

  it('reports DHCP leases as unsupported by the test driver', async () => {
    await expect(lv.netDhcpLeases(conn, 'default')).rejects.toMatchObject({ code: 'VIR_ERR_NO_SUPPORT', virDomainName: 'VIR_FROM_NETWORK' });
    await expect(lv.netDhcpLeases(conn, 'default', '52:54:00:00:00:01')).rejects.toMatchObject({ code: 'VIR_ERR_NO_SUPPORT' });
  });

  it('rejects unknown networks with VIR_ERR_NO_NETWORK', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['netGetXML', () => lv.netGetXML(conn, 'no-such-net')],
      ['netStart', () => lv.netStart(conn, 'no-such-net')],
      ['netDestroy', () => lv.netDestroy(conn, 'no-such-net')],
      ['netUndefine', () => lv.netUndefine(conn, '00000000-0000-4000-8000-000000000000')],
      ['netSetAutostart', () => lv.netSetAutostart(conn, 'no-such-net', true)],
      ['netDhcpLeases', () => lv.netDhcpLeases(conn, 'no-such-net', null)],
    ];
    expect(await codesOf(calls)).toEqual(expected(calls, 'VIR_ERR_NO_NETWORK'));
  });

  it('rejects bad arguments with ERR_INVALID_ARG', async () => {
    const any = lv as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const bad: [string, unknown[]][] = [
      ['netList', [null]],
      ['netGetXML', [conn, 1]],
      ['netGetXML', [conn, 'default', { inactive: 'yes' }]],
      ['netDefine', [conn, {}]],
      ['netDefine', [conn, '<network/>', { validate: 1 }]],
      ['netStart', [conn]],
      ['netDestroy', [conn, null]],
      ['netUndefine', [{ __vireoConnection: 1 }, 'default']],
      ['netSetAutostart', [conn, 'default', 1]],
      ['netDhcpLeases', [conn, 'default', 42]],
    ];
    const calls = bad.map(([name, args]): [string, () => Promise<unknown>] => [name, () => any[name]!(...args)]);
    expect(await codesOf(calls)).toEqual(expected(calls, 'ERR_INVALID_ARG'));
  });
});

describe.skipIf(noDaemon)('networks on the lab libvirtd (qemu:///system, read-only)', () => {
  let conn: ConnectionHandle;
  beforeAll(async () => {
    conn = await lv.open('qemu:///system');
  });
  afterAll(async () => {
    if (conn) await lv.close(conn);
  });

  it('reads the inactive XML and the DHCP leases of the default network', async () => {
    const net = (await lv.netList(conn)).find((n) => n.name === 'default');
    expect(net?.persistent).toBe(true);
    expect(await lv.netGetXML(conn, 'default', { inactive: true })).toContain('<name>default</name>');
    const leases = await lv.netDhcpLeases(conn, 'default');
    expect(Array.isArray(leases)).toBe(true);
    for (const l of leases) {
      expect(l.iface).toBe(net?.bridge);
      expect(l.ipaddr).toMatch(/^[0-9a-f.:]+$/);
      expect([0, 1]).toContain(l.type);
    }
    // Filtering by a MAC that no guest has gives no lease.
    expect(await lv.netDhcpLeases(conn, 'default', '52:54:00:ff:ff:fe')).toEqual([]);
  });
});
