// The Add Hardware dialog: one form per device type; Finish adds the device to the edited
// next-boot XML (Apply then defines it, and hot-plugs it into a running VM where QEMU can).
import { useState } from 'react';
import { hasGuestAgent, nextTargetDev, randomMac, setSharedMemory, sharedMemory } from '../../../../shared/details/config.js';
import type { HostResources } from '../../../../shared/details/model.js';
import { XmlSyntaxError, parseElement } from '../../../../shared/xml/document.js';
import type { Device } from '../../../../shared/xml/devices.js';
import type { DomainConfig } from '../../../../shared/xml/domain.js';
import { Modal } from '../../../components/Modal.js';
import { CheckField, PathField, Row, SelectField, TextField } from './fields.js';

export const HARDWARE_TYPES = [
  ['storage', 'Storage'],
  ['controller', 'Controller'],
  ['network', 'Network'],
  ['input', 'Input'],
  ['graphics', 'Graphics'],
  ['sound', 'Sound'],
  ['serial', 'Serial'],
  ['parallel', 'Parallel'],
  ['console', 'Console'],
  ['channel', 'Channel'],
  ['usb', 'USB Host Device'],
  ['pci', 'PCI Host Device'],
  ['video', 'Video'],
  ['watchdog', 'Watchdog'],
  ['filesystem', 'Filesystem'],
  ['tpm', 'TPM'],
  ['rng', 'RNG'],
  ['panic', 'Panic Notifier'],
  ['xml', 'Custom XML'],
] as const;
export type HardwareType = (typeof HARDWARE_TYPES)[number][0];

/** The form's values, all text; each type reads the ones it uses. */
export type HardwareForm = Record<string, string>;

const DEFAULTS: Record<HardwareType, HardwareForm> = {
  storage: { device: 'disk', bus: 'virtio', source: 'existing', path: '', pool: '', size: '20', name: '', format: '', cache: '', readonly: '' },
  controller: { type: 'scsi', model: 'virtio-scsi' },
  network: { type: 'network', source: 'default', model: 'virtio', mac: '' },
  input: { type: 'tablet', bus: 'usb' },
  graphics: { type: 'vnc', listen: '127.0.0.1', password: '' },
  sound: { model: 'ich9' },
  serial: { type: 'pty', path: '' },
  parallel: { type: 'pty', path: '' },
  console: { type: 'pty', target: 'virtio' },
  channel: { preset: 'qemu-ga', name: '' },
  usb: { device: '' },
  pci: { device: '' },
  video: { model: 'virtio' },
  watchdog: { model: 'i6300esb', action: 'reset' },
  filesystem: { driver: 'virtiofs', source: '', target: '', readonly: '' },
  tpm: { model: 'tpm-crb', backend: 'emulator', path: '/dev/tpm0' },
  rng: { source: '/dev/urandom' },
  panic: { model: 'isa' },
  xml: { xml: '' },
};

const formatOf = (path: string) => (/\.qcow2$/i.test(path) ? 'qcow2' : /\.vmdk$/i.test(path) ? 'vmdk' : 'raw');

/**
 * Adds the device a form describes to the document; returns it, or throws an Error with what is
 * missing. Pure apart from the random MAC, so it is tested without a browser.
 */
