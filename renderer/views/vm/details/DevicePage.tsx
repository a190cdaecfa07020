// A device's Details page: its settings (typed fields of shared/xml's DEVICE_FIELDS), Remove, and
// for CD-ROM and floppy drives Eject / change media.
import { type ReactNode, useEffect, useState } from 'react';
import { deviceLabel } from '../../../../shared/details/config.js';
import type { DetailsIssue, HostResources, NicAddresses, VmDetails } from '../../../../shared/details/model.js';
import { useApi } from '../../../api/context.js';
import type { Device, DeviceKind } from '../../../../shared/xml/devices.js';
import type { DomainConfig } from '../../../../shared/xml/domain.js';
import { CheckField, IssueList, NumberField, PathField, ReadOnlyRow, Row, SelectField, TextField } from './fields.js';
import { useAction } from '../../../use-action.js';
import { bytes } from '../../../format.js';

type Kind = Exclude<DeviceKind, 'other'>;

const testId = (field: string) => `device-${field}`;

/** One field of a device form: a text, number, choice or on/off. */
export type FieldSpec =
  | { field: string; label: string; type: 'text'; placeholder?: string; list?: string }
  /** A path on the host, with the file and volume browser. */
  | { field: string; label: string; type: 'path'; placeholder?: string; list?: string }
  | { field: string; label: string; type: 'number'; min?: number }
  | { field: string; label: string; type: 'select'; options: readonly string[] }
  | { field: string; label: string; type: 'check' }
  | { field: string; label: string; type: 'readonly' };

const CHAR_TYPES = ['pty', 'file', 'unix', 'tcp', 'udp', 'dev', 'pipe', 'spicevmc', 'spiceport', 'null', 'vc', 'stdio'] as const;
const CHAR_FIELDS: FieldSpec[] = [
  { field: 'type', label: 'Device type', type: 'select', options: CHAR_TYPES },
  { field: 'targetType', label: 'Target type', type: 'text' },
  { field: 'targetPort', label: 'Target port', type: 'readonly' },
  { field: 'targetName', label: 'Target name', type: 'text' },
  { field: 'sourcePath', label: 'Source path', type: 'text' },
  { field: 'sourceMode', label: 'Source mode', type: 'select', options: ['bind', 'connect'] },
  { field: 'sourceHost', label: 'Host', type: 'text' },
  { field: 'sourceService', label: 'Port', type: 'text' },
];

