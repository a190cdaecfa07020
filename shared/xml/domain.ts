/**
 * A libvirt domain's configuration, edited in its own XML (like virt-manager's XMLBuilder): the
 * document stays the source of truth, typed accessors read and write it in place, and whatever
 * they do not know about is kept byte for byte.
 */
import { createElement, parse, parseElement, serialize, type ChildOrder, type XmlDocument, type XmlElement } from './document.js';
import { Device, DEVICE_FIELDS, DEVICE_ORDER, deviceIds, deviceKind, type DeviceKind, type DeviceValues } from './devices.js';
import { FieldSet, integerField, parseInteger, pruneEmpty, readLocation, stringField, switchField, type Field } from './fields.js';
import { fromKiB, toKiB, unitBytes } from './units.js';

export class DomainConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DomainConfigError';
  }
}

/** Where libvirt puts each child, so elements the editors create land where libvirt would write them. */
export const DOMAIN_CHILD_ORDER: ChildOrder = {
  domain: [
    'name', 'uuid', 'genid', 'title', 'description', 'metadata', 'maxMemory', 'memory', 'currentMemory', 'blkiotune', 'memtune',
    'memoryBacking', 'vcpu', 'vcpus', 'iothreads', 'iothreadids', 'cputune', 'numatune', 'resource', 'sysinfo', 'bootloader',
    'bootloader_args', 'os', 'idmap', 'features', 'cpu', 'clock', 'on_poweroff', 'on_reboot', 'on_crash', 'on_lockfailure', 'pm',
    'perf', 'devices', 'seclabel', 'keywrap', 'launchSecurity',
  ],
  os: ['type', 'firmware', 'loader', 'nvram', 'kernel', 'initrd', 'cmdline', 'shim', 'dtb', 'acpi', 'boot', 'bootmenu', 'smbios', 'bios'],
  cpu: ['model', 'vendor', 'topology', 'cache', 'maxphysaddr', 'feature', 'numa'],
  devices: DEVICE_ORDER,
  disk: [
    'driver', 'auth', 'source', 'backingStore', 'geometry', 'blockio', 'target', 'iotune', 'boot', 'readonly', 'shareable',
    'transient', 'serial', 'wwn', 'vendor', 'product', 'encryption', 'alias', 'address',
  ],
  interface: [
    'mac', 'source', 'vlan', 'virtualport', 'ip', 'route', 'script', 'target', 'guest', 'model', 'driver', 'backend', 'filterref',
    'tune', 'teaming', 'link', 'mtu', 'coalesce', 'boot', 'alias', 'address', 'rom',
  ],
  filesystem: ['driver', 'binary', 'idmap', 'source', 'target', 'readonly', 'alias', 'address'],
  hostdev: ['driver', 'source', 'boot', 'rom', 'alias', 'address'],
  video: ['driver', 'model', 'alias', 'address'],
  graphics: ['listen', 'channel', 'image', 'jpeg', 'zlib', 'playback', 'streaming', 'clipboard', 'mouse', 'filetransfer', 'gl', 'audio'],
};

/** A size element like <memory unit='GiB'>4</memory>, in KiB: written in its own unit when that is exact, else in KiB. */
const memoryField = (name: string): Field<number> => ({
  read: (domain) => {
    const element = domain.child(name);
    return element === undefined ? undefined : toKiB(element.text(), element.attr('unit'));
  },
  write: (domain, kib, order) => {
    if (kib === undefined) {
      domain.child(name)?.remove();
      return;
    }
    if (!Number.isSafeInteger(kib) || kib < 0) throw new RangeError(`${name} must be a whole number of KiB, not ${kib}`);
    const existing = domain.child(name);
    const element = existing ?? domain.ensureChild(name, order).setAttr('unit', 'KiB');
    const amount = fromKiB(kib, element.attr('unit'));
    if (amount === undefined) element.setAttr('unit', 'KiB');
    element.setText(String(amount ?? kib));
  },
});

export type LifecycleAction = 'destroy' | 'restart' | 'preserve' | 'rename-restart' | 'coredump-destroy' | 'coredump-restart';

