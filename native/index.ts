// Typed entry point of the Vireo libvirt binding (native/src/*.cc).
// Every function returns a Promise and runs libvirt off the JS thread. Failures reject with
// a LibvirtError; bad arguments reject with a TypeError whose code is ERR_INVALID_ARG.
// Objects cross the boundary as plain data: domains by {name, uuid, id}, never pointers.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { toDuplex, type ToDuplexOptions } from './stream.js';

/** Opaque handle of an open connection. */
export interface ConnectionHandle {
  readonly uri: string;
  readonly __vireoConnection: unknown;
}

export interface LibvirtError extends Error {
  /** Symbolic libvirt error name, e.g. VIR_ERR_NO_DOMAIN. */
  code: string;
  virCode: number;
  virDomain: number;
  /** Symbolic error domain, e.g. VIR_FROM_QEMU. */
  virDomainName: string;
  virLevel: number;
}

export function isLibvirtError(e: unknown): e is LibvirtError {
  return e instanceof Error && typeof (e as Partial<LibvirtError>).virCode === 'number';
}

/** Domain, network, pool identity: plain data. `id` is -1 for an inactive domain. */
export interface DomainRef {
  name: string;
  uuid: string;
  id: number;
}

/** A large result converted in slices (see listAll helpers below). */
export interface NativeBatch<T> {
  readonly length: number;
  next(count: number): T[];
}

export interface OpenOptions {
  readOnly?: boolean;
  username?: string;
  password?: string;
  /** Seconds between keepalive probes on remote connections (0 disables). Default 5. */
  keepAliveInterval?: number;
  keepAliveCount?: number;
}

export interface ConnectInfo {
  uri: string;
  hostname: string;
  hypervisor: string;
  hypervisorVersion: number;
  libVersion: number;
  encrypted: boolean;
  secure: boolean;
  alive: boolean;
}

export interface NodeInfo {
  model: string;
  memoryKiB: number;
  freeMemoryBytes: number;
  cpus: number;
  mhz: number;
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
}

export type DomainStateName =
  | 'nostate'
  | 'running'
  | 'blocked'
  | 'paused'
  | 'shutdown'
  | 'shutoff'
  | 'crashed'
  | 'pmsuspended';

export interface DomainState {
  state: number;
  stateName: DomainStateName;
  reason: number;
  /** e.g. 'booted', 'destroyed', 'user' (lower-case libvirt reason name for the state). */
  reasonName: string;
}

export interface DomainInfo {
  state: number;
  stateName: DomainStateName;
  maxMemKiB: number;
  memoryKiB: number;
  nrVirtCpu: number;
  cpuTimeNs: number;
}

/** Affects live domain, persistent config, or both (default: current). */
export interface ModifyFlags {
  live?: boolean;
  config?: boolean;
}

export interface DomainStatsRecord {
  domain: DomainRef;
  /** libvirt's typed parameters as-is: 'state.state', 'cpu.time', 'balloon.current', 'block.0.rd.bytes'... */
  stats: Record<string, number | string | boolean>;
}

export interface SnapshotInfo {
  name: string;
  parent: string | null;
  current: boolean;
}

export interface PoolInfo {
  name: string;
  uuid: string;
  active: boolean;
  persistent: boolean;
  autostart: boolean;
  /** 0 inactive, 1 building, 2 running, 3 degraded, 4 inaccessible */
  state: number;
  capacity: number;
  allocation: number;
  available: number;
}

export interface VolumeInfo {
  name: string;
  key: string;
  path: string;
  /** 0 file, 1 block, 2 dir, 3 network, 4 netdir, 5 ploop */
  type: number;
  capacity: number;
  allocation: number;
}

export interface NetworkInfo {
  name: string;
  uuid: string;
  active: boolean;
  persistent: boolean;
  autostart: boolean;
  bridge: string | null;
}

export interface DomainInterface {
  /** The host-side device (vnet0) or the guest's (eth0, from the agent). */
  name: string | null;
  hwaddr: string | null;
  addrs: Array<{ type: 'ipv4' | 'ipv6'; addr: string; prefix: number }>;
}

