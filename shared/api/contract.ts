// The one API contract between the renderer and the backend. Both bridges (Electron IPC and the
// browser shell's WebSocket) and both ends (ApiClient in the renderer, ApiHandlers in the backend)
// are derived from this object: adding a method here is the only step that makes it callable,
// and the backend's handler table stops compiling until the method is implemented.
import { z } from 'zod';
import type { ConnectionInfo, ConnectionListChange, LaunchInfo } from '../models/connection.js';
import type { ClonePlan, CloneResult } from '../models/clone.js';
import type { VmDeletePlan, VmDeleteResult } from '../models/delete.js';
import { type ConsoleInfo, type ConsoleScreenshot, MAX_SEND_KEYS, isLinuxKeyName } from '../models/console.js';
import type { ApiError } from '../models/error.js';
import type { HostSummary } from '../models/host.js';
import { type StoragePool, type VirtualNetwork, parseIpv4Network } from '../models/host-resources.js';
import { type VmSnapshot, snapshotNameProblem } from '../models/snapshot.js';
import type { ListSnapshot } from '../models/list.js';
import { STATS_INTERVAL_LIMITS_MS, type StatsConfig, type StatsTick } from '../models/stats.js';
import type { VmListChange, VmSummary } from '../models/vm.js';
import type { ApplyOutcome, DetailsIssue, HostResources, NicAddresses, VmDetails } from '../details/model.js';
import {
  type BrowseListing,
  type MediaInspection,
  type OsChoice,
  type WizardCheck,
  type WizardDefaults,
  type WizardEnvironment,
  type WizardFinished,
  type WizardOperation,
  type WizardPreview,
  type WizardProgress,
  type WizardTemplate,
  type WizardVolume,
  WIZARD_PAGES,
  copiesSchema,
  templatePlanSchema,
  wizardPlanSchema,
} from '../models/wizard.js';

declare const phantom: unique symbol;
/** Carries a type through the contract object without a value at run time. */
export interface Phantom<T> {
  readonly [phantom]?: T;
}
const phantomOf = <T>(): Phantom<T> => ({});

export interface MethodSpec<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  readonly output: Phantom<O>;
}
export interface EventSpec<P = unknown> {
  readonly payload: Phantom<P>;
}
/** A byte stream (consoles, later volume transfers): opened with validated params, then raw bytes both ways. */
export interface StreamSpec<I extends z.ZodType = z.ZodType> {
  readonly input: I;
}

const method = <O>() => <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input, output: phantomOf<O>() });
const event = <P>(): EventSpec<P> => ({ payload: phantomOf<P>() });
const stream = <I extends z.ZodType>(input: I): StreamSpec<I> => ({ input });

// ---- field schemas, with the messages a caller sees in 'invalid-input' issues

const connectionId = z
  .string({ error: 'connectionId must be a string' })
  .min(1, 'connectionId must not be empty')
  .max(200, 'connectionId is too long');

// libvirt prints UUIDs as 8-4-4-4-12 hex digits; not every one is an RFC 4122 UUID (the test driver's isn't).
const uuid = z
  .string({ error: 'uuid must be a string' })
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'uuid must look like 6695eb01-f6a4-8304-79aa-97f2502e193f');

const libvirtUri = z
  .string({ error: 'uri must be a string' })
  .trim()
  .min(1, 'uri must not be empty')
  .max(2048, 'uri is too long')
  .regex(/^[a-z][a-z0-9+.-]*:\/\/[^\s]*$/i, 'uri must be a libvirt URI such as qemu:///system or qemu+ssh://user@host/system');

