// The New-VM wizard's backend: what each page offers (architectures, OSes, media detection,
// resource defaults, pools, volumes, files), per-page checks with errors on the page they belong to,
// the customizable preview, and creations (one VM or copies) run as operations that report
// progress and their outcome as events. Provisioning itself lives in ./provisioning/.
import { randomUUID } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import type { NativeBinding } from '../../native/index.js';
import type { ApiHandlers, MethodName, ValidParams } from '../../shared/api/contract.js';
import { apiError } from '../../shared/api/errors.js';
import { checkCustomXml } from '../../shared/models/wizard-xml.js';
import type {
  BrowseListing,
  MediaInspection,
  OsChoice,
  WizardArch,
  WizardCheck,
  WizardCopies,
  WizardDefaults,
  WizardEnvironment,
  WizardFailure,
  WizardFieldError,
  WizardOperation,
  WizardOutcome,
  WizardPage,
  WizardPlan,
  WizardPreview,
  WizardProgress,
  WizardTemplate,
  WizardTemplatePlan,
  WizardVolume,
} from '../../shared/models/wizard.js';
import { templatePlanSchema } from '../../shared/models/wizard.js';
import { parse } from '../../shared/xml/document.js';
import { DomainConfig } from '../../shared/xml/domain.js';
import type { ConnectionManager } from './connection-manager.js';
import type { EventBus } from './event-bus.js';
import { probeAcceleration } from './host/acceleration.js';
import { type CreateOptions, type CreateProgress, CreationError, createVm, createVmCopies } from './provisioning/create.js';
import { MediaError, matchIsoMedia, readDiskImageInfo, readIsoIdentity } from './provisioning/media.js';
import { type OsCatalogue, type OsInfo, loadOsCatalogue } from './provisioning/osinfo.js';
import {
  type DomainConfigs,
  type LibvirtContext,
  type PreparedStorage,
  type VmPlan,
  type WizardStep,
  PlanError,
  diskToCreate,
  expandNamePattern,
  guestDrivers,
  isLocalConnection,
  planDomainConfigs,
  probeGuestPlatform,
  resolveOs,
  validatePlan,
  volumeNames,
} from './provisioning/plan.js';
import { defaultResources } from './provisioning/resources.js';
import { TemplateStore } from './provisioning/templates.js';
import { browse, defaultBrowseRoots } from './wizard-browse.js';
import { writableDiskUsers } from './domain-xml.js';
import { attachExistingDisk, customizedFor, diskPaths, replaceDomainContent } from './wizard-customize.js';

type WizardMethod = Extract<MethodName, `wizard.${string}`>;
export type WizardHandlers = Pick<ApiHandlers, WizardMethod>;

/** A problem with the user's input found by the wizard itself (the provisioning checks throw PlanError). */
export class WizardInputError extends Error {
  constructor(
    readonly page: WizardPage,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'WizardInputError';
  }
}

export interface WizardServiceOptions {
  binding: NativeBinding;
  connections: ConnectionManager;
  events: EventBus;
  /** Where templates.json lives. */
  configDir: string;
  /** Default: osinfo-db's catalogue. */
  catalogue?: () => Promise<OsCatalogue>;
  /** Folders the file browser offers besides the connection's directory pools; default defaultBrowseRoots(). */
  browseRoots?: string[];
  /** How long a finished operation can still be asked about. */
  keepFinishedMs?: number;
  /** Passed to create.ts (tests: a loopback install tree). */
  createOptions?: Pick<CreateOptions, 'download' | 'readTreeText'>;
}

const MiB = 1024 * 1024;
const toMiB = (bytes: number) => Math.floor(bytes / MiB);
/** Byte progress is sent at most this often per operation (stage changes always are). */
const PROGRESS_INTERVAL_MS = 100;

const PAGE_STEPS: Partial<Record<WizardPage, WizardStep>> = { source: 'source', resources: 'resources', storage: 'storage', summary: 'summary' };

interface Operation {
  info: WizardOperation;
  lastSent: number;
}

/** The VmPlan create.ts takes: the wizard's plan without what the wizard handles itself. */
function toVmPlan(plan: WizardPlan): VmPlan {
  const { existingDisk: _existingDisk, ...rest } = plan;
  return rest;
}

/** A PlanError or WizardInputError as the page error the wizard shows; undefined for anything else. */
export function fieldErrorOf(e: unknown): WizardFieldError | undefined {
  if (e instanceof WizardInputError) return { page: e.page, field: e.field, message: e.message };
  if (e instanceof PlanError) return { page: e.step, field: e.field, message: e.message };
  return undefined;
}

