// A New-VM plan: what the wizard collected (install method, OS, sizes, storage, network, name),
// checked page by page against the connection, and turned into the domain XML libvirt gets.
// Nothing here creates anything; create.ts carries a plan out.
import { access, constants, stat } from 'node:fs/promises';
import { type ConnectionHandle, type NativeBinding, drainBatch, isLibvirtError } from '../../../native/index.js';
import { parse } from '../../../shared/xml/document.js';
import { type BootDevice, DomainConfig } from '../../../shared/xml/domain.js';
import { probeAcceleration } from '../host/acceleration.js';
import { type CloudInitSpec, CloudInitError, validateCloudInit } from './cloud-init.js';
import { MediaError, readDiskImageInfo, readIsoIdentity } from './media.js';
import { type OsCatalogue, type OsInfo, loadOsCatalogue } from './osinfo.js';
import { ResourceError, checkResources, describeMiB, osResourcesInMiB } from './resources.js';

export interface LibvirtContext {
  binding: NativeBinding;
  conn: ConnectionHandle;
}

/** Cloud-init settings; hostname and instance id default to each VM's name and a fresh id. */
export type CloudInitChoice = Omit<CloudInitSpec, 'hostname'> & { hostname?: string };

export type InstallMethod =
  /** A local ISO file, or an optical drive such as /dev/sr0. */
  | { kind: 'iso'; path: string }
  /** An install tree; without url, osinfo-db's tree for the OS. */
  | { kind: 'network'; url?: string; extraArgs?: string }
  /** An existing disk image, used as the VM's disk (plan.disk is not used); copies get an overlay each, in plan.disk's pool. */
  | { kind: 'import'; path: string }
  | { kind: 'pxe' }
  /** Nothing to install from: the disk is left for the user to fill. */
  | { kind: 'manual' }
  | { kind: 'kernel'; kernel: string; initrd?: string; cmdline?: string }
  /** A cloud image (qcow2 or raw) used as the backing file of the VM's disk, configured by a NoCloud seed ISO. */
  | { kind: 'cloud-image'; image: string; cloudInit: CloudInitChoice };

export type DiskFormat = 'qcow2' | 'raw';

/** The VM's new disk (or, for a cloud image, its overlay), created in a storage pool. */
export interface DiskChoice {
  pool: string;
  sizeMiB: number;
  /** Default qcow2. A cloud image's overlay is always qcow2. */
  format?: DiskFormat;
}

export type NetworkChoice =
  | { kind: 'network'; network: string }
  | { kind: 'bridge'; bridge: string }
  /** QEMU user-mode networking: outbound only, needs nothing on the host. */
  | { kind: 'user' }
  | { kind: 'none' };

export interface VmPlan {
  name: string;
  /** osinfo id or short id (debian11); absent: an OS osinfo-db does not know. */
  osId?: string;
  /** Default: the host's architecture. */
  arch?: string;
  /** Default: libvirt's default machine type for the architecture. */
  machine?: string;
  /** Default: 'kvm' when KVM is usable for the architecture, else 'qemu' (TCG). */
  virtType?: 'kvm' | 'qemu';
  memoryMiB: number;
  vcpus: number;
  install: InstallMethod;
  /** Absent: no new disk (an import uses its image; manual and kernel boot may run diskless). */
  disk?: DiskChoice;
  network: NetworkChoice;
  /** VNC on 127.0.0.1; default true. */
  graphics?: boolean;
  /** Start the VM once it is defined (and begin the installation); default true. */
  start?: boolean;
}

/** The wizard's pages: install method, media and OS; memory and CPUs; storage; name and network. */
export type WizardStep = 'source' | 'resources' | 'storage' | 'summary';
export const WIZARD_STEPS: readonly WizardStep[] = ['source', 'resources', 'storage', 'summary'];

