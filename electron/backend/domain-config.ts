// The VM details view's backend (the VM window's Details tab): reads a VM's next-boot and live
// configuration, and applies an edited next-boot XML.
//
// An apply is checked whole first and refused whole with specific issues (nothing changes); then
//  1. persistent: a rename (shut-off VMs only) and domainDefine with VALIDATE of the edited XML,
//     which the view edited in place with shared/xml, so nothing it did not touch changes;
//  2. autostart;
//  3. live, for a running VM: what libvirt can change on the fly (memory, vCPUs up to the maximum,
//     title and description, device attach/detach, CD media, link state, display password). What
//     it cannot, or refuses, takes effect at the next boot: VmDetails.pending lists the differences
//     between the live XML and the next-boot XML afterwards.
import { stat } from 'node:fs/promises';
import { type ConnectionHandle, type LibvirtError, type NativeBinding, type VolumeInfo, drainBatch, isLibvirtError } from '../../native/index.js';
import type { ValidParams } from '../../shared/api/contract.js';
import { ApiCallError, toApiError } from '../../shared/api/errors.js';
import { type LiveAction, compareConfigs, planLive } from '../../shared/details/changes.js';
import { osInfoId } from '../../shared/details/config.js';
import type { ApplyOutcome, ConfigChange, DetailsCapabilities, DetailsIssue, HostDevice, HostResources, NicAddresses, VmDetails } from '../../shared/details/model.js';
import type { ApiErrorIssue } from '../../shared/models/error.js';
import { XmlSyntaxError, escapeText, parse, type XmlElement } from '../../shared/xml/document.js';
import type { Device } from '../../shared/xml/devices.js';
import { DomainConfig, DomainConfigError } from '../../shared/xml/domain.js';
import { type ConnectionManager, isLocalUri } from './connection-manager.js';
import { domainStateName, isShutOff } from './domain-state.js';
import { scanOtherDomains, writableDiskUsers } from './domain-xml.js';
import type { EventBus } from './event-bus.js';
import { loadOsCatalogue } from './provisioning/osinfo.js';

export interface DomainConfigServiceOptions {
  binding: NativeBinding;
  connections: ConnectionManager;
  events: EventBus;
  /** Where libosinfo's database is (tests); default osinfo-db's. */
  osinfoDir?: string;
}

/** Running (or paused, shutting down...): the live XML and live changes apply. */
const isRunning = (state: string) => !isShutOff(state) && state !== 'nostate';

/** Issues as the 'invalid-input' error carries them: path [subject], or ['xml', line, column]. */
export function issuesError(message: string, issues: readonly DetailsIssue[]): ApiCallError {
  const apiIssues: ApiErrorIssue[] = issues.map((issue) => ({
    path: issue.line === undefined ? [issue.subject] : [issue.subject, issue.line, issue.column ?? 1],
    message: issue.message,
  }));
  return new ApiCallError({ code: 'invalid-input', message: `${message}: ${issues.map((issue) => issue.message).join('; ')}`, issues: apiIssues });
}

/** Parses XML for an apply; malformed XML or a non-domain document becomes an 'xml' issue. */
export function parseForApply(xml: string): DomainConfig {
  try {
    return DomainConfig.parse(xml);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw issuesError('The XML is not well-formed', [{ subject: 'xml', message: e.reason, line: e.line, column: e.column }]);
    if (e instanceof DomainConfigError) throw issuesError('The XML is not a domain', [{ subject: 'xml', message: e.message }]);
    throw e;
  }
}

const isCode = (e: unknown, ...codes: string[]): e is LibvirtError => isLibvirtError(e) && codes.includes(e.code);

