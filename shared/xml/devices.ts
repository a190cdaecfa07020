/**
 * The devices of a libvirt domain (<devices> children): typed fields per device kind and a stable
 * identity to refer to one device across edits and between backend and renderer.
 */
import { serializeStandalone, type ChildOrder, type XmlElement } from './document.js';
import { FieldSet, integerField, presenceField, readLocation, stringField, switchField, type Field, type FieldValues } from './fields.js';

const COMMON_FIELDS = {
  /** Runtime alias ('virtio-disk0') or user alias ('ua-...'). */
  alias: stringField('alias/@name'),
  /** Per-device boot order; libvirt refuses it together with <os><boot dev=...>. */
  bootOrder: integerField('boot/@order'),
  addressType: stringField('address/@type'),
};

/** serial, parallel, console and channel share libvirt's character device layout. */
const CHARACTER_DEVICE_FIELDS = {
  type: stringField<'pty' | 'file' | 'unix' | 'tcp' | 'udp' | 'dev' | 'pipe' | 'spicevmc' | 'spiceport' | 'null' | 'vc' | 'stdio' | 'qemu-vdagent'>('@type'),
  sourcePath: stringField('source/@path'),
  sourceMode: stringField<'bind' | 'connect'>('source/@mode'),
  sourceHost: stringField('source/@host'),
  sourceService: stringField('source/@service'),
  targetType: stringField('target/@type'),
  targetPort: integerField('target/@port'),
  /** A channel's name in the guest, like org.qemu.guest_agent.0. */
  targetName: stringField('target/@name'),
  ...COMMON_FIELDS,
};

/** The address VNC or SPICE listens on: libvirt writes it as listen='...' and as <listen type='address'>. */
const graphicsListen: Field<string> = {
  read: (graphics) => graphics.find('listen[@type="address"]')?.attr('address') ?? graphics.attr('listen'),
  write: (graphics, address, order) => {
    const listens = graphics.findAll('listen[@type="address"]');
    if (address === undefined) {
      graphics.setAttr('listen', null);
      for (const listen of listens) listen.remove();
      return;
    }
    if (graphics.hasAttr('listen')) graphics.setAttr('listen', address);
    for (const listen of listens) listen.setAttr('address', address);
    if (listens.length === 0) graphics.ensureChild('listen[@type="address"]', order).setAttr('address', address);
  },
};