function osChoice(os: OsInfo, eol: boolean): OsChoice {
  return {
    id: os.id,
    shortId: os.shortIds[0] ?? os.id,
    name: os.name,
    version: os.version ?? null,
    vendor: os.vendor ?? null,
    family: os.family ?? null,
    releaseDate: os.releaseDate ?? null,
    eol,
    hasTree: os.trees.some((t) => t.url !== undefined),
  };
}

const inspectionFailure = (message: string): MediaInspection => ({ ok: false, error: { page: 'source', field: 'path', message } });

const VOLUME_TYPES: WizardVolume['type'][] = ['file', 'block', 'dir', 'network', 'network', 'other'];

/** The hvm guest architectures of a capabilities document, with their accelerators and machine types. */
export function guestArches(capabilitiesXml: string): { hostArch: string | undefined; arches: WizardArch[] } {
  const root = parse(capabilitiesXml).root;
  const byArch = new Map<string, { virtTypes: Set<string>; machines: string[]; aliases: Set<string> }>();
  for (const guest of root.children('guest')) {
    if (guest.child('os_type')?.text().trim() !== 'hvm') continue;
    const arch = guest.child('arch');
    const name = arch?.attr('name');
    if (!arch || !name) continue;
    const entry = byArch.get(name) ?? { virtTypes: new Set<string>(), machines: [], aliases: new Set<string>() };
    byArch.set(name, entry);
    const machineElements = [...arch.children('machine'), ...arch.children('domain').flatMap((d) => d.children('machine'))];
    for (const machine of machineElements) {
      const text = machine.text().trim();
      if (text === '' || entry.machines.includes(text)) continue;
      entry.machines.push(text);
      if (machine.hasAttr('canonical')) entry.aliases.add(text);
    }
    for (const domain of arch.children('domain')) entry.virtTypes.add(domain.attr('type') ?? '');
  }
  const arches = [...byArch].map(([arch, entry]): WizardArch => {
    const virtTypes = (['kvm', 'qemu'] as const).filter((t) => entry.virtTypes.has(t));
    const aliases = entry.machines.filter((m) => entry.aliases.has(m)).toSorted();
    const versions = entry.machines.filter((m) => !entry.aliases.has(m)).toSorted((a, b) => b.localeCompare(a, 'en', { numeric: true }));
    // A driver that offers neither (the test driver) still takes type='qemu' definitions.
    return { arch, virtTypes: virtTypes.length > 0 ? virtTypes : ['qemu'], machines: [...aliases, ...versions] };
  });
  return { hostArch: root.find('host/cpu/arch')?.text().trim(), arches };
}

export class WizardService {
  readonly templates: TemplateStore;
  private readonly binding: NativeBinding;
  private readonly connections: ConnectionManager;
  private readonly events: EventBus;
  private readonly catalogue: () => Promise<OsCatalogue>;
  private readonly browseRoots: string[];
  private readonly keepFinishedMs: number;
  private readonly createOptions: Pick<CreateOptions, 'download' | 'readTreeText'>;
  private readonly operations = new Map<string, Operation>();
  /** connectionId → names of VMs being created, so a second wizard cannot take them meanwhile. */
  private readonly reserved = new Map<string, Set<string>>();

  constructor(options: WizardServiceOptions) {
    this.binding = options.binding;
    this.connections = options.connections;
    this.events = options.events;
    this.templates = new TemplateStore(options.configDir);
    this.catalogue = options.catalogue ?? (() => loadOsCatalogue());
    this.browseRoots = options.browseRoots ?? defaultBrowseRoots();
    this.keepFinishedMs = options.keepFinishedMs ?? 10 * 60_000;
    this.createOptions = options.createOptions ?? {};
  }

