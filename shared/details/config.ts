/**
 * The details view's reading of a domain configuration, on top of shared/xml's DomainConfig: settings
 * DomainConfig has no accessor for (shared memory, the libosinfo OS), people's names for devices,
 * and helpers for new devices. Everything edits the document in place.
 */
import { createElement, type XmlElement } from '../xml/document.js';
import type { Device } from '../xml/devices.js';
import { pruneEmpty } from '../xml/fields.js';
import { DOMAIN_CHILD_ORDER, type DomainConfig } from '../xml/domain.js';

export const LIBOSINFO_NAMESPACE = 'http://libosinfo.org/xmlns/libvirt/domain/1.0';

/** The libosinfo OS id in <metadata>, like http://debian.org/debian/12. */
export function osInfoId(config: DomainConfig): string | undefined {
  const os = config.metadata(LIBOSINFO_NAMESPACE)?.children().find((child) => child.localName === 'os');
  return os?.attr('id');
}

/** Sets (or with undefined removes) the libosinfo OS id, as virt-manager writes it. */
export function setOsInfoId(config: DomainConfig, id: string | undefined): void {
  if (id === osInfoId(config)) return;
  if (id === undefined) {
    const libosinfo = config.metadata(LIBOSINFO_NAMESPACE);
    const os = libosinfo?.children().find((child) => child.localName === 'os');
    os?.remove();
    if (libosinfo !== undefined && libosinfo.children().length === 0) {
      const metadata = libosinfo.parent as XmlElement;
      libosinfo.remove();
      if (metadata.children().length === 0) metadata.remove();
    }
    return;
  }
  const libosinfo = config.ensureMetadata(LIBOSINFO_NAMESPACE, 'libosinfo:libosinfo');
  const prefix = libosinfo.prefix;
  const name = prefix === undefined ? 'os' : `${prefix}:os`;
  const os = libosinfo.children().find((child) => child.localName === 'os') ?? libosinfo.append(createElement(name));
  os.setAttr('id', id);
}

/** virt-manager's "Enable shared memory": <memoryBacking><source type='memfd'/><access mode='shared'/>. */
export function sharedMemory(config: DomainConfig): boolean {
  return config.element.find('memoryBacking/access')?.attr('mode') === 'shared';
}

export function setSharedMemory(config: DomainConfig, shared: boolean): void {
  if (shared === sharedMemory(config)) return;
  const order = { ...DOMAIN_CHILD_ORDER, memoryBacking: ['hugepages', 'nosharepages', 'locked', 'source', 'access', 'allocation', 'discard'] };
  if (shared) {
    const backing = config.element.ensureChild('memoryBacking', order);
    if (backing.child('source') === undefined && backing.child('hugepages') === undefined) backing.ensureChild('source', order).setAttr('type', 'memfd');
    backing.ensureChild('access', order).setAttr('mode', 'shared');
    return;
  }
  const backing = config.element.child('memoryBacking');
  const access = backing?.child('access');
  if (backing === undefined || access === undefined) return;
  access.remove();
  const source = backing.child('source');
  if (source?.attr('type') === 'memfd' && source.attributes.length === 1) source.remove();
  pruneEmpty(backing, config.element);
}

/** Whether the VM has a QEMU guest agent channel. */
export function hasGuestAgent(config: DomainConfig): boolean {
  return config.devices('channel').some((channel) => channel.get('targetName') === 'org.qemu.guest_agent.0');
}

const BUS_NAMES: Readonly<Record<string, string>> = { virtio: 'VirtIO', scsi: 'SCSI', sata: 'SATA', ide: 'IDE', usb: 'USB', fdc: 'Floppy', xen: 'Xen', sd: 'SD' };

/** A device's name in the details list, like virt-manager's: 'VirtIO Disk vda', 'NIC :56:78:9a', 'Display VNC'. */
const upper = (text: string | undefined) => (text ?? '').toUpperCase();
const hex = (value: string | undefined, width: number) => (value === undefined ? '?' : Number(value).toString(16).padStart(width, '0'));

