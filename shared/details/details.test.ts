import { describe, expect, it } from 'vitest';
import { DomainConfig } from '../xml/domain.js';
import { corpus, corpusFile, lineDiff } from '../xml/test-support.js';
import { canonicalXml, compareConfigs, planLive } from './changes.js';
import { deviceLabel, formatKiB, nextTargetDev, osInfoId, randomMac, setOsInfoId, setSharedMemory, sharedMemory } from './config.js';

const load = (name: string) => DomainConfig.parse(corpusFile(name));

function edited(name: string, change: (config: DomainConfig) => void): { config: DomainConfig; diff: ReturnType<typeof lineDiff> } {
  const config = load(name);
  change(config);
  return { config, diff: lineDiff(corpusFile(name), config.toXml()) };
}

describe('details settings on top of DomainConfig', () => {
  it('reads and rewrites the libosinfo OS in place', () => {
    expect(osInfoId(load('virt-manager-fedora-q35.xml'))).toBe('http://fedoraproject.org/fedora/39');
    const { diff } = edited('virt-manager-fedora-q35.xml', (config) => setOsInfoId(config, 'http://fedoraproject.org/fedora/40'));
    expect(diff).toEqual({ removed: ['      <libosinfo:os id="http://fedoraproject.org/fedora/39"/>'], added: ['      <libosinfo:os id="http://fedoraproject.org/fedora/40"/>'] });
  });

  it('adds the libosinfo metadata where there is none, and removes it again', () => {
    const { config, diff } = edited('tab-indented.xml', (c) => setOsInfoId(c, 'http://debian.org/debian/12'));
    expect(osInfoId(DomainConfig.parse(config.toXml()))).toBe('http://debian.org/debian/12');
    expect(diff.removed).toEqual([]);
    setOsInfoId(config, undefined);
    expect(config.toXml()).toBe(corpusFile('tab-indented.xml'));
  });

  it('turns shared memory on and off like virt-manager', () => {
    expect(sharedMemory(load('virtiofs-shared-memory.xml'))).toBe(true);
    const off = edited('virtiofs-shared-memory.xml', (config) => setSharedMemory(config, false));
    expect(sharedMemory(off.config)).toBe(false);
    expect(off.diff.added).toEqual([]);
    expect(off.diff.removed.map((line) => line.trim())).toEqual(['<memoryBacking>', "<source type='memfd'/>", "<access mode='shared'/>", '</memoryBacking>']);
    const on = DomainConfig.parse(off.config.toXml());
    setSharedMemory(on, true);
    expect(on.toXml()).toBe(corpusFile('virtiofs-shared-memory.xml'));
  });

  it('names devices like virt-manager', () => {
    const labels = load('virt-manager-fedora-q35.xml').devices().map(deviceLabel);
    expect(labels).toEqual(
      expect.arrayContaining(['VirtIO Disk vda', 'SATA CDROM sda', 'NIC :6c:3c:01', 'Serial 1', 'Channel qemu-ga', 'Display SPICE', 'USB Tablet', 'Video VIRTIO', 'Controller USB 0']),
    );
  });

  it('picks free disk targets and MAC addresses', () => {
    const config = load('virt-manager-fedora-q35.xml');
    expect(nextTargetDev(config, 'virtio')).toBe('vdb');
    expect(nextTargetDev(config, 'sata')).toBe('sdb');
    expect(nextTargetDev(config, 'ide')).toBe('hda');
    const values = [0x6c / 256, 0x3c / 256, 0x01 / 256, 0.5, 0.5, 0.5];
    let next = 0;
    expect(randomMac(config, () => values[next++]!)).toBe('52:54:00:80:80:80');
    expect(formatKiB(4194304)).toBe('4 GiB');
    expect(formatKiB(1536 * 1024)).toBe('1536 MiB');
  });
});

