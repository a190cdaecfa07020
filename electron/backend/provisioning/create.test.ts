// Creating VMs on the lab's libvirtd (qemu:///system) in a dir pool under os.tmpdir(): a real
// direct-kernel boot of the tiny guest, a network install from a loopback HTTP tree, a cloud image
// with its seed, copies, and rollback after failures at definition time.
// Needs `bash scripts/lab.sh start`; VIREO_NO_DAEMON=1 skips it (and says so).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainBatch, isLibvirtError, loadBinding } from '../../../native/index.js';
import { parse } from '../../../shared/xml/document.js';
import { DomainConfig } from '../../../shared/xml/domain.js';
import { probeAcceleration } from '../host/acceleration.js';
import { type CreateProgress, CreationError, createVm, createVmCopies } from './create.js';
import { type InstallMethod, type LibvirtContext, type VmPlan, probeGuestPlatform } from './plan.js';
import { noDaemon, serveDebianTree } from '../../test/lab.js';

const lv = loadBinding();
const suite = noDaemon ? describe.skip : describe;
const title = noDaemon
  ? 'creating VMs on the lab libvirtd: SKIPPED because VIREO_NO_DAEMON=1 (no qemu:///system)'
  : 'creating VMs on the lab libvirtd (qemu:///system, dir pool in a temp dir)';

const MiB = 1024 * 1024;
const guestDir = fileURLToPath(new URL('../../../.lab/guest/', import.meta.url));
const tinyGuest = { kernel: join(guestDir, 'vmlinux'), initrd: join(guestDir, 'initramfs.img'), cmdline: 'console=tty0 console=ttyS0 panic=-1' };
const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';

async function creationError(creation: Promise<unknown>): Promise<CreationError> {
  const error = await creation.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CreationError);
  return error as CreationError;
}