const DOMAIN_FIELDS = {
  /** The domain type: kvm, qemu, xen, lxc... */
  hypervisor: stringField('@type'),
  name: stringField('name'),
  title: stringField('title'),
  description: stringField('description'),
  memoryKiB: memoryField('memory'),
  currentMemoryKiB: memoryField('currentMemory'),
  maxMemoryKiB: memoryField('maxMemory'),
  osType: stringField<'hvm' | 'linux' | 'xen' | 'xenpvh' | 'exe'>('os/type'),
  arch: stringField('os/type/@arch'),
  machine: stringField('os/type/@machine'),
  bootMenu: switchField('os/bootmenu/@enable'),
  bootMenuTimeout: integerField('os/bootmenu/@timeout'),
  /** Direct kernel boot. */
  kernel: stringField('os/kernel'),
  initrd: stringField('os/initrd'),
  cmdline: stringField('os/cmdline'),
  dtb: stringField('os/dtb'),
  onPoweroff: stringField<LifecycleAction>('on_poweroff'),
  onReboot: stringField<LifecycleAction>('on_reboot'),
  onCrash: stringField<LifecycleAction>('on_crash'),
  emulator: stringField('devices/emulator'),
};

export type CpuMode = 'host-passthrough' | 'host-model' | 'custom' | 'maximum';

export interface CpuTopology {
  sockets: number;
  dies?: number;
  clusters?: number;
  cores: number;
  threads: number;
}

/** Topology attributes in the order libvirt writes them. */
const TOPOLOGY_LEVELS = ['sockets', 'dies', 'clusters', 'cores', 'threads'] as const;

export type Firmware = 'efi' | 'bios';
export type BootDevice = 'hd' | 'cdrom' | 'network' | 'fd';

export interface ValidationIssue {
  /** What the issue is about: a field name like 'currentMemoryKiB', or a device id like 'disk[vda]'. */
  subject: string;
  message: string;
}

export class DomainConfig extends FieldSet<typeof DOMAIN_FIELDS> {
  readonly document: XmlDocument;

  private constructor(document: XmlDocument) {
    super(document.root, DOMAIN_FIELDS, DOMAIN_CHILD_ORDER);
    this.document = document;
  }

  /** Throws XmlSyntaxError for malformed XML and DomainConfigError for a document that is not a domain. */
  static parse(xml: string): DomainConfig {
    const document = parse(xml);
    if (document.root.name !== 'domain') throw new DomainConfigError(`expected a <domain> document, not <${document.root.name}>`);
    return new DomainConfig(document);
  }

  toXml(): string {
    return serialize(this.document);
  }

  /** libvirt assigns it; it cannot change. */
  get uuid(): string | undefined {
    return this.element.child('uuid')?.text().trim();
  }

  /** <vcpu current='2'>4</vcpu>: 4 vCPUs at most, 2 online; current is max when not given. */
  vcpus(): { max: number | undefined; current: number | undefined } {
    const vcpu = this.element.child('vcpu');
    const max = parseInteger(vcpu?.text());
    return { max, current: parseInteger(vcpu?.attr('current')) ?? max };
  }

  /** current is written only when it differs from max. */
  setVcpus(max: number, current = max): this {
    const vcpu = this.element.ensureChild('vcpu', DOMAIN_CHILD_ORDER);
    vcpu.setText(String(max));
    vcpu.setAttr('current', current === max ? null : current);
    return this;
  }

  /** mode is undefined without a <cpu> (the hypervisor's default); a <cpu> without mode is 'custom'. */
  cpu(): { mode: CpuMode | undefined; model: string | undefined; topology: CpuTopology | undefined } {
    const cpu = this.element.child('cpu');
    const topology = cpu?.child('topology');
    const levels = topology?.attributes.flatMap(({ name, value }) => {
      const count = parseInteger(value);
      return (TOPOLOGY_LEVELS as readonly string[]).includes(name) && count !== undefined ? [[name, count]] : [];
    });
    return {
      mode: cpu === undefined ? undefined : ((cpu.attr('mode') as CpuMode | undefined) ?? 'custom'),
      model: cpu?.child('model')?.text(),
      topology: levels && (Object.fromEntries(levels) as CpuTopology),
    };
  }

  /** Host CPU modes drop a named model (and its match); custom needs one, kept if not given. */
  setCpuMode(mode: CpuMode, model?: string): this {
    const cpu = this.element.ensureChild('cpu', DOMAIN_CHILD_ORDER);
    cpu.setAttr('mode', mode);
    if (mode === 'custom') {
      if (model !== undefined) cpu.ensureChild('model', DOMAIN_CHILD_ORDER).setText(model);
    } else {
      cpu.child('model')?.remove();
      cpu.setAttr('match', null);
    }
    return this;
  }

  /** undefined removes the topology (and a <cpu> left empty). */
  setCpuTopology(topology: CpuTopology | undefined): this {
    if (topology === undefined) {
      const element = this.element.find('cpu/topology');
      const cpu = element?.parent;
      element?.remove();
      if (cpu?.kind === 'element') pruneEmpty(cpu, this.element);
      return this;
    }
    const element = this.element.ensureChild('cpu/topology', DOMAIN_CHILD_ORDER);
    for (const level of TOPOLOGY_LEVELS) element.setAttr(level, topology[level]);
    return this;
  }