export class PlanError extends Error {
  constructor(
    readonly step: WizardStep,
    /** The plan field at fault, e.g. 'name', 'install.path', 'disk.sizeMiB'. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlanError';
  }
}

// ---- names

/** Letters, digits, '.', '_', '+' and '-', starting with a letter or digit: safe in libvirt and as a file name. */
const VM_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

export function checkVmName(name: string): void {
  if (name.trim() === '') throw new PlanError('summary', 'name', 'the VM needs a name');
  if (!VM_NAME.test(name)) {
    throw new PlanError('summary', 'name', `"${name}" is not a valid VM name: use up to 64 letters, digits, '.', '_', '+' and '-', starting with a letter or digit`);
  }
}

export const MAX_COPIES = 100;

/** Names for N copies: every {n} in the pattern becomes 1..N ("web-{n}" gives web-1, web-2...). */
export function expandNamePattern(pattern: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_COPIES) {
    throw new PlanError('summary', 'count', `the number of copies must be a whole number from 1 to ${MAX_COPIES}, not ${count}`);
  }
  if (!pattern.includes('{n}')) throw new PlanError('summary', 'name', `the name pattern "${pattern}" needs {n} where each copy's number goes, e.g. "web-{n}"`);
  return Array.from({ length: count }, (_, i) => pattern.replaceAll('{n}', String(i + 1)));
}

/** Volume names a VM's files get in their pool. */
export const volumeNames = (vmName: string, format: DiskFormat = 'qcow2') => ({
  disk: `${vmName}.${format === 'qcow2' ? 'qcow2' : 'img'}`,
  seed: `${vmName}-cidata.iso`,
  installerKernel: `${vmName}-installer-kernel`,
  installerInitrd: `${vmName}-installer-initrd`,
});

// ---- the guest platform

export interface GuestPlatform {
  virtType: 'kvm' | 'qemu';
  arch: string;
  /** undefined: libvirt's default (drivers without domain capabilities, like the test driver). */
  machine?: string;
}

/** A connection to this machine, whose files Vireo can check (no host in the URI: qemu:///system, test:///default). */
export const isLocalConnection = (conn: ConnectionHandle): boolean => /^[^:]+:\/\/\//.test(conn.uri);

/** Architecture, accelerator and machine type for a plan, from the connection's capabilities. */
export async function probeGuestPlatform(ctx: LibvirtContext, plan: Pick<VmPlan, 'arch' | 'machine' | 'virtType'>): Promise<GuestPlatform> {
  const capabilitiesXml = await ctx.binding.getCapabilities(ctx.conn);
  const capabilities = parse(capabilitiesXml).root;
  const hostArch = capabilities.find('host/cpu/arch')?.text().trim() ?? 'x86_64';
  const arch = plan.arch ?? hostArch;
  let virtType = plan.virtType;
  if (virtType === undefined) {
    const offersKvm = capabilities.findAll(`guest/arch[@name="${arch}"]/domain[@type="kvm"]`).length > 0;
    const acceleration = await probeAcceleration({ capabilitiesXml, local: isLocalConnection(ctx.conn) ? {} : undefined });
    virtType = offersKvm && acceleration.usable ? 'kvm' : 'qemu';
  }
  const domainCapabilities = await ctx.binding.getDomainCapabilities(ctx.conn, { arch, virtType }).catch(() => undefined);
  const machine = plan.machine ?? (domainCapabilities && parse(domainCapabilities).root.child('machine')?.text().trim());
  return { virtType, arch, machine };
}

// ---- validation

export interface ValidationOptions {
  catalogue?: OsCatalogue;
  /** The names of the VMs to create (copies); default [plan.name]. */
  names?: readonly string[];
  /** The pages to check; default all. */
  steps?: readonly WizardStep[];
}

const MiB = 1024 * 1024;

async function requireReadable(field: string, what: string, path: string): Promise<void> {
  await access(path, constants.R_OK).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new PlanError('source', field, `${what} ${path} is not readable: ${code}`);
  });
}

/** Media errors belong to the source page. */
async function sourceCheck<T>(field: string, check: Promise<T>): Promise<T> {
  return check.catch((e: unknown) => {
    throw e instanceof MediaError ? new PlanError('source', field, e.message) : e;
  });
}