export function addHardware(config: DomainConfig, type: HardwareType, form: HardwareForm, resources: HostResources | null): Device {
  const need = (key: string, what: string) => {
    const value = form[key]?.trim() ?? '';
    if (value === '') throw new Error(`Enter ${what}`);
    return value;
  };
  switch (type) {
    case 'storage': {
      const device = (form.device ?? 'disk') as 'disk' | 'cdrom' | 'floppy';
      const bus = device === 'floppy' ? 'fdc' : (form.bus ?? 'virtio');
      const path = form.path?.trim() ?? '';
      if (device === 'disk' && path === '') throw new Error('Enter the path of the disk image or device');
      const block = path.startsWith('/dev/');
      return config.addDisk({
        type: block ? 'block' : 'file',
        device,
        driverName: 'qemu',
        driverType: (form.format || undefined) ?? (block ? 'raw' : formatOf(path)),
        ...(path !== '' && (block ? { sourceDev: path } : { sourceFile: path })),
        targetDev: nextTargetDev(config, bus),
        targetBus: bus as 'virtio',
        ...(form.cache && { cache: form.cache as 'none' }),
        readonly: device !== 'disk' || form.readonly === 'yes',
      });
    }
    case 'controller': {
      const kind = (form.type ?? 'scsi') as 'scsi';
      const indexes = config.devices('controller').filter((c) => c.get('type') === kind).map((c) => c.get('index') ?? 0);
      return config.addDevice('controller', { type: kind, index: indexes.length === 0 ? 0 : Math.max(...indexes) + 1, ...(form.model && { model: form.model }) });
    }
    case 'network': {
      const kind = (form.type ?? 'network') as 'network' | 'bridge' | 'direct' | 'user';
      const mac = form.mac?.trim() || randomMac(config);
      const source =
        kind === 'network' ? { sourceNetwork: need('source', 'a virtual network') } : kind === 'bridge' ? { sourceBridge: need('source', 'a bridge device') } : kind === 'direct' ? { sourceDev: need('source', 'a host device'), sourceMode: 'bridge' } : {};
      return config.addInterface({ type: kind, mac, ...source, model: form.model || 'virtio' });
    }
    case 'input':
      return config.addDevice('input', { type: (form.type ?? 'tablet') as 'tablet', bus: (form.bus ?? 'usb') as 'usb' });
    case 'graphics':
      return config.addDevice('graphics', { type: (form.type ?? 'vnc') as 'vnc', autoport: true, listen: form.listen || undefined, ...(form.password && { passwd: form.password }) });
    case 'sound':
      return config.addDevice('sound', { model: (form.model ?? 'ich9') as 'ich9' });
    case 'serial':
    case 'parallel': {
      const kind = (form.type ?? 'pty') as 'pty' | 'file' | 'unix';
      return config.addDevice(type, { type: kind, ...(kind !== 'pty' && { sourcePath: need('path', 'the source path') }), ...(kind === 'unix' && { sourceMode: 'bind' }) });
    }
    case 'console':
      return config.addDevice('console', { type: 'pty', targetType: form.target || 'virtio' });
    case 'channel': {
      if (form.preset === 'qemu-ga') {
        if (hasGuestAgent(config)) throw new Error('The VM already has a QEMU guest agent channel');
        return config.addDevice('channel', { type: 'unix', targetType: 'virtio', targetName: 'org.qemu.guest_agent.0' });
      }
      if (form.preset === 'spice') return config.addDevice('channel', { type: 'spicevmc', targetType: 'virtio', targetName: 'com.redhat.spice.0' });
      return config.addDevice('channel', { type: 'unix', targetType: 'virtio', targetName: need('name', 'the channel name') });
    }
    case 'usb': {
      const device = resources?.usb.find((d) => d.name === form.device);
      if (!device) throw new Error('Choose a USB device of the host');
      if (device.vendorId && device.productId) return config.addDevice('hostdev', { mode: 'subsystem', type: 'usb', managed: true, vendorId: device.vendorId, productId: device.productId });
      return config.addDevice('hostdev', { mode: 'subsystem', type: 'usb', managed: true, sourceBus: device.usb?.bus, sourceDevice: device.usb?.device });
    }
    case 'pci': {
      const device = resources?.pci.find((d) => d.name === form.device);
      if (!device?.pci) throw new Error('Choose a PCI device of the host');
      const { domain, bus, slot, function: fn } = device.pci;
      return config.addDevice('hostdev', { mode: 'subsystem', type: 'pci', managed: true, sourceDomain: domain, sourceBus: bus, sourceSlot: slot, sourceFunction: fn });
    }
    case 'video':
      return config.addDevice('video', { model: (form.model ?? 'virtio') as 'virtio' });
    case 'watchdog':
      return config.addDevice('watchdog', { model: (form.model ?? 'i6300esb') as 'i6300esb', action: (form.action ?? 'reset') as 'reset' });
    case 'filesystem': {
      const driver = form.driver ?? 'virtiofs';
      const filesystem = config.addDevice('filesystem', {
        type: 'mount',
        accessMode: driver === 'virtiofs' ? 'passthrough' : 'mapped',
        driverType: driver,
        sourceDir: need('source', 'the host folder to share'),
        targetDir: need('target', 'a mount tag'),
        readonly: form.readonly === 'yes',
      });
      // virtiofs needs the guest's memory shared with virtiofsd.
      if (driver === 'virtiofs' && !sharedMemory(config)) setSharedMemory(config, true);
      return filesystem;
    }
    case 'tpm':
      return config.addDevice('tpm', {
        model: (form.model ?? 'tpm-crb') as 'tpm-crb',
        backendType: (form.backend ?? 'emulator') as 'emulator',
        ...(form.backend === 'passthrough' ? { devicePath: need('path', 'the host TPM device') } : { backendVersion: '2.0' as const }),
      });
    case 'rng':
      return config.addDevice('rng', { model: 'virtio', backendModel: 'random', backendSource: form.source || '/dev/urandom' });
    case 'panic':
      return config.addDevice('panic', { model: (form.model ?? 'isa') as 'isa' });
    case 'xml': {
      const text = need('xml', 'the device XML');
      try {
        const element = parseElement(text);
        return config.addDeviceXml(element);
      } catch (e) {
        if (e instanceof XmlSyntaxError) throw new Error(`The XML is not well-formed: ${e.message}`, { cause: e });
        throw e;
      }
    }
  }
}

