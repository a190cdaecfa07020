// The manager window's backend on libvirt's test driver: the VM list with saved state, the
// delete plan and delete (disks, NVRAM, snapshots, saved state), the host summary, stats
// ticks in one batch, the stats-interval preference, and noticing a dead connection.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainBatch, loadBinding } from '../../native/index.js';
import type { VmDeletePlan } from '../../shared/models/delete.js';
import type { VmSummary } from '../../shared/models/vm.js';
import { testDriverUri } from '../../bench/testdriver.js';
import { type Harness, CallFailed, isEvent, startHarness, until } from '../test/backend-harness.js';
import { FIXTURE_VMS, POOL, managerFixtureUri } from '../test/manager-fixture.js';
import { fakeBinding } from '../test/fake-binding.js';
import { looksLikeTransportFailure } from './connection-manager.js';
import { domainStorage } from './domain-xml.js';
import { countersOf, toVmStats } from './stats-service.js';

const lv = loadBinding();
const fx = (name: string) => FIXTURE_VMS.find((v) => v.name === name)!;
const LAUNCH = 'launch';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ launchUri: managerFixtureUri() });
});
afterAll(async () => {
  await h.dispose();
});

async function vms(): Promise<Map<string, VmSummary>> {
  return new Map((await h.call('domains.list', { connectionId: LAUNCH })).items.map((vm) => [vm.name, vm]));
}

describe('VM list (test driver)', () => {
  it('lists every VM with its state, and finds out which inactive VMs have saved state', async () => {
    const list = await vms();
    expect([...list.keys()].toSorted()).toEqual(FIXTURE_VMS.map((v) => v.name).toSorted());
    expect(list.get('web-10')).toMatchObject({ state: 'paused' });
    // The saved-state check runs after the list went out, and is announced in one batch.
    await until(async () => (await vms()).get('db')?.hasManagedSave, 5000, 'db marked as saved');
    expect((await vms()).get('cache')?.hasManagedSave).toBe(false);
  });

  it('managed save and restore: saved state appears by event, and starting restores it', async () => {
    const web1 = fx('web-1');
    const saved = h.nextEvent(isEvent('domains.changed', (c) => c.upserted.some((v) => v.uuid === web1.uuid && v.hasManagedSave && v.state === 'shutoff')));
    await h.call('domains.managedSave', { connectionId: LAUNCH, uuid: web1.uuid });
    await saved;
    const restored = h.nextEvent(isEvent('domains.changed', (c) => c.upserted.some((v) => v.uuid === web1.uuid && v.state === 'running' && !v.hasManagedSave)));
    await h.call('domains.start', { connectionId: LAUNCH, uuid: web1.uuid });
    // (the test driver reports the reason as 'booted'; the real daemon's 'restored' is checked in manager-daemon.test.ts)
    expect((await restored).payload.upserted.find((v) => v.uuid === web1.uuid)).toMatchObject({ state: 'running', hasManagedSave: false });
  });
});