export const DEVICE_FIELDS = {
  disk: {
    type: stringField<'file' | 'block' | 'dir' | 'network' | 'volume' | 'nvme' | 'vhostuser' | 'vhostvdpa'>('@type'),
    device: stringField<'disk' | 'cdrom' | 'floppy' | 'lun'>('@device'),
    driverName: stringField('driver/@name'),
    driverType: stringField('driver/@type'),
    cache: stringField<'default' | 'none' | 'writethrough' | 'writeback' | 'directsync' | 'unsafe'>('driver/@cache'),
    discard: stringField<'ignore' | 'unmap'>('driver/@discard'),
    io: stringField<'threads' | 'native' | 'io_uring'>('driver/@io'),
    sourceFile: stringField('source/@file'),
    sourceDev: stringField('source/@dev'),
    sourceDir: stringField('source/@dir'),
    sourcePool: stringField('source/@pool'),
    sourceVolume: stringField('source/@volume'),
    sourceProtocol: stringField('source/@protocol'),
    sourceName: stringField('source/@name'),
    targetDev: stringField('target/@dev'),
    targetBus: stringField<'virtio' | 'scsi' | 'sata' | 'ide' | 'usb' | 'fdc' | 'xen' | 'sd'>('target/@bus'),
    readonly: presenceField('readonly'),
    shareable: presenceField('shareable'),
    serial: stringField('serial'),
    ...COMMON_FIELDS,
  },
  interface: {
    type: stringField<'network' | 'bridge' | 'direct' | 'user' | 'ethernet' | 'vhostuser' | 'hostdev' | 'vdpa' | 'mcast' | 'server' | 'client' | 'udp' | 'null' | 'vds'>('@type'),
    mac: stringField('mac/@address'),
    sourceNetwork: stringField('source/@network'),
    sourceBridge: stringField('source/@bridge'),
    sourceDev: stringField('source/@dev'),
    sourceMode: stringField('source/@mode'),
    model: stringField('model/@type'),
    linkState: stringField<'up' | 'down'>('link/@state'),
    ...COMMON_FIELDS,
  },
  graphics: {
    type: stringField<'vnc' | 'spice' | 'sdl' | 'rdp' | 'desktop' | 'egl-headless' | 'dbus'>('@type'),
    port: integerField('@port'),
    autoport: switchField('@autoport'),
    tlsPort: integerField('@tlsPort'),
    listen: graphicsListen,
    passwd: stringField('@passwd'),
    keymap: stringField('@keymap'),
    ...COMMON_FIELDS,
  },
  video: {
    model: stringField<'vga' | 'cirrus' | 'qxl' | 'virtio' | 'bochs' | 'ramfb' | 'none' | 'vmvga' | 'xen'>('model/@type'),
    vram: integerField('model/@vram'),
    heads: integerField('model/@heads'),
    primary: switchField('model/@primary'),
    accel3d: switchField('model/acceleration/@accel3d'),
    ...COMMON_FIELDS,
  },
  serial: CHARACTER_DEVICE_FIELDS,
  parallel: CHARACTER_DEVICE_FIELDS,
  console: CHARACTER_DEVICE_FIELDS,
  channel: CHARACTER_DEVICE_FIELDS,
  input: {
    type: stringField<'mouse' | 'tablet' | 'keyboard' | 'passthrough' | 'evdev'>('@type'),
    bus: stringField<'ps2' | 'usb' | 'virtio' | 'xen'>('@bus'),
    ...COMMON_FIELDS,
  },
  sound: {
    model: stringField<'ich6' | 'ich9' | 'ac97' | 'es1370' | 'sb16' | 'usb' | 'ich7' | 'pcspk'>('@model'),
    ...COMMON_FIELDS,
  },
  tpm: {
    model: stringField<'tpm-tis' | 'tpm-crb' | 'tpm-spapr' | 'spapr-tpm-proxy'>('@model'),
    backendType: stringField<'passthrough' | 'emulator' | 'external'>('backend/@type'),
    backendVersion: stringField<'1.2' | '2.0'>('backend/@version'),
    devicePath: stringField('backend/device/@path'),
    ...COMMON_FIELDS,
  },
  rng: {
    model: stringField<'virtio' | 'virtio-transitional' | 'virtio-non-transitional'>('@model'),
    backendModel: stringField<'random' | 'egd' | 'builtin'>('backend/@model'),
    /** The host source of a 'random' backend, like /dev/urandom. */
    backendSource: stringField('backend'),
    ...COMMON_FIELDS,
  },
  watchdog: {
    model: stringField<'i6300esb' | 'ib700' | 'diag288' | 'itco'>('@model'),
    action: stringField<'reset' | 'shutdown' | 'poweroff' | 'pause' | 'none' | 'dump' | 'inject-nmi'>('@action'),
    ...COMMON_FIELDS,
  },
  panic: {
    model: stringField<'isa' | 'pseries' | 'hyperv' | 's390' | 'pvpanic'>('@model'),
    ...COMMON_FIELDS,
  },
  filesystem: {
    type: stringField<'mount' | 'template' | 'file' | 'block' | 'ram' | 'bind'>('@type'),
    accessMode: stringField<'passthrough' | 'mapped' | 'squash'>('@accessmode'),
    driverType: stringField('driver/@type'),
    sourceDir: stringField('source/@dir'),
    targetDir: stringField('target/@dir'),
    readonly: presenceField('readonly'),
    ...COMMON_FIELDS,
  },
  controller: {
    type: stringField<'ide' | 'fdc' | 'scsi' | 'sata' | 'usb' | 'ccid' | 'virtio-serial' | 'xenbus' | 'pci' | 'isa'>('@type'),
    index: integerField('@index'),
    model: stringField('@model'),
    ...COMMON_FIELDS,
  },
  hostdev: {
    mode: stringField<'subsystem' | 'capabilities'>('@mode'),
    type: stringField<'pci' | 'usb' | 'scsi' | 'scsi_host' | 'mdev' | 'storage' | 'misc' | 'net'>('@type'),
    managed: switchField('@managed'),
    /** PCI host address (source/address domain:bus:slot.function) or USB bus/device. */
    sourceDomain: stringField('source/address/@domain'),
    sourceBus: stringField('source/address/@bus'),
    sourceSlot: stringField('source/address/@slot'),
    sourceFunction: stringField('source/address/@function'),
    sourceDevice: stringField('source/address/@device'),
    vendorId: stringField('source/vendor/@id'),
    productId: stringField('source/product/@id'),
    ...COMMON_FIELDS,
  },
  memballoon: {
    model: stringField<'virtio' | 'virtio-transitional' | 'virtio-non-transitional' | 'xen' | 'none'>('@model'),
    autodeflate: switchField('@autodeflate', 'on', 'off'),
    statsPeriod: integerField('stats/@period'),
    ...COMMON_FIELDS,
  },
  /** Devices with no table of their own (redirdev, smartcard, hub, vsock, iommu, memory, shmem...). */
  other: {
    type: stringField('@type'),
    model: stringField('@model'),
    ...COMMON_FIELDS,
  },
} as const;