export interface DhcpLease {
  iface: string;
  expiryTime: number;
  /** 0 IPv4, 1 IPv6 */
  type: number;
  mac: string | null;
  iaid: string | null;
  ipaddr: string;
  prefix: number;
  hostname: string | null;
  clientid: string | null;
}

export interface NodeDeviceInfo {
  name: string;
  parent: string | null;
  caps: string[];
}

/** Events delivered from libvirt's event loop thread. */
export type NativeEvent =
  | { type: 'domain-lifecycle'; domain: DomainRef; event: string; detail: string }
  | { type: 'domain-reboot'; domain: DomainRef }
  | { type: 'domain-device-added'; domain: DomainRef; device: string }
  | { type: 'domain-device-removed'; domain: DomainRef; device: string }
  | { type: 'domain-job-completed'; domain: DomainRef; stats: Record<string, number | string | boolean> }
  | { type: 'network-lifecycle'; network: { name: string; uuid: string }; event: string }
  | { type: 'pool-lifecycle'; pool: { name: string; uuid: string }; event: string }
  | { type: 'disconnected'; reason: string };

/**
 * A libvirt stream (console, volume upload/download). Reads are pushed from libvirt's
 * event loop thread; pause()/resume() give backpressure; write() resolves once libvirt
 * took the bytes. start() reads (once; it throws a TypeError ERR_INVALID_ARG for bad
 * callbacks); onData(null) is EOF. After the end (EOF, error, finish, abort) write() rejects,
 * finish() resolves after a clean end, abort() always resolves. volDownload streams are
 * read-only (write/finish reject VIR_ERR_OPERATION_INVALID). An unreferenced stream is
 * aborted when garbage-collected. Use toDuplex() for a Node Duplex.
 */
export interface NativeStream {
  start(onData: (chunk: Buffer | null) => void, onError: (err: LibvirtError) => void): void;
  pause(): void;
  resume(): void;
  write(chunk: Buffer): Promise<void>;
  /** Clean end of an upload (virStreamFinish). */
  finish(): Promise<void>;
  abort(): Promise<void>;
}

export interface NativeBinding {
  readonly libvirtVersion: number;

  // ---- connections and host (connect.cc)
  open(uri: string, opts?: OpenOptions): Promise<ConnectionHandle>;
  close(conn: ConnectionHandle): Promise<void>;
  connectInfo(conn: ConnectionHandle): Promise<ConnectInfo>;
  getCapabilities(conn: ConnectionHandle): Promise<string>;
  getDomainCapabilities(
    conn: ConnectionHandle,
    opts?: { emulator?: string; arch?: string; machine?: string; virtType?: string },
  ): Promise<string>;
  nodeInfo(conn: ConnectionHandle): Promise<NodeInfo>;