describe('compareConfigs', () => {
  it.each(corpus.map(([name]) => name))('%s: no edit, no change', (name) => {
    expect(compareConfigs(load(name), load(name))).toEqual([]);
  });

  it('reports settings by page, with values for people', () => {
    const before = load('tab-indented.xml');
    const after = load('tab-indented.xml');
    after.set('currentMemoryKiB', 1048576);
    after.setVcpus(4, 2);
    after.set('title', 'new title');
    expect(compareConfigs(before, after)).toEqual([
      { page: 'overview', subject: 'title', kind: 'changed', label: 'Title', before: expect.any(String), after: 'new title' },
      { page: 'memory', subject: 'currentMemoryKiB', kind: 'changed', label: 'Current memory', before: '1536 MiB', after: '1 GiB' },
      { page: 'cpu', subject: 'vcpus.max', kind: 'changed', label: 'Maximum vCPUs', before: '2', after: '4' },
      { page: 'cpu', subject: 'vcpus.current', kind: 'changed', label: 'Current vCPUs', before: '2', after: '2' },
    ].filter((change) => change.before !== change.after));
  });

  it('reports added, removed and changed devices; formatting alone is no change', () => {
    const before = load('virt-manager-fedora-q35.xml');
    const after = load('virt-manager-fedora-q35.xml');
    after.device('disk[sda]', 'disk')!.set('sourceFile', '/isos/new.iso');
    after.removeDevice(after.device('sound#0')!);
    after.addInterface({ type: 'network', sourceNetwork: 'default', mac: '52:54:00:00:00:09', model: 'virtio' });
    const reindented = DomainConfig.parse(after.toXml().replace('<model type="qxl"', '<model  type="qxl"'));
    expect(compareConfigs(before, reindented).map(({ subject, kind, fields }) => ({ subject, kind, fields }))).toEqual([
      { subject: 'sound#0', kind: 'removed', fields: undefined },
      { subject: 'disk[sda]', kind: 'changed', fields: ['sourceFile'] },
      { subject: 'interface[52:54:00:00:00:09]', kind: 'added', fields: undefined },
    ]);
    // XML outside the typed fields counts too (the XML tabs edit anything).
    const driver = load('virt-manager-fedora-q35.xml');
    driver.device('disk[vda]')!.element.find('driver')!.setAttr('queues', 4);
    expect(compareConfigs(before, driver)).toMatchObject([{ subject: 'disk[vda]', kind: 'changed', fields: [], before: 'other XML' }]);
  });

  it('pairs key-less devices by their XML before their position', () => {
    const before = DomainConfig.parse(`<domain type='qemu'><name>a</name><memory>1024</memory><devices>
      <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
      <rng model='virtio'><backend model='random'>/dev/random</backend></rng>
      <input type='tablet' bus='usb'/><input type='tablet' bus='usb'/></devices></domain>`);
    const summary = (after: DomainConfig) => compareConfigs(before, after).map(({ subject, kind, fields }) => ({ subject, kind, fields }));
    // Removing the first moves the second to rng#0: that is not an edit of the first.
    const withoutFirst = DomainConfig.parse(before.toXml());
    withoutFirst.removeDevice(withoutFirst.device('rng#0')!);
    expect(summary(withoutFirst)).toEqual([{ subject: 'rng#0', kind: 'removed', fields: undefined }]);
    const { actions } = planLive(compareConfigs(before, withoutFirst), withoutFirst, before);
    expect(actions.map((action) => [action.kind, action.change.subject])).toEqual([['detach', 'rng#0']]);
    // One of two identical devices goes: one removal, no change.
    const oneTablet = DomainConfig.parse(before.toXml());
    oneTablet.removeDevice(oneTablet.device('input#0')!);
    expect(summary(oneTablet)).toEqual([{ subject: 'input#1', kind: 'removed', fields: undefined }]);
    // An edit in place stays an edit, even when it makes the device equal to its sibling.
    const sameAsSibling = DomainConfig.parse(before.toXml());
    sameAsSibling.device('rng#0')!.element.find('backend')!.setText('/dev/random');
    expect(summary(sameAsSibling)).toEqual([{ subject: 'rng#0', kind: 'changed', fields: expect.any(Array) }]);
  });

  it('ignores what a running VM adds at run time', () => {
    const next = DomainConfig.parse(`<domain type='qemu'><name>a</name><memory>1024</memory><devices>
      <interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>
      <graphics type='vnc' port='-1' autoport='yes'/><serial type='pty'><target port='0'/></serial></devices></domain>`);
    const live = DomainConfig.parse(`<domain type='qemu' id='3'><name>a</name><memory>1024</memory>
      <cpu mode='custom'><model>qemu64</model></cpu><devices>
      <interface type='network'><mac address='52:54:00:00:00:01'/><source network='default' bridge='virbr0'/><target dev='vnet0'/><alias name='net0'/></interface>
      <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1'/><serial type='pty'><source path='/dev/pts/1'/><target port='0'/></serial>
      <audio id='1' type='none'/></devices></domain>`);
    expect(compareConfigs(live, next, { runtime: true })).toEqual([]);
    expect(canonicalXml(live.device('interface[52:54:00:00:00:01]')!.element)).not.toContain('alias');
  });
});

describe('planLive', () => {
  it('sorts changes into live actions and next-boot ones', () => {
    const before = load('virt-manager-fedora-q35.xml');
    const after = load('virt-manager-fedora-q35.xml');
    after.set('currentMemoryKiB', 2097152);
    after.set('memoryKiB', 8388608);
    after.setVcpus(8, 2);
    after.set('description', 'changed');
    after.device('disk[sda]', 'disk')!.set('sourceFile', '/isos/other.iso');
    after.device('disk[vda]', 'disk')!.set('cache', 'none');
    after.device('interface[52:54:00:6c:3c:01]', 'interface')!.set('linkState', 'down');
    after.device('video#0', 'video')!.set('heads', 2);
    after.addDisk({ type: 'file', device: 'disk', sourceFile: '/var/lib/libvirt/images/b.qcow2', targetDev: 'vdb', targetBus: 'virtio' });
    after.removeDevice(after.device('redirdev#1')!);
    const { actions, nextBoot } = planLive(compareConfigs(before, after), after, before);
    expect(actions.map((action) => [action.kind, action.change.subject])).toEqual([
      ['metadata', 'description'],
      ['set-memory', 'currentMemoryKiB'],
      ['set-vcpus', 'vcpus.current'],
      ['detach', 'redirdev#1'],
      ['update', 'disk[sda]'],
      ['attach', 'disk[vdb]'],
      ['update', 'interface[52:54:00:6c:3c:01]'],
    ]);
    expect(nextBoot.map((change) => change.subject)).toEqual(['memoryKiB', 'vcpus.max', 'disk[vda]', 'video#0']);
  });
});
