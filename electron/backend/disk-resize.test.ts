// Growing a disk through the API session on the lab's libvirtd: a tiny guest's qcow2 volume,
// shut off (the storage volume grows) and running (QEMU grows it live); smaller sizes, CD-ROMs
// and disks of unknown size are refused with the reason, unchanged.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../native/index.js';
import { type Harness, startHarness, until } from '../test/backend-harness.js';
import { LAB_URI, type LabPool, createLabPool, labReady, removeGuests, tinyGuestXml, uniqueName, virsh } from '../test/lab.js';

const MiB = 1024 * 1024;
const lv = loadBinding();

describe.skipIf(!labReady())('growing disks on the lab libvirtd (qemu:///system)', () => {
  let h: Harness;
  let pool: LabPool;
  let uuid: string;
  let volumePath: string;
  const name = uniqueName('resize');
  const vm = () => ({ connectionId: 'launch', uuid });
  const virtualSize = () => JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', volumePath], { encoding: 'utf8' }))['virtual-size'] as number;

  beforeAll(async () => {
    h = await startHarness({ launchUri: LAB_URI });
    const conn = await until(() => h.backend.connections.handleOf('launch') ?? undefined, 10_000, 'the lab connection');
    pool = await createLabPool(conn, 'resize-pool');
    volumePath = await pool.qcow2(`${name}.qcow2`, 16);
    const xml = tinyGuestXml(name, { env: { DISK: volumePath } }).replace('</devices>', "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk></devices>");
    uuid = (await lv.domainDefine(conn, xml)).uuid;
  });

  afterAll(async () => {
    await removeGuests([name]);
    await pool?.dispose();
    await h?.dispose();
  });

  it('grows the volume of a shut-off VM; a smaller size is refused', async () => {
    expect(await h.call('details.diskCapacity', { ...vm(), target: 'vda' })).toEqual({ capacityBytes: 16 * MiB });
    const smaller = await h.session.call('details.resizeDisk', { ...vm(), target: 'vda', sizeMiB: 8 });
    expect(smaller).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: ['disk[vda]'], message: 'vda holds 16 MiB: the new size must be larger (shrinking a disk loses data)' }] } });
    expect(await h.call('details.resizeDisk', { ...vm(), target: 'vda', sizeMiB: 24 })).toEqual({ capacityBytes: 24 * MiB });
    expect(virtualSize()).toBe(24 * MiB);
  });

  it('grows the disk of a running VM live', async () => {
    virsh('start', name);
    expect(await h.call('details.diskCapacity', { ...vm(), target: 'vda' })).toEqual({ capacityBytes: 24 * MiB });
    await h.call('details.resizeDisk', { ...vm(), target: 'vda', sizeMiB: 32 });
    expect(await h.call('details.diskCapacity', { ...vm(), target: 'vda' })).toEqual({ capacityBytes: 32 * MiB });
    expect(virtualSize()).toBe(32 * MiB);
  });

  it('refuses a CD-ROM drive and a disk it does not have', async () => {
    expect(await h.session.call('details.resizeDisk', { ...vm(), target: 'hdc', sizeMiB: 64 })).toMatchObject({ ok: false, error: { issues: [{ message: 'hdc is a cdrom drive: only disks can be resized' }] } });
    expect(await h.session.call('details.resizeDisk', { ...vm(), target: 'vdz', sizeMiB: 64 })).toMatchObject({ ok: false, error: { issues: [{ message: 'The VM has no disk vdz' }] } });
  });
});