  // ---- domains (domain.cc); `key` is a UUID or a name
  listAllDomains(
    conn: ConnectionHandle,
    opts?: { active?: boolean; inactive?: boolean; persistent?: boolean; transient?: boolean },
  ): Promise<NativeBatch<DomainRef>>;
  domainLookup(conn: ConnectionHandle, key: string): Promise<DomainRef>;
  domainDefine(conn: ConnectionHandle, xml: string, opts?: { validate?: boolean }): Promise<DomainRef>;
  domainUndefine(
    conn: ConnectionHandle,
    key: string,
    opts?: { managedSave?: boolean; snapshotsMetadata?: boolean; checkpointsMetadata?: boolean; nvram?: boolean; keepNvram?: boolean; tpm?: boolean; keepTpm?: boolean },
  ): Promise<void>;
  domainCreate(conn: ConnectionHandle, key: string, opts?: { paused?: boolean; autodestroy?: boolean; bypassCache?: boolean; forceBoot?: boolean; resetNvram?: boolean }): Promise<void>;
  domainShutdown(conn: ConnectionHandle, key: string, opts?: { acpi?: boolean; agent?: boolean }): Promise<void>;
  domainReboot(conn: ConnectionHandle, key: string, opts?: { acpi?: boolean; agent?: boolean }): Promise<void>;
  domainReset(conn: ConnectionHandle, key: string): Promise<void>;
  domainDestroy(conn: ConnectionHandle, key: string, opts?: { graceful?: boolean }): Promise<void>;
  domainSuspend(conn: ConnectionHandle, key: string): Promise<void>;
  domainResume(conn: ConnectionHandle, key: string): Promise<void>;
  domainManagedSave(conn: ConnectionHandle, key: string, opts?: { running?: boolean; paused?: boolean; bypassCache?: boolean }): Promise<void>;
  domainHasManagedSave(conn: ConnectionHandle, key: string): Promise<boolean>;
  domainManagedSaveRemove(conn: ConnectionHandle, key: string): Promise<void>;
  domainGetXML(conn: ConnectionHandle, key: string, opts?: { inactive?: boolean; secure?: boolean; updateCpu?: boolean; migratable?: boolean }): Promise<string>;
  domainGetInfo(conn: ConnectionHandle, key: string): Promise<DomainInfo>;
  domainGetState(conn: ConnectionHandle, key: string): Promise<DomainState>;
  domainGetAutostart(conn: ConnectionHandle, key: string): Promise<boolean>;
  domainSetAutostart(conn: ConnectionHandle, key: string, autostart: boolean): Promise<void>;
  domainIsPersistent(conn: ConnectionHandle, key: string): Promise<boolean>;
  /** virDomainRename; QEMU refuses it for an active domain (VIR_ERR_OPERATION_INVALID). Resolves the renamed domain. */
  domainRename(conn: ConnectionHandle, key: string, newName: string): Promise<DomainRef>;
  domainSetMemory(conn: ConnectionHandle, key: string, kib: number, opts?: ModifyFlags & { maximum?: boolean }): Promise<void>;
  domainSetVcpus(conn: ConnectionHandle, key: string, count: number, opts?: ModifyFlags & { maximum?: boolean; guest?: boolean }): Promise<void>;
  /** virDomainBlockResize in bytes: a running domain's disk, by target (vda) or source path. */
  domainBlockResize(conn: ConnectionHandle, key: string, disk: string, bytes: number): Promise<void>;
  domainAttachDevice(conn: ConnectionHandle, key: string, xml: string, opts?: ModifyFlags): Promise<void>;
  domainDetachDevice(conn: ConnectionHandle, key: string, xml: string, opts?: ModifyFlags): Promise<void>;
  domainUpdateDevice(conn: ConnectionHandle, key: string, xml: string, opts?: ModifyFlags & { force?: boolean }): Promise<void>;
  /** type: 'title' | 'description' | 'element' (element needs uri). Resolves null when unset. */
  domainGetMetadata(conn: ConnectionHandle, key: string, type: 'title' | 'description' | 'element', uri: string | null, opts?: ModifyFlags): Promise<string | null>;
  /** value null removes the metadata. For 'element', prefix and uri are required. */
  domainSetMetadata(
    conn: ConnectionHandle,
    key: string,
    type: 'title' | 'description' | 'element',
    value: string | null,
    prefix: string | null,
    uri: string | null,
    opts?: ModifyFlags,
  ): Promise<void>;
  /** codeset: 'linux' | 'xt' | 'atset1' | 'atset2' | 'atset3' | 'osx' | 'xt_kbd' | 'usb' | 'win32' | 'qnum' */
  domainSendKey(conn: ConnectionHandle, key: string, codeset: string, holdtimeMs: number, keycodes: number[]): Promise<void>;
  domainScreenshot(conn: ConnectionHandle, key: string, screen: number): Promise<{ mimeType: string; data: Buffer }>;
  domainOpenConsole(conn: ConnectionHandle, key: string, devName: string | null, opts?: { force?: boolean; safe?: boolean }): Promise<NativeStream>;
  /** A socket FD connected to the domain's graphics (VNC/SPICE) server; wrap it with net.Socket({fd}). */
  domainOpenGraphicsFD(conn: ConnectionHandle, key: string, idx: number, opts?: { skipAuth?: boolean }): Promise<number>;
  /** A running domain's interface addresses from the network's DHCP leases, the guest agent or the host's ARP table. */
  domainInterfaceAddresses(conn: ConnectionHandle, key: string, source: 'lease' | 'agent' | 'arp'): Promise<DomainInterface[]>;
  domainGetJobStats(conn: ConnectionHandle, key: string, opts?: { completed?: boolean }): Promise<{ type: number; stats: Record<string, number | string | boolean> }>;
  domainAbortJob(conn: ConnectionHandle, key: string): Promise<void>;
  domainMigrate(
    conn: ConnectionHandle,
    key: string,
    destUri: string,
    opts?: { live?: boolean; persistDest?: boolean; undefineSource?: boolean; peer2peer?: boolean; tunnelled?: boolean; copyStorageAll?: boolean; offline?: boolean; bandwidthMiBs?: number; destName?: string; migrateUri?: string },
  ): Promise<void>;

