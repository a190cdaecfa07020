// The manager window's backend against the lab's real libvirtd (qemu:///system) with tiny TCG
// guests: state changes arrive by libvirt events (a start from us, a `virsh destroy` from
// outside) without polling, stats give real figures, managed save and restore, delete with a
// storage-pool volume, the local acceleration probe, errors carry libvirt's reason, and the
// same over qemu+ssh:// through the loopback sshd.
// Needs `bash scripts/lab.sh start` and `bash scripts/lab-sshd.sh start`; VIREO_NO_DAEMON=1 skips it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../native/index.js';
import type { VmStats } from '../../shared/models/stats.js';
import type { VmSummary } from '../../shared/models/vm.js';
import { type Harness, isEvent, startHarness, until } from '../test/backend-harness.js';
import { LAB_URI, labSshUri, noDaemon, removeGuests, startLabSshd, tinyGuestXml, uniqueName, virsh } from '../test/lab.js';

const run = promisify(execFile);
const lv = loadBinding();
const suite = noDaemon ? describe.skip : describe;
const LAUNCH = 'launch';

const stateIs = (uuid: string, state: string, extra: (vm: VmSummary) => boolean = () => true) =>
  isEvent('domains.changed', (c) => c.connectionId === LAUNCH && c.upserted.some((v) => v.uuid === uuid && v.state === state && extra(v)));