export type DeviceKind = keyof typeof DEVICE_FIELDS;
export type DeviceFields<K extends DeviceKind> = (typeof DEVICE_FIELDS)[K];
export type DeviceValues<K extends DeviceKind> = FieldValues<DeviceFields<K>>;

export function deviceKind(tag: string): DeviceKind {
  return tag !== 'other' && Object.hasOwn(DEVICE_FIELDS, tag) ? (tag as DeviceKind) : 'other';
}

/** The order libvirt writes device kinds in; new devices go after the last of their kind. */
export const DEVICE_ORDER = [
  'emulator', 'disk', 'controller', 'lease', 'filesystem', 'interface', 'smartcard', 'serial', 'parallel', 'console', 'channel',
  'input', 'tpm', 'graphics', 'sound', 'audio', 'video', 'hostdev', 'redirdev', 'redirfilter', 'hub', 'watchdog', 'memballoon',
  'rng', 'panic', 'shmem', 'memory', 'iommu', 'vsock', 'crypto', 'pstore',
] as const;

/**
 * What tells a device apart from others of its kind, as libvirt matches devices for detach and
 * update: the first alternative whose values are all present is the key.
 */
const IDENTITY_KEYS: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
  disk: [['target/@dev']],
  interface: [['mac/@address']],
  controller: [['@type', '@index']],
  filesystem: [['target/@dir']],
  hostdev: [
    ['source/address/@domain', 'source/address/@bus', 'source/address/@slot', 'source/address/@function'],
    ['source/vendor/@id', 'source/product/@id'],
    ['source/address/@bus', 'source/address/@device'],
    ['source/adapter/@name', 'source/address/@unit'],
    ['source/address/@uuid'],
  ],
  serial: [['target/@port']],
  parallel: [['target/@port']],
  console: [['target/@port']],
  channel: [['target/@name']],
  graphics: [['@type']],
  input: [['@type', '@bus']],
  redirdev: [['@bus', '@type']],
};

/**
 * Ids for the devices of one <devices>, in order: kind and key, like disk[vda], interface[52:54:00:12:34:56]
 * or controller[usb,0]; devices without a key, or sharing one, get their position among their kind: video#0.
 */
export function deviceIds(elements: readonly XmlElement[]): string[] {
  const keyed = elements.map((element) => {
    const alternatives = IDENTITY_KEYS[element.name] ?? [];
    for (const locations of alternatives) {
      const values = locations.map((location) => readLocation(element, location));
      if (values.every((value) => value !== undefined && value !== '')) return `${element.name}[${values.join(',')}]`;
    }
    return undefined;
  });
  const seen = new Map<string, number>();
  for (const key of keyed) if (key !== undefined) seen.set(key, (seen.get(key) ?? 0) + 1);
  const ordinals = new Map<string, number>();
  return elements.map((element, index) => {
    const ordinal = ordinals.get(element.name) ?? 0;
    ordinals.set(element.name, ordinal + 1);
    const key = keyed[index];
    return key !== undefined && seen.get(key) === 1 ? key : `${element.name}#${ordinal}`;
  });
}

export class Device<K extends DeviceKind = DeviceKind> extends FieldSet<DeviceFields<K>> {
  readonly kind: K;
  /** See deviceIds; recomputed each time devices are listed. */
  readonly id: string;

  constructor(kind: K, element: XmlElement, id: string, order: ChildOrder) {
    super(element, DEVICE_FIELDS[kind], order);
    this.kind = kind;
    this.id = id;
  }

  is<T extends DeviceKind>(kind: T): this is Device<T> {
    return (this.kind as DeviceKind) === kind;
  }

  /** The element name, for 'other' devices too. */
  get tag(): string {
    return this.element.name;
  }

  /** The device as a standalone XML document, for attach, detach and update calls. */
  toXml(): string {
    return serializeStandalone(this.element);
  }
}
