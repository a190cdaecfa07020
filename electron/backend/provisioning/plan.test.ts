// Plans on libvirt's test driver (in-process, no daemon): the XML of every install method, defined
// with libvirt's schema validation, and each wizard page's checks with their exact messages.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../../native/index.js';
import { DomainConfig } from '../../../shared/xml/domain.js';
import { makeDebianIso } from '../../test/wizard-fixture.js';
import { type OsCatalogue, loadOsCatalogue } from './osinfo.js';
import {
  type DomainConfigs,
  type GuestPlatform,
  type InstallMethod,
  type LibvirtContext,
  type PreparedStorage,
  type VmPlan,
  PlanError,
  expandNamePattern,
  guestDrivers,
  planDomainConfigs,
  probeGuestPlatform,
  validatePlan,
} from './plan.js';

const lv = loadBinding();
const dir = mkdtempSync(join(tmpdir(), 'vireo-plan-'));
const MiB = 1024 * 1024;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer = 'x'): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const iso = makeDebianIso(dir);
const cloudImage = join(dir, 'cloud.qcow2');
execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', cloudImage, '32M']);
const importImage = join(dir, 'import.img');
execFileSync('qemu-img', ['create', '-q', '-f', 'raw', importImage, '16M']);
const kernel = file('vmlinuz');
const initrd = file('initrd.img');

const basePlan = (name: string, install: InstallMethod, extra: Partial<VmPlan> = {}): VmPlan => ({
  name,
  osId: 'debian11',
  arch: 'x86_64',
  memoryMiB: 1024,
  vcpus: 1,
  install,
  disk: { pool: 'default-pool', sizeMiB: 10 * 1024 },
  network: { kind: 'network', network: 'default' },
  ...extra,
});

// What create.ts would have made, at paths the test driver does not need to exist.
const newDisk: PreparedStorage = { disk: { path: '/default-pool/vm.qcow2', format: 'qcow2' } };
const withSeed: PreparedStorage = { ...newDisk, seedIso: '/default-pool/vm-cidata.iso' };
const withInstaller: PreparedStorage = {
  ...newDisk,
  installer: { kernel: '/default-pool/vm-installer-kernel', initrd: '/default-pool/vm-installer-initrd', cmdline: 'auto=true' },
};

const disks = (config: DomainConfig) => config.devices('disk').map((d) => [d.get('device'), d.get('sourceFile'), d.get('targetDev'), d.get('driverType')]);
const manual = (extra: Partial<VmPlan> = {}) => basePlan('vireo-new', { kind: 'manual' }, extra);

