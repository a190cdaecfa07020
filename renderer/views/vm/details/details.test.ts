import { describe, expect, it } from 'vitest';
import type { HostResources, VmDetails } from '../../../../shared/details/model.js';
import { DomainConfig } from '../../../../shared/xml/domain.js';
import { HARDWARE_TYPES, type HardwareType, addHardware } from './AddHardware.js';
import { describeChange, editXml, issuesFromError, pageOf, pagesOf, parseWorking, previewApply } from './details-model.js';
import { adoptDetails } from './use-details.js';

const count = (lines: string[]) => lines.reduce((map, line) => map.set(line, (map.get(line) ?? 0) + 1), new Map<string, number>());

/** The occurrences of lines beyond those `theirs` has. */
const only = (lines: string[], theirs: Map<string, number>) => lines.filter((line, index) => lines.slice(0, index + 1).filter((l) => l === line).length > (theirs.get(line) ?? 0));

/** Lines only in `before` and only in `after` (as multisets: enough for these small documents). */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { removed: only(a, count(b)), added: only(b, count(a)) };
}

const TINY = `<domain type='qemu'>
  <name>tiny</name>
  <uuid>e72a66b9-58f1-47a4-ab44-0d16f8bad4e5</uuid>
  <memory unit='KiB'>262144</memory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>
  </os>
  <devices>
    <!-- kept as written -->
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='network'>
      <mac address='52:54:00:00:00:01'/>
      <source network='default'/>
    </interface>
    <memballoon model='none'/>
  </devices>
</domain>
`;

const resources: HostResources = {
  networks: [{ name: 'default', active: true, bridge: 'virbr0' }],
  pools: [],
  interfaces: ['eth0'],
  pci: [{ name: 'pci_0000_00_1f_2', address: '0000:00:1f.2', vendor: 'Intel', product: 'SATA', vendorId: '0x8086', productId: '0x2922', pci: { domain: '0x0000', bus: '0x00', slot: '0x1f', function: '0x2' } }],
  usb: [{ name: 'usb_1_2', address: 'Bus 001 Device 002', vendor: 'Logitech', product: 'Mouse', vendorId: '0x046d', productId: '0xc077', usb: { bus: '1', device: '2' } }],
};

const FORMS: Record<HardwareType, Record<string, string>> = {
  storage: { device: 'disk', bus: 'virtio', path: '/var/lib/libvirt/images/data.qcow2' },
  controller: { type: 'scsi', model: 'virtio-scsi' },
  network: { type: 'bridge', source: 'br0', model: 'e1000e', mac: '52:54:00:aa:00:02' },
  input: { type: 'tablet', bus: 'usb' },
  graphics: { type: 'spice', listen: '127.0.0.1', password: 'secret' },
  sound: { model: 'ich9' },
  serial: { type: 'pty' },
  parallel: { type: 'file', path: '/tmp/parallel.log' },
  console: { target: 'virtio' },
  channel: { preset: 'qemu-ga' },
  usb: { device: 'usb_1_2' },
  pci: { device: 'pci_0000_00_1f_2' },
  video: { model: 'virtio' },
  watchdog: { model: 'i6300esb', action: 'reset' },
  filesystem: { driver: 'virtiofs', source: '/srv/share', target: 'share' },
  tpm: { model: 'tpm-crb', backend: 'emulator' },
  rng: { source: '/dev/urandom' },
  panic: { model: 'pvpanic' },
  xml: { xml: "<smartcard mode='passthrough' type='spicevmc'/>" },
};