/** Capabilities of the VM's emulator from virConnectGetDomainCapabilities XML. */
export function parseDomainCapabilities(xml: string): DetailsCapabilities {
  const caps = parse(xml).root;
  const values = (path: string) => caps.find(path)?.children('value').map((value) => value.text().trim()) ?? [];
  const supported = (path: string) => caps.find(path)?.attr('supported') === 'yes';
  const models = caps.findAll('cpu/mode[@name="custom"]/model');
  const firmwares = values('os/enum[@name="firmware"]').filter((value): value is 'bios' | 'efi' => value === 'bios' || value === 'efi');
  const arch = caps.child('arch')?.text().trim();
  const maxVcpus = Number(caps.child('vcpu')?.attr('max'));
  return {
    maxVcpus: Number.isFinite(maxVcpus) && maxVcpus > 0 ? maxVcpus : null,
    cpuModes: {
      hostPassthrough: supported('cpu/mode[@name="host-passthrough"]'),
      hostModel: supported('cpu/mode[@name="host-model"]'),
      maximum: supported('cpu/mode[@name="maximum"]'),
      custom: supported('cpu/mode[@name="custom"]'),
    },
    cpuModels: [...models.filter((m) => m.attr('usable') !== 'no'), ...models.filter((m) => m.attr('usable') === 'no')].map((m) => m.text().trim()),
    // x86 always has a BIOS; firmware autoselection lists what else is installed.
    firmwares: firmwares.length === 0 ? ['bios'] : arch === 'x86_64' || arch === 'i686' ? ['bios', ...firmwares.filter((f) => f !== 'bios')] : firmwares,
    diskBuses: values('devices/disk/enum[@name="bus"]'),
    videoModels: values('devices/video/enum[@name="modelType"]'),
    graphicsTypes: values('devices/graphics/enum[@name="type"]'),
    hostdevTypes: values('devices/hostdev/enum[@name="subsysType"]'),
    tpmModels: values('devices/tpm/enum[@name="model"]'),
    rngModels: values('devices/rng/enum[@name="model"]'),
    filesystemDrivers: values('devices/filesystem/enum[@name="driverType"]'),
  };
}

const hex = (value: string | null, width: number) => `0x${Number(value ?? 0).toString(16).padStart(width, '0')}`;

/** A host PCI or USB device from its node device XML; null for anything else. */
export function parseHostDevice(xml: string): HostDevice | null {
  const device = parse(xml).root;
  const name = device.child('name')?.text().trim() ?? '';
  const capability = device.child('capability');
  const type = capability?.attr('type');
  if (capability === undefined || (type !== 'pci' && type !== 'usb_device')) return null;
  const text = (path: string) => capability.find(path)?.text().trim() || null;
  const vendor = capability.child('vendor');
  const product = capability.child('product');
  const base = { name, vendor: vendor?.text().trim() || null, product: product?.text().trim() || null, vendorId: vendor?.attr('id') ?? null, productId: product?.attr('id') ?? null };
  if (type === 'pci') {
    const pci = { domain: hex(text('domain'), 4), bus: hex(text('bus'), 2), slot: hex(text('slot'), 2), function: hex(text('function'), 1) };
    const address = `${pci.domain.slice(2)}:${pci.bus.slice(2)}:${pci.slot.slice(2)}.${pci.function.slice(2)}`;
    return { ...base, address, pci };
  }
  const usb = { bus: text('bus') ?? '0', device: text('device') ?? '0' };
  return { ...base, address: `Bus ${usb.bus.padStart(3, '0')} Device ${usb.device.padStart(3, '0')}`, usb };
}

/** The device's XML for a live call, without the parts a running VM assigns itself. */
function withoutAddress(device: Device): string {
  const copy = DomainConfig.parse(`<domain>${device.toXml()}</domain>`).element.children()[0]!;
  for (const child of copy.children().filter((element) => element.name === 'address' || element.name === 'alias')) child.remove();
  return copy.toString();
}

export class DomainConfigService {
  private readonly lv: NativeBinding;
  private readonly connections: ConnectionManager;
  private readonly osinfoDir: string | undefined;
  private readonly capabilityCache = new Map<string, Promise<DetailsCapabilities | null>>();