export async function resolveOs(plan: Pick<VmPlan, 'osId'>, catalogue?: OsCatalogue): Promise<{ catalogue: OsCatalogue; os: OsInfo } | undefined> {
  if (plan.osId === undefined) return undefined;
  const known = catalogue ?? (await loadOsCatalogue());
  const os = known.get(plan.osId);
  if (!os) throw new PlanError('source', 'osId', `unknown operating system "${plan.osId}": pick one from the list`);
  return { catalogue: known, os };
}

/** The cloud-init spec one VM gets: its own name as hostname unless one is given. */
export const cloudInitFor = (choice: CloudInitChoice, vmName: string): CloudInitSpec => ({ ...choice, hostname: choice.hostname ?? vmName });

async function checkSource(ctx: LibvirtContext, plan: VmPlan, names: readonly string[], catalogue?: OsCatalogue): Promise<void> {
  await resolveOs(plan, catalogue);
  const install = plan.install;
  // Paths are on the connection's host: only a local one can be checked from here.
  const local = isLocalConnection(ctx.conn);
  switch (install.kind) {
    case 'iso':
      if (local) await sourceCheck('install.path', readIsoIdentity(install.path));
      return;
    case 'import':
      if (local) await sourceCheck('install.path', readDiskImageInfo(install.path));
      return;
    case 'kernel':
      if (!local) return;
      await requireReadable('install.kernel', 'the kernel', install.kernel);
      if (install.initrd !== undefined) await requireReadable('install.initrd', 'the initrd', install.initrd);
      return;
    case 'cloud-image':
      if (local) await sourceCheck('install.image', readDiskImageInfo(install.image));
      try {
        for (const name of names) validateCloudInit(cloudInitFor(install.cloudInit, name));
      } catch (e) {
        throw e instanceof CloudInitError ? new PlanError('source', `install.cloudInit.${e.field}`, e.message) : e;
      }
      return;
    case 'network': {
      if (install.url === undefined) {
        if (plan.osId === undefined) throw new PlanError('source', 'install.url', 'enter the URL of the install tree, or pick the OS to install');
        return;
      }
      const protocol = URL.canParse(install.url) ? new URL(install.url).protocol : undefined;
      if (protocol !== 'http:' && protocol !== 'https:' && protocol !== 'ftp:') {
        throw new PlanError('source', 'install.url', `"${install.url}" is not an http, https or ftp URL of an install tree`);
      }
      return;
    }
    case 'pxe':
      if (plan.network.kind === 'none') throw new PlanError('source', 'install', 'PXE boot needs a network interface: choose a network');
      return;
    case 'manual':
      return;
  }
}

async function checkResourcesStep(ctx: LibvirtContext, plan: VmPlan, copies: number, catalogue?: OsCatalogue): Promise<string[]> {
  const host = await ctx.binding.nodeInfo(ctx.conn);
  const os = await resolveOs(plan, catalogue);
  // nodeInfo's model is the host's architecture.
  const minimum = os ? osResourcesInMiB(os, plan.arch ?? host.model, 'minimum') : {};
  try {
    return checkResources({ memoryMiB: plan.memoryMiB, vcpus: plan.vcpus, diskMiB: diskToCreate(plan, copies)?.sizeMiB }, host, minimum);
  } catch (e) {
    throw e instanceof ResourceError ? new PlanError(e.field === 'diskMiB' ? 'storage' : 'resources', e.field, e.message) : e;
  }
}

/** Why a plan without a disk cannot do: some methods need a pool for an overlay or the installer's kernel. */
function whyPoolNeeded(plan: VmPlan, copies: number): string | undefined {
  if (plan.install.kind === 'cloud-image') return 'a cloud image needs a storage pool for the VM’s disk (an overlay on the image)';
  if (plan.install.kind === 'network') return 'a network install needs a storage pool for the installer’s kernel and initrd';
  if (plan.install.kind === 'import' && copies > 1) return 'copies of an imported image need a storage pool for their own disks';
  return undefined;
}

/** The disk created for each VM: plan.disk, except for a lone import, whose image is its disk. */
export function diskToCreate(plan: VmPlan, copies: number): DiskChoice | undefined {
  return plan.install.kind === 'import' && copies === 1 ? undefined : plan.disk;
}