const EXPECTED: Record<HardwareType, string[]> = {
  storage: ["<disk type='file' device='disk'>", "<driver name='qemu' type='qcow2'/>", "<source file='/var/lib/libvirt/images/data.qcow2'/>", "<target dev='vda' bus='virtio'/>", '</disk>'],
  controller: ["<controller type='scsi' index='0' model='virtio-scsi'/>"],
  network: ["<interface type='bridge'>", "<mac address='52:54:00:aa:00:02'/>", "<source bridge='br0'/>", "<model type='e1000e'/>", '</interface>'],
  input: ["<input type='tablet' bus='usb'/>"],
  graphics: ["<graphics type='spice' autoport='yes' passwd='secret'>", "<listen type='address' address='127.0.0.1'/>", '</graphics>'],
  sound: ["<sound model='ich9'/>"],
  serial: ["<serial type='pty'/>"],
  parallel: ["<parallel type='file'>", "<source path='/tmp/parallel.log'/>", '</parallel>'],
  console: ["<console type='pty'>", "<target type='virtio'/>", '</console>'],
  channel: ["<channel type='unix'>", "<target type='virtio' name='org.qemu.guest_agent.0'/>", '</channel>'],
  usb: ["<hostdev mode='subsystem' type='usb' managed='yes'>", '<source>', "<vendor id='0x046d'/>", "<product id='0xc077'/>", '</source>', '</hostdev>'],
  pci: ["<hostdev mode='subsystem' type='pci' managed='yes'>", '<source>', "<address domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>", '</source>', '</hostdev>'],
  video: ['<video>', "<model type='virtio'/>", '</video>'],
  watchdog: ["<watchdog model='i6300esb' action='reset'/>"],
  filesystem: ['<memoryBacking>', "<source type='memfd'/>", "<access mode='shared'/>", '</memoryBacking>', "<filesystem type='mount' accessmode='passthrough'>", "<driver type='virtiofs'/>", "<source dir='/srv/share'/>", "<target dir='share'/>", '</filesystem>'],
  tpm: ["<tpm model='tpm-crb'>", "<backend type='emulator' version='2.0'/>", '</tpm>'],
  rng: ["<rng model='virtio'>", "<backend model='random'>/dev/urandom</backend>", '</rng>'],
  panic: ["<panic model='pvpanic'/>"],
  xml: ["<smartcard mode='passthrough' type='spicevmc'/>"],
};

describe('Add Hardware', () => {
  it.each(HARDWARE_TYPES.map(([type]) => type))('%s: adds exactly its device (and what it needs), valid, nothing else touched', (type) => {
    const config = DomainConfig.parse(TINY);
    const device = addHardware(config, type, FORMS[type], resources);
    expect(config.validate()).toEqual([]);
    expect(config.devices().map((d) => d.id)).toContain(device.id);
    const diff = lineDiff(TINY, config.toXml());
    expect(diff.removed).toEqual([]);
    expect(diff.added.map((line) => line.trim())).toEqual(EXPECTED[type]);
  });

  it('says what is missing', () => {
    const config = DomainConfig.parse(TINY);
    expect(() => addHardware(config, 'storage', { device: 'disk', bus: 'virtio', path: '' }, resources)).toThrow('Enter the path of the disk image or device');
    expect(() => addHardware(config, 'network', { type: 'network', source: '' }, resources)).toThrow('Enter a virtual network');
    expect(() => addHardware(config, 'usb', { device: '' }, resources)).toThrow('Choose a USB device of the host');
    expect(() => addHardware(config, 'xml', { xml: '<rng>' }, resources)).toThrow(/not well-formed/);
    addHardware(config, 'channel', { preset: 'qemu-ga' }, resources);
    expect(() => addHardware(config, 'channel', { preset: 'qemu-ga' }, resources)).toThrow('already has a QEMU guest agent channel');
    expect(config.toXml()).not.toBe(TINY);
  });

  it('gives CD-ROMs an empty drive, read-only, on the next free target of the bus', () => {
    const config = DomainConfig.parse(TINY);
    addHardware(config, 'storage', FORMS.storage, resources);
    const cdrom = addHardware(config, 'storage', { device: 'cdrom', bus: 'sata', path: '' }, resources);
    expect(cdrom.id).toBe('disk[sda]');
    expect(cdrom.toXml()).toBe("<disk type='file' device='cdrom'>\n  <driver name='qemu' type='raw'/>\n  <target dev='sda' bus='sata'/>\n  <readonly/>\n</disk>");
    expect(addHardware(config, 'storage', { device: 'disk', bus: 'virtio', path: '/dev/sdb' }, resources).toXml()).toContain("<source dev='/dev/sdb'/>");
  });
});