  constructor(options: DomainConfigServiceOptions) {
    this.lv = options.binding;
    this.connections = options.connections;
    this.osinfoDir = options.osinfoDir;
    const { events } = options;
    // Anything libvirt reports about a domain may change what its details show.
    options.connections.lifecycle.on('native-event', (connectionId, event) => {
      if (event.type === 'domain-lifecycle' || event.type === 'domain-device-added' || event.type === 'domain-device-removed') {
        events.emit('details.changed', { connectionId, uuid: event.domain.uuid });
      }
    });
    options.connections.lifecycle.on('disconnected', (connectionId) => {
      for (const key of this.capabilityCache.keys()) if (key.startsWith(`${connectionId}\n`)) this.capabilityCache.delete(key);
    });
  }

  private conn(connectionId: string): ConnectionHandle {
    return this.connections.requireHandle(connectionId);
  }

  /** Secure XML (passwords) where the connection may read it. */
  private async xml(conn: ConnectionHandle, uuid: string, inactive: boolean): Promise<string> {
    return this.lv.domainGetXML(conn, uuid, { inactive, secure: true }).catch(() => this.lv.domainGetXML(conn, uuid, { inactive }));
  }

  async get({ connectionId, uuid }: ValidParams<'details.get'>): Promise<VmDetails> {
    const conn = this.conn(connectionId);
    const [ref, state, persistent, autostart, inactiveXml, node, info] = await Promise.all([
      this.lv.domainLookup(conn, uuid),
      this.lv.domainGetState(conn, uuid),
      this.lv.domainIsPersistent(conn, uuid),
      this.lv.domainGetAutostart(conn, uuid).catch(() => false),
      this.xml(conn, uuid, true),
      this.lv.nodeInfo(conn),
      this.lv.connectInfo(conn),
    ]);
    const active = isRunning(state.stateName);
    const liveXml = active ? await this.xml(conn, uuid, false).catch(() => null) : null;
    const next = DomainConfig.parse(inactiveXml);
    const pending = liveXml === null ? [] : compareConfigs(DomainConfig.parse(liveXml), next, { runtime: true });
    const osId = osInfoId(next);
    return {
      connectionId,
      uuid: ref.uuid,
      name: ref.name,
      state: domainStateName(state.state),
      persistent,
      autostart,
      inactiveXml,
      liveXml,
      pending,
      host: { memoryKiB: node.memoryKiB, cpus: node.cpus, local: isLocalUri(this.connections.info(connectionId).uri), hypervisor: info.hypervisor },
      capabilities: await this.capabilities(connectionId, conn, next),
      os: osId === undefined ? null : { id: osId, name: await this.osName(osId) },
    };
  }

  private async osName(id: string): Promise<string | null> {
    try {
      return (await loadOsCatalogue(this.osinfoDir)).get(id)?.name ?? null;
    } catch {
      return null;
    }
  }

  private capabilities(connectionId: string, conn: ConnectionHandle, config: DomainConfig): Promise<DetailsCapabilities | null> {
    const query = { emulator: config.get('emulator'), arch: config.get('arch'), machine: config.get('machine'), virtType: config.get('hypervisor') };
    const key = `${connectionId}\n${JSON.stringify(query)}`;
    let cached = this.capabilityCache.get(key);
    if (cached === undefined) {
      const options = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
      cached = this.lv.getDomainCapabilities(conn, options).then(parseDomainCapabilities, () => null);
      this.capabilityCache.set(key, cached);
    }
    return cached;
  }

