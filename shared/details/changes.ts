/**
 * Differences between two domain configurations, per details page: what an apply changes (the
 * loaded next-boot XML against the edited one), and what is pending for a running VM (its live
 * XML against the next-boot XML). Also which changes libvirt can make to a running VM.
 */
import { escapeAttribute, escapeText, type XmlElement } from '../xml/document.js';
import { DEVICE_FIELDS, type Device } from '../xml/devices.js';
import type { DomainConfig } from '../xml/domain.js';
import { LIBOSINFO_NAMESPACE, deviceLabel, formatKiB, osInfoId, sharedMemory } from './config.js';
import type { ConfigChange } from './model.js';

interface Setting {
  page: string;
  subject: string;
  label: string;
  read(config: DomainConfig): string | undefined;
  /** Comparing live → next boot: skip when the running configuration cannot be compared (host-model CPUs...). */
  skipAtRuntime?(live: DomainConfig, next: DomainConfig): boolean;
}

const showKiB = (value: number | undefined) => (value === undefined ? undefined : formatKiB(value));
const yesNo = (value: boolean | undefined) => (value === undefined ? undefined : value ? 'on' : 'off');
/** A running host-model CPU is expanded to the model QEMU picked: not comparable. */
const cpuNotComparable = (_live: DomainConfig, next: DomainConfig) => {
  const mode = next.cpu().mode;
  return mode === undefined || mode === 'host-model';
};

const SETTINGS: readonly Setting[] = [
  { page: 'overview', subject: 'name', label: 'Name', read: (c) => c.get('name') },
  { page: 'overview', subject: 'title', label: 'Title', read: (c) => c.get('title') },
  { page: 'overview', subject: 'description', label: 'Description', read: (c) => c.get('description') },
  { page: 'overview', subject: 'os', label: 'Operating system', read: osInfoId },
  { page: 'overview', subject: 'machine', label: 'Machine type', read: (c) => c.get('machine') },
  { page: 'overview', subject: 'firmware', label: 'Firmware', read: (c) => (c.firmware() === 'efi' ? 'UEFI' : 'BIOS') },
  { page: 'overview', subject: 'onPoweroff', label: 'On power off', read: (c) => c.get('onPoweroff') },
  { page: 'overview', subject: 'onReboot', label: 'On reboot', read: (c) => c.get('onReboot') },
  { page: 'overview', subject: 'onCrash', label: 'On crash', read: (c) => c.get('onCrash') },
  { page: 'memory', subject: 'memoryKiB', label: 'Maximum memory', read: (c) => showKiB(c.get('memoryKiB')) },
  { page: 'memory', subject: 'currentMemoryKiB', label: 'Current memory', read: (c) => showKiB(c.get('currentMemoryKiB') ?? c.get('memoryKiB')) },
  { page: 'memory', subject: 'maxMemoryKiB', label: 'Memory hotplug limit', read: (c) => showKiB(c.get('maxMemoryKiB')) },
  { page: 'memory', subject: 'sharedMemory', label: 'Shared memory', read: (c) => yesNo(sharedMemory(c)) },
  { page: 'cpu', subject: 'vcpus.max', label: 'Maximum vCPUs', read: (c) => c.vcpus().max?.toString() },
  { page: 'cpu', subject: 'vcpus.current', label: 'Current vCPUs', read: (c) => c.vcpus().current?.toString() },
  { page: 'cpu', subject: 'cpu.mode', label: 'CPU mode', read: (c) => c.cpu().mode, skipAtRuntime: cpuNotComparable },
  { page: 'cpu', subject: 'cpu.model', label: 'CPU model', read: (c) => (c.cpu().mode === 'custom' ? c.cpu().model : undefined), skipAtRuntime: cpuNotComparable },
  {
    page: 'cpu',
    subject: 'cpu.topology',
    label: 'CPU topology',
    read: (c) => {
      const topology = c.cpu().topology;
      return topology && `${topology.sockets ?? 1} sockets, ${topology.cores ?? 1} cores, ${topology.threads ?? 1} threads`;
    },
    skipAtRuntime: (_live, next) => next.cpu().topology === undefined,
  },
  { page: 'boot', subject: 'bootDevices', label: 'Boot devices', read: (c) => c.bootDevices().join(', ') || undefined },
  { page: 'boot', subject: 'bootOrder', label: 'Boot order', read: (c) => c.bootOrder().map((d) => d.id).join(', ') || undefined },
  { page: 'boot', subject: 'bootMenu', label: 'Boot menu', read: (c) => yesNo(c.get('bootMenu')) },
  { page: 'boot', subject: 'kernel', label: 'Kernel', read: (c) => c.get('kernel') },
  { page: 'boot', subject: 'initrd', label: 'Initrd', read: (c) => c.get('initrd') },
  { page: 'boot', subject: 'cmdline', label: 'Kernel arguments', read: (c) => c.get('cmdline') },
  { page: 'boot', subject: 'dtb', label: 'Device tree', read: (c) => c.get('dtb') },
];