  handlers(): WizardHandlers {
    return {
      'wizard.environment': ({ connectionId }) => this.on(connectionId, (ctx) => this.environment(connectionId, ctx)),
      'wizard.searchOs': (params) => this.searchOs(params),
      'wizard.inspect': (params) => this.on(params.connectionId, (ctx) => this.inspect(ctx, params)),
      'wizard.defaults': (params) => this.on(params.connectionId, (ctx) => this.defaults(ctx, params)),
      'wizard.volumes': ({ connectionId, pool }) => this.on(connectionId, (ctx) => this.volumes(ctx, pool)),
      'wizard.browse': ({ connectionId, path }) => this.on(connectionId, (ctx) => this.browse(ctx, path)),
      'wizard.validate': ({ connectionId, plan, copies, pages }) => this.on(connectionId, (ctx) => this.validate(connectionId, ctx, plan, copies, pages)),
      'wizard.preview': ({ connectionId, plan, copies }) => this.on(connectionId, (ctx) => this.preview(connectionId, ctx, plan, copies)),
      'wizard.create': async (params) => this.create(params),
      'wizard.operation': async ({ operationId }) => this.operation(operationId),
      'wizard.templates.list': () => this.listTemplates(),
      'wizard.templates.save': ({ name, plan }) => this.saveTemplate(name, plan),
      'wizard.templates.remove': ({ name }) => this.templates.remove(name),
    };
  }

  /** Runs against a connected connection; a failure that means the connection died is reported to the manager. */
  private async on<T>(connectionId: string, call: (ctx: LibvirtContext) => Promise<T>): Promise<T> {
    const conn = this.connections.requireHandle(connectionId);
    try {
      return await call({ binding: this.binding, conn });
    } catch (e) {
      await this.connections.noticeFailure(connectionId, conn, e);
      throw e;
    }
  }

  // ---- what the pages offer

  async environment(connectionId: string, ctx: LibvirtContext): Promise<WizardEnvironment> {
    const { binding, conn } = ctx;
    const local = isLocalConnection(conn);
    const [capabilitiesXml, node, pools, networks] = await Promise.all([binding.getCapabilities(conn), binding.nodeInfo(conn), binding.poolList(conn), binding.netList(conn)]);
    const { hostArch = node.model, arches } = guestArches(capabilitiesXml);
    const acceleration = await probeAcceleration({ capabilitiesXml, ...(local && { local: {} }) });
    const hostGuest = arches.find((a) => a.arch === hostArch);
    const kvmUsable = acceleration.usable && !!hostGuest?.virtTypes.includes('kvm');
    const platform = await probeGuestPlatform(ctx, { arch: hostArch, virtType: kvmUsable ? 'kvm' : 'qemu' }).catch(() => undefined);
    return {
      connectionId,
      uri: conn.uri,
      local,
      hostArch,
      host: { memoryMiB: Math.floor(node.memoryKiB / 1024), cpus: node.cpus },
      kvmUsable,
      kvmExplanation: acceleration.explanation,
      defaultMachine: platform?.machine ?? null,
      arches: arches.toSorted((a, b) => Number(b.arch === hostArch) - Number(a.arch === hostArch) || a.arch.localeCompare(b.arch)),
      pools: await Promise.all(
        pools.map(async (pool) => {
          const xml = await binding.poolGetXML(conn, pool.name).catch(() => undefined);
          const root = xml === undefined ? undefined : parse(xml).root;
          return {
            name: pool.name,
            type: root?.attr('type') ?? 'unknown',
            active: pool.active,
            capacityMiB: toMiB(pool.capacity),
            availableMiB: toMiB(pool.available),
            targetPath: root?.find('target/path')?.text().trim() || null,
          };
        }),
      ),
      networks: networks.map((n) => ({ name: n.name, active: n.active, bridge: n.bridge })),
      bridges: local ? await hostBridges() : [],
    };
  }

  /** Matches by words; a query that is an OS's id or short id (a template's osId) finds that OS first, end of life or not. */
  async searchOs({ query, includeEol, limit }: ValidParams<'wizard.searchOs'>): Promise<OsChoice[]> {
    const catalogue = await this.catalogue();
    const exact = query.trim() === '' ? undefined : catalogue.get(query.trim());
    const found = catalogue.search(query, { includeEol, limit }).filter((r) => r.os !== exact);
    const results = exact ? [{ os: exact, eol: catalogue.isEol(exact) }, ...found].slice(0, limit) : found;
    return results.map((r) => osChoice(r.os, r.eol));
  }