  async hostResources({ connectionId }: ValidParams<'details.hostResources'>): Promise<HostResources> {
    const conn = this.conn(connectionId);
    const [networks, pools, interfaces, pci, usb] = await Promise.all([
      this.lv.netList(conn).catch(() => []),
      this.lv.poolList(conn).catch(() => []),
      this.lv.nodeDeviceList(conn, { cap: 'net' }).catch(() => []),
      this.hostDevices(conn, 'pci'),
      this.hostDevices(conn, 'usb_device'),
    ]);
    const volumes = await Promise.all(pools.map((pool) => (pool.active ? this.lv.volList(conn, pool.name).catch(() => []) : Promise.resolve([]))));
    const interfaceNames = await Promise.all(
      interfaces.map(async (device) => {
        const xml = await this.lv.nodeDeviceGetXML(conn, device.name).catch(() => null);
        return xml === null ? null : (parse(xml).root.find('capability/interface')?.text().trim() ?? null);
      }),
    );
    return {
      networks: networks.map((network) => ({ name: network.name, active: network.active, bridge: network.bridge })).toSorted((a, b) => a.name.localeCompare(b.name)),
      pools: pools.map((pool, index) => ({
        name: pool.name,
        active: pool.active,
        volumes: volumes[index]!.map((volume) => ({ name: volume.name, path: volume.path, capacity: volume.capacity, type: volume.type })),
      })),
      interfaces: interfaceNames.filter((name): name is string => name !== null && name !== 'lo').toSorted(),
      pci,
      usb,
    };
  }

  async createVolume({ connectionId, pool, name, capacityMiB, format }: ValidParams<'details.createVolume'>): Promise<{ path: string }> {
    const conn = this.conn(connectionId);
    const xml = `<volume><name>${escapeText(name)}</name><capacity unit='MiB'>${capacityMiB}</capacity><target><format type='${format}'/></target></volume>`;
    const volume = await this.lv.volCreate(conn, pool, xml);
    return { path: volume.path };
  }

  private async hostDevices(conn: ConnectionHandle, cap: 'pci' | 'usb_device'): Promise<HostDevice[]> {
    const list = await this.lv.nodeDeviceList(conn, { cap }).catch(() => []);
    const devices = await Promise.all(list.map((device) => this.lv.nodeDeviceGetXML(conn, device.name).then(parseHostDevice, () => null)));
    return devices.filter((device): device is HostDevice => device !== null);
  }

  /** The running VM's interfaces and their addresses: by DHCP lease, else by the host's ARP table (virt-manager's NIC "IP address"). */
  async addresses({ connectionId, uuid }: ValidParams<'details.addresses'>): Promise<NicAddresses[]> {
    const conn = this.conn(connectionId);
    const live = DomainConfig.parse(await this.lv.domainGetXML(conn, uuid));
    const known = (source: 'lease' | 'arp') => this.lv.domainInterfaceAddresses(conn, uuid, source).catch(() => []);
    const [leases, arp] = await Promise.all([known('lease'), known('arp')]);
    const of = (interfaces: Awaited<ReturnType<typeof known>>, mac: string, source: 'lease' | 'arp') =>
      interfaces.filter((iface) => iface.hwaddr?.toLowerCase() === mac).flatMap((iface) => iface.addrs.map((a) => ({ address: a.addr, prefix: a.prefix, source })));
    return live.devices('interface').flatMap((nic) => {
      const mac = nic.get('mac')?.toLowerCase();
      if (mac === undefined) return [];
      const byLease = of(leases, mac, 'lease');
      return [{ mac, addresses: byLease.length > 0 ? byLease : of(arp, mac, 'arp') }];
    });
  }

  /** A disk of the VM by target, with the storage volume behind it when there is one. */
  private async diskOf(conn: ConnectionHandle, uuid: string, target: string): Promise<{ disk: Device<'disk'>; volume: VolumeInfo | null; running: boolean }> {
    const [state, xml] = await Promise.all([this.lv.domainGetState(conn, uuid), this.xml(conn, uuid, true)]);
    const disk = DomainConfig.parse(xml).devices('disk').find((candidate) => candidate.get('targetDev') === target);
    if (disk === undefined) throw issuesError('Not resized', [{ subject: 'disk', message: `The VM has no disk ${target}` }]);
    const pool = disk.get('sourcePool');
    const volumeName = disk.get('sourceVolume');
    const key = disk.get('type') === 'volume' && pool !== undefined && volumeName !== undefined ? `${pool}/${volumeName}` : hostPath(disk);
    const volume = key === undefined ? null : await this.lv.volGetInfo(conn, key).catch(() => null);
    return { disk, volume, running: isRunning(state.stateName) };
  }

