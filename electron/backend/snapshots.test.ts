// The Snapshots tab's backend through the API session both shells use: on the Demo connection
// (libvirt's test driver keeps snapshots in memory) and on the lab's libvirtd with a running tiny
// guest whose disk is qcow2 (QEMU keeps disk and memory inside it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmSnapshot } from '../../shared/models/snapshot.js';
import { type Harness, isEvent, startHarness, until } from '../test/backend-harness.js';
import { LAB_URI, type LabGuest, defineGuest, labReady, removeGuest, virsh } from '../test/lab.js';

describe('snapshots on the Demo connection (test driver)', () => {
  let h: Harness;
  let vm: { connectionId: string; uuid: string };

  beforeAll(async () => {
    h = await startHarness();
    await until(() => h.backend.connections.handleOf('demo') ?? undefined, 10_000, 'the Demo connection');
    // A VM of this file's own: the Demo 'test' VM is shared with other tests in this process.
    const ref = await h.backend.connections.requireHandle('demo');
    const defined = await (await import('../../native/index.js')).loadBinding().domainDefine(ref, `<domain type='test'><name>snapshots-demo</name><memory>1024</memory><os><type>hvm</type></os></domain>`);
    vm = { connectionId: 'demo', uuid: defined.uuid };
    await h.call('domains.start', vm);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('takes snapshots: each becomes current, on top of the one before, with its description and the VM state', async () => {
    expect(await h.call('snapshots.list', vm)).toEqual([]);
    const since = h.events.length;
    const first = await h.call('snapshots.create', { ...vm, name: 'before-upgrade', description: 'clean <install> & co' });
    expect(first).toMatchObject({ name: 'before-upgrade', parent: null, current: true, description: 'clean <install> & co', state: 'running', withMemory: true });
    expect(first.createdAt).toBeGreaterThan(Date.now() - 60_000);
    await h.nextEvent(isEvent('snapshots.changed', (p) => p.uuid === vm.uuid), { since });
    await h.call('snapshots.create', { ...vm, name: 'after-upgrade' });
    expect((await h.call('snapshots.list', vm)).map(({ name, parent, current }) => ({ name, parent, current }))).toEqual([
      { name: 'before-upgrade', parent: null, current: false },
      { name: 'after-upgrade', parent: 'before-upgrade', current: true },
    ]);
  });

  it('reverts to a snapshot (it becomes current) and deletes one (its child moves to its parent)', async () => {
    await h.call('snapshots.revert', { ...vm, name: 'before-upgrade' });
    expect((await h.call('snapshots.list', vm)).find((s: VmSnapshot) => s.current)?.name).toBe('before-upgrade');
    await h.call('snapshots.create', { ...vm, name: 'branch' });
    await h.call('snapshots.delete', { ...vm, name: 'before-upgrade' });
    expect((await h.call('snapshots.list', vm)).map(({ name, parent }) => ({ name, parent }))).toEqual([
      { name: 'after-upgrade', parent: null },
      { name: 'branch', parent: null },
    ]);
  });

  it('refuses bad names before libvirt, and passes libvirt’s refusals on; nothing is created', async () => {
    const before = await h.call('snapshots.list', vm);
    for (const [name, message] of [
      ['', 'the snapshot needs a name'],
      ['a/b', 'the name cannot contain "/"'],
      [' padded', 'the name cannot start or end with spaces'],
    ] as const) {
      const outcome = await h.session.call('snapshots.create', { ...vm, name });
      expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: ['name'], message }] } });
    }
    expect(await h.session.call('snapshots.create', { ...vm, name: 'branch' })).toMatchObject({ ok: false, error: { code: 'VIR_ERR_OPERATION_FAILED' } });
    expect(await h.session.call('snapshots.revert', { ...vm, name: 'no-such' })).toMatchObject({ ok: false, error: { code: 'VIR_ERR_NO_DOMAIN_SNAPSHOT' } });
    expect(await h.call('snapshots.list', vm)).toEqual(before);
  });
});

describe.skipIf(!labReady())('snapshots of a running tiny guest (qemu:///system, qcow2 disk)', () => {
  let h: Harness;
  let guest: LabGuest;
  let dir: string;
  const vm = () => ({ connectionId: 'launch', uuid: guest.uuid });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vireo-snapshots-'));
    const disk = join(dir, 'disk.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '16M']);
    guest = defineGuest({ prefix: 'vireo-test-snap', env: { DISK: disk } });
    virsh('start', guest.name);
    h = await startHarness({ launchUri: LAB_URI });
  });

  afterAll(async () => {
    await h?.dispose();
    if (guest) {
      for (const name of virsh('snapshot-list', guest.name, '--name').split('\n').filter(Boolean)) virsh('snapshot-delete', guest.name, name, '--metadata');
      removeGuest(guest.name);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a snapshot with the memory of the running guest, reverts to it with the guest running, deletes it', async () => {
    const taken = await h.call('snapshots.create', { ...vm(), name: 'running', description: 'tiny guest' });
    expect(taken).toMatchObject({ name: 'running', current: true, state: 'running', withMemory: true });
    virsh('destroy', guest.name);
    await h.call('snapshots.revert', { ...vm(), name: 'running' });
    expect(virsh('domstate', guest.name).trim()).toBe('running');
    await h.call('snapshots.delete', { ...vm(), name: 'running' });
    expect(await h.call('snapshots.list', vm())).toEqual([]);
  });
});