  async inspect(ctx: LibvirtContext, { path, as }: ValidParams<'wizard.inspect'>): Promise<MediaInspection> {
    if (!isLocalConnection(ctx.conn)) {
      if (as === 'iso') return inspectionFailure(`media on ${ctx.conn.uri} cannot be read from here: pick the operating system from the list`);
      // A volume libvirt knows: its size and format from the pool.
      const info = await ctx.binding.volGetInfo(ctx.conn, path).catch(() => undefined);
      if (!info) return inspectionFailure(`${path} is not a storage volume on ${ctx.conn.uri}`);
      const format = parse(await ctx.binding.volGetXML(ctx.conn, path)).root.find('target/format')?.attr('type');
      return { ok: true, kind: 'image', format: format === 'qcow2' ? 'qcow2' : 'raw', virtualSizeMiB: Math.ceil(info.capacity / MiB) };
    }
    try {
      if (as === 'image') {
        const image = await readDiskImageInfo(path);
        return { ok: true, kind: 'image', format: image.format, virtualSizeMiB: Math.ceil(image.virtualSizeBytes / MiB) };
      }
      const identity = await readIsoIdentity(path);
      const catalogue = await this.catalogue();
      const match = matchIsoMedia(catalogue, identity);
      return {
        ok: true,
        kind: 'iso',
        volumeId: identity.volumeId,
        sizeMiB: Math.ceil(identity.volumeSizeBytes / MiB),
        os: match ? osChoice(match.os, catalogue.isEol(match.os)) : null,
      };
    } catch (e) {
      if (e instanceof MediaError) return inspectionFailure(e.message);
      throw e;
    }
  }

  async defaults(ctx: LibvirtContext, { osId, arch }: ValidParams<'wizard.defaults'>): Promise<WizardDefaults> {
    const host = await ctx.binding.nodeInfo(ctx.conn);
    let os: { catalogue: OsCatalogue; os: OsInfo } | undefined;
    if (osId !== undefined) {
      const catalogue = await this.catalogue();
      const found = catalogue.get(osId);
      if (!found) throw apiError('not-found', `unknown operating system "${osId}"`);
      os = { catalogue, os: found };
    }
    const defaults = defaultResources(host, arch ?? host.model, os);
    return {
      memoryMiB: defaults.memoryMiB,
      vcpus: defaults.vcpus,
      diskMiB: defaults.diskMiB,
      minimum: defaults.minimum,
      host: { memoryMiB: Math.floor(host.memoryKiB / 1024), cpus: host.cpus },
    };
  }