  // ---- bulk stats (domain_stats.cc)
  /** stats: subset of 'state' 'cpu-total' 'balloon' 'vcpu' 'interface' 'block' 'perf' 'iothread' 'memory' 'dirtyrate'. domains: restrict to these keys. */
  getAllDomainStats(
    conn: ConnectionHandle,
    stats: string[],
    opts?: { active?: boolean; inactive?: boolean; domains?: string[] },
  ): Promise<NativeBatch<DomainStatsRecord>>;

  // ---- snapshots (snapshot.cc)
  snapshotList(conn: ConnectionHandle, key: string): Promise<SnapshotInfo[]>;
  snapshotCreate(conn: ConnectionHandle, key: string, xml: string, opts?: { diskOnly?: boolean; atomic?: boolean; quiesce?: boolean; live?: boolean; validate?: boolean; redefine?: boolean; noMetadata?: boolean; halt?: boolean }): Promise<string>;
  snapshotGetXML(conn: ConnectionHandle, key: string, name: string, opts?: { secure?: boolean }): Promise<string>;
  snapshotCurrent(conn: ConnectionHandle, key: string): Promise<string | null>;
  snapshotRevert(conn: ConnectionHandle, key: string, name: string, opts?: { running?: boolean; paused?: boolean; force?: boolean }): Promise<void>;
  snapshotDelete(conn: ConnectionHandle, key: string, name: string, opts?: { children?: boolean; childrenOnly?: boolean; metadataOnly?: boolean }): Promise<void>;

  // ---- storage (storage.cc); pool key: UUID or name; volume key: libvirt key, path, or "pool/name"
  poolList(conn: ConnectionHandle): Promise<PoolInfo[]>;
  poolGetInfo(conn: ConnectionHandle, pool: string): Promise<PoolInfo>;
  poolGetXML(conn: ConnectionHandle, pool: string, opts?: { inactive?: boolean }): Promise<string>;
  poolDefine(conn: ConnectionHandle, xml: string, opts?: { validate?: boolean }): Promise<{ name: string; uuid: string }>;
  poolBuild(conn: ConnectionHandle, pool: string, opts?: { noOverwrite?: boolean; overwrite?: boolean }): Promise<void>;
  poolStart(conn: ConnectionHandle, pool: string): Promise<void>;
  poolDestroy(conn: ConnectionHandle, pool: string): Promise<void>;
  poolUndefine(conn: ConnectionHandle, pool: string): Promise<void>;
  poolDelete(conn: ConnectionHandle, pool: string): Promise<void>;
  poolRefresh(conn: ConnectionHandle, pool: string): Promise<void>;
  poolSetAutostart(conn: ConnectionHandle, pool: string, autostart: boolean): Promise<void>;
  volList(conn: ConnectionHandle, pool: string): Promise<VolumeInfo[]>;
  volGetInfo(conn: ConnectionHandle, vol: string): Promise<VolumeInfo>;
  volGetXML(conn: ConnectionHandle, vol: string): Promise<string>;
  volCreate(conn: ConnectionHandle, pool: string, xml: string, opts?: { preallocMetadata?: boolean; validate?: boolean }): Promise<VolumeInfo>;
  /** Clone: create a volume in `pool` from xml, copying data from `source` volume. */
  volCreateFrom(conn: ConnectionHandle, pool: string, xml: string, source: string, opts?: { preallocMetadata?: boolean }): Promise<VolumeInfo>;
  volDelete(conn: ConnectionHandle, vol: string): Promise<void>;
  volWipe(conn: ConnectionHandle, vol: string): Promise<void>;
  volResize(conn: ConnectionHandle, vol: string, capacityBytes: number, opts?: { allocate?: boolean; delta?: boolean; shrink?: boolean }): Promise<void>;
  volUpload(conn: ConnectionHandle, vol: string, offset: number, length: number): Promise<NativeStream>;
  volDownload(conn: ConnectionHandle, vol: string, offset: number, length: number): Promise<NativeStream>;