/** Kinds whose devices the details view lists; at run time libvirt adds others (<audio>...) on its own. */
const RUNTIME_COMPARED_TAGS = new Set([
  ...Object.keys(DEVICE_FIELDS).filter((kind) => kind !== 'other'),
  'redirdev', 'smartcard', 'hub', 'shmem', 'vsock', 'iommu', 'memory', 'crypto',
]);

/** Fields that are not settings: identity and placement, and boot order (the Boot page's). */
const NOT_COMPARED = new Set(['alias', 'addressType', 'bootOrder']);

/** Fields libvirt fills in for a running VM that the next-boot XML leaves unset. */
function runtimeOnly(next: Device, field: string): boolean {
  switch (next.kind) {
    case 'interface':
      return (field === 'sourceBridge' || field === 'sourceDev') && next.element.attr('type') === 'network';
    case 'graphics':
      return ((field === 'port' || field === 'tlsPort') && next.element.attr('autoport') !== 'no') || (field === 'listen' && next.get('listen' as never) === undefined);
    case 'serial':
    case 'console':
    case 'channel':
    case 'parallel':
      return field === 'sourcePath' && (next.element.attr('type') === 'pty' || next.element.attr('type') === 'unix');
    case 'disk':
      return false;
    default:
      return false;
  }
}

/**
 * Pairs each device of `after` with the one of `before` it is. Ids of key-less devices are
 * positions ('video#1'), which shift when a sibling goes, so the same XML wins over the same id:
 * first same id and same XML, then same XML anywhere (the device moved up), then same id (the
 * device was edited). What is left was added or removed.
 */
function matchDevices(before: readonly Device[], after: readonly Device[]): Map<Device, Device> {
  const pairs = new Map<Device, Device>();
  const free = new Set(before);
  const canonical = new Map([...before, ...after].map((device) => [device, canonicalXml(device.element)]));
  const pass = (same: (old: Device, device: Device) => boolean) => {
    for (const device of after) {
      if (pairs.has(device)) continue;
      const old = [...free].find((candidate) => candidate.tag === device.tag && same(candidate, device));
      if (old === undefined) continue;
      pairs.set(device, old);
      free.delete(old);
    }
  };
  const sameXml = (old: Device, device: Device) => canonical.get(old) === canonical.get(device);
  pass((old, device) => old.id === device.id && sameXml(old, device));
  pass(sameXml);
  pass((old, device) => old.id === device.id);
  return pairs;
}

/** An element's meaning, without formatting, attribute order, aliases, addresses and boot order. */
export function canonicalXml(element: XmlElement, skip: ReadonlySet<string> = new Set(['alias', 'address', 'boot'])): string {
  const attributes = element.attributes
    .map((attribute) => `${attribute.name}=${JSON.stringify(attribute.value)}`)
    .toSorted()
    .join(' ');
  const inner = element.nodes
    .map((node) => {
      if (node.kind === 'element') return skip.has(node.name) ? '' : canonicalXml(node, skip);
      if (node.kind === 'text' || node.kind === 'cdata') return node.value.trim() === '' ? '' : JSON.stringify(node.value);
      return '';
    })
    .join('');
  return `<${element.name} ${attributes}>${inner}</${element.name}>`;
}