  /** 'efi' when firmware autoselection asks for it or a UEFI loader (pflash, OVMF/AAVMF/edk2) is configured. */
  firmware(): Firmware {
    const os = this.element.child('os');
    const selected = os?.attr('firmware');
    if (selected === 'efi' || selected === 'bios') return selected;
    const loader = os?.child('loader');
    return loader !== undefined && (loader.attr('type') === 'pflash' || /OVMF|AAVMF|edk2|QEMU_EFI/i.test(loader.text())) ? 'efi' : 'bios';
  }

  /** Uses firmware autoselection; switching to BIOS drops UEFI loader, NVRAM and firmware feature requests. */
  setFirmware(firmware: Firmware): this {
    if (firmware === this.firmware()) return this;
    const os = this.element.ensureChild('os', DOMAIN_CHILD_ORDER);
    if (firmware === 'efi') {
      os.setAttr('firmware', 'efi');
    } else {
      os.setAttr('firmware', null);
      for (const uefiOnly of os.children().filter((child) => ['loader', 'nvram', 'firmware'].includes(child.name))) uefiOnly.remove();
    }
    return this;
  }

  /** The <os><boot dev=...> list; empty when per-device boot order is used. */
  bootDevices(): BootDevice[] {
    return this.element.findAll('os/boot').flatMap((boot) => (boot.attr('dev') as BootDevice | undefined) ?? []);
  }

  /** Sets <os><boot dev=...> elements (updated in place) and drops per-device boot order, which libvirt refuses alongside. */
  setBootDevices(devices: readonly BootDevice[]): this {
    const os = this.element.ensureChild('os', DOMAIN_CHILD_ORDER);
    const existing = os.children('boot');
    let previous: XmlElement | undefined;
    for (const [index, dev] of devices.entries()) {
      const boot = existing[index] ?? createElement('boot');
      boot.setAttr('dev', dev);
      if (boot.parent === null) {
        if (previous === undefined) os.insertOrdered(boot, DOMAIN_CHILD_ORDER['os']!);
        else os.insertAfter(boot, previous);
      }
      previous = boot;
    }
    for (const extra of existing.slice(devices.length)) extra.remove();
    for (const device of this.devices()) device.set('bootOrder', undefined);
    return this;
  }

  /** Devices with a per-device boot order, first to boot first. */
  bootOrder(): Device[] {
    return this.devices()
      .filter((device) => device.get('bootOrder') !== undefined)
      .toSorted((a, b) => a.get('bootOrder')! - b.get('bootOrder')!);
  }

  /** Boots from these devices in this order (per-device <boot order=...>), replacing <os><boot dev=...>. */
  setBootOrder(devices: readonly Device[]): this {
    for (const device of this.devices()) {
      const position = devices.findIndex((bootable) => bootable.element === device.element);
      device.set('bootOrder', position < 0 ? undefined : position + 1);
    }
    for (const boot of this.element.findAll('os/boot')) boot.remove();
    return this;
  }

  /** Names of the enabled <features> (a feature written with state='off' is not). */
  features(): string[] {
    return (this.element.find('features')?.children() ?? []).filter((feature) => feature.attr('state') !== 'off').map((feature) => feature.name);
  }

  /** Enabling adds <name/> (or turns state on); disabling turns an explicit state off, else removes the element. */
  setFeature(name: string, enabled: boolean): this {
    const feature = this.element.find('features')?.child(name);
    if (enabled) {
      (feature ?? this.element.ensureChild(`features/${name}`, DOMAIN_CHILD_ORDER)).setAttr('state', feature?.hasAttr('state') ? 'on' : null);
    } else if (feature?.hasAttr('state')) {
      feature.setAttr('state', 'off');
    } else if (feature !== undefined) {
      const features = feature.parent as XmlElement;
      feature.remove();
      pruneEmpty(features, this.element);
    }
    return this;
  }

  /** An application's own element in <metadata>, found by its namespace. */
  metadata(namespaceUri: string): XmlElement | undefined {
    return this.element.find('metadata')?.children().find((child) => child.namespaceUri === namespaceUri);
  }