async function checkStorage(ctx: LibvirtContext, plan: VmPlan, names: readonly string[]): Promise<void> {
  const disk = diskToCreate(plan, names.length);
  if (!disk) {
    const why = whyPoolNeeded(plan, names.length);
    if (why) throw new PlanError('storage', 'disk', why);
    return;
  }
  const pool = await ctx.binding.poolGetInfo(ctx.conn, disk.pool).catch((e: unknown) => {
    if (isLibvirtError(e) && e.code === 'VIR_ERR_NO_STORAGE_POOL') {
      throw new PlanError('storage', 'disk.pool', `storage pool "${disk.pool}" does not exist on ${ctx.conn.uri}`);
    }
    throw e;
  });
  if (!pool.active) throw new PlanError('storage', 'disk.pool', `storage pool "${disk.pool}" is not active: start it first`);
  if (plan.install.kind === 'cloud-image' && isLocalConnection(ctx.conn)) {
    const image = await sourceCheck('install.image', readDiskImageInfo(plan.install.image));
    const imageMiB = Math.ceil(image.virtualSizeBytes / MiB);
    if (disk.sizeMiB < imageMiB) {
      throw new PlanError('storage', 'disk.sizeMiB', `the disk must be at least ${describeMiB(imageMiB)}, the size of the cloud image`);
    }
  }
  const neededMiB = disk.sizeMiB * names.length;
  const availableMiB = Math.floor(pool.available / MiB);
  if (neededMiB > availableMiB) {
    const what = names.length > 1 ? `${names.length} disks of ${describeMiB(disk.sizeMiB)} do` : `a ${describeMiB(disk.sizeMiB)} disk does`;
    throw new PlanError('storage', 'disk.sizeMiB', `${what} not fit in storage pool "${disk.pool}": it has ${describeMiB(availableMiB)} free`);
  }
  const existing = new Set((await ctx.binding.volList(ctx.conn, disk.pool)).map((v) => v.name));
  for (const name of names) {
    const planned = volumeNames(name, disk.format);
    const taken = [planned.disk, planned.seed].find((volume) => existing.has(volume));
    if (taken) throw new PlanError('storage', 'disk', `storage pool "${disk.pool}" already has a volume named "${taken}"`);
  }
}

async function checkSummary(ctx: LibvirtContext, plan: VmPlan, names: readonly string[]): Promise<string[]> {
  for (const name of names) checkVmName(name);
  const existing = new Set((await drainBatch(await ctx.binding.listAllDomains(ctx.conn))).map((d) => d.name));
  const taken = names.find((name) => existing.has(name));
  if (taken) throw new PlanError('summary', 'name', `a VM named "${taken}" already exists on ${ctx.conn.uri}`);
  const network = plan.network;
  if (network.kind === 'network') {
    const known = (await ctx.binding.netList(ctx.conn)).find((n) => n.name === network.network);
    if (!known) throw new PlanError('summary', 'network', `virtual network "${network.network}" does not exist on ${ctx.conn.uri}`);
    if (!known.active) {
      const message = `virtual network "${network.network}" is not active`;
      if (plan.start !== false) throw new PlanError('summary', 'network', `${message}: start it, or create the VM without starting it`);
      return [message];
    }
  }
  if (network.kind === 'bridge' && isLocalConnection(ctx.conn)) {
    const isBridge = await stat(`/sys/class/net/${network.bridge}/bridge`).then(
      () => true,
      () => false,
    );
    if (!isBridge) throw new PlanError('summary', 'network', `there is no bridge named "${network.bridge}" on this host`);
  }
  return [];
}

/**
 * Checks a plan page by page, in wizard order; throws a PlanError for the first problem (naming its
 * page and field) and returns warnings (sizes below the OS's minimum, an inactive network).
 */
export async function validatePlan(ctx: LibvirtContext, plan: VmPlan, options: ValidationOptions = {}): Promise<string[]> {
  const names = options.names ?? [plan.name];
  const steps = options.steps ?? WIZARD_STEPS;
  const warnings: string[] = [];
  if (steps.includes('source')) await checkSource(ctx, plan, names, options.catalogue);
  if (steps.includes('resources')) warnings.push(...(await checkResourcesStep(ctx, plan, names.length, options.catalogue)));
  if (steps.includes('storage')) await checkStorage(ctx, plan, names);
  if (steps.includes('summary')) warnings.push(...(await checkSummary(ctx, plan, names)));
  return warnings;
}