function fieldText(device: Device, field: string): string | undefined {
  const value = (device as Device<'other'>).get(field as 'type');
  return value === undefined ? undefined : String(value);
}

function describeFields(device: Device, fields: readonly string[]): string {
  return fields.map((field) => `${field}=${fieldText(device, field) ?? '(none)'}`).join(', ');
}

export interface CompareOptions {
  /** `before` is a running VM's live XML: leave out what libvirt only adds at run time. */
  runtime?: boolean;
}

/** The differences from `before` to `after`, settings first, then devices in `after`'s order. */
export function compareConfigs(before: DomainConfig, after: DomainConfig, options: CompareOptions = {}): ConfigChange[] {
  const runtime = options.runtime === true;
  const changes: ConfigChange[] = [];
  for (const setting of SETTINGS) {
    if (runtime && setting.subject === 'name') continue;
    if (runtime && setting.skipAtRuntime?.(before, after)) continue;
    const was = setting.read(before);
    const will = setting.read(after);
    if (was === will) continue;
    changes.push({ page: setting.page, subject: setting.subject, kind: 'changed', label: setting.label, before: was ?? '(none)', after: will ?? '(none)' });
  }
  const compared = (device: Device) => !runtime || RUNTIME_COMPARED_TAGS.has(device.tag);
  const beforeDevices = before.devices().filter(compared);
  const afterDevices = after.devices().filter(compared);
  const pairs = matchDevices(beforeDevices, afterDevices);
  const matchedBefore = new Set(pairs.values());
  for (const device of beforeDevices) {
    if (!matchedBefore.has(device)) changes.push({ page: device.id, subject: device.id, kind: 'removed', label: deviceLabel(device) });
  }
  for (const device of afterDevices) {
    const old = pairs.get(device);
    if (old === undefined) {
      changes.push({ page: device.id, subject: device.id, kind: 'added', label: deviceLabel(device) });
      continue;
    }
    const names = Object.keys(DEVICE_FIELDS[device.kind]).filter((field) => !NOT_COMPARED.has(field) && !(runtime && runtimeOnly(device, field)));
    const fields = names.filter((field) => fieldText(old, field) !== fieldText(device, field));
    const otherXml = !runtime && fields.length === 0 && canonicalXml(old.element) !== canonicalXml(device.element);
    if (fields.length === 0 && !otherXml) continue;
    changes.push({
      page: device.id,
      subject: device.id,
      kind: 'changed',
      label: deviceLabel(device),
      fields,
      before: fields.length > 0 ? describeFields(old, fields) : 'other XML',
      after: fields.length > 0 ? describeFields(device, fields) : 'other XML',
    });
  }
  return changes;
}

/** A change libvirt can make to a running VM, and how. */
export type LiveAction =
  | { kind: 'set-memory'; change: ConfigChange; kib: number }
  | { kind: 'set-vcpus'; change: ConfigChange; count: number }
  | { kind: 'metadata'; change: ConfigChange; type: 'title' | 'description'; value: string | null }
  /** An application's element in <metadata> (the libosinfo OS); value null removes it. */
  | { kind: 'metadata-element'; change: ConfigChange; uri: string; prefix: string; value: string | null }
  | { kind: 'attach'; change: ConfigChange; id: string }
  | { kind: 'detach'; change: ConfigChange; id: string }
  /** Update the running device with these fields of the next-boot device. */
  | { kind: 'update'; change: ConfigChange; id: string; fields: string[] };