  async volumes(ctx: LibvirtContext, pool: string): Promise<WizardVolume[]> {
    const volumes = (await ctx.binding.volList(ctx.conn, pool)).slice(0, 2000);
    const formats = await Promise.all(
      volumes.map((v) =>
        ctx.binding
          .volGetXML(ctx.conn, v.key)
          .then((xml) => parse(xml).root.find('target/format')?.attr('type') ?? null)
          .catch(() => null),
      ),
    );
    return volumes
      .map((v, i) => ({
        name: v.name,
        path: v.path,
        type: VOLUME_TYPES[v.type] ?? 'other',
        capacityMiB: toMiB(v.capacity),
        allocationMiB: toMiB(v.allocation),
        format: formats[i] ?? null,
      }))
      .toSorted((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  }

  async browse(ctx: LibvirtContext, path: string | undefined): Promise<BrowseListing> {
    if (!isLocalConnection(ctx.conn)) {
      throw apiError('invalid-input', `files on ${ctx.conn.uri} cannot be browsed from here: pick a storage volume, or type the path`);
    }
    // The connection's directory pools are where its images are.
    const pools = await ctx.binding.poolList(ctx.conn);
    const poolDirs = await Promise.all(
      pools.map(async (p) => {
        const xml = await ctx.binding.poolGetXML(ctx.conn, p.name).catch(() => undefined);
        const root = xml === undefined ? undefined : parse(xml).root;
        return root && ['dir', 'fs', 'netfs'].includes(root.attr('type') ?? '') ? (root.find('target/path')?.text().trim() ?? []) : [];
      }),
    );
    return browse([...this.browseRoots, ...poolDirs.flat()], path);
  }

  // ---- checks

  private names(plan: WizardPlan, copies: WizardCopies | undefined): string[] {
    return copies && copies.count > 1 ? expandNamePattern(copies.namePattern, copies.count) : [plan.name];
  }

  async validate(connectionId: string, ctx: LibvirtContext, plan: WizardPlan, copies: WizardCopies | undefined, pages: readonly WizardPage[]): Promise<WizardCheck> {
    try {
      return { ok: true, warnings: await this.check(connectionId, ctx, plan, copies, pages) };
    } catch (e) {
      const error = fieldErrorOf(e);
      if (error) return { ok: false, error };
      throw e;
    }
  }

  /** Checks the pages in wizard order; throws the first problem, returns warnings. */
  private async check(connectionId: string, ctx: LibvirtContext, plan: WizardPlan, copies: WizardCopies | undefined, pages: readonly WizardPage[]): Promise<string[]> {
    let names: string[];
    try {
      names = this.names(plan, copies);
    } catch (e) {
      // A bad name pattern is the last page's problem; the others check with the plain name.
      if (pages.includes('summary')) throw e;
      names = [plan.name];
    }
    const catalogue = await this.catalogue();
    const warnings: string[] = [];
    if (pages.includes('method')) await this.checkMethod(ctx, plan);
    for (const page of ['source', 'resources', 'storage', 'summary'] as const) {
      if (!pages.includes(page)) continue;
      if (page === 'source') checkSourcePaths(plan);
      if (page === 'storage' && plan.existingDisk) requirePath('storage', 'existingDisk.path', 'the disk path', plan.existingDisk.path);
      // The name comes on the last page; until then cloud-init's default host name is checked with a stand-in.
      const pageNames = page === 'source' ? names.map((n) => (n.trim() === '' ? 'vm' : n)) : names;
      warnings.push(...(await validatePlan(ctx, toVmPlan(plan), { catalogue, names: pageNames, steps: [PAGE_STEPS[page]!] })));
      if (page === 'storage') {
        await this.checkExistingDisk(ctx, plan, names);
        warnings.push(...(await this.sharedDiskWarnings(ctx, plan, names)));
      }
      if (page === 'summary') {
        const busy = names.find((name) => this.reserved.get(connectionId)?.has(name));
        if (busy) throw new WizardInputError('summary', 'name', `a VM named "${busy}" is being created right now`);
      }
    }
    return warnings;
  }

  private async checkMethod(ctx: LibvirtContext, plan: WizardPlan): Promise<void> {
    const { hostArch, arches } = guestArches(await ctx.binding.getCapabilities(ctx.conn));
    if (arches.length === 0) return;
    const archName = plan.arch ?? hostArch;
    const arch = arches.find((a) => a.arch === archName);
    if (!arch) {
      throw new WizardInputError('method', 'arch', `${ctx.conn.uri} cannot run ${archName} guests; it offers ${arches.map((a) => a.arch).join(', ')}`);
    }
    if (plan.virtType === 'kvm' && !arch.virtTypes.includes('kvm')) {
      throw new WizardInputError('method', 'virtType', `libvirt offers no KVM acceleration for ${arch.arch} guests on ${ctx.conn.uri}: choose QEMU (TCG)`);
    }
    if (plan.machine !== undefined && arch.machines.length > 0 && !arch.machines.includes(plan.machine)) {
      throw new WizardInputError('method', 'machine', `${arch.arch} guests have no machine type "${plan.machine}" here`);
    }
  }

  /** An existing disk chosen on the storage page: it must be readable, and no method or copies may need a new one. */
  private async checkExistingDisk(ctx: LibvirtContext, plan: WizardPlan, names: readonly string[]): Promise<void> {
    const existing = plan.existingDisk;
    if (!existing) return;
    const field = 'existingDisk.path';
    if (plan.disk) throw new WizardInputError('storage', field, 'choose either a new disk or an existing one, not both');
    const kind = plan.install.kind;
    if (kind === 'import' || kind === 'cloud-image' || kind === 'network') {
      const why = { import: 'the imported image is the VM’s disk', 'cloud-image': 'a cloud image gets a new overlay disk', network: 'a network install needs a pool for its installer' }[kind];
      throw new WizardInputError('storage', field, `an existing disk cannot be used here: ${why}`);
    }
    if (names.length > 1) {
      throw new WizardInputError('storage', field, 'copies cannot share one disk: give each a new disk, or import the image (each copy then gets an overlay on it)');
    }
    await this.existingDiskFormat(ctx, existing.path);
  }

  /** A disk the VM would write that another VM writes too (virt-manager asks about it: two running VMs on one disk corrupt it). */
  private async sharedDiskWarnings(ctx: LibvirtContext, plan: WizardPlan, names: readonly string[]): Promise<string[]> {
    // An imported image is the disk of a lone VM; copies get overlays on it.
    const path = plan.existingDisk?.path ?? (plan.install.kind === 'import' && names.length === 1 ? plan.install.path : undefined);
    if (path === undefined) return [];
    const users = (await writableDiskUsers(ctx.binding, ctx.conn, [path])).get(path);
    return users === undefined ? [] : [`${path} is already a disk of ${users.map((name) => `"${name}"`).join(', ')}: two VMs running on one disk corrupt it`];
  }

  private async existingDiskFormat(ctx: LibvirtContext, path: string): Promise<{ format: 'qcow2' | 'raw'; type: 'file' | 'block' }> {
    const field = 'existingDisk.path';
    if (isLocalConnection(ctx.conn)) {
      const info = await readDiskImageInfo(path).catch((e: unknown) => {
        throw e instanceof MediaError ? new WizardInputError('storage', field, e.message) : e;
      });
      const block = (await stat(path)).isBlockDevice();
      return { format: block ? 'raw' : info.format, type: block ? 'block' : 'file' };
    }
    const volume = await ctx.binding.volGetInfo(ctx.conn, path).catch(() => {
      throw new WizardInputError('storage', field, `${path} is not a storage volume on ${ctx.conn.uri}`);
    });
    const format = parse(await ctx.binding.volGetXML(ctx.conn, path)).root.find('target/format')?.attr('type');
    return { format: format === 'qcow2' ? 'qcow2' : 'raw', type: volume.type === 1 ? 'block' : 'file' };
  }

  // ---- preview for "customize before install"

  /** The definitions create.ts will build for the plan's first VM, with the paths its volumes will get. */
  private async predictedConfigs(ctx: LibvirtContext, plan: WizardPlan, name: string): Promise<DomainConfigs> {
    const vmPlan = toVmPlan(plan);
    const catalogue = await this.catalogue();
    const os = await resolveOs(vmPlan, catalogue);
    const platform = await probeGuestPlatform(ctx, vmPlan);
    const drivers = guestDrivers(os);
    const prepared: PreparedStorage = {};
    const install = plan.install;
    const disk = diskToCreate(vmPlan, 1);
    if (disk) {
      const poolXml = parse(await ctx.binding.poolGetXML(ctx.conn, disk.pool)).root;
      const dir = poolXml.find('target/path')?.text().trim() ?? '';
      const at = (file: string) => `${dir}/${file}`;
      const overlay = install.kind === 'cloud-image' || install.kind === 'import';
      const format = overlay ? 'qcow2' : (disk.format ?? 'qcow2');
      const names = volumeNames(name, format);
      prepared.disk = { path: at(names.disk), format };
      if (install.kind === 'cloud-image') prepared.seedIso = at(names.seed);
      if (install.kind === 'network') prepared.installer = { kernel: at(names.installerKernel), initrd: at(names.installerInitrd), cmdline: install.extraArgs ?? '' };
    } else if (install.kind === 'import') {
      prepared.disk = { path: install.path, format: (await this.existingDiskFormat(ctx, install.path).catch(() => ({ format: 'raw' as const }))).format };
    }
    const configs = planDomainConfigs(vmPlan, name, platform, drivers, prepared, os?.os);
    if (plan.existingDisk) {
      const existing = await this.existingDiskFormat(ctx, plan.existingDisk.path);
      for (const config of [configs.install, configs.final]) if (config) attachExistingDisk(config, { path: plan.existingDisk.path, ...existing }, drivers.virtioDisk);
    }
    return configs;
  }

  async preview(connectionId: string, ctx: LibvirtContext, plan: WizardPlan, copies: WizardCopies | undefined): Promise<WizardPreview> {
    try {
      if (copies && copies.count > 1) throw new WizardInputError('summary', 'customize', 'customizing applies to one VM: create the copies without customizing, or create one VM');
      const warnings = await this.check(connectionId, ctx, plan, copies, ['method', 'source', 'resources', 'storage', 'summary']);
      const name = this.names(plan, copies)[0]!;
      const configs = await this.predictedConfigs(ctx, plan, name);
      return { ok: true, vmName: name, xml: configs.final.toXml(), warnings };
    } catch (e) {
      const error = fieldErrorOf(e);
      if (error) return { ok: false, error };
      throw e;
    }
  }

  // ---- creation

  create(params: ValidParams<'wizard.create'>): { operationId: string } {
    this.connections.info(params.connectionId); // 'not-found' for an unknown connection, before any operation exists
    const operationId = randomUUID();
    const operation: Operation = { info: { operationId, connectionId: params.connectionId, state: 'running', progress: null, outcome: null }, lastSent: 0 };
    this.operations.set(operationId, operation);
    void this.finish(operation, params);
    return { operationId };
  }

  private async finish(operation: Operation, params: ValidParams<'wizard.create'>): Promise<void> {
    // run() reports its failures as outcomes; anything else is a bug, reported the same way rather than left unhandled.
    const outcome = await this.run(operation, params).catch((e: unknown): WizardOutcome => ({ ok: false, error: failureOf(e, false) }));
    operation.info.state = 'done';
    operation.info.outcome = outcome;
    const { operationId, connectionId } = operation.info;
    this.events.emit('wizard.finished', { operationId, connectionId, outcome });
    setTimeout(() => this.operations.delete(operationId), this.keepFinishedMs).unref();
  }

  operation(operationId: string): WizardOperation {
    const operation = this.operations.get(operationId);
    if (!operation) throw apiError('not-found', `no wizard operation ${operationId} (finished operations are kept for ${Math.round(this.keepFinishedMs / 60_000)} minutes)`);
    return structuredClone(operation.info);
  }

  private async run(operation: Operation, params: ValidParams<'wizard.create'>): Promise<WizardOutcome> {
    const { connectionId, plan, copies, customXml, saveTemplate, autostart } = params;
    let names: string[] = [];
    let reservedHere: string[] = [];
    try {
      names = this.names(plan, copies);
      const conn = this.connections.requireHandle(connectionId);
      const ctx: LibvirtContext = { binding: this.binding, conn };
      // Every page again (something may have changed since), though create.ts validates the plan itself too.
      await this.check(connectionId, ctx, plan, copies, ['method', 'source', 'resources', 'storage', 'summary']);
      const reserved = this.reserved.get(connectionId) ?? new Set<string>();
      this.reserved.set(connectionId, reserved);
      const busy = names.find((n) => reserved.has(n));
      if (busy) throw new WizardInputError('summary', 'name', `a VM named "${busy}" is being created right now`);
      reservedHere = names;
      for (const n of names) reserved.add(n);

      const customize = await this.customizer(ctx, plan, names, customXml);
      const options: CreateOptions = {
        ...this.createOptions,
        catalogue: await this.catalogue(),
        onProgress: (p) => this.progress(operation, names, p),
        customize,
      };
      const vmPlan = toVmPlan(plan);
      const result = names.length > 1 ? await createVmCopies(ctx, vmPlan, { count: names.length, namePattern: copies!.namePattern }, options) : await createVm(ctx, { ...vmPlan, name: names[0]! }, options);
      const warnings = [...result.warnings];
      if (autostart) {
        for (const vm of result.vms) {
          await this.binding.domainSetAutostart(conn, vm.uuid, true).catch((e: unknown) => warnings.push(`autostart could not be set for "${vm.name}": ${(e as Error).message}`));
        }
      }
      if (saveTemplate !== undefined) {
        await this.saveTemplate(saveTemplate, plan).catch((e: unknown) => warnings.push(`the template "${saveTemplate}" could not be saved: ${(e as Error).message}`));
      }
      return { ok: true, vms: result.vms, warnings };
    } catch (e) {
      return { ok: false, error: failureOf(e, customXml !== undefined) };
    } finally {
      const reserved = this.reserved.get(connectionId);
      for (const n of reservedHere) reserved?.delete(n);
    }
  }

  /** create.ts's customize hook: the existing disk, and the user's customized XML. */
  private async customizer(ctx: LibvirtContext, plan: WizardPlan, names: readonly string[], customXml: string | undefined): Promise<CreateOptions['customize']> {
    if (customXml !== undefined) {
      if (names.length > 1) throw new WizardInputError('summary', 'customize', 'customizing applies to one VM: create the copies without customizing, or create one VM');
      const checked = checkCustomXml(customXml, names[0]!);
      if (!checked.ok) throw new WizardInputError('customize', 'xml', checked.problems.join('; '));
      // The paths the preview showed, to be swapped for the paths the volumes really get.
      const predicted = diskPaths((await this.predictedConfigs(ctx, plan, names[0]!)).final);
      return (config, vm) => {
        const custom = customizedFor(DomainConfig.parse(customXml), config, vm.phase, predicted);
        replaceDomainContent(config, custom);
      };
    }
    const existing = plan.existingDisk;
    if (!existing) return undefined;
    const disk = { path: existing.path, ...(await this.existingDiskFormat(ctx, existing.path)) };
    const os = await resolveOs(toVmPlan(plan), await this.catalogue());
    const virtio = guestDrivers(os).virtioDisk;
    return (config) => attachExistingDisk(config, disk, virtio);
  }

  private progress(operation: Operation, names: readonly string[], p: CreateProgress): void {
    const report: WizardProgress = {
      operationId: operation.info.operationId,
      connectionId: operation.info.connectionId,
      vm: p.vm,
      index: Math.max(0, names.indexOf(p.vm)),
      count: names.length,
      stage: p.stage,
      message: p.message,
      ...(p.bytes && { bytes: p.bytes }),
    };
    const previous = operation.info.progress;
    operation.info.progress = report;
    const now = Date.now();
    const sameStep = previous && previous.vm === report.vm && previous.stage === report.stage && previous.message === report.message;
    const finishedBytes = report.bytes?.total !== undefined && report.bytes.done >= report.bytes.total;
    if (sameStep && !finishedBytes && now - operation.lastSent < PROGRESS_INTERVAL_MS) return;
    operation.lastSent = now;
    this.events.emit('wizard.progress', report);
  }

  // ---- templates

  async listTemplates(): Promise<WizardTemplate[]> {
    return (await this.templates.list()).map((t) => {
      const parsed = templatePlanSchema.safeParse(t.plan);
      return parsed.success
        ? { name: t.name, savedAt: t.savedAt, plan: parsed.data, problem: null }
        : { name: t.name, savedAt: t.savedAt, plan: null, problem: `not a plan this version of Vireo understands: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
    });
  }

  /** Saves the reusable part of a plan; a cloud-init password is never written to disk. */
  async saveTemplate(name: string, plan: WizardPlan | WizardTemplatePlan): Promise<WizardTemplate> {
    const { name: _name, ...rest } = plan as WizardPlan;
    const reusable = structuredClone(rest) as WizardTemplatePlan;
    if (reusable.install.kind === 'cloud-image' && reusable.install.cloudInit.user) delete reusable.install.cloudInit.user.password;
    const saved = await this.templates.save(name, reusable as unknown as VmPlan);
    return { name: saved.name, savedAt: saved.savedAt, plan: templatePlanSchema.parse(saved.plan), problem: null };
  }
}

function requirePath(page: WizardPage, field: string, what: string, path: string): void {
  if (path.trim() === '') throw new WizardInputError(page, field, `enter ${what}`);
  if (!path.startsWith('/')) throw new WizardInputError(page, field, `${what} must be an absolute path (starting with /), not "${path}"`);
}

/** The paths the install method needs are given, and absolute (the daemon does not share our working directory). */
function checkSourcePaths(plan: WizardPlan): void {
  const install = plan.install;
  switch (install.kind) {
    case 'iso':
      return requirePath('source', 'install.path', 'the ISO image or CD-ROM device', install.path);
    case 'import':
      return requirePath('source', 'install.path', 'the disk image to import', install.path);
    case 'kernel':
      requirePath('source', 'install.kernel', 'the kernel', install.kernel);
      if (install.initrd !== undefined && install.initrd !== '') requirePath('source', 'install.initrd', 'the initrd', install.initrd);
      return;
    case 'cloud-image':
      return requirePath('source', 'install.image', 'the cloud image', install.image);
    case 'network':
    case 'pxe':
    case 'manual':
      return;
  }
}

/** What went wrong with a creation, on the page to go back to. */
function failureOf(e: unknown, customized: boolean): WizardFailure {
  const field = fieldErrorOf(e);
  if (field) return { page: field.page, field: field.field, message: field.message, vm: null, stage: null, rollbackFailures: [] };
  if (e instanceof CreationError) {
    // libvirt refusing an edited definition is the customize page's to fix; an install tree
    // without an installer (or one that cannot be downloaded), the source page's.
    if (customized && e.stage === 'define') return { page: 'customize', field: 'xml', message: e.message, vm: e.vm, stage: e.stage, rollbackFailures: e.rollbackFailures };
    if (e.stage === 'installer') return { page: 'source', field: 'install.url', message: e.message, vm: e.vm, stage: e.stage, rollbackFailures: e.rollbackFailures };
    return { page: 'summary', field: null, message: e.message, vm: e.vm, stage: e.stage, rollbackFailures: e.rollbackFailures };
  }
  return { page: 'summary', field: null, message: e instanceof Error ? e.message : String(e), vm: null, stage: null, rollbackFailures: [] };
}

async function hostBridges(): Promise<string[]> {
  const names = await readdir('/sys/class/net').catch(() => [] as string[]);
  const bridges = await Promise.all(names.map(async (name) => ((await stat(`/sys/class/net/${name}/bridge`).catch(() => null))?.isDirectory() ? name : null)));
  return bridges.filter((b): b is string => b !== null).toSorted();
}
