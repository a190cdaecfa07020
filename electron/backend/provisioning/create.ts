// Carries out a New-VM plan: creates the VM's volumes (disk, cloud-init seed, installer kernel),
// defines the domain, and starts the installation. All or nothing: when any step fails, whatever
// this run created (volumes, definitions, running guests) is removed again, for one VM or for
// every copy of a bulk creation.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type VolumeInfo, isLibvirtError } from '../../../native/index.js';
import { escapeText, parse } from '../../../shared/xml/document.js';
import { DOMAIN_CHILD_ORDER, type DomainConfig } from '../../../shared/xml/domain.js';
import { createSeedIso } from './cloud-init.js';
import { type TreeBootFiles, type TreeTextReader, readDiskImageInfo, treeBootFiles } from './media.js';
import type { OsCatalogue, OsInfo } from './osinfo.js';
import { describeMiB } from './resources.js';
import {
  type DiskFormat,
  type GuestDrivers,
  type GuestPlatform,
  type LibvirtContext,
  type PreparedStorage,
  type VmPlan,
  cloudInitFor,
  diskToCreate,
  expandNamePattern,
  guestDrivers,
  isLocalConnection,
  planDomainConfigs,
  probeGuestPlatform,
  resolveOs,
  validatePlan,
  volumeNames,
} from './plan.js';

export type CreateStage = 'disk' | 'seed' | 'installer' | 'define' | 'start' | 'rollback';

export interface CreateProgress {
  vm: string;
  stage: CreateStage;
  message: string;
  /** Bytes moved so far by a download or upload, and the total when known. */
  bytes?: { done: number; total?: number };
}

/** Downloads a URL into a local file, reporting bytes as they arrive. */
export type Downloader = (url: string, toPath: string, onBytes: (done: number, total?: number) => void) => Promise<void>;

export interface CreateOptions {
  /** Default: osinfo-db's catalogue, loaded on first use. */
  catalogue?: OsCatalogue;
  onProgress?: (progress: CreateProgress) => void;
  /**
   * Last edits to each VM's XML before it is defined, like virt-manager's "Customize configuration
   * before install"; it may wait (for the user to finish editing).
   */
  customize?: (config: DomainConfig, vm: { name: string; index: number; phase: 'install' | 'final' }) => void | Promise<void>;
  /** Reads an install tree's .treeinfo; default: fetch. */
  readTreeText?: TreeTextReader;
  /** Fetches a network install's kernel and initrd; default: fetch. */
  download?: Downloader;
}

export interface CreatedVm {
  name: string;
  uuid: string;
  /** Paths of the volumes created for it (its installer's kernel and initrd are gone once it started). */
  volumes: string[];
  started: boolean;
}

export interface CreationResult {
  vms: CreatedVm[];
  /** From validation: sizes below the OS's minimum, an inactive network. */
  warnings: string[];
}

/** A failure after something was created; everything created was removed again, except what rollbackFailures lists. */
export class CreationError extends Error {
  constructor(
    readonly vm: string,
    readonly stage: CreateStage,
    override readonly cause: unknown,
    readonly rollbackFailures: string[],
  ) {
    const undone = rollbackFailures.length === 0 ? 'nothing it created was kept' : `these could not be removed: ${rollbackFailures.join('; ')}`;
    const reason = cause instanceof Error ? cause.message.trim() : String(cause);
    super(`creating "${vm}" failed (${stage}): ${reason}; ${undone}`);
    this.name = 'CreationError';
  }
}

/** Creates one VM from a plan. */
export function createVm(ctx: LibvirtContext, plan: VmPlan, options: CreateOptions = {}): Promise<CreationResult> {
  return new VmCreation(ctx, plan, [plan.name], options).run();
}