/** Device kinds QEMU can hot-plug and unplug. */
const HOTPLUG_TAGS = new Set(['disk', 'interface', 'hostdev', 'filesystem', 'input', 'rng', 'watchdog', 'redirdev', 'channel', 'serial', 'shmem', 'memory', 'vsock']);
/** Fields of a running device that update-device can change, per kind. */
const LIVE_UPDATABLE: Readonly<Record<string, readonly string[]>> = {
  // Media of a CD-ROM or floppy drive: change or eject.
  disk: ['type', 'sourceFile', 'sourceDev', 'sourcePool', 'sourceVolume', 'sourceDir', 'driverName', 'driverType'],
  interface: ['linkState', 'sourceNetwork', 'sourceBridge'],
  graphics: ['passwd'],
};

/**
 * Splits the changes of an apply (loaded next-boot XML → edited XML) into what can be done to the
 * running VM and what only takes effect at the next boot.
 */
export function planLive(changes: readonly ConfigChange[], next: DomainConfig, base: DomainConfig): { actions: LiveAction[]; nextBoot: ConfigChange[] } {
  const actions: LiveAction[] = [];
  const nextBoot: ConfigChange[] = [];
  const devices = new Map(next.devices().map((device) => [device.id, device]));
  const baseDevices = new Map(base.devices().map((device) => [device.id, device]));
  for (const change of changes) {
    const action = liveAction(change, next, base, devices.get(change.subject) ?? baseDevices.get(change.subject));
    if (action === undefined) nextBoot.push(change);
    else actions.push(action);
  }
  return { actions, nextBoot };
}

function liveAction(change: ConfigChange, next: DomainConfig, base: DomainConfig, device: Device | undefined): LiveAction | undefined {
  switch (change.subject) {
    // The running VM keeps the maximum it was started with (the loaded definition's).
    case 'currentMemoryKiB': {
      const kib = next.get('currentMemoryKiB') ?? next.get('memoryKiB');
      const max = base.get('memoryKiB');
      return kib === undefined || (max !== undefined && kib > max) ? undefined : { kind: 'set-memory', change, kib };
    }
    case 'vcpus.current': {
      const count = next.vcpus().current;
      const max = base.vcpus().max;
      return count === undefined || (max !== undefined && count > max) ? undefined : { kind: 'set-vcpus', change, count };
    }
    case 'title':
    case 'description':
      return { kind: 'metadata', change, type: change.subject, value: next.get(change.subject) ?? null };
    case 'os': {
      const libosinfo = next.metadata(LIBOSINFO_NAMESPACE);
      return { kind: 'metadata-element', change, uri: LIBOSINFO_NAMESPACE, prefix: libosinfo?.prefix ?? 'libosinfo', value: libosinfo === undefined ? null : unqualified(libosinfo) };
    }
  }
  if (device === undefined) return undefined;
  if (change.kind === 'added' && HOTPLUG_TAGS.has(device.tag)) return { kind: 'attach', change, id: change.subject };
  if (change.kind === 'removed' && HOTPLUG_TAGS.has(device.tag)) return { kind: 'detach', change, id: change.subject };
  if (change.kind !== 'changed') return undefined;
  const updatable = LIVE_UPDATABLE[device.tag];
  const fields = change.fields ?? [];
  if (updatable === undefined || fields.length === 0 || !fields.every((field) => updatable.includes(field))) return undefined;
  if (device.is('disk') && device.get('device') !== 'cdrom' && device.get('device') !== 'floppy') return undefined;
  return { kind: 'update', change, id: change.subject, fields };
}

/**
 * A metadata element as virDomainSetMetadata wants it: without its prefix and namespace
 * declaration (libvirt puts it in the namespace it is given, and fails when it is declared already).
 */
function unqualified(element: XmlElement): string {
  const attributes = element.attributes
    .filter((attribute) => attribute.name !== 'xmlns' && !attribute.name.startsWith('xmlns:'))
    .map((attribute) => ` ${attribute.name}="${escapeAttribute(attribute.value, '"')}"`)
    .join('');
  const inner = element.nodes
    .map((node) => (node.kind === 'element' ? unqualified(node) : node.kind === 'text' || node.kind === 'cdata' ? escapeText(node.value) : ''))
    .join('');
  return `<${element.localName}${attributes}>${inner}</${element.localName}>`;
}