/** A volume name in `pool` that is not taken: vm-disk1.qcow2, vm-disk2.qcow2... */
export function freeVolumeName(resources: HostResources | null, pool: string, vmName: string, format: string): string {
  const taken = new Set(resources?.pools.find((p) => p.name === pool)?.volumes.map((volume) => volume.name) ?? []);
  for (let n = 1; ; n++) {
    const name = `${vmName}-disk${n}.${format}`;
    if (!taken.has(name)) return name;
  }
}

export interface AddHardwareProps {
  resources: HostResources | null;
  vmName: string;
  /** Creates a volume for "Create a disk image"; resolves its path. */
  createVolume(pool: string, name: string, capacityMiB: number, format: 'qcow2' | 'raw'): Promise<string>;
  /** Adds the device; returns its id, or throws with what is wrong. */
  add(type: HardwareType, form: HardwareForm): string | undefined;
  onClose(): void;
}

export function AddHardwareDialog({ resources, vmName, createVolume, add, onClose }: AddHardwareProps) {
  const [type, setType] = useState<HardwareType>('storage');
  const [forms, setForms] = useState<Record<HardwareType, HardwareForm>>(DEFAULTS);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = forms[type];
  const set = (key: string) => (value: string | undefined) => {
    setError(null);
    setForms((previous) => ({ ...previous, [type]: { ...previous[type], [key]: value ?? '' } }));
  };
  const text = (key: string, label: string, extra: { placeholder?: string; list?: string; multiline?: boolean } = {}) => (
    <TextField label={label} value={form[key] || undefined} onChange={set(key)} testId={`hw-${key}`} {...extra} />
  );
  const select = (key: string, label: string, options: ReadonlyArray<string | readonly [string, string]>) => (
    <SelectField label={label} value={form[key] || undefined} options={options} onChange={set(key)} testId={`hw-${key}`} allowNone={options.length === 0 ? '(none available)' : false} />
  );
  const check = (key: string, label: string) => <CheckField label={label} checked={form[key] === 'yes'} onChange={(on) => set(key)(on ? 'yes' : '')} testId={`hw-${key}`} />;

  const activePools = resources?.pools.filter((pool) => pool.active).map((pool) => pool.name) ?? [];
  const newPool = form.pool || activePools[0] || '';
  const newFormat = form.format === 'raw' ? 'raw' : 'qcow2';
  const newName = form.name || (newPool ? freeVolumeName(resources, newPool, vmName, newFormat) : '');

  const finish = async () => {
    setError(null);
    try {
      let used = form;
      if (type === 'storage' && form.device === 'disk' && form.source === 'new') {
        const gib = Number(form.size);
        if (!/^[0-9]+(\.[0-9]+)?$/.test(form.size ?? '') || gib <= 0) throw new Error('Enter the size of the new disk image in GiB');
        if (newPool === '') throw new Error('Choose a storage pool for the new disk image (no active pool on this host)');
        setBusy(true);
        const path = await createVolume(newPool, newName, Math.round(gib * 1024), newFormat);
        used = { ...form, path, format: newFormat };
      }
      add(type, used);
      onClose();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const volumes = resources?.pools.flatMap((pool) => pool.volumes.map((volume) => [volume.path, `${pool.name}/${volume.name}`] as const)) ?? [];
  let body;
  switch (type) {
    case 'storage':
      body = (
        <>
          {select('device', 'Device type', [['disk', 'Disk device'], ['cdrom', 'CDROM device'], ['floppy', 'Floppy device']])}
          {form.device !== 'floppy' && select('bus', 'Bus type', ['virtio', 'sata', 'scsi', 'usb', 'ide'])}
          {form.device === 'disk' && select('source', 'Storage', [['existing', 'Use an existing image, volume or device'], ['new', 'Create a disk image']])}
          {form.device === 'disk' && form.source === 'new' ? (
            <>
              <SelectField label="Storage pool" value={newPool || undefined} options={activePools} onChange={set('pool')} testId="hw-pool" allowNone={activePools.length === 0 ? '(no active pool)' : false} />
              {text('size', 'Size (GiB)')}
              <TextField label="Volume name" value={newName || undefined} onChange={set('name')} testId="hw-name" />
            </>
          ) : (
            <PathField
              label={form.device === 'disk' ? 'Disk image or device path' : 'Media path (empty: no media)'}
              browseTitle={form.device === 'disk' ? 'Choose the disk image or device' : 'Choose the media'}
              value={form.path || undefined}
              onChange={set('path')}
              placeholder="/var/lib/libvirt/images/disk.qcow2"
              list="hw-volumes"
              testId="hw-path"
            />
          )}
          <datalist id="hw-volumes">
            {volumes.map(([path, name]) => (
              <option key={path} value={path}>
                {name}
              </option>
            ))}
          </datalist>
          {select('format', 'Format', [['', 'from the file name'], 'raw', 'qcow2'])}
          {select('cache', 'Cache mode', [['', 'hypervisor default'], 'none', 'writeback', 'writethrough', 'directsync', 'unsafe'])}
          {form.device === 'disk' && check('readonly', 'Read-only')}
        </>
      );
      break;
    case 'controller':
      body = (
        <>
          {select('type', 'Type', ['scsi', 'usb', 'sata', 'virtio-serial', 'ccid'])}
          {text('model', 'Model', { placeholder: 'virtio-scsi, qemu-xhci...' })}
        </>
      );
      break;
    case 'network':
      body = (
        <>
          {select('type', 'Network source', [['network', 'Virtual network'], ['bridge', 'Bridge device'], ['direct', 'Macvtap device'], ['user', 'Usermode networking']])}
          {form.type === 'network' && select('source', 'Virtual network', resources?.networks.map((network) => [network.name, `${network.name}${network.active ? '' : ' (inactive)'}`] as const) ?? [])}
          {(form.type === 'bridge' || form.type === 'direct') && (
            <>
              {text('source', form.type === 'bridge' ? 'Bridge device name' : 'Host device', { list: 'hw-interfaces' })}
              <datalist id="hw-interfaces">
                {resources?.interfaces.map((name) => (
                  <option key={name} value={name} />
                ))}
              </datalist>
            </>
          )}
          {select('model', 'Device model', ['virtio', 'e1000e', 'e1000', 'rtl8139'])}
          {text('mac', 'MAC address', { placeholder: 'generated (52:54:00:…)' })}
        </>
      );
      break;
    case 'input':
      body = (
        <>
          {select('type', 'Type', ['tablet', 'mouse', 'keyboard'])}
          {select('bus', 'Bus', ['usb', 'virtio', 'ps2'])}
        </>
      );
      break;
    case 'graphics':
      body = (
        <>
          {select('type', 'Type', [['vnc', 'VNC server'], ['spice', 'Spice server']])}
          {text('listen', 'Listen address')}
          {text('password', 'Password (empty: none)')}
        </>
      );
      break;
    case 'sound':
      body = select('model', 'Model', ['ich9', 'ich6', 'ac97', 'usb']);
      break;
    case 'serial':
    case 'parallel':
      body = (
        <>
          {select('type', 'Device type', [['pty', 'Pseudo TTY (pty)'], ['file', 'Output to a file'], ['unix', 'UNIX socket']])}
          {form.type !== 'pty' && text('path', 'Path')}
        </>
      );
      break;
    case 'console':
      body = select('target', 'Device type', [['virtio', 'VirtIO console'], ['serial', 'Serial']]);
      break;
    case 'channel':
      body = (
        <>
          {select('preset', 'Name', [['qemu-ga', 'org.qemu.guest_agent.0 (QEMU guest agent)'], ['spice', 'com.redhat.spice.0 (Spice agent)'], ['custom', 'Other']])}
          {form.preset === 'custom' && text('name', 'Channel name')}
        </>
      );
      break;
    case 'usb':
      body = select('device', 'Host device', resources?.usb.map((d) => [d.name, `${d.address} ${d.vendor ?? ''} ${d.product ?? ''}`.trim()] as const) ?? []);
      break;
    case 'pci':
      body = select('device', 'Host device', resources?.pci.map((d) => [d.name, `${d.address} ${d.vendor ?? ''} ${d.product ?? ''}`.trim()] as const) ?? []);
      break;
    case 'video':
      body = select('model', 'Model', ['virtio', 'qxl', 'vga', 'bochs', 'ramfb', 'none']);
      break;
    case 'watchdog':
      body = (
        <>
          {select('model', 'Model', ['i6300esb', 'itco', 'ib700'])}
          {select('action', 'Action', ['reset', 'poweroff', 'shutdown', 'pause', 'dump', 'inject-nmi', 'none'])}
        </>
      );
      break;
    case 'filesystem':
      body = (
        <>
          {select('driver', 'Driver', [['virtiofs', 'virtiofs'], ['path', '9p (virtio-9p)']])}
          {text('source', 'Source path')}
          {text('target', 'Target path (mount tag)')}
          {check('readonly', 'Export filesystem as read-only mount')}
          {form.driver === 'virtiofs' && <p className="dt-hint">virtiofs also turns on shared memory.</p>}
        </>
      );
      break;
    case 'tpm':
      body = (
        <>
          {select('model', 'Model', ['tpm-crb', 'tpm-tis'])}
          {select('backend', 'Backend', [['emulator', 'Emulated (swtpm)'], ['passthrough', 'Passthrough']])}
          {form.backend === 'passthrough' && text('path', 'Host device')}
        </>
      );
      break;
    case 'rng':
      body = text('source', 'Host device');
      break;
    case 'panic':
      body = select('model', 'Model', ['isa', 'pvpanic', 'hyperv']);
      break;
    case 'xml':
      body = text('xml', 'Device XML', { multiline: true, placeholder: "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>" });
      break;
  }

  return (
    <Modal title="Add New Virtual Hardware" onClose={onClose} testId="add-hardware" className="dt-add-hardware">
      <div className="dt-add-hardware-body">
        <ul className="dt-hw-types" role="listbox" aria-label="Hardware type">
          {HARDWARE_TYPES.map(([key, label]) => (
            <li key={key} role="option" aria-selected={key === type}>
              <button
                type="button"
                onClick={() => {
                  setType(key);
                  setError(null);
                }}
                data-testid={`hw-type-${key}`}
              >
                {label}
              </button>
            </li>
          ))}
        </ul>
        <div className="dt-hw-form">
          <Row label="Type">{() => <strong>{HARDWARE_TYPES.find(([key]) => key === type)![1]}</strong>}</Row>
          {body}
          {error && (
            <p className="dt-issues" role="alert" data-testid="hw-error">
              {error}
            </p>
          )}
        </div>
      </div>
      <div className="dt-dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="dt-primary" onClick={() => void finish()} disabled={busy} data-testid="hw-finish">
          {busy ? 'Creating…' : 'Finish'}
        </button>
      </div>
    </Modal>
  );
}
