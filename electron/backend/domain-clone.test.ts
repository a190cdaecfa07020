// Cloning through the API session both shells use: on the Demo connection (libvirt's test
// driver copies volumes in memory) and on the lab's libvirtd, where the clone of a tiny guest with
// a qcow2 volume boots. Every refusal changes nothing.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NativeBinding, loadBinding } from '../../native/index.js';
import type { ClonePlan } from '../../shared/models/clone.js';
import { DomainConfig } from '../../shared/xml/domain.js';
import { type Harness, startHarness, until } from '../test/backend-harness.js';
import { LAB_URI, type LabPool, createLabPool, labReady, removeGuests, tinyGuestXml, uniqueName, virsh } from '../test/lab.js';

const lv = loadBinding();
const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

describe('cloning on the Demo connection (test driver)', () => {
  let h: Harness;
  let source: { connectionId: string; uuid: string };
  let sourceXml: string;
  const volumes = () => lv.volList(h.backend.connections.requireHandle('demo'), 'default-pool').then((list) => list.map((v) => v.name).toSorted());

  beforeAll(async () => {
    h = await startHarness();
    const conn = await until(() => h.backend.connections.handleOf('demo') ?? undefined, 10_000, 'the Demo connection');
    await lv.volCreate(conn, 'default-pool', "<volume><name>clone-src.img</name><capacity unit='MiB'>64</capacity></volume>");
    const ref = await lv.domainDefine(
      conn,
      `<domain type='test'><name>clone-src</name><memory>1024</memory><os><type>hvm</type></os><devices>
        <disk type='file' device='disk'><source file='/default-pool/clone-src.img'/><target dev='vda' bus='virtio'/></disk>
        <disk type='file' device='cdrom'><source file='/isos/installer.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
        <interface type='network'><mac address='52:54:00:aa:bb:cc'/><source network='default'/></interface>
      </devices></domain>`,
    );
    source = { connectionId: 'demo', uuid: ref.uuid };
    sourceXml = await lv.domainGetXML(conn, ref.uuid, { inactive: true });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('plans a free name, a copy of the pool volume beside it, and the installer ISO shared', async () => {
    const plan: ClonePlan = await h.call('domains.clonePlan', source);
    expect(plan).toMatchObject({ name: 'clone-src', proposedName: 'clone-src-clone', cloneName: 'clone-src-clone', blockedBecause: null });
    expect(plan.disks).toEqual([
      { target: 'vda', device: 'disk', source: '/default-pool/clone-src.img', copyTo: { pool: 'default-pool', name: 'clone-src-clone.img' }, proposed: 'clone', note: null },
      { target: 'hdc', device: 'cdrom', source: '/isos/installer.iso', copyTo: null, proposed: 'share', note: 'Not a volume of an active storage pool: it cannot be copied, only shared.' },
    ]);
    expect((await h.call('domains.clonePlan', { ...source, name: 'web2' })).disks[0]!.copyTo).toEqual({ pool: 'default-pool', name: 'web2.img' });
  });

  it('clones: new name and UUID, the disk copied, the ISO shared, a new MAC; the original unchanged', async () => {
    const result = await h.call('domains.clone', { ...source, name: 'clone-one' });
    expect(result).toMatchObject({ name: 'clone-one', volumes: ['/default-pool/clone-one.img'] });
    expect(result.uuid).not.toBe(source.uuid);
    const conn = h.backend.connections.requireHandle('demo');
    const clone = DomainConfig.parse(await lv.domainGetXML(conn, result.uuid, { inactive: true }));
    expect(clone.devices('disk').map((d) => [d.get('targetDev'), d.get('sourceFile')])).toEqual([
      ['vda', '/default-pool/clone-one.img'],
      ['hdc', '/isos/installer.iso'],
    ]);
    const mac = clone.devices('interface')[0]!.get('mac');
    expect(mac).toMatch(/^52:54:00:/);
    expect(mac).not.toBe('52:54:00:aa:bb:cc');
    expect(await lv.domainGetXML(conn, source.uuid, { inactive: true })).toBe(sourceXml);
    expect((await lv.volGetInfo(conn, '/default-pool/clone-one.img')).capacity).toBe(64 * 1024 * 1024);
    // Shared instead: no copy, the same image.
    const shared = await h.call('domains.clone', { ...source, name: 'clone-shared', disks: { vda: 'share' } });
    expect(shared.volumes).toEqual([]);
    expect(DomainConfig.parse(await lv.domainGetXML(conn, shared.uuid, { inactive: true })).devices('disk')[0]!.get('sourceFile')).toBe('/default-pool/clone-src.img');
  });

  it('refuses a running VM, a bad or taken name, an unknown disk, copying what cannot be copied; nothing is made', async () => {
    const before = { volumes: await volumes(), domains: (await h.call('domains.list', { connectionId: 'demo' })).items.length };
    const refused = async (params: Record<string, unknown>) => {
      const outcome = await h.session.call('domains.clone', { ...source, name: 'never', ...params });
      if (outcome.ok) throw new Error('cloned');
      return outcome.error;
    };
    expect(await refused({ uuid: TEST_UUID })).toMatchObject({ code: 'invalid-input', message: '"test" is running: shut it down first, so its disks do not change while they are copied. Nothing was changed.' });
    expect(await refused({ name: 'has space' })).toMatchObject({ code: 'invalid-input', issues: [{ path: ['name'], message: expect.stringContaining('is not a valid VM name') }] });
    expect(await refused({ name: 'clone-one' })).toMatchObject({ code: 'invalid-input', issues: [{ path: ['name'], message: 'a VM named "clone-one" already exists' }] });
    expect(await refused({ disks: { vdz: 'clone' } })).toMatchObject({ code: 'invalid-input', message: '"clone-src" has no disk vdz. Nothing was changed.' });
    expect(await refused({ disks: { hdc: 'clone' } })).toMatchObject({ code: 'invalid-input', message: expect.stringContaining('hdc (Not a volume of an active storage pool') });
    expect({ volumes: await volumes(), domains: (await h.call('domains.list', { connectionId: 'demo' })).items.length }).toEqual(before);
  });

  it('deletes the copies when libvirt refuses the definition (the refusal is injected)', async () => {
    const refusing: NativeBinding = new Proxy(lv, {
      get: (target, key, receiver) => (key === 'domainDefine' ? () => Promise.reject(new Error('define refused')) : Reflect.get(target, key, receiver)),
    });
    const faulty = await startHarness({ binding: refusing });
    try {
      await until(() => faulty.backend.connections.handleOf('demo') ?? undefined, 10_000, 'the Demo connection');
      const before = await volumes();
      const outcome = await faulty.session.call('domains.clone', { ...source, name: 'clone-refused' });
      expect(outcome).toMatchObject({ ok: false, error: { message: 'define refused' } });
      expect(await volumes()).toEqual(before);
    } finally {
      await faulty.dispose();
    }
  });
});

describe.skipIf(!labReady())('cloning a tiny guest on the lab libvirtd (qemu:///system)', () => {
  let h: Harness;
  let pool: LabPool;
  const name = uniqueName('clone-src');

  beforeAll(async () => {
    h = await startHarness({ launchUri: LAB_URI });
    const conn = await until(() => h.backend.connections.handleOf('launch') ?? undefined, 10_000, 'the lab connection');
    pool = await createLabPool(conn, 'clone-pool');
    await lv.domainDefine(conn, tinyGuestXml(name, { env: { DISK: await pool.qcow2(`${name}.qcow2`, 16) } }));
  });

  afterAll(async () => {
    await removeGuests([name, `${name}-clone`]);
    await pool?.dispose();
    await h?.dispose();
  });

  it('copies the qcow2 volume into the pool, and the clone boots', async () => {
    const uuid = virsh('domuuid', name).trim();
    const result = await h.call('domains.clone', { connectionId: 'launch', uuid, name: `${name}-clone` });
    expect(result.volumes).toEqual([join(pool.dir, `${name}-clone.qcow2`)]);
    expect(execFileSync('qemu-img', ['info', '-U', '--output=json', result.volumes[0]!], { encoding: 'utf8' })).toContain('"format": "qcow2"');
    virsh('start', result.name);
    expect(virsh('domstate', result.name).trim()).toBe('running');
  });
});