/** The form of each device kind, in the order virt-manager shows the settings. */
export const DEVICE_FORMS: Readonly<Record<Kind, FieldSpec[]>> = {
  disk: [
    { field: 'device', label: 'Device type', type: 'readonly' },
    { field: 'targetDev', label: 'Target', type: 'readonly' },
    { field: 'type', label: 'Source type', type: 'select', options: ['file', 'block', 'volume', 'dir', 'network'] },
    { field: 'sourceFile', label: 'Source path', type: 'path', placeholder: '/var/lib/libvirt/images/disk.qcow2', list: 'dt-volume-paths' },
    { field: 'sourceDev', label: 'Source device', type: 'path', placeholder: '/dev/sdb' },
    { field: 'sourcePool', label: 'Storage pool', type: 'text' },
    { field: 'sourceVolume', label: 'Volume', type: 'text' },
    { field: 'targetBus', label: 'Disk bus', type: 'select', options: ['virtio', 'sata', 'scsi', 'usb', 'ide', 'fdc'] },
    { field: 'driverType', label: 'Format', type: 'select', options: ['raw', 'qcow2', 'vmdk', 'vdi', 'iso'] },
    { field: 'cache', label: 'Cache mode', type: 'select', options: ['default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe'] },
    { field: 'discard', label: 'Discard mode', type: 'select', options: ['ignore', 'unmap'] },
    { field: 'io', label: 'IO mode', type: 'select', options: ['threads', 'native', 'io_uring'] },
    { field: 'readonly', label: 'Read-only', type: 'check' },
    { field: 'shareable', label: 'Shareable', type: 'check' },
    { field: 'serial', label: 'Serial number', type: 'text' },
  ],
  interface: [
    { field: 'type', label: 'Network source', type: 'select', options: ['network', 'bridge', 'direct', 'user', 'ethernet', 'vhostuser', 'hostdev', 'vdpa'] },
    { field: 'sourceNetwork', label: 'Virtual network', type: 'text', list: 'dt-networks' },
    { field: 'sourceBridge', label: 'Bridge device', type: 'text', list: 'dt-host-interfaces' },
    { field: 'sourceDev', label: 'Host device (macvtap)', type: 'text', list: 'dt-host-interfaces' },
    { field: 'sourceMode', label: 'Source mode', type: 'select', options: ['vepa', 'bridge', 'private', 'passthrough'] },
    { field: 'model', label: 'Device model', type: 'select', options: ['virtio', 'e1000e', 'e1000', 'rtl8139', 'vmxnet3'] },
    { field: 'mac', label: 'MAC address', type: 'text' },
  ],
  graphics: [
    { field: 'type', label: 'Type', type: 'select', options: ['vnc', 'spice', 'sdl', 'rdp', 'egl-headless', 'dbus'] },
    { field: 'listen', label: 'Listen address', type: 'text', placeholder: '127.0.0.1' },
    { field: 'autoport', label: 'Automatic port', type: 'check' },
    { field: 'port', label: 'Port', type: 'number', min: 0 },
    { field: 'keymap', label: 'Keymap', type: 'text' },
  ],
  video: [
    { field: 'model', label: 'Model', type: 'select', options: ['virtio', 'qxl', 'vga', 'bochs', 'ramfb', 'cirrus', 'none'] },
    { field: 'vram', label: 'Video RAM (KiB)', type: 'number', min: 0 },
    { field: 'heads', label: 'Heads', type: 'number', min: 1 },
    { field: 'accel3d', label: '3D acceleration', type: 'check' },
  ],
  serial: CHAR_FIELDS,
  parallel: CHAR_FIELDS,
  console: CHAR_FIELDS,
  channel: CHAR_FIELDS,
  input: [
    { field: 'type', label: 'Type', type: 'select', options: ['tablet', 'mouse', 'keyboard', 'passthrough', 'evdev'] },
    { field: 'bus', label: 'Bus', type: 'select', options: ['usb', 'virtio', 'ps2', 'xen'] },
  ],
  sound: [{ field: 'model', label: 'Model', type: 'select', options: ['ich9', 'ich6', 'ich7', 'ac97', 'es1370', 'sb16', 'usb', 'pcspk'] }],
  tpm: [
    { field: 'model', label: 'Model', type: 'select', options: ['tpm-crb', 'tpm-tis', 'tpm-spapr', 'spapr-tpm-proxy'] },
    { field: 'backendType', label: 'Backend', type: 'select', options: ['emulator', 'passthrough', 'external'] },
    { field: 'backendVersion', label: 'Version', type: 'select', options: ['2.0', '1.2'] },
    { field: 'devicePath', label: 'Host device', type: 'text', placeholder: '/dev/tpm0' },
  ],
  rng: [
    { field: 'model', label: 'Model', type: 'select', options: ['virtio', 'virtio-transitional', 'virtio-non-transitional'] },
    { field: 'backendModel', label: 'Backend', type: 'select', options: ['random', 'egd', 'builtin'] },
    { field: 'backendSource', label: 'Host device', type: 'text', placeholder: '/dev/urandom' },
  ],
  watchdog: [
    { field: 'model', label: 'Model', type: 'select', options: ['i6300esb', 'itco', 'ib700', 'diag288'] },
    { field: 'action', label: 'Action', type: 'select', options: ['reset', 'shutdown', 'poweroff', 'pause', 'none', 'dump', 'inject-nmi'] },
  ],
  panic: [{ field: 'model', label: 'Model', type: 'select', options: ['isa', 'pvpanic', 'hyperv', 'pseries', 's390'] }],
  filesystem: [
    { field: 'driverType', label: 'Driver', type: 'select', options: ['virtiofs', 'path', 'handle', 'loop', 'nbd'] },
    { field: 'accessMode', label: 'Access mode', type: 'select', options: ['passthrough', 'mapped', 'squash'] },
    { field: 'sourceDir', label: 'Source path', type: 'text' },
    { field: 'targetDir', label: 'Target path (mount tag)', type: 'text' },
    { field: 'readonly', label: 'Read-only', type: 'check' },
  ],
  controller: [
    { field: 'type', label: 'Type', type: 'readonly' },
    { field: 'index', label: 'Index', type: 'readonly' },
    { field: 'model', label: 'Model', type: 'text' },
  ],
  hostdev: [
    { field: 'type', label: 'Type', type: 'readonly' },
    { field: 'managed', label: 'Managed (detach from the host driver)', type: 'check' },
    { field: 'vendorId', label: 'Vendor id', type: 'readonly' },
    { field: 'productId', label: 'Product id', type: 'readonly' },
    { field: 'sourceDomain', label: 'PCI domain', type: 'readonly' },
    { field: 'sourceBus', label: 'Bus', type: 'readonly' },
    { field: 'sourceSlot', label: 'Slot', type: 'readonly' },
    { field: 'sourceFunction', label: 'Function', type: 'readonly' },
    { field: 'sourceDevice', label: 'USB device', type: 'readonly' },
  ],
  memballoon: [
    { field: 'model', label: 'Model', type: 'select', options: ['virtio', 'virtio-transitional', 'virtio-non-transitional', 'xen', 'none'] },
    { field: 'autodeflate', label: 'Deflate on OOM', type: 'check' },
    { field: 'statsPeriod', label: 'Stats period (s)', type: 'number', min: 0 },
  ],
};