describe('plan XML (test driver, schema-validated)', () => {
  let ctx: LibvirtContext;
  let catalogue: OsCatalogue;
  let platform: GuestPlatform;
  beforeAll(async () => {
    ctx = { binding: lv, conn: await lv.open('test:///default') };
    catalogue = await loadOsCatalogue();
    platform = await probeGuestPlatform(ctx, { arch: 'x86_64' });
  });
  afterAll(async () => {
    await lv.close(ctx.conn);
  });

  /** Defines a configuration with validation, reads it back as libvirt stored it, and undefines it. */
  async function readBack(config: DomainConfig): Promise<DomainConfig> {
    const ref = await lv.domainDefine(ctx.conn, config.toXml(), { validate: true });
    try {
      return DomainConfig.parse(await lv.domainGetXML(ctx.conn, ref.uuid));
    } finally {
      await lv.domainUndefine(ctx.conn, ref.uuid);
    }
  }
  async function defineBoth(configs: DomainConfigs): Promise<{ install?: DomainConfig; final: DomainConfig }> {
    return configs.install ? { install: await readBack(configs.install), final: await readBack(configs.final) } : { final: await readBack(configs.final) };
  }

  const configsFor = (plan: VmPlan, storage: PreparedStorage, osId = plan.osId) => {
    const os = osId === undefined ? undefined : { catalogue, os: catalogue.require(osId) };
    return planDomainConfigs(plan, plan.name, platform, guestDrivers(os), storage, os?.os);
  };
  it('probes the platform: TCG, and no machine type where the driver has no domain capabilities', async () => {
    expect(platform).toEqual({ virtType: 'qemu', arch: 'x86_64', machine: undefined });
    // The test driver's host is an i686.
    expect((await probeGuestPlatform(ctx, {})).arch).toBe('i686');
  });

  it('local ISO: installs from the CD-ROM, then boots the disk', async () => {
    const { install, final } = await defineBoth(configsFor(basePlan('vireo-iso', { kind: 'iso', path: iso }), newDisk));
    expect(install!.bootDevices()).toEqual(['cdrom', 'hd']);
    expect(install!.get('onReboot')).toBe('destroy');
    expect(disks(install!)).toEqual([
      ['disk', '/default-pool/vm.qcow2', 'vda', 'qcow2'],
      ['cdrom', iso, 'hda', 'raw'],
    ]);
    expect(final.bootDevices()).toEqual(['hd']);
    expect(final.get('onReboot')).toBe('restart');
    expect(disks(final)).toEqual(disks(install!));
    expect(final.metadata('http://libosinfo.org/xmlns/libvirt/domain/1.0')?.find('libosinfo:os')?.attr('id')).toBe('http://debian.org/debian/11');
    expect(final.toXml()).toContain('<libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">');
  });

  it('network install: boots the tree’s kernel with its arguments, then the disk', async () => {
    const { install, final } = await defineBoth(configsFor(basePlan('vireo-net', { kind: 'network', url: 'http://deb.debian.org/debian/dists/bullseye/main/installer-amd64' }), withInstaller));
    expect(install!.values()).toMatchObject({ kernel: '/default-pool/vm-installer-kernel', initrd: '/default-pool/vm-installer-initrd', cmdline: 'auto=true', onReboot: 'destroy' });
    expect(final.get('kernel')).toBeUndefined();
    expect(final.bootDevices()).toEqual(['hd']);
  });

  it('import: the image itself is the disk', async () => {
    const storage = { disk: { path: importImage, format: 'raw' as const } };
    const { install, final } = await defineBoth(configsFor(basePlan('vireo-import', { kind: 'import', path: importImage }, { disk: undefined }), storage));
    expect(install).toBeUndefined();
    expect(disks(final)).toEqual([['disk', importImage, 'vda', 'raw']]);
    expect(final.bootDevices()).toEqual(['hd']);
  });

  it('PXE: boots from the network first', async () => {
    const { install, final } = await defineBoth(configsFor(basePlan('vireo-pxe', { kind: 'pxe' }), newDisk));
    expect(install!.bootDevices()).toEqual(['network', 'hd']);
    expect(final.bootDevices()).toEqual(['hd']);
    expect(final.devices('interface').map((nic) => nic.values())).toEqual([expect.objectContaining({ type: 'network', sourceNetwork: 'default', model: 'virtio' })]);
  });

  it('manual: an empty disk, nothing to install from', async () => {
    const { install, final } = await defineBoth(configsFor(basePlan('vireo-manual', { kind: 'manual' }, { osId: undefined }), newDisk));
    expect(install).toBeUndefined();
    expect(disks(final)).toEqual([['disk', '/default-pool/vm.qcow2', 'vda', 'qcow2']]);
    expect(final.metadata('http://libosinfo.org/xmlns/libvirt/domain/1.0')).toBeUndefined();
  });

  it('direct kernel boot: kernel, initrd and command line stay', async () => {
    const method: InstallMethod = { kind: 'kernel', kernel, initrd, cmdline: 'console=ttyS0 panic=-1' };
    const { install, final } = await defineBoth(configsFor(basePlan('vireo-kernel', method, { network: { kind: 'user' } }), newDisk));
    expect(install).toBeUndefined();
    expect(final.values()).toMatchObject({ hypervisor: 'qemu', arch: 'x86_64', kernel, initrd, cmdline: 'console=ttyS0 panic=-1', memoryKiB: 1024 * 1024 });
    expect(final.devices('interface').map((nic) => nic.get('type'))).toEqual(['user']);
    expect(final.devices().map((d) => d.tag)).toEqual(expect.arrayContaining(['serial', 'console', 'graphics', 'video']));
    expect(final.devices('graphics')[0]?.values()).toMatchObject({ type: 'vnc', autoport: true, listen: '127.0.0.1' });
  });

  it('cloud image: the overlay disk and the seed ISO as a CD-ROM', async () => {
    const method: InstallMethod = { kind: 'cloud-image', image: cloudImage, cloudInit: { user: { name: 'alice', password: 'pw' } } };
    const { install, final } = await defineBoth(configsFor(basePlan('vireo-cloud', method), withSeed));
    expect(install).toBeUndefined();
    expect(disks(final)).toEqual([
      ['disk', '/default-pool/vm.qcow2', 'vda', 'qcow2'],
      ['cdrom', '/default-pool/vm-cidata.iso', 'hda', 'raw'],
    ]);
    expect(final.bootDevices()).toEqual(['hd']);
  });

  it('gives OSes without virtio drivers emulated disks and NICs, SATA and e1000e on q35', async () => {
    const windows = basePlan('vireo-win', { kind: 'iso', path: iso }, { osId: 'win10', graphics: false });
    const pc = await defineBoth(configsFor(windows, newDisk));
    expect(disks(pc.final).map(([device, , target]) => [device, target])).toEqual([
      ['disk', 'hda'],
      ['cdrom', 'hdb'],
    ]);
    expect(pc.final.devices('interface')[0]?.get('model')).toBe('e1000');
    expect(pc.final.devices('graphics')).toEqual([]);
    const q35 = planDomainConfigs(windows, windows.name, { ...platform, machine: 'q35' }, guestDrivers({ catalogue, os: catalogue.require('win10') }), newDisk);
    expect(q35.final.devices('disk').map((d) => [d.get('targetDev'), d.get('targetBus')])).toEqual([
      ['sda', 'sata'],
      ['sdb', 'sata'],
    ]);
    expect(q35.final.devices('interface')[0]?.get('model')).toBe('e1000e');
  });
});