  /** What QEMU says a running VM's disk holds (block.N.capacity of the bulk stats). */
  private async liveCapacity(conn: ConnectionHandle, uuid: string, target: string): Promise<number | null> {
    const [record] = await drainBatch(await this.lv.getAllDomainStats(conn, ['block'], { domains: [uuid] }));
    const stats = record?.stats ?? {};
    for (let i = 0; i < Number(stats['block.count'] ?? 0); i++) {
      if (stats[`block.${i}.name`] === target && typeof stats[`block.${i}.capacity`] === 'number') return stats[`block.${i}.capacity`] as number;
    }
    return null;
  }

  async diskCapacity({ connectionId, uuid, target }: ValidParams<'details.diskCapacity'>): Promise<{ capacityBytes: number | null }> {
    const conn = this.conn(connectionId);
    const { volume, running } = await this.diskOf(conn, uuid, target);
    return { capacityBytes: (running ? await this.liveCapacity(conn, uuid, target) : null) ?? volume?.capacity ?? null };
  }

  async resizeDisk({ connectionId, uuid, target, sizeMiB }: ValidParams<'details.resizeDisk'>): Promise<{ capacityBytes: number }> {
    const conn = this.conn(connectionId);
    const { disk, volume, running } = await this.diskOf(conn, uuid, target);
    if (disk.get('device') !== undefined && disk.get('device') !== 'disk') throw issuesError('Not resized', [{ subject: disk.id, message: `${target} is a ${disk.get('device')} drive: only disks can be resized` }]);
    const current = (running ? await this.liveCapacity(conn, uuid, target) : null) ?? volume?.capacity ?? null;
    const bytes = sizeMiB * 1024 * 1024;
    if (current === null) {
      throw issuesError('Not resized', [{ subject: disk.id, message: `The size of ${target} is not known here (not a storage-pool volume): resize it with qemu-img while the VM is shut off` }]);
    }
    if (bytes <= current) {
      throw issuesError('Not resized', [{ subject: disk.id, message: `${target} holds ${Math.round(current / 1048576)} MiB: the new size must be larger (shrinking a disk loses data)` }]);
    }
    if (running) await this.lv.domainBlockResize(conn, uuid, target, bytes);
    else if (volume !== null) await this.lv.volResize(conn, volume.path, bytes);
    else throw issuesError('Not resized', [{ subject: disk.id, message: `${target} is not a storage-pool volume: resize it with qemu-img while the VM is shut off` }]);
    return { capacityBytes: bytes };
  }

  /** Disks of the edit that other VMs write too: each a warning on the disk's page (the Apply review shows them). */
  async warnings({ connectionId, uuid, xml }: ValidParams<'details.warnings'>): Promise<DetailsIssue[]> {
    const conn = this.conn(connectionId);
    const next = parseForApply(xml);
    const writable = next.devices('disk').flatMap((disk) => {
      const path = hostPath(disk);
      return path === undefined || disk.get('readonly') === true || disk.element.child('shareable') !== undefined ? [] : [{ disk, path }];
    });
    const users = await writableDiskUsers(this.lv, conn, writable.map(({ path }) => path), uuid);
    return writable.flatMap(({ disk, path }) => {
      const names = users.get(path);
      if (names === undefined) return [];
      return [{ subject: disk.id, message: `${path} is also a disk of ${names.map((name) => `"${name}"`).join(', ')}: two VMs running on one disk corrupt it (mark it shareable if the guests are made for that)` }];
    });
  }