/** Creates `count` VMs from one plan, named by `namePattern` ("web-{n}"), each with its own disk; all or none. */
export function createVmCopies(ctx: LibvirtContext, plan: VmPlan, copies: { count: number; namePattern: string }, options: CreateOptions = {}): Promise<CreationResult> {
  return new VmCreation(ctx, plan, expandNamePattern(copies.namePattern, copies.count), options).run();
}

const defaultDownload: Downloader = async (url, toPath, onBytes) => {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`downloading ${url} failed: HTTP ${response.status} ${response.statusText}`);
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), countingBytes((done) => onBytes(done, total)), createWriteStream(toPath));
};

function countingBytes(onBytes: (done: number) => void): Transform {
  let done = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      onBytes(done);
      callback(null, chunk);
    },
  });
}

function volumeXml(name: string, capacityBytes: number, format: DiskFormat, backing?: { path: string; format: DiskFormat }): string {
  const backingXml = backing ? `<backingStore><path>${escapeText(backing.path)}</path><format type='${backing.format}'/></backingStore>` : '';
  // Raw volumes start sparse; qcow2 ones are small until written anyway.
  const allocation = format === 'raw' ? '<allocation>0</allocation>' : '';
  return `<volume><name>${escapeText(name)}</name><capacity unit='bytes'>${capacityBytes}</capacity>${allocation}<target><format type='${format}'/></target>${backingXml}</volume>`;
}

interface Undo {
  what: string;
  run: () => Promise<void>;
}

class VmCreation {
  private readonly undo: Undo[] = [];
  /** The volumes created for the VM being created. */
  private volumes: VolumeInfo[] = [];
  private current: { vm: string; stage: CreateStage };
  private scratch: string | undefined;
  /** A network install's files, fetched once for all copies. */
  private readonly downloads = new Map<string, Promise<string>>();
  private readonly start: boolean;

  constructor(
    private readonly ctx: LibvirtContext,
    private readonly plan: VmPlan,
    private readonly names: string[],
    private readonly options: CreateOptions,
  ) {
    this.current = { vm: names[0]!, stage: 'disk' };
    this.start = plan.start !== false;
  }

  async run(): Promise<CreationResult> {
    const warnings = await validatePlan(this.ctx, this.plan, { catalogue: this.options.catalogue, names: this.names });
    const os = await resolveOs(this.plan, this.options.catalogue);
    const platform = await probeGuestPlatform(this.ctx, this.plan);
    const drivers = guestDrivers(os);
    try {
      const vms: CreatedVm[] = [];
      for (const [index, name] of this.names.entries()) vms.push(await this.createOne(name, index, platform, drivers, os));
      return { vms, warnings };
    } catch (e) {
      const { vm, stage } = this.current;
      this.report(vm, 'rollback', `removing what was created: ${this.undo.map((u) => u.what).join(', ') || 'nothing'}`);
      throw new CreationError(vm, stage, e, await this.rollback());
    } finally {
      if (this.scratch) await rm(this.scratch, { recursive: true, force: true });
    }
  }

  private async createOne(name: string, index: number, platform: GuestPlatform, drivers: GuestDrivers, os?: { catalogue: OsCatalogue; os: OsInfo }): Promise<CreatedVm> {
    const { binding, conn } = this.ctx;
    this.volumes = [];
    const prepared = await this.prepareStorage(name, platform, os);
    const volumes = this.volumes;

    this.report(name, 'define', `defining ${name}`);
    const configs = planDomainConfigs(this.plan, name, platform, drivers, prepared, os?.os);
    if (configs.install) await this.options.customize?.(configs.install, { name, index, phase: 'install' });
    await this.options.customize?.(configs.final, { name, index, phase: 'final' });
    // A VM not started now keeps the install configuration, so that its first start installs.
    const domain = await binding.domainDefine(conn, (configs.install ?? configs.final).toXml(), { validate: true });
    this.remember(`definition of ${name}`, () => binding.domainUndefine(conn, domain.uuid));
    if (!this.start) return { name, uuid: domain.uuid, volumes: volumes.map((v) => v.path), started: false };

    this.report(name, 'start', `starting ${name}`);
    await binding.domainCreate(conn, domain.uuid);
    this.remember(`running ${name}`, () => binding.domainDestroy(conn, domain.uuid).catch(ignoreNotRunning));
    if (configs.install) {
      // The running installer keeps its configuration; the final one applies from the next boot.
      configs.final.element.ensureChild('uuid', DOMAIN_CHILD_ORDER).setText(domain.uuid);
      await binding.domainDefine(conn, configs.final.toXml(), { validate: true });
    }
    // QEMU read the installer's kernel and initrd when it started: they are no longer needed.
    const installerFiles = new Set([prepared.installer?.kernel, prepared.installer?.initrd]);
    for (const volume of volumes.filter((v) => installerFiles.has(v.path))) {
      await binding.volDelete(conn, volume.key);
      this.forget(volume.path);
    }
    return { name, uuid: domain.uuid, volumes: volumes.filter((v) => !installerFiles.has(v.path)).map((v) => v.path), started: true };
  }