// ---- domain XML

/** What create.ts made for one VM before defining it: paths on the connection's host. */
export interface PreparedStorage {
  /** The VM's disk: new, an overlay, or the imported image itself. */
  disk?: { path: string; format: DiskFormat };
  /** A cloud image's NoCloud seed ISO. */
  seedIso?: string;
  /** A network install's kernel and initrd (copied into the pool) and the installer's kernel arguments. */
  installer?: { kernel: string; initrd: string; cmdline: string };
}

/** Whether the OS has virtio drivers (unknown OSes are assumed to: every current Linux and BSD has). */
export interface GuestDrivers {
  virtioDisk: boolean;
  virtioNet: boolean;
}

const VIRTIO_BLOCK = ['http://pcisig.com/pci/1af4/1001', 'http://pcisig.com/pci/1af4/1042'];
const VIRTIO_NET = ['http://pcisig.com/pci/1af4/1000', 'http://pcisig.com/pci/1af4/1041'];

export function guestDrivers(os?: { catalogue: OsCatalogue; os: OsInfo }): GuestDrivers {
  if (!os) return { virtioDisk: true, virtioNet: true };
  const supports = (ids: string[]): boolean => ids.some((id) => os.catalogue.supportsDevice(os.os, id));
  return { virtioDisk: supports(VIRTIO_BLOCK), virtioNet: supports(VIRTIO_NET) };
}

/** The XML of the two phases of a VM's life: while installing (absent when nothing is installed), and after. */
export interface DomainConfigs {
  install?: DomainConfig;
  final: DomainConfig;
}

const LIBOSINFO_NS = 'http://libosinfo.org/xmlns/libvirt/domain/1.0';

type DiskBus = 'virtio' | 'ide' | 'sata' | 'scsi';
const TARGET_PREFIX: Record<DiskBus, string> = { virtio: 'vd', ide: 'hd', sata: 'sd', scsi: 'sd' };

/** The bus for CD-ROMs, and for disks of OSes without virtio drivers: what the machine type has built in. */
function emulatedBus(platform: GuestPlatform): DiskBus {
  if (platform.machine?.includes('q35')) return 'sata';
  return platform.arch === 'x86_64' || platform.arch === 'i686' ? 'ide' : 'scsi';
}

interface DiskSpec {
  device: 'disk' | 'cdrom';
  path: string;
  format: DiskFormat;
}

interface BootSpec {
  devices?: BootDevice[];
  kernel?: { kernel: string; initrd?: string; cmdline?: string };
  /** The installer's reboot ends the install phase (the VM stops, and next boots from its disk). */
  endsOnReboot?: boolean;
}

function bootSpecs(plan: VmPlan, prepared: PreparedStorage): { install?: BootSpec; final: BootSpec } {
  const fromDisk: BootSpec = { devices: ['hd'] };
  const install = plan.install;
  switch (install.kind) {
    case 'iso':
      return { install: { devices: ['cdrom', 'hd'], endsOnReboot: true }, final: fromDisk };
    case 'pxe':
      return { install: { devices: ['network', 'hd'], endsOnReboot: true }, final: fromDisk };
    case 'network': {
      const installer = prepared.installer;
      if (!installer) throw new Error('a network install needs its installer kernel prepared first');
      return { install: { kernel: installer, endsOnReboot: true }, final: fromDisk };
    }
    case 'kernel':
      return { final: { kernel: { kernel: install.kernel, initrd: install.initrd, cmdline: install.cmdline } } };
    case 'import':
    case 'manual':
    case 'cloud-image':
      return { final: fromDisk };
  }
}