  /** Checks, then applies an edited next-boot XML (see the top of this file). */
  async apply({ connectionId, uuid, base, xml, autostart }: ValidParams<'details.apply'>): Promise<ApplyOutcome> {
    const conn = this.conn(connectionId);
    const next = parseForApply(xml);
    const issues: DetailsIssue[] = next.validate().map((issue) => ({ subject: issue.subject, message: issue.message }));
    const nextUuid = next.uuid;
    if (nextUuid !== undefined && nextUuid.toLowerCase() !== uuid.toLowerCase()) {
      issues.push({ subject: 'uuid', message: `The UUID cannot change (it is ${uuid}); to copy a VM, clone it` });
    }
    if (issues.length > 0) throw issuesError('The configuration is not valid', issues);

    const [current, state, node] = await Promise.all([this.xml(conn, uuid, true), this.lv.domainGetState(conn, uuid), this.lv.nodeInfo(conn)]);
    if (current !== base) {
      throw issuesError('Not applied', [{ subject: 'base', message: 'The configuration was changed elsewhere since it was loaded: revert to load it again, then redo the change' }]);
    }
    const before = DomainConfig.parse(base);
    const changes = compareConfigs(before, next);
    const active = isRunning(state.stateName);
    issues.push(...(await this.hostChecks(connectionId, conn, uuid, before, next, changes, node.memoryKiB, active)));
    if (issues.length > 0) throw issuesError('Not applied', issues);

    // 1. persistent
    const oldName = before.get('name')!;
    const newName = next.get('name')!;
    if (newName !== oldName) await this.lv.domainRename(conn, uuid, newName);
    try {
      // Only autostart changed: the definition stays as it is.
      if (xml !== base) await this.lv.domainDefine(conn, next.toXml(), { validate: true });
    } catch (e) {
      if (newName !== oldName) await this.restoreDefinition(conn, uuid, base, oldName, newName, false);
      const error = toApiError(e);
      throw new ApiCallError({ ...error, message: `libvirt refused the configuration: ${error.message}`, issues: [{ path: ['xml'], message: error.message }] });
    }
    // 2. autostart; when libvirt refuses it, the definition goes back to what it was: all or nothing.
    if (autostart !== undefined && autostart !== (await this.lv.domainGetAutostart(conn, uuid).catch(() => !autostart))) {
      try {
        await this.lv.domainSetAutostart(conn, uuid, autostart);
      } catch (e) {
        const message = `libvirt refused to turn autostart ${autostart ? 'on' : 'off'}: ${toApiError(e).message}`;
        const restoreFailure = await this.restoreDefinition(conn, uuid, base, oldName, newName, xml !== base);
        throw issuesError('Not applied', [{ subject: 'autostart', message: restoreFailure === null ? message : `${message}; putting the previous definition back failed too: ${restoreFailure}` }]);
      }
    }
    // 3. live
    const appliedLive: ConfigChange[] = [];
    const liveFailures: ApplyOutcome['liveFailures'] = [];
    if (active && changes.length > 0) {
      const defined = DomainConfig.parse(await this.xml(conn, uuid, true));
      const { actions } = planLive(changes, defined, before);
      for (const action of actions) {
        try {
          await this.applyLive(conn, uuid, action, defined, before);
          appliedLive.push(action.change);
        } catch (e) {
          liveFailures.push({ change: action.change, message: e instanceof Error ? e.message : String(e) });
        }
      }
    }
    return { appliedLive, liveFailures, details: await this.get({ connectionId, uuid }) };
  }

  /** Undoes step 1 of an apply (rename back first: libvirt matches the old definition by name). Resolves why it failed, or null. */
  private async restoreDefinition(conn: ConnectionHandle, uuid: string, base: string, oldName: string, newName: string, redefine: boolean): Promise<string | null> {
    try {
      if (newName !== oldName) await this.lv.domainRename(conn, uuid, oldName);
      if (redefine) await this.lv.domainDefine(conn, base);
      return null;
    } catch (e) {
      return toApiError(e).message;
    }
  }