  /** The application's element in <metadata>, created as <prefix:name xmlns:prefix="uri"/> when missing. */
  ensureMetadata(namespaceUri: string, qualifiedName: string): XmlElement {
    const existing = this.metadata(namespaceUri);
    if (existing !== undefined) return existing;
    const [prefix, localName] = qualifiedName.split(':');
    if (localName === undefined) throw new DomainConfigError(`metadata element '${qualifiedName}' needs a namespace prefix`);
    return this.element.ensureChild('metadata', DOMAIN_CHILD_ORDER).append(createElement(qualifiedName, { [`xmlns:${prefix}`]: namespaceUri }));
  }

  /** The devices (all, or one kind), with ids computed over all of them. */
  devices(): Device[];
  devices<K extends DeviceKind>(kind: K): Array<Device<K>>;
  devices(kind?: DeviceKind): Device[] {
    const elements = this.element.find('devices')?.children().filter((element) => element.name !== 'emulator') ?? [];
    const ids = deviceIds(elements);
    const all = elements.map((element, index) => new Device(deviceKind(element.name), element, ids[index]!, DOMAIN_CHILD_ORDER));
    return kind === undefined ? all : all.filter((device) => device.kind === kind);
  }

  /** The device with this id; with a kind, only a device of that kind (typed as one). */
  device(id: string): Device | undefined;
  device<K extends DeviceKind>(id: string, kind: K): Device<K> | undefined;
  device(id: string, kind?: DeviceKind): Device | undefined {
    return this.devices().find((device) => device.id === id && (kind === undefined || device.kind === kind));
  }

  /** Adds a device from its values, written in the kind's field order and placed after the devices of its kind. */
  addDevice<K extends Exclude<DeviceKind, 'other'>>(kind: K, values: DeviceValues<K>): Device<K> {
    const fields = new FieldSet(createElement(kind), DEVICE_FIELDS[kind], DOMAIN_CHILD_ORDER).update(values);
    return this.insertDevice(fields.element) as Device<K>;
  }

  addDisk(values: DeviceValues<'disk'>): Device<'disk'> {
    return this.addDevice('disk', values);
  }

  addInterface(values: DeviceValues<'interface'>): Device<'interface'> {
    return this.addDevice('interface', values);
  }

  /** Adds a device from an XML snippet (or element), re-indented to match the document. */
  addDeviceXml(xml: string | XmlElement): Device {
    return this.insertDevice(typeof xml === 'string' ? parseElement(xml) : xml);
  }

  /** Puts a new definition (XML snippet or element) where the device is. */
  replaceDevice(device: Device, xml: string | XmlElement): Device {
    const element = device.element.replaceWith(typeof xml === 'string' ? parseElement(xml) : xml);
    return this.deviceFor(element);
  }

  removeDevice(device: Device): this {
    device.element.remove();
    return this;
  }

  private insertDevice(element: XmlElement): Device {
    this.element.ensureChild('devices', DOMAIN_CHILD_ORDER).insertOrdered(element, DEVICE_ORDER);
    return this.deviceFor(element);
  }

  private deviceFor(element: XmlElement): Device {
    return this.devices().find((device) => device.element === element)!;
  }

  /** Configuration errors libvirt would refuse (or that would surprise), each with what it is about. */
  validate(): ValidationIssue[] {
    return VALIDATIONS.flatMap((check) => check(this));
  }
}

/** Groups of items sharing a key, for keys held by more than one item. */
function duplicates<T>(items: readonly T[], key: (item: T) => string | undefined): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const value = key(item);
    if (value !== undefined) groups.set(value, [...(groups.get(value) ?? []), item]);
  }
  return [...groups].filter(([, group]) => group.length > 1);
}

const MAC_ADDRESS = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;

/** The source each interface or disk type needs: where it is and what to call it. */
const REQUIRED_SOURCE: Readonly<Record<string, Readonly<Record<string, readonly [string, string]>>>> = {
  interface: { network: ['source/@network', 'a source network'], bridge: ['source/@bridge', 'a source bridge'], direct: ['source/@dev', 'a source device'] },
  disk: { block: ['source/@dev', 'a source device'], dir: ['source/@dir', 'a source directory'], volume: ['source/@volume', 'a source volume'], network: ['source/@protocol', 'a source protocol'] },
};