describe('delete plan and delete (test driver)', () => {
  it('lists each disk: pool volumes deletable, a volume shared with another VM not suggested, files outside pools kept', async () => {
    const plan = await h.call('domains.deletePlan', { connectionId: LAUNCH, uuid: fx('web-2').uuid });
    expect(plan).toMatchObject({ name: 'web-2', active: true, persistent: true, hasManagedSave: false, snapshots: [], nvram: null, sharingChecked: true });
    expect(plan.disks).toEqual([
      expect.objectContaining({ target: 'vda', volumePath: `${POOL.path}/web-2.qcow2`, pool: POOL.name, deletable: true, suggested: true, usedBy: [], note: null }),
      expect.objectContaining({ target: 'vdb', volumePath: `${POOL.path}/shared.img`, deletable: true, suggested: false, usedBy: ['db'], note: expect.stringMatching(/Also used by db/) }),
    ]);
    const web1 = await h.call('domains.deletePlan', { connectionId: LAUNCH, uuid: fx('web-1').uuid });
    expect(web1.disks.find((d) => d.target === 'hdc')).toMatchObject({ device: 'cdrom', deletable: false, suggested: false, volumePath: null, note: expect.stringMatching(/only deletes storage-pool volumes/) });
    const legacy = await h.call('domains.deletePlan', { connectionId: LAUNCH, uuid: fx('legacy').uuid });
    expect(legacy.disks).toEqual([expect.objectContaining({ source: '/srv/images/legacy.img', deletable: false })]);
  });

  it('lists saved state, NVRAM and snapshots', async () => {
    const db = await h.call('domains.deletePlan', { connectionId: LAUNCH, uuid: fx('db').uuid });
    expect(db).toMatchObject({ active: false, hasManagedSave: true });
    const uefi = await h.call('domains.deletePlan', { connectionId: LAUNCH, uuid: fx('uefi').uuid });
    expect(uefi.nvram).toBe('/var/lib/libvirt/qemu/nvram/uefi_VARS.fd');
    const conn = h.backend.connections.requireHandle(LAUNCH);
    await lv.snapshotCreate(conn, fx('cache').uuid, '<domainsnapshot><name>before-upgrade</name></domainsnapshot>');
    expect((await h.call('domains.deletePlan', { connectionId: LAUNCH, uuid: fx('cache').uuid })).snapshots).toEqual(['before-upgrade']);
  });

  it('refuses, changing nothing: a running VM without forceOff, a path that is not one of its volumes', async () => {
    const web2 = fx('web-2').uuid;
    await expect(h.call('domains.delete', { connectionId: LAUNCH, uuid: web2 })).rejects.toMatchObject({ error: { code: 'invalid-input', message: expect.stringMatching(/"web-2" is running: it has to be forced off/) } });
    await expect(h.call('domains.delete', { connectionId: LAUNCH, uuid: web2, forceOff: true, disks: [`${POOL.path}/db.qcow2`] })).rejects.toMatchObject({
      error: { code: 'invalid-input', message: expect.stringMatching(/Not a storage volume of "web-2"/) },
    });
    await expect(h.call('domains.delete', { connectionId: LAUNCH, uuid: fx('legacy').uuid, disks: ['/srv/images/legacy.img'] })).rejects.toBeInstanceOf(CallFailed);
    const list = await vms();
    expect(list.get('web-2')?.state).toBe('running');
    expect(list.has('legacy')).toBe(true);
  });

  it('forces off and deletes a running VM with the ticked volume only; the row goes by event', async () => {
    const web2 = fx('web-2');
    const gone = h.nextEvent(isEvent('domains.changed', (c) => c.removed.includes(web2.uuid)));
    const result = await h.call('domains.delete', { connectionId: LAUNCH, uuid: web2.uuid, forceOff: true, disks: [`${POOL.path}/web-2.qcow2`] });
    expect(result).toEqual({ deletedDisks: [`${POOL.path}/web-2.qcow2`], failedDisks: [] });
    await gone;
    const conn = h.backend.connections.requireHandle(LAUNCH);
    const volumes = (await lv.volList(conn, POOL.name)).map((v) => v.name);
    expect(volumes).not.toContain('web-2.qcow2');
    expect(volumes).toContain('shared.img'); // not ticked: stays
    expect((await vms()).has('web-2')).toBe(false);
  });

  it('deletes with saved state, snapshot metadata and NVRAM when asked', async () => {
    const cases: [string, { managedSave?: boolean; snapshotsMetadata?: boolean; nvram?: boolean; disks?: string[] }][] = [
      ['db', { managedSave: true, disks: [`${POOL.path}/db.qcow2`] }],
      ['cache', { snapshotsMetadata: true }],
      ['uefi', { nvram: true }],
    ];
    for (const [name, flags] of cases) {
      await h.call('domains.delete', { connectionId: LAUNCH, uuid: fx(name).uuid, ...flags });
    }
    // The rows go when the 'undefined' events are handled.
    await until(async () => {
      const list = await vms();
      return ['db', 'cache', 'uefi'].every((n) => !list.has(n));
    }, 5000, 'deleted VMs gone from the list');
    // Once db is gone, shared.img is no one else's.
    const plan: VmDeletePlan = await h.call('domains.deletePlan', { connectionId: LAUNCH, uuid: fx('web-1').uuid });
    expect(plan.disks.find((d) => d.target === 'vda')).toMatchObject({ suggested: true });
  });
});

describe('host summary', () => {
  it('reads hypervisor, libvirt version, CPUs, memory; acceleration is not applicable to the test driver', async () => {
    const summary = await h.call('connections.hostSummary', { connectionId: LAUNCH });
    expect(summary).toMatchObject({ hypervisor: 'TEST', libvirtVersion: lv.libvirtVersion, cpus: expect.any(Number), memoryKiB: expect.any(Number) });
    expect(summary.cpus).toBeGreaterThan(0);
    expect(summary.acceleration).toMatchObject({ checkedBy: 'not-applicable', usable: false, explanation: expect.stringMatching(/test driver/) });
  });
});