  // ---- networks (network.cc); key: UUID or name
  netList(conn: ConnectionHandle): Promise<NetworkInfo[]>;
  netGetXML(conn: ConnectionHandle, net: string, opts?: { inactive?: boolean }): Promise<string>;
  netDefine(conn: ConnectionHandle, xml: string, opts?: { validate?: boolean }): Promise<{ name: string; uuid: string }>;
  netStart(conn: ConnectionHandle, net: string): Promise<void>;
  netDestroy(conn: ConnectionHandle, net: string): Promise<void>;
  netUndefine(conn: ConnectionHandle, net: string): Promise<void>;
  netSetAutostart(conn: ConnectionHandle, net: string, autostart: boolean): Promise<void>;
  netDhcpLeases(conn: ConnectionHandle, net: string, mac?: string | null): Promise<DhcpLease[]>;

  // ---- node devices (nodedev.cc)
  /** cap: e.g. 'pci', 'usb_device', 'net', 'storage', 'mdev'; omitted: all. */
  nodeDeviceList(conn: ConnectionHandle, opts?: { cap?: string }): Promise<NodeDeviceInfo[]>;
  nodeDeviceGetXML(conn: ConnectionHandle, name: string): Promise<string>;

  // ---- events (events.cc): one subscriber per connection (a second subscribeEvents rejects
  // ERR_INVALID_ARG); resolves once registered. Domain events are required, network/pool/close
  // best effort. unsubscribeEvents (and close) stop delivery at once, queued events included.
  // While subscribed, Node's event loop is kept alive. A throwing listener is an uncaught exception.
  subscribeEvents(conn: ConnectionHandle, listener: (event: NativeEvent) => void): Promise<void>;
  unsubscribeEvents(conn: ConnectionHandle): Promise<void>;

  // ---- schema validation (xml_validate.cc), with libxml2: no connection involved
  /**
   * Checks a domain XML against libvirt's RelaxNG schema `${schemaDir}/domain.rng` (default
   * /usr/share/libvirt/schemas, libvirt0's), as define with VALIDATE does. Resolves the problems,
   * with the line (and for malformed XML the column) libxml2 places them at; empty when valid.
   * Rejects VIR_ERR_OPEN_FAILED when the schema cannot be read.
   */
  validateDomainXml(xml: string, opts?: { schemaDir?: string }): Promise<SchemaProblem[]>;
}

export interface SchemaProblem {
  /** 1-based; absent where libxml2 knows none. */
  line?: number;
  column?: number;
  message: string;
}

const here = dirname(fileURLToPath(import.meta.url));

function bindingPath(): string {
  const candidates = [
    process.env.VIREO_NATIVE_PATH,
    join(here, 'build', 'Release', 'vireo_libvirt.node'),
    join(here, '..', 'native', 'build', 'Release', 'vireo_libvirt.node'),
    join(here, '..', '..', 'native', 'build', 'Release', 'vireo_libvirt.node'),
  ].filter((p): p is string => typeof p === 'string');
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`Vireo's libvirt binding is not built (looked in ${candidates.join(', ')}): run npm run build:native`);
  return found;
}

let loaded: NativeBinding | undefined;

export function loadBinding(): NativeBinding {
  loaded ??= createRequire(import.meta.url)(bindingPath()) as NativeBinding;
  return loaded;
}

/** Drains a NativeBatch in slices, yielding to the event loop between them so no slice stalls it. */
export async function drainBatch<T>(batch: NativeBatch<T>, slice = 500): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const part = batch.next(slice);
    if (part.length === 0) return out;
    for (const item of part) out.push(item);
    if (out.length < batch.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