describe('the Details model', () => {
  it('edits in place and follows a device whose id changes with the edit', () => {
    const { xml, follow } = editXml(TINY, (config) => {
      const nic = config.device('interface[52:54:00:00:00:01]', 'interface')!;
      nic.set('mac', '52:54:00:00:00:09');
      return nic;
    });
    expect(follow).toBe('interface[52:54:00:00:00:09]');
    expect(lineDiff(TINY, xml)).toEqual({ removed: ["      <mac address='52:54:00:00:00:01'/>"], added: ["      <mac address='52:54:00:00:00:09'/>"] });
    expect(editXml('<domain>', () => undefined)).toEqual({ xml: '<domain>', follow: undefined });
  });

  it('reports malformed XML with its position', () => {
    expect(parseWorking('<domain>\n  <name>x</nam>\n</domain>')).toEqual({
      ok: false,
      issue: { subject: 'xml', message: expect.stringContaining('mismatched closing tag'), line: 2, column: 10 },
    });
    expect(parseWorking('<network/>')).toMatchObject({ ok: false, issue: { subject: 'xml', message: 'expected a <domain> document, not <network>' } });
  });

  it('lists pages: the fixed ones, then devices in virt-manager order', () => {
    const config = DomainConfig.parse(TINY);
    addHardware(config, 'input', FORMS.input, resources);
    addHardware(config, 'storage', { device: 'cdrom', bus: 'sata', path: '' }, resources);
    addHardware(config, 'storage', FORMS.storage, resources);
    const pages = pagesOf(config);
    expect(pages.slice(0, 5).map((p) => p.id)).toEqual(['overview', 'performance', 'cpu', 'memory', 'boot']);
    expect(pages.slice(5).map((p) => p.label)).toEqual(['SATA CDROM sda', 'VirtIO Disk vda', 'NIC :00:00:01', 'USB Tablet', 'Memory balloon']);
  });

  it('maps issues to their pages and error issues to subjects', () => {
    expect(['memoryKiB', 'vcpus', 'cpu.mode', 'disk[vda]', 'interface#1', 'initrd', 'xml', 'name'].map(pageOf)).toEqual(['memory', 'cpu', 'cpu', 'disk[vda]', 'interface#1', 'boot', 'xml', 'overview']);
    expect(issuesFromError([{ path: ['xml', 3, 7], message: 'bad' }, { path: ['memoryKiB'], message: 'too much' }], 'x')).toEqual([
      { subject: 'xml', message: 'bad', line: 3, column: 7 },
      { subject: 'memoryKiB', message: 'too much' },
    ]);
    expect(issuesFromError(undefined, 'libvirt said no')).toEqual([{ subject: 'apply', message: 'libvirt said no' }]);
  });

  it('previews an apply: what changes now and what at the next boot', () => {
    const details = { inactiveXml: TINY } as VmDetails;
    const working = DomainConfig.parse(TINY);
    working.set('currentMemoryKiB', 131072);
    working.setVcpus(2);
    working.device('interface[52:54:00:00:00:01]', 'interface')!.set('linkState', 'down');
    const running = previewApply(details, working, true);
    expect(running.now.map(describeChange)).toEqual(['Current memory: 256 MiB → 128 MiB', 'NIC :00:00:01: linkState=(none) → linkState=down']);
    expect(running.nextBoot.map(describeChange)).toEqual(['Maximum vCPUs: 1 → 2', 'Current vCPUs: 1 → 2']);
    expect(previewApply(details, working, false).now).toEqual([]);
  });

  it('keeps an open edit when the VM reloads, and notices a definition changed elsewhere', () => {
    const loaded = { inactiveXml: TINY, autostart: false, pending: [] } as unknown as VmDetails;
    const clean = adoptDetails({ details: null, working: '', autostart: false, serverIssues: [], changedElsewhere: false }, loaded, false);
    expect(clean.working).toBe(TINY);
    const edited = { ...clean, working: TINY.replace('tiny', 'tinier') };
    const sameDefinition = adoptDetails(edited, { ...loaded, pending: [{ page: 'memory' }] } as unknown as VmDetails, false);
    expect([sameDefinition.working, sameDefinition.changedElsewhere, sameDefinition.details!.pending.length]).toEqual([edited.working, false, 1]);
    const elsewhere = adoptDetails(edited, { ...loaded, inactiveXml: TINY.replace('262144', '524288') }, false);
    expect([elsewhere.working, elsewhere.changedElsewhere, elsewhere.details!.inactiveXml]).toEqual([edited.working, true, TINY]);
    expect(adoptDetails(elsewhere, { ...loaded, inactiveXml: 'x' }, true)).toMatchObject({ working: 'x', changedElsewhere: false });
  });
});