export function deviceLabel(device: Device): string {
  const element = device.element;
  if (device.is('disk')) {
    const bus = BUS_NAMES[device.get('targetBus') ?? ''] ?? upper(device.get('targetBus'));
    const what = { disk: 'Disk', cdrom: 'CDROM', floppy: 'Floppy', lun: 'LUN' }[device.get('device') ?? 'disk'];
    return `${bus ? `${bus} ` : ''}${what} ${device.get('targetDev') ?? ''}`.trim();
  }
  if (device.is('interface')) {
    const mac = device.get('mac');
    return mac === undefined ? 'NIC' : `NIC ${mac.slice(-9)}`;
  }
  if (device.is('graphics')) return `Display ${device.get('type') === 'egl-headless' ? 'EGL headless' : upper(device.get('type'))}`;
  if (device.is('video')) return `Video ${upper(device.get('model')) || 'default'}`;
  if (device.is('sound')) return `Sound ${device.get('model') ?? ''}`.trim();
  if (device.is('input')) {
    const type = device.get('type') ?? 'input';
    const bus = device.get('bus');
    return `${bus === 'usb' ? 'USB ' : bus === 'virtio' ? 'VirtIO ' : bus === 'ps2' ? 'PS/2 ' : ''}${type[0]!.toUpperCase()}${type.slice(1)}`;
  }
  if (device.is('serial') || device.is('parallel') || device.is('console')) {
    const port = device.get('targetPort') ?? 0;
    return `${device.kind[0]!.toUpperCase()}${device.kind.slice(1)} ${port + 1}`;
  }
  if (device.is('channel')) {
    const name = device.get('targetName');
    return `Channel ${name === 'org.qemu.guest_agent.0' ? 'qemu-ga' : name === 'com.redhat.spice.0' ? 'spice' : (name ?? device.get('type') ?? '')}`.trim();
  }
  if (device.is('hostdev')) {
    const type = device.get('type');
    if (type === 'pci') {
      return `PCI ${hex(device.get('sourceDomain'), 4)}:${hex(device.get('sourceBus'), 2)}:${hex(device.get('sourceSlot'), 2)}.${hex(device.get('sourceFunction'), 1)}`;
    }
    if (type === 'usb') {
      const vendor = device.get('vendorId');
      const product = device.get('productId');
      if (vendor !== undefined && product !== undefined) return `USB ${vendor.replace(/^0x/, '')}:${product.replace(/^0x/, '')}`;
      return `USB ${device.get('sourceBus') ?? '?'}:${device.get('sourceDevice') ?? '?'}`;
    }
    return `Host device ${type ?? ''}`.trim();
  }
  if (device.is('tpm')) return `TPM ${device.get('backendVersion') ?? ''}`.trim();
  if (device.is('rng')) return `RNG ${device.get('backendSource') ?? device.get('backendModel') ?? ''}`.trim();
  if (device.is('watchdog')) return `Watchdog ${device.get('model') ?? ''}`.trim();
  if (device.is('panic')) return `Panic notifier ${device.get('model') ?? ''}`.trim();
  if (device.is('filesystem')) return `Filesystem ${device.get('targetDir') ?? ''}`.trim();
  if (device.is('controller')) {
    const type = device.get('type') ?? '';
    return `Controller ${type === 'virtio-serial' ? 'VirtIO Serial' : upper(type)} ${device.get('index') ?? 0}`;
  }
  if (device.is('memballoon')) return 'Memory balloon';
  const type = element.attr('type') ?? element.attr('model');
  return `${element.name[0]!.toUpperCase()}${element.name.slice(1)}${type === undefined ? '' : ` ${type}`}`;
}

/** The details page a device is edited on: devices are their own pages, by id. */
export const FIXED_PAGES = ['overview', 'performance', 'cpu', 'memory', 'boot'] as const;
export type FixedPage = (typeof FIXED_PAGES)[number];

/** The fixed pages' names in the sidebar (and in messages that point to a page). */
export const PAGE_LABELS: Readonly<Record<FixedPage, string>> = {
  overview: 'Overview',
  performance: 'Performance',
  cpu: 'CPUs',
  memory: 'Memory',
  boot: 'Boot Options',
};

const TARGET_PREFIX: Readonly<Record<string, string>> = { virtio: 'vd', scsi: 'sd', sata: 'sd', usb: 'sd', ide: 'hd', fdc: 'fd', xen: 'xvd', sd: 'mmcblk' };

/** 'a'..'z', 'aa'..: libvirt's disk index names. */
function diskLetters(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(97 + ((n - 1) % 26)) + name;
  return name;
}

/** The first free target device name for a disk on `bus`: vdb after vda, sda for the first SATA disk. */
export function nextTargetDev(config: DomainConfig, bus: string): string {
  const prefix = TARGET_PREFIX[bus] ?? 'sd';
  const taken = new Set(config.devices('disk').map((disk) => disk.get('targetDev')));
  for (let index = 0; ; index++) {
    const name = `${prefix}${diskLetters(index)}`;
    if (!taken.has(name)) return name;
  }
}

/** A random locally administered MAC in QEMU's 52:54:00 range that no interface of the VM uses. */
export function randomMac(config: DomainConfig, random: () => number = Math.random): string {
  const taken = new Set(config.devices('interface').map((nic) => nic.get('mac')?.toLowerCase()));
  for (;;) {
    const bytes = [0x52, 0x54, 0x00, Math.floor(random() * 256), Math.floor(random() * 256), Math.floor(random() * 256)];
    const mac = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':');
    if (!taken.has(mac)) return mac;
  }
}

/** A KiB size for people: whole GiB or MiB where exact, else MiB with decimals. */
export function formatKiB(kib: number): string {
  if (kib >= 1048576 && kib % 1048576 === 0) return `${kib / 1048576} GiB`;
  if (kib % 1024 === 0) return `${kib / 1024} MiB`;
  if (kib >= 1024) return `${(kib / 1024).toFixed(1)} MiB`;
  return `${kib} KiB`;
}