function disksOf(plan: VmPlan, prepared: PreparedStorage): DiskSpec[] {
  const disks: DiskSpec[] = [];
  if (prepared.disk) disks.push({ device: 'disk', ...prepared.disk });
  if (plan.install.kind === 'iso') disks.push({ device: 'cdrom', path: plan.install.path, format: 'raw' });
  if (prepared.seedIso) disks.push({ device: 'cdrom', path: prepared.seedIso, format: 'raw' });
  return disks;
}

function buildConfig(
  plan: VmPlan,
  vmName: string,
  platform: GuestPlatform,
  drivers: GuestDrivers,
  disks: readonly DiskSpec[],
  boot: BootSpec,
  osId: string | undefined,
): DomainConfig {
  const config = DomainConfig.parse(`<domain>\n  <name></name>\n</domain>\n`);
  config.update({
    hypervisor: platform.virtType,
    name: vmName,
    memoryKiB: plan.memoryMiB * 1024,
    currentMemoryKiB: plan.memoryMiB * 1024,
    osType: 'hvm',
    arch: platform.arch,
    machine: platform.machine,
    kernel: boot.kernel?.kernel,
    initrd: boot.kernel?.initrd,
    cmdline: boot.kernel?.cmdline || undefined,
    onPoweroff: 'destroy',
    onReboot: boot.endsOnReboot ? 'destroy' : 'restart',
    onCrash: 'destroy',
  });
  config.setVcpus(plan.vcpus);
  if (osId !== undefined) config.ensureMetadata(LIBOSINFO_NS, 'libosinfo:libosinfo').ensureChild('libosinfo:os').setAttr('id', osId);
  if (boot.devices) config.setBootDevices(boot.devices);
  if (platform.arch === 'x86_64' || platform.arch === 'i686') {
    config.setFeature('acpi', true);
    config.setFeature('apic', true);
  }
  if (platform.virtType === 'kvm') config.setCpuMode('host-passthrough');

  const used = new Map<DiskBus, number>();
  for (const disk of disks) {
    const bus = disk.device === 'disk' && drivers.virtioDisk ? 'virtio' : emulatedBus(platform);
    const index = used.get(bus) ?? 0;
    used.set(bus, index + 1);
    config.addDisk({
      type: 'file',
      device: disk.device,
      driverName: 'qemu',
      driverType: disk.format,
      sourceFile: disk.path,
      targetDev: `${TARGET_PREFIX[bus]}${String.fromCharCode(97 + index)}`,
      targetBus: bus,
      readonly: disk.device === 'cdrom' || undefined,
    });
  }
  const network = plan.network;
  if (network.kind !== 'none') {
    const model = drivers.virtioNet ? 'virtio' : emulatedBus(platform) === 'sata' ? 'e1000e' : 'e1000';
    config.addInterface({
      type: network.kind,
      sourceNetwork: network.kind === 'network' ? network.network : undefined,
      sourceBridge: network.kind === 'bridge' ? network.bridge : undefined,
      model,
    });
  }
  config.addDevice('serial', { type: 'pty', targetPort: 0 });
  config.addDevice('console', { type: 'pty', targetType: 'serial', targetPort: 0 });
  if (plan.graphics !== false) {
    // A tablet makes the VNC pointer follow the client's exactly.
    config.addDevice('input', { type: 'tablet', bus: 'usb' });
    config.addDevice('graphics', { type: 'vnc', port: -1, autoport: true, listen: '127.0.0.1' });
    config.addDevice('video', { model: 'vga' });
  }
  return config;
}

/**
 * The domain XML for one VM of a plan, given what create.ts prepared. The install phase boots the
 * installer (CD-ROM, network boot, or the tree's kernel) and stops at the installer's reboot; the
 * final phase boots the disk.
 */
export function planDomainConfigs(
  plan: VmPlan,
  vmName: string,
  platform: GuestPlatform,
  drivers: GuestDrivers,
  prepared: PreparedStorage,
  os?: OsInfo,
): DomainConfigs {
  const disks = disksOf(plan, prepared);
  const boot = bootSpecs(plan, prepared);
  const config = (spec: BootSpec) => buildConfig(plan, vmName, platform, drivers, disks, spec, os?.id);
  return boot.install ? { install: config(boot.install), final: config(boot.final) } : { final: config(boot.final) };
}