describe('stats', () => {
  it('turns counter deltas into CPU %, host CPU %, memory %, and byte rates', () => {
    const before = countersOf({ 'cpu.time': 1e9, 'block.count': 1, 'block.0.rd.bytes': 1000, 'block.0.wr.bytes': 0, 'net.count': 1, 'net.0.rx.bytes': 0, 'net.0.tx.bytes': 0 }, 0);
    const raw = {
      'cpu.time': 2e9, // one CPU-second over two seconds
      'vcpu.current': 2,
      'balloon.current': 262_144,
      'balloon.maximum': 524_288,
      'block.count': 1,
      'block.0.rd.bytes': 5000,
      'block.0.wr.bytes': 2048,
      'net.count': 1,
      'net.0.rx.bytes': 600,
      'net.0.tx.bytes': 200,
    };
    const stats = toVmStats(raw, countersOf(raw, 2000), before, 8);
    expect(stats).toEqual({
      cpuPercent: 25, // 0.5 CPU of 2 vCPUs
      hostCpuPercent: 6.3, // 0.5 CPU of 8 host CPUs
      vcpus: 2,
      memoryKiB: 262_144,
      maxMemoryKiB: 524_288,
      memoryPercent: 50,
      diskReadBytesPerSec: 2000,
      diskWriteBytesPerSec: 1024,
      netRxBytesPerSec: 300,
      netTxBytesPerSec: 100,
    });
    // Memory used: the guest's own view when its balloon driver reports it, else QEMU's resident set.
    expect(toVmStats({ ...raw, 'balloon.rss': 131_072 }, countersOf(raw, 2000), before, 8)).toMatchObject({ memoryKiB: 131_072, memoryPercent: 25 });
    expect(toVmStats({ ...raw, 'balloon.rss': 131_072, 'balloon.available': 500_000, 'balloon.unused': 400_000 }, countersOf(raw, 2000), before, 8)).toMatchObject({ memoryKiB: 100_000, memoryPercent: 19.1 });
    // First sample: no rates yet; a counter that went down (the VM restarted) gives none either.
    expect(toVmStats(raw, countersOf(raw, 0), undefined, 8)).toMatchObject({ cpuPercent: null, diskReadBytesPerSec: null });
    expect(toVmStats(raw, countersOf({ ...raw, 'cpu.time': 1 }, 4000), countersOf(raw, 2000), 8).cpuPercent).toBeNull();
  });

  it('keeps the interval preference across restarts', async () => {
    await h.call('stats.setConfig', { intervalMs: 7000 });
    await until(async () => JSON.parse(await readFile(join(h.configDir, 'preferences.json'), 'utf8').catch(() => '{}')).statsIntervalMs === 7000, 3000, 'preference saved');
    const again = await startHarness({});
    try {
      // A fresh backend with the same config dir reads it back.
      const { PreferencesStore } = await import('./preferences-store.js');
      expect(await new PreferencesStore(h.configDir).load()).toEqual({ statsIntervalMs: 7000 });
      expect(await again.call('stats.getConfig')).toEqual({ intervalMs: 3000 }); // its own (empty) config dir: the default
    } finally {
      await again.dispose();
      await h.call('stats.setConfig', { intervalMs: 3000 });
    }
  });
});

describe('at scale: 5 000 test-driver domains', () => {
  it('lists them all, and each stats tick is one bulk call and one event keyed by UUID', async () => {
    const big = await startHarness({ launchUri: testDriverUri(5000) });
    try {
      expect((await big.call('domains.list', { connectionId: LAUNCH })).items).toHaveLength(5000);
      await big.call('stats.setConfig', { intervalMs: 1000 });
      const statsCallsBefore = big.calls.filter((c) => c === 'getAllDomainStats').length;
      const since = big.events.length;
      await big.call('stats.watch', { connectionId: LAUNCH });
      await until(() => big.events.slice(since).filter((m) => m.event === 'stats.tick').length >= 3, 10_000, 'three ticks');
      await big.call('stats.unwatch', { connectionId: LAUNCH });
      await big.backend.stats.settled();
      const ticks = big.events.slice(since).filter((m) => m.event === 'stats.tick');
      const statsCalls = big.calls.filter((c) => c === 'getAllDomainStats').length - statsCallsBefore;
      expect(statsCalls).toBe(ticks.length); // one bulk call per tick, no per-VM calls
      for (const tick of ticks) expect(Object.keys(tick.payload.vms)).toHaveLength(5000);
      expect(big.calls.filter((c) => c.startsWith('domainGet'))).toEqual([]);
    } finally {
      await big.dispose();
    }
  });
});