suite(title, () => {
  const tag = `vireo-test-${randomBytes(3).toString('hex')}`;
  const pool = tag;
  let poolDir = '';
  let filesDir = '';
  let baseImage = '';
  let ctx: LibvirtContext;

  const plan = (name: string, install: InstallMethod, extra: Partial<VmPlan> = {}): VmPlan => ({
    name: `${tag}-${name}`,
    virtType: 'qemu',
    memoryMiB: 256,
    vcpus: 1,
    install,
    disk: { pool, sizeMiB: 64 },
    network: { kind: 'user' },
    start: false,
    ...extra,
  });
  const ourDomains = async () =>
    (await drainBatch(await lv.listAllDomains(ctx.conn)))
      .map((d) => d.name)
      .filter((n) => n.startsWith(tag))
      .toSorted();
  const volumesInPool = async () => (await lv.volList(ctx.conn, pool)).map((v) => v.name).toSorted();
  const definedConfig = async (name: string, inactive = true) => DomainConfig.parse(await lv.domainGetXML(ctx.conn, name, { inactive }));

  beforeAll(async () => {
    poolDir = mkdtempSync(join(tmpdir(), 'vireo-create-pool-'));
    filesDir = mkdtempSync(join(tmpdir(), 'vireo-create-files-'));
    baseImage = join(filesDir, 'cloud-base.qcow2');
    ctx = { binding: lv, conn: await lv.open('qemu:///system') };
    await lv.poolDefine(ctx.conn, `<pool type='dir'><name>${pool}</name><target><path>${poolDir}</path></target></pool>`);
    await lv.poolBuild(ctx.conn, pool);
    await lv.poolStart(ctx.conn, pool);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', baseImage, '32M']);
  });

  afterAll(async () => {
    // Leave nothing behind on the shared daemon, through a fresh connection in case the test one died.
    const conn = await lv.open('qemu:///system').catch(() => ctx?.conn);
    if (conn) {
      for (const domain of (await drainBatch(await lv.listAllDomains(conn))).filter((d) => d.name.startsWith(tag))) {
        await lv.domainDestroy(conn, domain.uuid).catch(() => undefined);
        await lv.domainUndefine(conn, domain.uuid).catch(() => undefined);
      }
      for (const volume of await lv.volList(conn, pool).catch(() => [])) await lv.volDelete(conn, volume.key).catch(() => undefined);
      await lv.poolDestroy(conn, pool).catch(() => undefined);
      await lv.poolUndefine(conn, pool).catch(() => undefined);
    }
    for (const handle of new Set([conn, ctx?.conn])) if (handle) await lv.close(handle).catch(() => undefined);
    for (const made of [poolDir, filesDir]) if (made) rmSync(made, { recursive: true, force: true });
  });

  it("picks KVM only where it is usable, and libvirt's default machine type", async () => {
    const platform = await probeGuestPlatform(ctx, {});
    const acceleration = await probeAcceleration({ capabilitiesXml: await lv.getCapabilities(ctx.conn), local: {} });
    expect(platform).toEqual({ virtType: acceleration.usable ? 'kvm' : 'qemu', arch: 'x86_64', machine: expect.stringMatching(/^pc-i440fx-/) });
  });

  it('boots the tiny guest by direct kernel boot, with a new 64 MiB qcow2 disk', async () => {
    const progress: CreateProgress[] = [];
    const result = await createVm(ctx, plan('boot', { kind: 'kernel', ...tinyGuest }, { start: true }), { onProgress: (p) => progress.push(p) });
    const name = `${tag}-boot`;
    const diskPath = join(poolDir, `${name}.qcow2`);
    expect(result).toEqual({ vms: [{ name, uuid: expect.any(String), volumes: [diskPath], started: true }], warnings: [] });
    expect(progress.map((p) => p.stage)).toEqual(['disk', 'define', 'start']);
    expect(await lv.domainGetState(ctx.conn, name)).toMatchObject({ stateName: 'running', reasonName: 'booted' });
    expect(await lv.volGetInfo(ctx.conn, diskPath)).toMatchObject({ capacity: 64 * MiB });
    expect(parse(await lv.volGetXML(ctx.conn, diskPath)).root.find('target/format')?.attr('type')).toBe('qcow2');
    const config = await definedConfig(name);
    expect(config.values()).toMatchObject({ hypervisor: 'qemu', kernel: tinyGuest.kernel, initrd: tinyGuest.initrd, cmdline: tinyGuest.cmdline });
    expect(config.devices('disk').map((d) => [d.get('sourceFile'), d.get('targetDev'), d.get('driverType')])).toEqual([[diskPath, 'vda', 'qcow2']]);
  });

  it('installs from a network tree: the installer kernel boots, the disk is next; the installer files are gone', async () => {
    // A Debian 11 tree on loopback, whose "installer" is the tiny guest.
    const tree = await serveDebianTree(tinyGuest);
    const url = tree.url;
    try {
      const progress: CreateProgress[] = [];
      const install: InstallMethod = { kind: 'network', url, extraArgs: tinyGuest.cmdline };
      const result = await createVm(ctx, plan('netinst', install, { osId: 'debian11', start: true }), { onProgress: (p) => progress.push(p) });
      const name = `${tag}-netinst`;
      expect(result.vms[0]).toMatchObject({ name, volumes: [join(poolDir, `${name}.qcow2`)], started: true });
      expect(await lv.domainGetState(ctx.conn, name)).toMatchObject({ stateName: 'running' });
      const kernelSize = statSync(tinyGuest.kernel).size;
      expect(progress).toContainEqual({ vm: name, stage: 'installer', message: `downloading ${url}/current/images/netboot/debian-installer/amd64/linux`, bytes: { done: kernelSize, total: kernelSize } });
      // Running: the installer. Next boot: the disk.
      const live = await definedConfig(name, false);
      expect(live.values()).toMatchObject({ kernel: join(poolDir, `${name}-installer-kernel`), cmdline: tinyGuest.cmdline, onReboot: 'destroy' });
      const next = await definedConfig(name);
      expect(next.get('kernel')).toBeUndefined();
      expect(next.bootDevices()).toEqual(['hd']);
      expect(next.get('onReboot')).toBe('restart');
      expect(next.metadata('http://libosinfo.org/xmlns/libvirt/domain/1.0')?.find('libosinfo:os')?.attr('id')).toBe('http://debian.org/debian/11');
      expect((await volumesInPool()).filter((v) => v.startsWith(name))).toEqual([`${name}.qcow2`]);
    } finally {
      tree.close();
    }
  });

  it('puts a cloud image under a qcow2 overlay and attaches the NoCloud seed as a CD-ROM', async () => {
    const install: InstallMethod = { kind: 'cloud-image', image: baseImage, cloudInit: { user: { name: 'alice', sshKeys: [key] } } };
    await createVm(ctx, plan('cloud', install, { osId: 'debian11' }));
    const name = `${tag}-cloud`;
    const overlay = join(poolDir, `${name}.qcow2`);
    const seed = join(poolDir, `${name}-cidata.iso`);
    expect(await lv.domainGetState(ctx.conn, name)).toMatchObject({ stateName: 'shutoff' });
    const overlayXml = parse(await lv.volGetXML(ctx.conn, overlay)).root;
    expect(overlayXml.find('backingStore/path')?.text()).toBe(baseImage);
    expect(overlayXml.find('target/format')?.attr('type')).toBe('qcow2');
    const config = await definedConfig(name);
    expect(config.devices('disk').map((d) => [d.get('device'), d.get('sourceFile'), d.get('driverType')])).toEqual([
      ['disk', overlay, 'qcow2'],
      ['cdrom', seed, 'raw'],
    ]);
    const isoFile = (path: string) => execFileSync('isoinfo', ['-R', '-i', seed, '-x', path], { encoding: 'utf8' });
    expect(execFileSync('isoinfo', ['-d', '-i', seed], { encoding: 'utf8' })).toMatch(/Volume id: cidata/);
    expect(isoFile('/user-data')).toContain(`hostname: "${name}"`);
    expect(isoFile('/user-data')).toContain(JSON.stringify(key));
    expect(isoFile('/meta-data')).toContain(`local-hostname: "${name}"`);
  });

  it('rolls back when libvirt refuses the final XML: the new disk is deleted, nothing is defined', async () => {
    const progress: CreateProgress[] = [];
    const error = await creationError(
      createVm(ctx, plan('invalid', { kind: 'kernel', ...tinyGuest }), {
        onProgress: (p) => progress.push(p),
        customize: (config) => void config.element.find('devices')!.append(parse('<vireo-bogus/>').root),
      }),
    );
    const name = `${tag}-invalid`;
    expect(error).toMatchObject({ vm: name, stage: 'define', rollbackFailures: [] });
    expect(error.cause).toMatchObject({ code: 'VIR_ERR_XML_INVALID_SCHEMA' });
    expect(error.message).toBe(
      `creating "${name}" failed (define): XML document failed to validate against schema: Unable to validate doc against /usr/share/libvirt/schemas/domain.rng\n` +
        'Extra element devices in interleave\nElement domain failed to validate content; nothing it created was kept',
    );
    expect(progress.at(-1)).toEqual({ vm: name, stage: 'rollback', message: `removing what was created: ${join(poolDir, `${name}.qcow2`)}` });
    expect((await volumesInPool()).filter((v) => v.startsWith(name))).toEqual([]);
    expect(await ourDomains()).not.toContain(name);
  });

  it("rolls back when someone else takes the name meanwhile, and leaves that VM alone", async () => {
    const name = `${tag}-race`;
    let other = '';
    const error = await creationError(
      createVm(ctx, plan('race', { kind: 'kernel', ...tinyGuest }), {
        // While the user customizes, another client defines a VM of that name.
        customize: async () => {
          other = (await lv.domainDefine(ctx.conn, execFileSync('bash', ['scripts/tiny-guest-xml.sh', name], { encoding: 'utf8' }))).uuid;
        },
      }),
    );
    expect(error).toMatchObject({ vm: name, stage: 'define', rollbackFailures: [] });
    expect(isLibvirtError(error.cause) && error.cause.code).toBe('VIR_ERR_OPERATION_FAILED');
    expect((error.cause as Error).message).toBe(`operation failed: domain '${name}' already exists with uuid ${other}`);
    expect((await volumesInPool()).filter((v) => v.startsWith(name))).toEqual([]);
    expect((await lv.domainLookup(ctx.conn, name)).uuid).toBe(other);
    await lv.domainUndefine(ctx.conn, other);
  });

  it('creates N copies of an imported image, each with its own overlay disk', async () => {
    const result = await createVmCopies(ctx, plan('web-{n}', { kind: 'import', path: baseImage }), { count: 3, namePattern: `${tag}-web-{n}` });
    const names = [1, 2, 3].map((n) => `${tag}-web-${n}`);
    expect(result.vms.map((vm) => vm.name)).toEqual(names);
    expect(await ourDomains()).toEqual(expect.arrayContaining(names));
    const sources = await Promise.all(names.map(async (name) => (await definedConfig(name)).devices('disk')[0]?.get('sourceFile')));
    expect(sources).toEqual(names.map((name) => join(poolDir, `${name}.qcow2`)));
    for (const source of sources) expect(parse(await lv.volGetXML(ctx.conn, source!)).root.find('backingStore/path')?.text()).toBe(baseImage);
    const macs = await Promise.all(names.map(async (name) => (await definedConfig(name)).devices('interface')[0]?.get('mac')));
    expect(new Set(macs).size).toBe(3);
  });

  it('rolls back every copy when copy 3 fails, destroying the ones already running', async () => {
    const progress: CreateProgress[] = [];
    const error = await creationError(
      createVmCopies(ctx, plan('fail-{n}', { kind: 'kernel', ...tinyGuest }, { start: true }), { count: 3, namePattern: `${tag}-fail-{n}` }, {
        onProgress: (p) => progress.push(p),
        customize: (config, vm) => {
          if (vm.index === 2) config.element.append(parse('<vireo-bogus/>').root);
        },
      }),
    );
    expect(error).toMatchObject({ vm: `${tag}-fail-3`, stage: 'define', rollbackFailures: [] });
    expect(progress.filter((p) => p.stage === 'start').map((p) => p.vm)).toEqual([`${tag}-fail-1`, `${tag}-fail-2`]);
    expect((await ourDomains()).filter((n) => n.includes('-fail-'))).toEqual([]);
    expect((await volumesInPool()).filter((v) => v.includes('-fail-'))).toEqual([]);
  });
});
