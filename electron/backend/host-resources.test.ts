// The Connection details dialog's backend through the API session both shells use, on the Demo
// connection (libvirt's test driver: its 'default' NAT network, 'default-pool', and the 'test' VM
// on both): list, create, start/stop/autostart, delete; what a VM uses is not deleted. On the
// lab's libvirtd: a real network (bridge, address) and a real directory pool.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../native/index.js';
import { type Harness, isEvent, startHarness, until } from '../test/backend-harness.js';
import { LAB_URI, labReady, uniqueName } from '../test/lab.js';
import { networkXml } from './host-resources.js';

const demo = { connectionId: 'demo' };

describe('networks and storage on the Demo connection (test driver)', () => {
  let h: Harness;
  const refusal = async (method: Parameters<Harness['session']['call']>[0], params: unknown) => {
    const outcome = await h.session.call(method, params);
    if (outcome.ok) throw new Error(`${method} was expected to fail`);
    return outcome.error;
  };

  beforeAll(async () => {
    h = await startHarness();
    await until(() => h.backend.connections.handleOf('demo') ?? undefined, 10_000, 'the Demo connection');
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('lists the networks with their mode, bridge, subnet and DHCP range', async () => {
    expect(await h.call('networks.list', demo)).toEqual([
      { name: 'default', active: true, autostart: false, persistent: true, bridge: 'virbr0', mode: 'nat', ipv4: { address: '192.168.122.1', prefix: 24, dhcp: { start: '192.168.122.2', end: '192.168.122.254' } } },
    ]);
  });

  it('creates NAT and isolated networks, started and autostarted; refuses a bad subnet or a taken name', async () => {
    const since = h.events.length;
    // (The test driver names no bridge; libvirtd picks a free virbrN.)
    expect(await h.call('networks.create', { ...demo, name: 'lab-nat', mode: 'nat', ipv4: '192.168.150.0/24' })).toMatchObject({
      name: 'lab-nat', active: true, autostart: true, persistent: true, mode: 'nat',
      ipv4: { address: '192.168.150.1', prefix: 24, dhcp: { start: '192.168.150.2', end: '192.168.150.254' } },
    });
    await h.nextEvent(isEvent('hostResources.changed', (p) => p.connectionId === 'demo'), { since });
    expect(await h.call('networks.create', { ...demo, name: 'lab-iso', mode: 'isolated', ipv4: '10.10.0.0/29', dhcp: false })).toMatchObject({ mode: 'isolated', ipv4: { address: '10.10.0.1', prefix: 29, dhcp: null } });
    expect(await refusal('networks.create', { ...demo, name: 'x', mode: 'nat', ipv4: '192.168.150.1/24' })).toMatchObject({ code: 'invalid-input', issues: [{ path: ['ipv4'], message: '192.168.150.1/24 has host bits set: the network of a /24 ends in zeros' }] });
    expect(await refusal('networks.create', { ...demo, name: 'bad name', mode: 'nat', ipv4: '192.168.151.0/24' })).toMatchObject({ code: 'invalid-input', issues: [{ path: ['name'] }] });
    expect(await refusal('networks.create', { ...demo, name: 'lab-nat', mode: 'nat', ipv4: '192.168.152.0/24' })).toMatchObject({ code: 'invalid-input', message: 'There is a network named "lab-nat" already. Nothing was changed.' });
    expect((await h.call('networks.list', demo)).map((n) => n.name)).toEqual(['default', 'lab-iso', 'lab-nat']);
    expect(networkXml('n', 'nat', '172.16.0.0/16', true)).toBe("<network><name>n</name><forward mode='nat'/><ip address='172.16.0.1' prefix='16'><dhcp><range start='172.16.0.2' end='172.16.255.254'/></dhcp></ip></network>");
  });

  it('stops, starts, sets autostart, deletes; a network a VM uses is not deleted', async () => {
    await h.call('networks.stop', { ...demo, name: 'lab-nat' });
    await h.call('networks.setAutostart', { ...demo, name: 'lab-nat', autostart: false });
    expect((await h.call('networks.list', demo)).find((n) => n.name === 'lab-nat')).toMatchObject({ active: false, autostart: false });
    await h.call('networks.start', { ...demo, name: 'lab-nat' });
    await h.call('networks.delete', { ...demo, name: 'lab-nat' });
    await h.call('networks.delete', { ...demo, name: 'lab-iso' });
    expect(await refusal('networks.delete', { ...demo, name: 'default' })).toMatchObject({ code: 'invalid-input', message: 'The network "default" is used by "test": change their network first. Nothing was changed.' });
    expect((await h.call('networks.list', demo)).map((n) => [n.name, n.active])).toEqual([['default', true]]);
  });

  it('lists pools, creates a directory pool, stops, starts and deletes it (its folder stays)', async () => {
    expect(await h.call('pools.list', demo)).toEqual([
      { name: 'default-pool', type: 'dir', active: true, autostart: false, persistent: true, path: '/default-pool', capacityBytes: expect.any(Number), allocationBytes: expect.any(Number), availableBytes: expect.any(Number) },
    ]);
    expect(await h.call('pools.create', { ...demo, name: 'images', path: '/srv/images' })).toMatchObject({ name: 'images', type: 'dir', active: true, autostart: true, path: '/srv/images' });
    expect(await refusal('pools.create', { ...demo, name: 'other', path: 'relative/dir' })).toMatchObject({ code: 'invalid-input', issues: [{ path: ['path'], message: 'the folder must be an absolute path' }] });
    await h.call('pools.stop', { ...demo, name: 'images' });
    await h.call('pools.setAutostart', { ...demo, name: 'images', autostart: false });
    expect((await h.call('pools.list', demo)).find((p) => p.name === 'images')).toMatchObject({ active: false, autostart: false });
    await h.call('pools.start', { ...demo, name: 'images' });
    await h.call('pools.delete', { ...demo, name: 'images' });
    expect((await h.call('pools.list', demo)).map((p) => p.name)).toEqual(['default-pool']);
  });

  it('deletes a volume, but not one a VM has as its disk', async () => {
    const { path } = await h.call('details.createVolume', { ...demo, pool: 'default-pool', name: 'spare.img', capacityMiB: 8, format: 'raw' });
    const conn = h.backend.connections.requireHandle('demo');
    const user = await loadBinding().domainDefine(conn, `<domain type='test'><name>volume-user</name><memory>1024</memory><os><type>hvm</type></os><devices><disk type='file' device='disk'><source file='${path}'/><target dev='vda'/></disk></devices></domain>`);
    expect(await refusal('volumes.delete', { ...demo, path })).toMatchObject({ code: 'invalid-input', message: `${path} is a disk of "volume-user": remove it from them first. Nothing was deleted.` });
    await loadBinding().domainUndefine(conn, user.uuid);
    await h.call('volumes.delete', { ...demo, path });
    expect((await h.call('wizard.volumes', { ...demo, pool: 'default-pool' })).map((v) => v.path)).not.toContain(path);
  });
});

describe.skipIf(!labReady())('networks and storage on the lab libvirtd (qemu:///system)', () => {
  let h: Harness;
  let dir: string;
  const lab = { connectionId: 'launch' };
  const network = uniqueName('net');
  const pool = uniqueName('pool');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vireo-pools-'));
    h = await startHarness({ launchUri: LAB_URI });
    await until(() => h.backend.connections.handleOf('launch') ?? undefined, 10_000, 'the lab connection');
  });
  afterAll(async () => {
    const conn = h?.backend.connections.handleOf('launch');
    if (conn) {
      const lv = loadBinding();
      await lv.netDestroy(conn, network).catch(() => undefined);
      await lv.netUndefine(conn, network).catch(() => undefined);
      await lv.poolDestroy(conn, pool).catch(() => undefined);
      await lv.poolUndefine(conn, pool).catch(() => undefined);
    }
    await h?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates an isolated network with DHCP: libvirtd gives it a bridge; then deletes it', async () => {
    // A subnet no other test uses: 10.<pid-ish>.<random>.0/24.
    const subnet = `10.${200 + (process.pid % 50)}.${Math.floor(Math.random() * 250)}.0/24`;
    const created = await h.call('networks.create', { ...lab, name: network, mode: 'isolated', ipv4: subnet });
    expect(created).toMatchObject({ name: network, active: true, autostart: true, mode: 'isolated' });
    expect(created.bridge).toMatch(/^virbr\d+$/);
    expect(execFileSync('ip', ['-br', 'addr', 'show', created.bridge!], { encoding: 'utf8' })).toContain(created.ipv4!.address);
    // Stopped first: deleting an inactive network only undefines it.
    await h.call('networks.stop', { ...lab, name: network });
    await h.call('networks.delete', { ...lab, name: network });
    expect((await h.call('networks.list', lab)).map((n) => n.name)).not.toContain(network);
  });

  it('creates a directory pool (libvirtd makes the folder), deletes it (the folder stays)', async () => {
    const path = join(dir, 'images');
    expect(await h.call('pools.create', { ...lab, name: pool, path })).toMatchObject({ name: pool, type: 'dir', active: true, path });
    expect(statSync(path).isDirectory()).toBe(true);
    await h.call('pools.stop', { ...lab, name: pool });
    await h.call('pools.delete', { ...lab, name: pool });
    expect((await h.call('pools.list', lab)).map((p) => p.name)).not.toContain(pool);
    expect(statSync(path).isDirectory()).toBe(true);
  });
});