const VALIDATIONS: ReadonlyArray<(config: DomainConfig) => ValidationIssue[]> = [
  (config) => {
    const name = config.get('name');
    if (name === undefined || name.trim() === '') return [{ subject: 'name', message: 'the domain needs a name' }];
    if (name.includes('/')) return [{ subject: 'name', message: `the name '${name}' contains '/', which libvirt refuses` }];
    return [];
  },
  (config) =>
    (['memory', 'currentMemory', 'maxMemory'] as const).flatMap((name) => {
      const element = config.element.child(name);
      const subject = `${name}KiB`;
      if (element === undefined) return name === 'memory' ? [{ subject, message: 'the memory size is not set' }] : [];
      const unit = element.attr('unit');
      if (unitBytes(unit) === undefined) return [{ subject, message: `<${name}> has an unknown unit '${unit}'` }];
      if (toKiB(element.text(), unit) === undefined) return [{ subject, message: `<${name}> '${element.text()}' is not a whole number` }];
      return [];
    }),
  (config) => {
    const memory = config.get('memoryKiB');
    const current = config.get('currentMemoryKiB');
    if (memory === undefined || current === undefined || current <= memory) return [];
    return [{ subject: 'currentMemoryKiB', message: `current memory (${current} KiB) is more than the maximum memory (${memory} KiB)` }];
  },
  (config) => {
    const { max, current } = config.vcpus();
    if (max === undefined) return [];
    if (max < 1) return [{ subject: 'vcpus', message: `the maximum vCPU count must be at least 1, not ${max}` }];
    if (current === undefined || (current >= 1 && current <= max)) return [];
    return [{ subject: 'vcpus', message: `${current} current vCPUs is not between 1 and the maximum of ${max}` }];
  },
  (config) => {
    const { mode, model, topology } = config.cpu();
    const issues: ValidationIssue[] = [];
    if (mode === 'custom' && (model === undefined || model.trim() === '')) issues.push({ subject: 'cpu', message: 'custom CPU mode needs a CPU model' });
    const max = config.vcpus().max;
    if (topology !== undefined && max !== undefined) {
      const total = TOPOLOGY_LEVELS.reduce((product, level) => product * (topology[level] ?? 1), 1);
      if (total !== max) issues.push({ subject: 'cpu', message: `the CPU topology gives ${total} vCPUs but the maximum vCPU count is ${max}` });
    }
    return issues;
  },
  (config) => {
    const issues: ValidationIssue[] = [];
    const bootable = config.bootOrder();
    if (bootable.length > 0 && config.bootDevices().length > 0) {
      issues.push({ subject: 'boot', message: 'boot order is set both with <os><boot dev> and per-device <boot order>, which libvirt refuses' });
    }
    for (const [order, devices] of duplicates(bootable, (device) => String(device.get('bootOrder')))) {
      issues.push({ subject: devices[1]!.id, message: `boot order ${order} is used by ${devices.map((device) => device.id).join(' and ')}` });
    }
    return issues;
  },
  (config) =>
    (['initrd', 'cmdline', 'dtb'] as const).flatMap((part) =>
      config.get(part) !== undefined && config.get('kernel') === undefined ? [{ subject: part, message: `direct kernel boot: ${part} is set without a kernel` }] : [],
    ),
  (config) => {
    const interfaces = config.devices('interface');
    const issues: ValidationIssue[] = [];
    for (const nic of interfaces) {
      const mac = nic.get('mac');
      if (mac === undefined) continue;
      if (!MAC_ADDRESS.test(mac)) issues.push({ subject: nic.id, message: `'${mac}' is not a MAC address` });
      else if (parseInt(mac.slice(0, 2), 16) & 1) issues.push({ subject: nic.id, message: `${mac} is a multicast MAC address` });
    }
    for (const [mac, nics] of duplicates(interfaces, (nic) => nic.get('mac')?.toLowerCase())) {
      issues.push({ subject: nics[1]!.id, message: `MAC address ${mac} is used by ${nics.length} interfaces` });
    }
    return issues;
  },
  (config) => {
    const disks = config.devices('disk');
    const issues = disks.flatMap((disk) => (disk.get('targetDev') ? [] : [{ subject: disk.id, message: 'the disk has no target device' }]));
    for (const [dev, same] of duplicates(disks, (disk) => disk.get('targetDev'))) {
      issues.push({ subject: same[1]!.id, message: `target device ${dev} is used by ${same.length} disks` });
    }
    return issues;
  },
  (config) =>
    config.devices().flatMap((device) => {
      const type = device.element.attr('type');
      const required = type === undefined ? undefined : REQUIRED_SOURCE[device.kind]?.[type];
      if (required === undefined || readLocation(device.element, required[0]) !== undefined) return [];
      return [{ subject: device.id, message: `a ${type} ${device.kind} needs ${required[1]}` }];
    }),
  (config) =>
    config.devices('graphics').flatMap((graphics) => {
      const port = graphics.get('port');
      const type = graphics.get('type');
      if ((type !== 'vnc' && type !== 'spice') || port === undefined || port === -1 || (port >= 5900 && port <= 65535)) return [];
      return [{ subject: graphics.id, message: `${type} port ${port} is outside 5900-65535` }];
    }),
];