  private async applyLive(conn: ConnectionHandle, uuid: string, action: LiveAction, next: DomainConfig, before: DomainConfig): Promise<void> {
    switch (action.kind) {
      case 'set-memory':
        return this.lv.domainSetMemory(conn, uuid, action.kib, { live: true });
      case 'set-vcpus':
        return this.lv.domainSetVcpus(conn, uuid, action.count, { live: true });
      case 'metadata':
        return this.lv.domainSetMetadata(conn, uuid, action.type, action.value, null, null, { live: true });
      case 'metadata-element':
        return this.lv.domainSetMetadata(conn, uuid, 'element', action.value, action.prefix, action.uri, { live: true });
      case 'attach': {
        const device = next.device(action.id);
        if (device === undefined) throw new Error(`${action.id} is not in the new configuration`);
        try {
          await this.lv.domainAttachDevice(conn, uuid, device.toXml(), { live: true });
        } catch (e) {
          // The address libvirt picked for the next boot may be taken in the running VM.
          if (device.element.child('address') === undefined || isCode(e, 'VIR_ERR_NO_SUPPORT', 'VIR_ERR_OPERATION_INVALID')) throw e;
          await this.lv.domainAttachDevice(conn, uuid, withoutAddress(device), { live: true });
        }
        return;
      }
      case 'detach': {
        const live = DomainConfig.parse(await this.xml(conn, uuid, false));
        const device = live.device(action.id) ?? before.device(action.id);
        if (device === undefined) throw new Error(`${action.id} is not in the running VM`);
        return this.lv.domainDetachDevice(conn, uuid, device.toXml(), { live: true });
      }
      case 'update': {
        const live = DomainConfig.parse(await this.xml(conn, uuid, false));
        const device = live.device(action.id);
        const wanted = next.device(action.id);
        if (device === undefined || wanted === undefined) throw new Error(`${action.id} is not in the running VM`);
        updateFields(device, wanted, action.fields);
        // A guest may have locked the CD-ROM tray: media changes eject it regardless, like virsh change-media --force.
        return this.lv.domainUpdateDevice(conn, uuid, device.toXml(), { live: true, force: device.is('disk') });
      }
    }
  }

  /** What only the host can tell: its memory, disk sources, other VMs' MACs and names. */
  private async hostChecks(
    connectionId: string,
    conn: ConnectionHandle,
    uuid: string,
    before: DomainConfig,
    next: DomainConfig,
    changes: readonly ConfigChange[],
    hostMemoryKiB: number,
    active: boolean,
  ): Promise<DetailsIssue[]> {
    const issues: DetailsIssue[] = [];
    const changed = new Set(changes.map((change) => change.subject));
    const memory = next.get('memoryKiB');
    if (changed.has('memoryKiB') && memory !== undefined && memory > hostMemoryKiB) {
      issues.push({ subject: 'memoryKiB', message: `${Math.round(memory / 1024)} MiB is more than the host's ${Math.round(hostMemoryKiB / 1024)} MiB of memory` });
    }
    const current = next.get('currentMemoryKiB');
    if (changed.has('currentMemoryKiB') && current !== undefined && current > hostMemoryKiB) {
      issues.push({ subject: 'currentMemoryKiB', message: `${Math.round(current / 1024)} MiB is more than the host's ${Math.round(hostMemoryKiB / 1024)} MiB of memory` });
    }
    const maxVcpus = next.vcpus().max;
    if (changed.has('vcpus.max') && maxVcpus !== undefined) {
      const caps = await this.capabilities(connectionId, conn, next);
      if (caps?.maxVcpus != null && maxVcpus > caps.maxVcpus) issues.push({ subject: 'vcpus', message: `${maxVcpus} vCPUs is more than this machine type's ${caps.maxVcpus}` });
    }
    const newName = next.get('name');
    if (newName !== undefined && newName !== before.get('name')) {
      if (active) issues.push({ subject: 'name', message: 'A running VM cannot be renamed: shut it down first' });
      const taken = await this.lv.domainLookup(conn, newName).then(
        (ref) => ref.uuid.toLowerCase() !== uuid.toLowerCase(),
        () => false,
      );
      if (taken) issues.push({ subject: 'name', message: `Another VM is already named '${newName}'` });
    }
    const local = isLocalUri(this.connections.info(connectionId).uri);
    const touched = (device: Device) => changed.has(device.id);
    for (const disk of next.devices('disk').filter(touched)) {
      const problem = await this.diskSourceProblem(conn, disk, local);
      if (problem !== null) issues.push({ subject: disk.id, message: problem });
    }
    const oldMacs = new Set(before.devices('interface').map((nic) => nic.get('mac')?.toLowerCase()));
    const newNics = next.devices('interface').filter((nic) => nic.get('mac') !== undefined && !oldMacs.has(nic.get('mac')!.toLowerCase()));
    if (newNics.length > 0) {
      const users = await this.macUsers(conn, uuid);
      for (const nic of newNics) {
        const user = users.get(nic.get('mac')!.toLowerCase());
        if (user !== undefined) issues.push({ subject: nic.id, message: `MAC address ${nic.get('mac')} is already used by the VM '${user}'` });
      }
    }
    return issues;
  }