describe('a dead connection is noticed on failed calls', () => {
  it('treats an RPC failure on a connection that no longer answers as lost, and reconnects', async () => {
    const fake = fakeBinding();
    const rpcError = Object.assign(new Error('internal error: client socket is closed'), { code: 'VIR_ERR_INTERNAL_ERROR', virCode: 1, virDomain: 7, virDomainName: 'VIR_FROM_RPC', virLevel: 2 });
    let dead = true;
    const binding = Object.assign(Object.create(fake.binding) as typeof fake.binding, {
      domainSuspend: async () => {
        throw rpcError;
      },
      connectInfo: async () => {
        if (dead) throw rpcError;
        return { alive: true } as never;
      },
    });
    const f = await startHarness({ binding, reconnect: { firstDelayMs: 20, maxDelayMs: 50 } });
    try {
      expect(looksLikeTransportFailure(rpcError)).toBe(true);
      const opens = fake.opens.length;
      const outcome = await f.session.call('domains.suspend', { connectionId: 'demo', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f' });
      expect(outcome).toMatchObject({ ok: false, error: { code: 'VIR_ERR_INTERNAL_ERROR' } });
      expect(f.backend.connections.info('demo')).toMatchObject({ reconnectAttempt: expect.any(Number), reason: expect.stringMatching(/connection lost/) });
      dead = false;
      await until(() => f.backend.connections.info('demo').state === 'connected', 5000, 'reconnected');
      expect(fake.opens.length).toBeGreaterThan(opens);
      // A failure that is not about the transport leaves the connection alone.
      const noDomain = Object.assign(new Error('Domain not found'), { code: 'VIR_ERR_NO_DOMAIN', virCode: 42, virDomain: 10, virDomainName: 'VIR_FROM_QEMU', virLevel: 2 });
      expect(looksLikeTransportFailure(noDomain)).toBe(false);
      expect(await f.backend.connections.noticeFailure('demo', f.backend.connections.requireHandle('demo'), noDomain)).toBe(false);
    } finally {
      await f.dispose();
    }
  });
});

describe('domain XML reading', () => {
  it('reads disks of every source type and the NVRAM path, both spellings', () => {
    const storage = domainStorage(`<?xml version="1.0"?>
<domain type='kvm'><name>a&amp;b</name><uuid>u</uuid>
  <os><type>hvm</type><nvram type='file'><source file='/var/nv.fd'/></nvram></os>
  <!-- a comment with <disk> inside -->
  <devices>
    <disk type='volume' device='disk'><source pool='default' volume='a.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='block' device='lun'><source dev='/dev/sdb'/><target dev='sda'/><shareable/></disk>
    <disk type='network' device='disk'><source protocol='rbd' name='pool/img'><host name='ceph'/></source><target dev='vdb'/></disk>
    <disk type='file' device='cdrom'><target dev='hdc'/><readonly/></disk>
  </devices>
</domain>`);
    expect(storage.name).toBe('a&b');
    expect(storage.nvram).toBe('/var/nv.fd');
    expect(storage.disks.map((d) => [d.type, d.device, d.target, d.source, d.shareable, d.readonly])).toEqual([
      ['volume', 'disk', 'vda', 'default/a.qcow2', false, false],
      ['block', 'lun', 'sda', '/dev/sdb', true, false],
      ['network', 'disk', 'vdb', 'rbd:pool/img', false, false],
      ['file', 'cdrom', 'hdc', null, false, true],
    ]);
    expect(domainStorage('<domain><name>x</name><os><nvram>/old/style.fd</nvram></os><devices/></domain>').nvram).toBe('/old/style.fd');
    expect(() => domainStorage('<domain><name>x</domain>')).toThrow(/mismatched closing tag/);
  });

  it('reads the XML the test driver writes', async () => {
    const conn = await lv.open(managerFixtureUri());
    try {
      const doms = await drainBatch(await lv.listAllDomains(conn));
      for (const dom of doms) {
        const fixture = fx(dom.name);
        const storage = domainStorage(await lv.domainGetXML(conn, dom.uuid));
        expect(storage.disks.map((d) => d.source)).toEqual((fixture.disks ?? []).map((d) => d.path));
        expect(storage.nvram).toBe(fixture.nvram ?? null);
      }
    } finally {
      await lv.close(conn);
    }
  });
});