/** Fields that only make sense for some values of another: a file disk has no pool. */
function relevant(device: Device, spec: FieldSpec): boolean {
  const get = (field: string): unknown => (device as Device<'other'>).get(field as 'type');
  if (device.is('disk')) {
    const type = get('type') ?? 'file';
    if (spec.field === 'sourceFile') return type === 'file';
    if (spec.field === 'sourceDev') return type === 'block';
    if (spec.field === 'sourcePool' || spec.field === 'sourceVolume') return type === 'volume';
  }
  if (device.is('interface')) {
    const type = get('type');
    if (spec.field === 'sourceNetwork') return type === 'network';
    if (spec.field === 'sourceBridge') return type === 'bridge';
    if (spec.field === 'sourceDev' || spec.field === 'sourceMode') return type === 'direct';
  }
  if (device.is('graphics') && spec.field === 'port') return get('autoport') === false;
  if (device.is('tpm') && spec.field === 'devicePath') return get('backendType') === 'passthrough';
  if (device.is('tpm') && spec.field === 'backendVersion') return get('backendType') === 'emulator';
  if (device.is('rng') && spec.field === 'backendSource') return get('backendModel') === 'random';
  if (device.is('hostdev')) {
    const value = get(spec.field);
    return spec.field === 'type' || spec.field === 'managed' || value !== undefined;
  }
  if (device.kind === 'serial' || device.kind === 'console' || device.kind === 'channel' || device.kind === 'parallel') {
    const type = get('type');
    if (spec.field === 'sourcePath') return type === 'file' || type === 'unix' || type === 'dev' || type === 'pipe' || get('sourcePath') !== undefined;
    if (spec.field === 'sourceMode') return type === 'unix' || type === 'tcp';
    if (spec.field === 'sourceHost' || spec.field === 'sourceService') return type === 'tcp' || type === 'udp';
    if (spec.field === 'targetName') return device.kind === 'channel';
  }
  return true;
}

export interface DevicePageProps {
  device: Device;
  config: DomainConfig;
  details: VmDetails;
  issues: readonly DetailsIssue[];
  resources: HostResources | null;
  running: boolean;
  /** Edits this device; returns its id afterwards. */
  editDevice(change: (device: Device, config: DomainConfig) => void): void;
  remove(): void;
}