const noParams = z.strictObject({});
const connectionRef = z.strictObject({ connectionId });
const vmRef = z.strictObject({ connectionId, uuid });
const flag = z.boolean({ error: 'must be true or false' }).optional();
const diskTarget = z.string({ error: 'target must be text' }).regex(/^[a-z]{1,8}[0-9a-z]{0,8}$/, 'target must be a disk name such as vda');
const namedRef = connectionRef.extend({ name: z.string({ error: 'name must be text' }).min(1, 'name must not be empty').max(255, 'name is too long') });
/** A name for a new network or pool: what libvirt and the host's bridge and folder names take. */
const newObjectName = (what: string) =>
  z
    .string({ error: 'name must be text' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/, `the ${what} name must be up to 50 letters, digits, '.', '_' and '-', starting with a letter or digit`);
const snapshotName = z.string({ error: 'name must be text' }).superRefine((name, ctx) => {
  const problem = snapshotNameProblem(name);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

export const contract = {
  methods: {
    'app.launchInfo': method<LaunchInfo>()(noParams),

    'connections.list': method<ListSnapshot<ConnectionInfo>>()(noParams),
    'connections.add': method<ConnectionInfo>()(
      z.strictObject({
        uri: libvirtUri,
        name: z.string().trim().min(1, 'name must not be empty').max(80, 'name must be at most 80 characters').optional(),
        autoconnect: z.boolean({ error: 'autoconnect must be true or false' }).default(false),
      }),
    ),
    'connections.remove': method<void>()(connectionRef),
    'connections.connect': method<ConnectionInfo>()(connectionRef),
    'connections.disconnect': method<ConnectionInfo>()(connectionRef),
    'connections.hostSummary': method<HostSummary>()(connectionRef),

    /** The connection's whole VM list, inactive VMs included. */
    'domains.list': method<ListSnapshot<VmSummary>>()(connectionRef),
    // Lifecycle actions resolve once libvirt accepted them; the new state arrives as a 'domains.changed' event.
    'domains.start': method<void>()(vmRef.extend({ paused: flag, forceBoot: flag })),
    'domains.shutdown': method<void>()(vmRef.extend({ acpi: flag, agent: flag })),
    'domains.reboot': method<void>()(vmRef.extend({ acpi: flag, agent: flag })),
    'domains.reset': method<void>()(vmRef),
    'domains.destroy': method<void>()(vmRef.extend({ graceful: flag })),
    'domains.suspend': method<void>()(vmRef),
    'domains.resume': method<void>()(vmRef),
    'domains.managedSave': method<void>()(vmRef.extend({ running: flag, paused: flag, bypassCache: flag })),
    /**
     * Undefines the VM; options say which attached metadata goes with it. forceOff: a running VM is
     * forced off first (else libvirt keeps it running as a transient VM). disks: storage-pool volume
     * paths to delete afterwards (from domains.deletePlan; anything else is refused). Manager window.
     */
    'domains.delete': method<VmDeleteResult>()(
      vmRef.extend({
        managedSave: flag,
        snapshotsMetadata: flag,
        checkpointsMetadata: flag,
        nvram: flag,
        keepNvram: flag,
        tpm: flag,
        keepTpm: flag,
        forceOff: flag,
        disks: z
          .array(z.string({ error: 'disks must be volume paths' }).min(1, 'a disk path must not be empty').max(4096, 'a disk path is too long'), {
            error: 'disks must be a list of volume paths',
          })
          .max(256, 'disks must name at most 256 volumes')
          .default([]),
      }),
    ),
    'domains.getXml': method<string>()(vmRef.extend({ inactive: flag, secure: flag })),

    'stats.getConfig': method<StatsConfig>()(noParams),
    'stats.setConfig': method<StatsConfig>()(
      z.strictObject({
        intervalMs: z
          .number({ error: 'intervalMs must be a number' })
          .int('intervalMs must be a whole number of milliseconds')
          .min(STATS_INTERVAL_LIMITS_MS.min, `intervalMs must be at least ${STATS_INTERVAL_LIMITS_MS.min}`)
          .max(STATS_INTERVAL_LIMITS_MS.max, `intervalMs must be at most ${STATS_INTERVAL_LIMITS_MS.max}`),
      }),
    ),
    /** 'stats.tick' events flow for a connection while at least one client watches it. */
    'stats.watch': method<void>()(connectionRef),
    'stats.unwatch': method<void>()(connectionRef),

    // ---- manager window (electron/backend/domain-delete.ts) --------------------------------------
    /** What cloning the VM would do: a free name, and per disk whether it is copied or shared. */
    'domains.clonePlan': method<ClonePlan>()(vmRef.extend({ name: z.string({ error: 'name must be text' }).max(64, 'the name is too long (64 characters at most)').optional() })),
    /**
     * Clones a shut-off VM: the new name, new MACs, and per disk (by target) a copy into the
     * original's pool or the same disk. All or nothing: a failure removes what was made.
     */
    'domains.clone': method<CloneResult>()(
      vmRef.extend({
        name: z.string({ error: 'name must be text' }).min(1, 'the clone needs a name').max(64, 'the name is too long (64 characters at most)'),
        disks: z.record(z.string().max(32), z.enum(['clone', 'share'], { error: 'each disk is either "clone" or "share"' })).optional(),
      }),
    ),
    /** What deleting the VM can remove: each disk (deletable or not, and why), NVRAM, snapshots, saved state. */
    'domains.deletePlan': method<VmDeletePlan>()(vmRef),
    // ---- end of manager window --------------------------------------------------------------------

    // ---- consoles (electron/backend/consoles.ts): the VM window's Console tab ----------------
    /** The VM's graphics and serial/console devices, and how graphics reach Vireo on this connection. */
    'consoles.info': method<ConsoleInfo>()(vmRef),
    /** virDomainScreenshot of `screen` (default: the first head), as PNG. */
    'consoles.screenshot': method<ConsoleScreenshot>()(
      vmRef.extend({ screen: z.number().int().min(0, 'screen must be 0 or more').max(63, 'screen must be at most 63').default(0) }),
    ),
    /** virDomainSendKey: `keys` (Linux KEY_* names) pressed together, then released after holdMs (0: QEMU's default). */
    'consoles.sendKeys': method<void>()(
      vmRef.extend({
        keys: z
          .array(z.string().refine(isLinuxKeyName, { message: 'must be a Linux key name such as KEY_LEFTCTRL or KEY_F1' }), {
            error: 'keys must be a list of key names',
          })
          .min(1, 'keys must name at least one key')
          .max(MAX_SEND_KEYS, `keys must name at most ${MAX_SEND_KEYS} keys`),
        holdMs: z.number().int().min(0, 'holdMs must be 0 or more').max(10_000, 'holdMs must be at most 10000').default(0),
      }),
    ),
    /** Opens graphics device `index` (SPICE, which Vireo does not show itself) in remote-viewer. */
    'consoles.openExternalViewer': method<void>()(vmRef.extend({ index: z.number().int().min(0, 'index must be 0 or more').default(0) })),
    // ---- end of consoles ----------------------------------------------------------------------

    // ---- wizard (electron/backend/wizard.ts): the New VM wizard ---------------------------------
    /** What the wizard offers on a connection: architectures and machines, pools, networks, bridges, host size. */
    'wizard.environment': method<WizardEnvironment>()(connectionRef),
    /** osinfo-db operating systems matching every word of `query`, newest first. */
    'wizard.searchOs': method<OsChoice[]>()(
      z.strictObject({
        query: z.string({ error: 'query must be text' }).max(200, 'query is too long').default(''),
        includeEol: z.boolean({ error: 'includeEol must be true or false' }).default(false),
        limit: z.number().int().min(1, 'limit must be at least 1').max(2000, 'limit must be at most 2000').default(200),
      }),
    ),
    /** An ISO's identity and the OS osinfo-db matches it to, or a disk image's format and size (local connections). */
    'wizard.inspect': method<MediaInspection>()(
      connectionRef.extend({
        path: z.string({ error: 'path must be text' }).min(1, 'path must not be empty').max(4096, 'path is too long'),
        as: z.enum(['iso', 'image'], { error: 'as must be iso or image' }),
      }),
    ),
    /** Memory, vCPUs and disk size for an OS (osinfo's recommendation, bounded by the host). */
    'wizard.defaults': method<WizardDefaults>()(
      connectionRef.extend({
        osId: z.string().min(1).max(300).optional(),
        arch: z.string().regex(/^[a-z0-9_]{1,32}$/, 'arch must be an architecture name').optional(),
      }),
    ),
    /** The volumes of a storage pool (the storage page's browser). */
    'wizard.volumes': method<WizardVolume[]>()(connectionRef.extend({ pool: z.string().min(1, 'pool must not be empty').max(255, 'pool is too long') })),
    /** Local connections: a folder under the allowed roots (names, types, sizes only); no path: the roots. */
    'wizard.browse': method<BrowseListing>()(connectionRef.extend({ path: z.string().min(1).max(4096, 'path is too long').optional() })),
    /** Checks the plan as the given pages enter it; the first problem comes back with its page and field. */
    'wizard.validate': method<WizardCheck>()(
      connectionRef.extend({
        plan: wizardPlanSchema,
        copies: copiesSchema.optional(),
        pages: z.array(z.enum(WIZARD_PAGES, { error: `pages must be among ${WIZARD_PAGES.join(', ')}` })).min(1, 'name at least one page'),
      }),
    ),
    /** The domain XML the plan gives (its first VM, after installation), for "Customize configuration before install". */
    'wizard.preview': method<WizardPreview>()(connectionRef.extend({ plan: wizardPlanSchema, copies: copiesSchema.optional() })),
    /**
     * Starts creating the VM (or copies): returns at once; 'wizard.progress' events follow, then one
     * 'wizard.finished'. customXml: the customized definition from wizard.preview (one VM only).
     * saveTemplate: also save the plan under this name once the VMs exist.
     */
    'wizard.create': method<{ operationId: string }>()(
      connectionRef.extend({
        plan: wizardPlanSchema,
        copies: copiesSchema.optional(),
        customXml: z.string().min(1, 'customXml must not be empty').max(1024 * 1024, 'customXml is too long').optional(),
        /** Start the VMs when the host boots. */
        autostart: flag,
        saveTemplate: z.string().trim().min(1, 'the template name must not be empty').max(80, 'the template name must be at most 80 characters').optional(),
      }),
    ),
    /** A creation's state: running (latest progress) or done (outcome); kept 10 minutes after it ended. */
    'wizard.operation': method<WizardOperation>()(z.strictObject({ operationId: z.string().uuid('operationId must be a UUID') })),
    'wizard.templates.list': method<WizardTemplate[]>()(noParams),
    /** Saves (or replaces) a template; cloud-init passwords are not saved. */
    'wizard.templates.save': method<WizardTemplate>()(
      z.strictObject({
        name: z.string().trim().min(1, 'the template name must not be empty').max(80, 'the template name must be at most 80 characters'),
        plan: templatePlanSchema,
      }),
    ),
    'wizard.templates.remove': method<boolean>()(z.strictObject({ name: z.string().min(1).max(80) })),
    // ---- end of wizard ---------------------------------------------------------------------------

    // ---- details (electron/backend/domain-config.ts): the VM window's Details tab -------------
    /** The VM's next-boot (inactive) and live XML, state, autostart, live → next-boot differences, host limits, capabilities. */
    'details.get': method<VmDetails>()(vmRef),
    /**
     * Applies an edited next-boot XML. Checked whole first (well-formed, DomainConfig.validate, UUID,
     * host memory, disk sources, other VMs' MACs and names) and refused whole with 'invalid-input'
     * issues, path [subject] or ['xml', line, column]; then a rename (shut-off VMs only), define with
     * VALIDATE, autostart, and for a running VM what libvirt can change live. `base`: the inactiveXml
     * the edit started from; refused when libvirt's changed meanwhile.
     */
    'details.apply': method<ApplyOutcome>()(
      vmRef.extend({
        base: z.string({ error: 'base must be the XML the edit started from' }).min(1, 'base must not be empty').max(4 * 1024 * 1024, 'base is too long'),
        xml: z.string({ error: 'xml must be text' }).min(1, 'xml must not be empty').max(4 * 1024 * 1024, 'xml is too long'),
        autostart: flag,
      }),
    ),
    /**
     * What the Apply review warns about in an edited next-boot XML, without refusing it: disks
     * another VM of the connection writes too (virt-manager asks about those). Issues by device id.
     */
    'details.warnings': method<DetailsIssue[]>()(
      vmRef.extend({ xml: z.string({ error: 'xml must be text' }).min(1, 'xml must not be empty').max(4 * 1024 * 1024, 'xml is too long') }),
    ),
    /**
     * Checks a domain XML against libvirt's domain schema without applying it
     * (electron/backend/domain-validate.ts): the problems, 'xml' issues with their line where
     * libxml2 knows it; empty when valid.
     */
    'details.validate': method<DetailsIssue[]>()(
      connectionRef.extend({ xml: z.string({ error: 'xml must be text' }).min(1, 'xml must not be empty').max(4 * 1024 * 1024, 'xml is too long') }),
    ),
    /** Networks, storage volumes, host interfaces and PCI/USB devices, for the Add Hardware dialog. */
    'details.hostResources': method<HostResources>()(connectionRef),
    /** A disk's size now: from QEMU for a running VM, from its storage volume otherwise; null when unknown. */
    'details.diskCapacity': method<{ capacityBytes: number | null }>()(vmRef.extend({ target: diskTarget })),
    /**
     * Grows a disk (never shrinks: that loses data): a running VM's live (the guest sees it at
     * once), a shut-off VM's storage volume. Resolves the new size.
     */
    'details.resizeDisk': method<{ capacityBytes: number }>()(
      vmRef.extend({ target: diskTarget, sizeMiB: z.number({ error: 'the size must be a number' }).int('the size must be whole MiB').min(1, 'the size must be at least 1 MiB').max(64 * 1024 * 1024, 'the size is too large') }),
    ),
    /** A running VM's interfaces with the addresses the host knows them by (DHCP leases, else ARP). */
    'details.addresses': method<NicAddresses[]>()(vmRef),
    /** Add Hardware's "create a disk image": a new volume in an active storage pool; resolves its path. */
    'details.createVolume': method<{ path: string }>()(
      connectionRef.extend({
        pool: z.string({ error: 'pool must be a storage pool name' }).min(1, 'choose a storage pool').max(255, 'pool is too long'),
        name: z
          .string({ error: 'name must be text' })
          .trim()
          .min(1, 'the volume needs a name')
          .max(255, 'the volume name is too long')
          .regex(/^[^/\0]+$/, 'the volume name cannot contain "/"'),
        capacityMiB: z.number({ error: 'the size must be a number' }).int('the size must be whole MiB').min(1, 'the size must be at least 1 MiB').max(1024 * 1024 * 64, 'the size is too large'),
        format: z.enum(['qcow2', 'raw'], { error: 'format must be qcow2 or raw' }).default('qcow2'),
      }),
    ),
    // ---- end of details ----------------------------------------------------------------------

    // ---- connection details: virtual networks and storage pools (electron/backend/host-resources.ts)
    'networks.list': method<VirtualNetwork[]>()(connectionRef),
    /** Defines a NAT or isolated network with an IPv4 subnet (the host takes its first address, DHCP the rest), starts it and sets it to autostart. */
    'networks.create': method<VirtualNetwork>()(
      connectionRef.extend({
        name: newObjectName('network'),
        mode: z.enum(['nat', 'isolated'], { error: 'mode is "nat" or "isolated"' }),
        ipv4: z.string({ error: 'ipv4 must be text' }).superRefine((cidr, ctx) => {
          const parsed = parseIpv4Network(cidr);
          if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
        }),
        dhcp: z.boolean({ error: 'dhcp must be true or false' }).default(true),
      }),
    ),
    'networks.start': method<void>()(namedRef),
    'networks.stop': method<void>()(namedRef),
    'networks.setAutostart': method<void>()(namedRef.extend({ autostart: z.boolean({ error: 'autostart must be true or false' }) })),
    /** Stops (when active) and undefines the network; refused while a VM's interface uses it. */
    'networks.delete': method<void>()(namedRef),
    'pools.list': method<StoragePool[]>()(connectionRef),
    /** Defines a directory pool, builds (creates the folder), starts it and sets it to autostart. */
    'pools.create': method<StoragePool>()(
      connectionRef.extend({
        name: newObjectName('pool'),
        path: z.string({ error: 'path must be text' }).regex(/^\/[^\0]*$/, 'the folder must be an absolute path').max(4096, 'the path is too long'),
      }),
    ),
    'pools.start': method<void>()(namedRef),
    'pools.stop': method<void>()(namedRef),
    'pools.setAutostart': method<void>()(namedRef.extend({ autostart: z.boolean({ error: 'autostart must be true or false' }) })),
    /** Stops (when active) and undefines the pool; its folder and files stay. */
    'pools.delete': method<void>()(namedRef),
    /** Deletes a storage volume; refused while a VM has it as a disk. */
    'volumes.delete': method<void>()(connectionRef.extend({ path: z.string({ error: 'path must be text' }).min(1, 'path must not be empty').max(4096, 'the path is too long') })),

    // ---- snapshots: the VM window's Snapshots tab (electron/backend/snapshots.ts) --------------
    /** The VM's snapshots as a tree, depth first (shared/models/snapshot.ts snapshotTree). */
    'snapshots.list': method<VmSnapshot[]>()(vmRef),
    /** Takes a snapshot (a running VM's with its memory); it becomes the current one. */
    'snapshots.create': method<VmSnapshot>()(
      vmRef.extend({ name: snapshotName, description: z.string({ error: 'description must be text' }).max(4096, 'the description is too long').optional() }),
    ),
    /** Puts the VM back to the snapshot: its disks, and its memory and state when it has them. */
    'snapshots.revert': method<void>()(vmRef.extend({ name: snapshotName })),
    /** Deletes the snapshot; its children stay, on its parent. */
    'snapshots.delete': method<void>()(vmRef.extend({ name: snapshotName })),
  },
  events: {
    'connections.changed': event<ConnectionListChange>(),
    'domains.changed': event<VmListChange>(),
    'stats.tick': event<StatsTick>(),
    // ---- details: libvirt reported something about this VM (lifecycle, device added/removed): reload its details
    'details.changed': event<{ connectionId: string; uuid: string }>(),
    /** A network or storage pool of the connection was created, started, stopped or deleted through Vireo. */
    'hostResources.changed': event<{ connectionId: string }>(),
    /** A snapshot of the VM was taken, reverted to or deleted through Vireo. */
    'snapshots.changed': event<{ connectionId: string; uuid: string }>(),
    // ---- wizard: a creation's progress, then its outcome (for every client; match operationId)
    'wizard.progress': event<WizardProgress>(),
    'wizard.finished': event<WizardFinished>(),
  },
  streams: {
    /**
     * Serial/text console of a VM; device null: the first console (else a devName from consoles.info).
     * force: take the console over from another client (virsh console, another window).
     */
    'console.serial': stream(
      vmRef.extend({ device: z.string().min(1, 'device must not be empty').nullable().default(null), force: z.boolean({ error: 'force must be true or false' }).default(false) }),
    ),
    /** Raw VNC/SPICE bytes of a VM's graphics device `index`. */
    'console.graphics': stream(vmRef.extend({ index: z.number().int().min(0, 'index must be 0 or more').default(0) })),
  },
} as const;

// ---- types derived from the contract

type Methods = typeof contract.methods;
type Events = typeof contract.events;
type Streams = typeof contract.streams;

export type MethodName = keyof Methods;
export type EventName = keyof Events;
export type StreamName = keyof Streams;

/** What a caller passes (defaults not applied yet). */
export type MethodParams<M extends MethodName> = z.input<Methods[M]['input']>;
/** What a handler receives: validated, defaults applied. */
export type ValidParams<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodResult<M extends MethodName> = Methods[M]['output'] extends Phantom<infer O> ? O : never;
export type StreamParams<S extends StreamName> = z.input<Streams[S]['input']>;
export type ValidStreamParams<S extends StreamName> = z.output<Streams[S]['input']>;

export type ApiEvents = { [E in EventName]: Events[E]['payload'] extends Phantom<infer P> ? P : never };
/** One event as it travels: name and payload. */
export type EventMessage = { [E in EventName]: { event: E; payload: ApiEvents[E] } }[EventName];

/** Params are optional for methods whose params are all optional. */
type ParamsArg<P> = Record<never, never> extends P ? [params?: P] : [params: P];

/** One side of a byte stream: what is written to it reaches the other end. */
export interface StreamSink {
  data(bytes: Uint8Array): void;
  /** The stream ended; error null for a clean end. */
  end(error: ApiError | null): void;
}
export interface StreamHandle {
  write(bytes: Uint8Array): void;
  close(): void;
  /**
   * Backpressure from the transport (handles returned by stream handlers): a bridge calls pause()
   * while the bytes it has not yet got to the client pile up, and resume() once they drained.
   */
  pause?(): void;
  resume?(): void;
}

/** The renderer's view of the backend, whatever the transport. */
export interface ApiClient {
  call<M extends MethodName>(method: M, ...params: ParamsArg<MethodParams<M>>): Promise<MethodResult<M>>;
  /** Returns the function that removes the listener. */
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  openStream<S extends StreamName>(channel: S, params: StreamParams<S>, sink: StreamSink): Promise<StreamHandle>;
}

/** Who is calling: one renderer window or one WebSocket. */
export interface CallContext {
  readonly sessionId: string;
}

export type ApiHandlers = {
  [M in MethodName]: (params: ValidParams<M>, context: CallContext) => Promise<MethodResult<M>>;
};

/** A stream handler gets the sink toward the client and returns the handle the client's bytes go to. */
export type ApiStreamHandlers = {
  [S in StreamName]: (params: ValidStreamParams<S>, toClient: StreamSink, context: CallContext) => Promise<StreamHandle>;
};

const isOwnKey = <T extends object>(table: T, key: string): key is Extract<keyof T, string> => Object.hasOwn(table, key);
export const isMethodName = (name: string): name is MethodName => isOwnKey(contract.methods, name);
export const isEventName = (name: string): name is EventName => isOwnKey(contract.events, name);
export const isStreamName = (name: string): name is StreamName => isOwnKey(contract.streams, name);
export const methodNames = Object.keys(contract.methods) as MethodName[];
export const eventNames = Object.keys(contract.events) as EventName[];