suite(noDaemon ? 'manager backend on the lab libvirtd: SKIPPED (VIREO_NO_DAEMON=1)' : 'manager backend on the lab libvirtd (qemu:///system, tiny guests)', () => {
  let h: Harness;
  const guest = uniqueName('it');
  const diskGuest = uniqueName('it-disk');
  const idleGuest = uniqueName('it-idle');
  const pool = uniqueName('it-pool');
  let poolDir = '';
  let uuid = '';

  beforeAll(async () => {
    h = await startHarness({ launchUri: LAB_URI });
    const conn = h.backend.connections.requireHandle(LAUNCH);
    // A user-mode NIC and a disk, so every stats group has counters.
    poolDir = mkdtempSync(join(tmpdir(), 'vireo-it-pool-'));
    await lv.poolDefine(conn, `<pool type='dir'><name>${pool}</name><target><path>${poolDir}</path></target></pool>`);
    await lv.poolStart(conn, pool);
    const scratch = await lv.volCreate(conn, pool, `<volume><name>${guest}.qcow2</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/></target></volume>`);
    uuid = (await lv.domainDefine(conn, tinyGuestXml(guest, { env: { NET: '1', DISK: scratch.path } }))).uuid;
    await until(async () => (await h.call('domains.list', { connectionId: LAUNCH })).items.some((v) => v.uuid === uuid), 10_000, 'the new guest listed');
  });

  afterAll(async () => {
    await h?.dispose();
    await removeGuests([guest, diskGuest, idleGuest]);
    const conn = await lv.open(LAB_URI);
    for (const v of await lv.volList(conn, pool).catch(() => [])) await lv.volDelete(conn, v.key).catch(() => undefined);
    await lv.poolDestroy(conn, pool).catch(() => undefined);
    await lv.poolUndefine(conn, pool).catch(() => undefined);
    await lv.close(conn);
    if (poolDir) rmSync(poolDir, { recursive: true, force: true });
  });

  it('start from us: Running arrives by the lifecycle event', async () => {
    const running = h.nextEvent(stateIs(uuid, 'running', (v) => v.stateReason === 'booted' && v.id > 0));
    await h.call('domains.start', { connectionId: LAUNCH, uuid });
    expect((await running).payload.upserted.find((v) => v.uuid === uuid)).toMatchObject({ name: guest, state: 'running' });
  });

  it('`virsh destroy` from outside: Shut off arrives by event, read with one bulk call for that VM, no polling', async () => {
    await until(async () => (await h.call('domains.list', { connectionId: LAUNCH })).items.find((v) => v.uuid === uuid)?.state === 'running', 10_000, 'running');
    // Calls about this VM, or about no VM in particular (a poll): other tests' VMs on the same daemon have events of their own.
    const callsAboutUs = (from: number) =>
      h.calls.slice(from).filter((_, i) => {
        const args = JSON.stringify(h.callArgs[from + i]!.slice(1));
        return args.includes(uuid) || !/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/.test(args);
      });
    // Nothing reads states while nothing happens.
    const quiet = h.calls.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(callsAboutUs(quiet).filter((c) => c === 'getAllDomainStats' || c.startsWith('domainGet'))).toEqual([]);

    const from = h.calls.length;
    const shutOff = h.nextEvent(stateIs(uuid, 'shutoff', (v) => v.stateReason === 'destroyed'));
    await run('virsh', ['-c', LAB_URI, 'destroy', guest]);
    await shutOff;
    // What the backend asked libvirt after the event: the VM's state (one bulk call) and whether it has saved state.
    expect(new Set(callsAboutUs(from))).toEqual(new Set(['getAllDomainStats', 'domainHasManagedSave']));
  });

  it('stats: real CPU, host CPU, memory, disk and network figures from one bulk call per tick', async () => {
    await h.call('stats.setConfig', { intervalMs: 1000 });
    await h.call('domains.start', { connectionId: LAUNCH, uuid });
    const since = h.events.length;
    await h.call('stats.watch', { connectionId: LAUNCH });
    const samples: VmStats[] = [];
    await until(
      () => {
        for (const m of h.events.slice(since)) if (m.event === 'stats.tick' && m.payload.vms[uuid]?.cpuPercent != null && !samples.includes(m.payload.vms[uuid]!)) samples.push(m.payload.vms[uuid]!);
        return samples.length >= 3;
      },
      20_000,
      'three samples with rates',
    );
    await h.call('stats.unwatch', { connectionId: LAUNCH });
    const hostCpus = (await lv.nodeInfo(h.backend.connections.requireHandle(LAUNCH))).cpus;
    for (const s of samples) {
      expect(s.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(s.cpuPercent).toBeLessThanOrEqual(100);
      // The same CPU time over all host CPUs (cpu.time counts QEMU's other threads too, so the
      // per-vCPU figure may be capped at 100 while the host figure is not).
      expect(s.hostCpuPercent).toBeLessThanOrEqual(100);
      expect(s.hostCpuPercent! * hostCpus).toBeGreaterThanOrEqual(s.cpuPercent! * s.vcpus - 1);
      expect(s).toMatchObject({ vcpus: 1, maxMemoryKiB: 262_144 });
      expect(s.memoryKiB).toBeGreaterThan(0);
      expect(s.memoryPercent).toBeGreaterThan(0);
      for (const rate of [s.diskReadBytesPerSec, s.diskWriteBytesPerSec, s.netRxBytesPerSec, s.netTxBytesPerSec]) expect(rate).toBeGreaterThanOrEqual(0);
    }
    // A TCG guest booting keeps its vCPU busy.
    expect(Math.max(...samples.map((s) => s.cpuPercent!))).toBeGreaterThan(1);
  });

  it('managed save and restore: Saved, then Running with reason "restored"', async () => {
    await until(async () => (await h.call('domains.list', { connectionId: LAUNCH })).items.find((v) => v.uuid === uuid)?.state === 'running', 10_000, 'running');
    const saved = h.nextEvent(stateIs(uuid, 'shutoff', (v) => v.hasManagedSave && v.stateReason === 'saved'), { timeoutMs: 30_000 });
    await h.call('domains.managedSave', { connectionId: LAUNCH, uuid });
    await saved;
    expect(virsh('dominfo', guest)).toMatch(/Managed save:\s+yes/);
    const restored = h.nextEvent(stateIs(uuid, 'running', (v) => v.stateReason === 'restored' && !v.hasManagedSave), { timeoutMs: 30_000 });
    await h.call('domains.start', { connectionId: LAUNCH, uuid });
    await restored;
  });

  it('an action that fails carries libvirt\'s reason', async () => {
    const other = await lv.domainDefine(h.backend.connections.requireHandle(LAUNCH), tinyGuestXml(idleGuest));
    const outcome = await h.session.call('domains.suspend', { connectionId: LAUNCH, uuid: other.uuid });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'VIR_ERR_OPERATION_INVALID', message: expect.stringMatching(/domain is not running/), libvirt: { virCode: 55 } } });
    await lv.domainUndefine(h.backend.connections.requireHandle(LAUNCH), other.uuid);
  });

  it('host summary: QEMU, libvirt version, and the local acceleration probe with its explanation', async () => {
    const summary = await h.call('connections.hostSummary', { connectionId: LAUNCH });
    expect(summary).toMatchObject({ hypervisor: 'QEMU', libvirtVersion: lv.libvirtVersion });
    expect(summary.cpus).toBeGreaterThan(0);
    expect(summary.memoryKiB).toBeGreaterThan(0);
    expect(summary.acceleration.checkedBy).toBe('local');
    expect(summary.acceleration.explanation.length).toBeGreaterThan(20);
    expect(summary.acceleration.usable).toBe(summary.acceleration.explanation.startsWith('KVM hardware acceleration is available'));
  });

  it('delete: forces off, undefines, and deletes the ticked storage-pool volume from disk', async () => {
    const conn = h.backend.connections.requireHandle(LAUNCH);
    const volume = await lv.volCreate(conn, pool, `<volume><name>${diskGuest}.qcow2</name><capacity unit='MiB'>8</capacity><target><format type='qcow2'/></target></volume>`);
    const ref = await lv.domainDefine(conn, tinyGuestXml(diskGuest, { env: { DISK: volume.path } }));
    await h.call('domains.start', { connectionId: LAUNCH, uuid: ref.uuid });
    const plan = await h.call('domains.deletePlan', { connectionId: LAUNCH, uuid: ref.uuid });
    expect(plan).toMatchObject({ name: diskGuest, active: true, persistent: true, sharingChecked: true });
    expect(plan.disks).toEqual([expect.objectContaining({ target: 'vda', volumePath: volume.path, pool, deletable: true, suggested: true })]);
    expect(existsSync(volume.path)).toBe(true);
    const gone = h.nextEvent(isEvent('domains.changed', (c) => c.removed.includes(ref.uuid)), { timeoutMs: 20_000 });
    expect(await h.call('domains.delete', { connectionId: LAUNCH, uuid: ref.uuid, forceOff: true, disks: [volume.path] })).toEqual({ deletedDisks: [volume.path], failedDisks: [] });
    await gone;
    expect(existsSync(volume.path)).toBe(false);
    expect(virsh('list', '--all', '--name')).not.toContain(diskGuest);
  });

  describe('over qemu+ssh:// (loopback sshd)', () => {
    let remote: Harness;
    beforeAll(async () => {
      startLabSshd();
      remote = await startHarness({ launchUri: labSshUri() });
    });
    afterAll(async () => {
      await remote?.dispose();
    });

    it('connects, lists what the local daemon lists, and reports acceleration from capabilities only', async () => {
      expect(remote.backend.connections.info(LAUNCH)).toMatchObject({ state: 'connected' });
      const names = async (x: Harness) => (await x.call('domains.list', { connectionId: LAUNCH })).items.map((v) => `${v.name}:${v.state}`).toSorted();
      await until(async () => JSON.stringify(await names(remote)) === JSON.stringify(await names(h)), 10_000, 'same list over ssh');
      const summary = await remote.call('connections.hostSummary', { connectionId: LAUNCH });
      expect(summary.acceleration.checkedBy).toBe('remote');
      expect(summary.hypervisor).toBe('QEMU');
    });

    it('gets lifecycle events over ssh', async () => {
      await until(async () => (await remote.call('domains.list', { connectionId: LAUNCH })).items.find((v) => v.uuid === uuid)?.state === 'running', 20_000, 'running over ssh');
      const off = remote.nextEvent(stateIs(uuid, 'shutoff'), { timeoutMs: 20_000 });
      await h.call('domains.destroy', { connectionId: LAUNCH, uuid });
      expect((await off).payload.upserted.find((v) => v.uuid === uuid)).toMatchObject({ name: guest, stateReason: 'destroyed' });
    });
  });
});