  /** Creates the VM's volumes in the plan's pool. */
  private async prepareStorage(name: string, platform: GuestPlatform, os: { catalogue: OsCatalogue; os: OsInfo } | undefined): Promise<PreparedStorage> {
    const install = this.plan.install;
    // Looked up first: a tree without an installer fails before anything is created.
    const treeFiles = install.kind === 'network' ? await this.findInstaller(name, os, platform.arch, install.url) : undefined;
    const disk = diskToCreate(this.plan, this.names.length);
    if (!disk) return install.kind === 'import' ? { disk: { path: install.path, format: await this.imageFormat(install.path) } } : {};

    const prepared: PreparedStorage = {};
    const volumeName = volumeNames(name, disk.format);
    const capacity = disk.sizeMiB * 1024 * 1024;
    // A cloud image, or an image imported for several copies, backs a qcow2 overlay per VM.
    const backingPath = install.kind === 'cloud-image' ? install.image : install.kind === 'import' ? install.path : undefined;
    if (backingPath !== undefined) {
      const backing = { path: backingPath, format: await this.imageFormat(backingPath) };
      const overlayName = volumeNames(name, 'qcow2').disk;
      this.report(name, 'disk', `creating ${overlayName}, an overlay on ${backingPath}, in pool ${disk.pool}`);
      const overlay = await this.createVolume(disk.pool, volumeXml(overlayName, capacity, 'qcow2', backing));
      prepared.disk = { path: overlay.path, format: 'qcow2' };
    } else {
      this.report(name, 'disk', `creating ${volumeName.disk} (${describeMiB(disk.sizeMiB)}) in pool ${disk.pool}`);
      const format = disk.format ?? 'qcow2';
      const volume = await this.createVolume(disk.pool, volumeXml(volumeName.disk, capacity, format));
      prepared.disk = { path: volume.path, format };
    }

    if (install.kind === 'cloud-image') {
      this.report(name, 'seed', `writing the cloud-init seed ${volumeName.seed}`);
      const iso = join(await this.scratchDir(), volumeName.seed);
      await createSeedIso(cloudInitFor(install.cloudInit, name), iso);
      prepared.seedIso = (await this.uploadVolume(name, 'seed', disk.pool, volumeName.seed, iso)).path;
    }

    if (install.kind === 'network' && treeFiles) {
      const kernel = await this.uploadVolume(name, 'installer', disk.pool, volumeName.installerKernel, await this.fetchOnce(name, treeFiles.kernelUrl));
      const initrd = await this.uploadVolume(name, 'installer', disk.pool, volumeName.installerInitrd, await this.fetchOnce(name, treeFiles.initrdUrl));
      const cmdline = [treeFiles.kernelArgs, install.extraArgs].filter(Boolean).join(' ');
      prepared.installer = { kernel: kernel.path, initrd: initrd.path, cmdline };
    }
    return prepared;
  }