  /** Why a disk's source is not there, or null when it is (or cannot be checked from here). */
  private async diskSourceProblem(conn: ConnectionHandle, disk: Device<'disk'>, local: boolean): Promise<string | null> {
    const type = disk.get('type') ?? 'file';
    if (type === 'volume') {
      const pool = disk.get('sourcePool');
      const volume = disk.get('sourceVolume');
      if (pool === undefined || volume === undefined) return null;
      const found = await this.lv.volGetInfo(conn, `${pool}/${volume}`).then(
        () => true,
        () => false,
      );
      return found ? null : `There is no volume '${volume}' in the storage pool '${pool}'`;
    }
    const path = hostPath(disk);
    if (path === undefined) return null; // an empty CD-ROM drive, a network disk
    const inPool = await this.lv.volGetInfo(conn, path).then(
      () => true,
      () => false,
    );
    if (inPool || !local) return null;
    try {
      await stat(path);
      return null;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? `${path} does not exist` : null;
    }
  }

  /** MAC address → name of the other VM using it, on this connection. */
  private async macUsers(conn: ConnectionHandle, uuid: string): Promise<Map<string, string>> {
    const users = new Map<string, string>();
    await scanOtherDomains(this.lv, conn, uuid, (domain, xml) => {
      for (const address of parse(xml).root.findAll('devices/interface/mac')) {
        const mac = address.attr('address')?.toLowerCase();
        if (mac !== undefined) users.set(mac, domain.name);
      }
    });
    return users;
  }
}

/** The host file, block device or folder behind a disk; undefined for empty drives, volumes and network disks. */
function hostPath(disk: Device<'disk'>): string | undefined {
  const type = disk.get('type') ?? 'file';
  return type === 'file' ? disk.get('sourceFile') : type === 'block' ? disk.get('sourceDev') : type === 'dir' ? disk.get('sourceDir') : undefined;
}

/** Copies `fields` from the next-boot device onto the running one (media change, link state...). */
export function updateFields(live: Device, wanted: Device, fields: readonly string[]): void {
  const target = live as Device<'other'>;
  const source = wanted as Device<'other'>;
  for (const field of fields) target.set(field as 'type', source.get(field as 'type'));
  // An ejected CD-ROM has no <source> at all.
  const sourceElement: XmlElement | undefined = live.element.child('source');
  if (sourceElement !== undefined && sourceElement.attributes.length === 0 && sourceElement.children().length === 0) sourceElement.remove();
}