/** The addresses the host knows a running VM's NIC by (virt-manager's "IP address"). */
function NicAddressRow({ details, mac }: { details: VmDetails; mac: string }) {
  const client = useApi();
  const [found, setFound] = useState<NicAddresses | null | undefined>(undefined);
  // Asked again every few seconds: a booting guest gets its lease a little later.
  useEffect(() => {
    let current = true;
    const ask = () =>
      client.call('details.addresses', { connectionId: details.connectionId, uuid: details.uuid }).then(
        (nics) => current && setFound(nics.find((nic) => nic.mac === mac.toLowerCase()) ?? null),
        () => current && setFound(null),
      );
    void ask();
    const timer = setInterval(() => void ask(), 5000);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [client, details.connectionId, details.uuid, mac]);
  const text =
    found === undefined
      ? 'Asking…'
      : found === null || found.addresses.length === 0
        ? 'Unknown: no DHCP lease or ARP entry for it yet'
        : found.addresses.map((a) => `${a.address}/${a.prefix}${a.source === 'arp' ? ' (ARP)' : ''}`).join(', ');
  return <ReadOnlyRow label="IP address" value={text} testId="device-ip-address" />;
}

/** A disk's size, and growing it at once (not part of Apply: libvirt resizes the disk itself, not the definition). */
function DiskSizeRow({ details, target }: { details: VmDetails; target: string }) {
  const client = useApi();
  const vm = { connectionId: details.connectionId, uuid: details.uuid };
  const [capacity, setCapacity] = useState<number | null | undefined>(undefined);
  const [size, setSize] = useState('');
  const { busy, error, act } = useAction();
  useEffect(() => {
    let current = true;
    client.call('details.diskCapacity', { connectionId: details.connectionId, uuid: details.uuid, target }).then(
      (found) => current && setCapacity(found.capacityBytes),
      () => current && setCapacity(null),
    );
    return () => {
      current = false;
    };
  }, [client, details.connectionId, details.uuid, target]);
  const gib = Number(size);
  const grow = () =>
    void act(async () => {
      const resized = await client.call('details.resizeDisk', { ...vm, target, sizeMiB: Math.round(gib * 1024) });
      setCapacity(resized.capacityBytes);
      setSize('');
    });
  return (
    <Row label="Size" hint={error ?? (details.state === 'running' ? 'Grows live: the guest sees the new size at once' : undefined)}>
      {(id) => (
        <>
          <span data-testid="device-capacity">{capacity === undefined ? 'Asking…' : capacity === null ? 'unknown' : bytes(capacity)}</span>
          <input id={id} type="text" inputMode="decimal" placeholder="new size, GiB" value={size} onChange={(e) => setSize(e.target.value)} disabled={capacity === null} data-testid="device-grow-size" />
          <button type="button" disabled={busy || !(gib > 0)} onClick={grow} data-testid="device-grow">
            Grow now
          </button>
        </>
      )}
    </Row>
  );
}

export function DevicePage({ device, details, issues, resources, running, editDevice, remove }: DevicePageProps) {
  const specs = device.kind === 'other' ? [] : DEVICE_FORMS[device.kind];
  const value = (field: string) => (device as Device<'other'>).get(field as 'type') as unknown;
  const set = (field: string, next: unknown) => editDevice((d) => void (d as Device<'other'>).set(field as 'type', next as string | undefined));
  const isMedia = device.is('disk') && (device.get('device') === 'cdrom' || device.get('device') === 'floppy');
  const controls: ReactNode[] = specs
    .filter((spec) => relevant(device, spec))
    .map((spec) => {
      const current = value(spec.field);
      switch (spec.type) {
        case 'readonly':
          return <ReadOnlyRow key={spec.field} label={spec.label} value={current === undefined ? '' : String(current)} testId={testId(spec.field)} />;
        case 'path':
          return (
            <PathField
              key={spec.field}
              label={spec.label}
              browseTitle={`${spec.label} of ${deviceLabel(device)}`}
              value={current as string | undefined}
              onChange={(text) => set(spec.field, text)}
              placeholder={spec.placeholder}
              list={spec.list}
              testId={testId(spec.field)}
            />
          );
        case 'text':
          return (
            <TextField
              key={spec.field}
              label={spec.label}
              value={current as string | undefined}
              onChange={(text) => set(spec.field, text)}
              placeholder={spec.placeholder}
              list={spec.list}
              testId={testId(spec.field)}
            />
          );
        case 'number':
          return <NumberField key={spec.field} label={spec.label} value={current as number | undefined} min={spec.min} onChange={(n) => set(spec.field, n)} testId={testId(spec.field)} />;
        case 'select':
          return <SelectField key={spec.field} label={spec.label} value={current as string | undefined} options={spec.options} onChange={(v) => set(spec.field, v)} allowNone testId={testId(spec.field)} />;
        case 'check':
          return <CheckField key={spec.field} label={spec.label} checked={current === true} onChange={(on) => set(spec.field, on)} testId={testId(spec.field)} />;
      }
    });
  return (
    <section className="dt-page" aria-label={deviceLabel(device)} data-testid={`page-device`}>
      <h2>{deviceLabel(device)}</h2>
      <p className="dt-hint">
        &lt;{device.tag}&gt; {device.id}
      </p>
      {controls.length === 0 && <p className="dt-hint">Vireo has no form for this device: edit it in the XML tab.</p>}
      {controls}
      {device.is('disk') && (device.get('device') ?? 'disk') === 'disk' && device.get('targetDev') !== undefined && <DiskSizeRow key={details.state} details={details} target={device.get('targetDev')!} />}
      {device.is('interface') && running && device.get('mac') !== undefined && <NicAddressRow details={details} mac={device.get('mac')!} />}
      {device.is('interface') && (
        <CheckField
          label="Link state: up"
          checked={device.get('linkState') !== 'down'}
          onChange={(up) => editDevice((d) => void (d as Device<'interface'>).set('linkState', up ? (d.element.find('link') ? 'up' : undefined) : 'down'))}
          testId="device-link"
          hint={running ? 'Changes live' : undefined}
        />
      )}
      {device.is('graphics') && (device.get('type') === 'vnc' || device.get('type') === 'spice') && (
        <>
          <CheckField label="Password" checked={device.get('passwd') !== undefined} onChange={(on) => editDevice((d) => void (d as Device<'graphics'>).set('passwd', on ? '' : undefined))} testId="device-password-on" />
          {device.get('passwd') !== undefined && (
            <TextField label="Password value" value={device.get('passwd')} onChange={(text) => editDevice((d) => void (d as Device<'graphics'>).set('passwd', text ?? ''))} testId="device-passwd" />
          )}
        </>
      )}
      {isMedia && (
        <div className="dt-row">
          <span className="dt-label">Media</span>
          <div className="dt-control">
            <button type="button" disabled={device.get('sourceFile') === undefined && device.get('sourceDev') === undefined} onClick={() => editDevice((d) => void (d as Device<'disk'>).update({ sourceFile: undefined, sourceDev: undefined }))} data-testid="device-eject">
              Eject
            </button>
            {running && <span className="dt-hint">Media changes apply live.</span>}
          </div>
        </div>
      )}
      <datalist id="dt-networks">
        {resources?.networks.map((network) => (
          <option key={network.name} value={network.name} />
        ))}
      </datalist>
      <datalist id="dt-host-interfaces">
        {resources?.interfaces.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <datalist id="dt-volume-paths">
        {resources?.pools.flatMap((pool) => pool.volumes.map((volume) => <option key={volume.path} value={volume.path}>{`${pool.name}/${volume.name}`}</option>))}
      </datalist>
      <IssueList issues={issues} subject={device.id} testId="issue-device" />
      <div className="dt-page-actions">
        <button type="button" className="dt-danger" onClick={remove} data-testid="device-remove">
          Remove
        </button>
      </div>
    </section>
  );
}