describe('plan validation (test driver)', () => {
  let ctx: LibvirtContext;
  beforeAll(async () => {
    ctx = { binding: lv, conn: await lv.open('test:///default') };
  });
  afterAll(async () => {
    await lv.close(ctx.conn);
  });

  async function planError(plan: VmPlan, names?: string[]): Promise<PlanError> {
    const error = await validatePlan(ctx, plan, names ? { names } : {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PlanError);
    return error as PlanError;
  }
  it('accepts a good plan, with warnings for sizes below the OS minimum', async () => {
    expect(await validatePlan(ctx, manual())).toEqual([]);
    expect(await validatePlan(ctx, manual({ memoryMiB: 512 }))).toEqual(['512 MiB of memory is below the 1 GiB of memory this OS needs']);
  });

  it.each([
    ['', 'the VM needs a name'],
    ['bad name!', `"bad name!" is not a valid VM name: use up to 64 letters, digits, '.', '_', '+' and '-', starting with a letter or digit`],
    ['test', 'a VM named "test" already exists on test:///default'],
  ])('refuses the name %j on the summary page', async (name, message) => {
    expect(await planError(manual({ name }))).toMatchObject({ step: 'summary', field: 'name', message });
  });

  it('refuses missing or unreadable media on the source page', async () => {
    const missing = join(dir, 'missing.iso');
    expect(await planError(basePlan('v', { kind: 'iso', path: missing }))).toMatchObject({ step: 'source', field: 'install.path', message: `${missing} is not readable: ENOENT` });
    const text = file('notes.txt', 'hello');
    expect(await planError(basePlan('v', { kind: 'iso', path: text }))).toMatchObject({ step: 'source', field: 'install.path', message: `${text} is not an ISO 9660 image` });
    expect(await planError(basePlan('v', { kind: 'kernel', kernel: missing }))).toMatchObject({ step: 'source', field: 'install.kernel', message: `the kernel ${missing} is not readable: ENOENT` });
    expect(await planError(manual({ osId: 'plan9' }))).toMatchObject({ step: 'source', field: 'osId', message: 'unknown operating system "plan9": pick one from the list' });
    expect(await planError(basePlan('v', { kind: 'network', url: 'file:///srv/tree' }))).toMatchObject({ step: 'source', field: 'install.url' });
    expect(await planError(basePlan('v', { kind: 'pxe' }, { network: { kind: 'none' } }))).toMatchObject({
      step: 'source',
      message: 'PXE boot needs a network interface: choose a network',
    });
    const badCloudInit: InstallMethod = { kind: 'cloud-image', image: cloudImage, cloudInit: { hostname: 'bad_host!' } };
    expect(await planError(basePlan('v', badCloudInit))).toMatchObject({ step: 'source', field: 'install.cloudInit.hostname' });
  });

  it('refuses more memory or CPUs than the host has on the resources page', async () => {
    expect(await planError(manual({ memoryMiB: 4096 }))).toMatchObject({ step: 'resources', field: 'memoryMiB', message: '4 GiB of memory asked for, but the host has only 3 GiB' });
    expect(await planError(manual({ vcpus: 32 }))).toMatchObject({ step: 'resources', field: 'vcpus' });
  });

  it('refuses missing pools and disks larger than the free space on the storage page', async () => {
    expect(await planError(manual({ disk: { pool: 'nope', sizeMiB: 64 } }))).toMatchObject({
      step: 'storage',
      field: 'disk.pool',
      message: 'storage pool "nope" does not exist on test:///default',
    });
    const freeMiB = Math.floor((await lv.poolGetInfo(ctx.conn, 'default-pool')).available / MiB);
    expect(freeMiB).toBe(100 * 1024);
    expect(await planError(manual({ disk: { pool: 'default-pool', sizeMiB: freeMiB + 1024 } }))).toMatchObject({
      step: 'storage',
      field: 'disk.sizeMiB',
      message: 'a 101 GiB disk does not fit in storage pool "default-pool": it has 100 GiB free',
    });
    // Each fits alone; two copies do not.
    const half = Math.floor(freeMiB / 2) + 1024;
    expect((await planError(manual({ disk: { pool: 'default-pool', sizeMiB: half } }), ['c-1', 'c-2'])).message).toBe(
      '2 disks of 51 GiB do not fit in storage pool "default-pool": it has 100 GiB free',
    );
    const cloud: InstallMethod = { kind: 'cloud-image', image: cloudImage, cloudInit: {} };
    expect(await planError(basePlan('v', cloud, { disk: undefined }))).toMatchObject({
      step: 'storage',
      message: 'a cloud image needs a storage pool for the VM’s disk (an overlay on the image)',
    });
    expect(await planError(basePlan('v', cloud, { disk: { pool: 'default-pool', sizeMiB: 16 } }))).toMatchObject({
      step: 'storage',
      message: 'the disk must be at least 32 MiB, the size of the cloud image',
    });
  });

  it('refuses unknown networks and bridges on the summary page', async () => {
    expect(await planError(manual({ network: { kind: 'network', network: 'nope' } }))).toMatchObject({
      step: 'summary',
      field: 'network',
      message: 'virtual network "nope" does not exist on test:///default',
    });
    expect(await planError(manual({ network: { kind: 'bridge', bridge: 'vireo-nobr0' } }))).toMatchObject({ message: 'there is no bridge named "vireo-nobr0" on this host' });
  });

  it('checks only the pages asked for', async () => {
    expect(await validatePlan(ctx, manual({ name: 'test' }), { steps: ['source', 'resources', 'storage'] })).toEqual([]);
  });

  it('names copies from a pattern, and checks every name', async () => {
    expect(expandNamePattern('web-{n}', 3)).toEqual(['web-1', 'web-2', 'web-3']);
    expect(() => expandNamePattern('web', 2)).toThrow('the name pattern "web" needs {n} where each copy\'s number goes, e.g. "web-{n}"');
    expect(() => expandNamePattern('web-{n}', 0)).toThrow('the number of copies must be a whole number from 1 to 100, not 0');
    expect(await planError(manual(), ['vireo-a', 'test'])).toMatchObject({ message: 'a VM named "test" already exists on test:///default' });
  });
});