  private findInstaller(vm: string, os: { catalogue: OsCatalogue; os: OsInfo } | undefined, arch: string, treeUrl: string | undefined): Promise<TreeBootFiles> {
    this.report(vm, 'installer', `finding the installer in ${treeUrl ?? 'the install tree osinfo-db names'}`);
    return treeBootFiles(os, arch, treeUrl, this.options.readTreeText);
  }

  /** qcow2 or raw: read from the file on a local connection, else from the volume libvirt knows at that path. */
  private async imageFormat(path: string): Promise<DiskFormat> {
    if (isLocalConnection(this.ctx.conn)) return (await readDiskImageInfo(path)).format;
    const described = await this.ctx.binding.volGetXML(this.ctx.conn, path);
    return parse(described).root.find('target/format')?.attr('type') === 'qcow2' ? 'qcow2' : 'raw';
  }

  /** Creates a volume for the VM being created, to be deleted again if anything fails. */
  private async createVolume(pool: string, xml: string): Promise<VolumeInfo> {
    const { binding, conn } = this.ctx;
    const volume = await binding.volCreate(conn, pool, xml);
    this.remember(volume.path, () => binding.volDelete(conn, volume.key));
    this.volumes.push(volume);
    return volume;
  }

  /** Copies a local file into a new raw volume through a libvirt stream, so it works on remote hosts too. */
  private async uploadVolume(vm: string, stage: CreateStage, pool: string, name: string, localPath: string): Promise<VolumeInfo> {
    const size = (await stat(localPath)).size;
    const volume = await this.createVolume(pool, volumeXml(name, size, 'raw'));
    const upload = await this.ctx.binding.volUpload(this.ctx.conn, volume.key, 0, size);
    let done = 0;
    try {
      for await (const chunk of createReadStream(localPath)) {
        await upload.write(chunk as Buffer);
        done += (chunk as Buffer).length;
        this.report(vm, stage, `uploading ${name}`, { done, total: size });
      }
      await upload.finish();
    } catch (e) {
      await upload.abort().catch(() => undefined);
      throw e;
    }
    return volume;
  }

  private fetchOnce(vm: string, url: string): Promise<string> {
    let fetched = this.downloads.get(url);
    if (!fetched) {
      fetched = (async () => {
        const path = join(await this.scratchDir(), `download-${this.downloads.size}`);
        const download = this.options.download ?? defaultDownload;
        await download(url, path, (done, total) => this.report(vm, 'installer', `downloading ${url}`, { done, total }));
        return path;
      })();
      this.downloads.set(url, fetched);
    }
    return fetched;
  }

  private async scratchDir(): Promise<string> {
    this.scratch ??= await mkdtemp(join(tmpdir(), 'vireo-create-'));
    return this.scratch;
  }

  private report(vm: string, stage: CreateStage, message: string, bytes?: CreateProgress['bytes']): void {
    if (stage !== 'rollback') this.current = { vm, stage };
    this.options.onProgress?.(bytes ? { vm, stage, message, bytes } : { vm, stage, message });
  }

  private remember(what: string, run: () => Promise<void>): void {
    this.undo.push({ what, run });
  }

  private forget(what: string): void {
    const index = this.undo.findIndex((u) => u.what === what);
    if (index >= 0) this.undo.splice(index, 1);
  }

  /** Undoes in reverse order, going on past failures; returns what could not be undone. */
  private async rollback(): Promise<string[]> {
    const failures: string[] = [];
    for (const step of this.undo.toReversed()) {
      await step.run().catch((e: unknown) => failures.push(`${step.what}: ${(e as Error).message}`));
    }
    this.undo.length = 0;
    return failures;
  }
}

/** A guest that already stopped (its installer rebooted) needs no destroying. */
function ignoreNotRunning(e: unknown): void {
  if (!(isLibvirtError(e) && e.code === 'VIR_ERR_OPERATION_INVALID')) throw e;
}
