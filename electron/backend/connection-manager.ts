// Owns every libvirt connection: the list (Demo, detected daemons, user-added, --connect),
// opening and closing, the one native event subscription per connection, and reconnecting
// with backoff when libvirt reports the connection lost.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type ConnectionHandle, type NativeBinding, type NativeEvent, isLibvirtError } from '../../native/index.js';
import { apiError } from '../../shared/api/errors.js';
import type { ConnectionInfo, ConnectionOrigin } from '../../shared/models/connection.js';
import type { ListSnapshot } from '../../shared/models/list.js';
import type { ConnectionStore, StoredConnection } from './connection-store.js';
import type { EventBus } from './event-bus.js';

export const DEMO_CONNECTION = { id: 'demo', uri: 'test:///default', name: 'Demo' } as const;

export interface ReconnectPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
}
const DEFAULT_RECONNECT: ReconnectPolicy = { firstDelayMs: 1000, maxDelayMs: 30_000 };

// Monolithic libvirtd or the modular virtqemud: either socket answers qemu:// URIs.
const daemonSockets = (dir: string) => [join(dir, 'libvirt-sock'), join(dir, 'virtqemud-sock')];

/** Local libvirt daemons whose socket exists on this machine. */
export function detectLocalDaemons(env: NodeJS.ProcessEnv = process.env): { id: string; uri: string; name: string }[] {
  const found = [];
  if (daemonSockets('/var/run/libvirt').some(existsSync)) found.push({ id: 'qemu-system', uri: 'qemu:///system', name: 'QEMU/KVM' });
  if (env.XDG_RUNTIME_DIR && daemonSockets(join(env.XDG_RUNTIME_DIR, 'libvirt')).some(existsSync)) {
    found.push({ id: 'qemu-session', uri: 'qemu:///session', name: 'QEMU/KVM user session' });
  }
  return found;
}

/** A readable default name for a URI: "QEMU/KVM on host" for qemu+ssh://root@host/system. */
export function nameForUri(uri: string): string {
  const drivers: Record<string, string> = { qemu: 'QEMU/KVM', test: 'Test', lxc: 'LXC', xen: 'Xen', ch: 'Cloud Hypervisor', bhyve: 'bhyve' };
  const match = /^([a-z0-9.-]+)(?:\+[a-z0-9.-]+)?:\/\/(?:[^@/]*@)?([^/:?]*)/i.exec(uri);
  if (!match) return uri;
  const driver = drivers[match[1]!.toLowerCase()] ?? match[1]!;
  return match[2] ? `${driver} on ${match[2]}` : driver;
}

interface ConnectionEntry {
  info: ConnectionInfo;
  handle: ConnectionHandle | null;
  opening: Promise<void> | null;
  reconnectTimer: NodeJS.Timeout | null;
  /** Bumped by every open and close, so the results of an outdated open or its events are dropped. */
  generation: number;
}

export interface ConnectionLifecycle {
  connected: [connectionId: string, handle: ConnectionHandle];
  disconnected: [connectionId: string];
  /** Native events other than 'disconnected', which this manager handles itself. */
  'native-event': [connectionId: string, event: NativeEvent];
}

export interface ConnectionManagerOptions {
  binding: NativeBinding;
  store: ConnectionStore;
  events: EventBus;
  /** --connect URI: selected first and connected at start. */
  launchUri?: string | undefined;
  detected?: { id: string; uri: string; name: string }[];
  reconnect?: ReconnectPolicy;
}

export class ConnectionManager {
  /** For the services built on connections (domains, stats). */
  readonly lifecycle = new EventEmitter<ConnectionLifecycle>();
  private readonly entries = new Map<string, ConnectionEntry>();
  private readonly binding: NativeBinding;
  private readonly store: ConnectionStore;
  private readonly events: EventBus;
  private readonly reconnect: ReconnectPolicy;
  private readonly launchUri: string | undefined;
  private version = 0;
  private launchConnectionId: string = DEMO_CONNECTION.id;

  constructor(options: ConnectionManagerOptions) {
    this.binding = options.binding;
    this.store = options.store;
    this.events = options.events;
    this.reconnect = options.reconnect ?? DEFAULT_RECONNECT;
    this.launchUri = options.launchUri;
    this.addEntry({ ...DEMO_CONNECTION, origin: 'demo', autoconnect: true });
    for (const daemon of options.detected ?? []) this.addEntry({ ...daemon, origin: 'detected', autoconnect: false });
  }

  /** Loads the persisted connections, then connects those marked autoconnect; resolves when every attempt settled. */
  async start(): Promise<void> {
    for (const stored of await this.store.load()) {
      if (!this.findByUri(stored.uri)) this.addEntry({ ...stored, origin: 'user' });
    }
    const launchUri = this.launchUri;
    if (launchUri) {
      const entry = this.findByUri(launchUri) ?? this.addEntry({ id: 'launch', uri: launchUri, name: nameForUri(launchUri), origin: 'launch', autoconnect: true });
      this.launchConnectionId = entry.info.id;
    }
    this.publish([...this.entries.values()], []);
    // The launch connection connects this time without its saved autoconnect flag changing.
    const autoconnect = [...this.entries.values()].filter((e) => e.info.autoconnect || e.info.id === this.launchConnectionId);
    await Promise.allSettled(autoconnect.map((e) => this.open(e, 0)));
  }

  get initialConnectionId(): string {
    return this.launchConnectionId;
  }

  list(): ListSnapshot<ConnectionInfo> {
    return { version: this.version, items: [...this.entries.values()].map((e) => ({ ...e.info })) };
  }

  info(connectionId: string): ConnectionInfo {
    return { ...this.entry(connectionId).info };
  }

  async add(request: { uri: string; name?: string | undefined; autoconnect: boolean }): Promise<ConnectionInfo> {
    const duplicate = this.findByUri(request.uri);
    if (duplicate) throw apiError('already-exists', `${request.uri} is already in the list as "${duplicate.info.name}"`);
    const entry = this.addEntry({
      id: randomUUID(),
      uri: request.uri,
      name: request.name ?? nameForUri(request.uri),
      origin: 'user',
      autoconnect: request.autoconnect,
    });
    await this.persist();
    this.publish([entry], []);
    if (entry.info.autoconnect) void this.open(entry, 0).catch(() => undefined); // the failure shows as the connection's state
    return { ...entry.info };
  }

  async remove(connectionId: string): Promise<void> {
    const entry = this.entry(connectionId);
    if (entry.info.origin !== 'user') throw apiError('not-removable', `"${entry.info.name}" is built in and cannot be removed`);
    await this.close(entry);
    this.entries.delete(connectionId);
    await this.persist();
    this.publish([], [connectionId]);
  }

  /** Connects (or joins an attempt under way); a manual connect restarts the backoff. */
  async connect(connectionId: string): Promise<ConnectionInfo> {
    const entry = this.entry(connectionId);
    this.cancelReconnect(entry);
    await this.open(entry, 0);
    return { ...entry.info };
  }

  async disconnect(connectionId: string): Promise<ConnectionInfo> {
    const entry = this.entry(connectionId);
    await this.close(entry);
    return { ...entry.info };
  }

  handleOf(connectionId: string): ConnectionHandle | null {
    return this.entries.get(connectionId)?.handle ?? null;
  }

  /** The open handle of a connection, or a 'not-connected' failure for the caller. */
  requireHandle(connectionId: string): ConnectionHandle {
    const entry = this.entry(connectionId);
    if (!entry.handle) throw apiError('not-connected', `"${entry.info.name}" (${entry.info.uri}) is not connected`);
    return entry.handle;
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([...this.entries.values()].map((e) => this.close(e)));
  }

  // ---- internals

  private entry(connectionId: string): ConnectionEntry {
    const entry = this.entries.get(connectionId);
    if (!entry) throw apiError('not-found', `No connection with id ${JSON.stringify(connectionId)}`);
    return entry;
  }

  private findByUri(uri: string): ConnectionEntry | undefined {
    return [...this.entries.values()].find((e) => e.info.uri === uri);
  }

  private addEntry(base: { id: string; uri: string; name: string; origin: ConnectionOrigin; autoconnect: boolean }): ConnectionEntry {
    const entry: ConnectionEntry = {
      info: { ...base, state: 'disconnected', reason: null, reconnectAttempt: 0, nextRetryAt: null },
      handle: null,
      opening: null,
      reconnectTimer: null,
      generation: 0,
    };
    this.entries.set(base.id, entry);
    return entry;
  }

  private async persist(): Promise<void> {
    const stored: StoredConnection[] = [...this.entries.values()]
      .filter((e) => e.info.origin === 'user')
      .map(({ info }) => ({ id: info.id, uri: info.uri, name: info.name, autoconnect: info.autoconnect }));
    await this.store.save(stored);
  }

  private publish(upserted: ConnectionEntry[], removed: string[]): void {
    this.events.emit('connections.changed', { version: ++this.version, reset: false, upserted: upserted.map((e) => ({ ...e.info })), removed });
  }

  private setState(entry: ConnectionEntry, state: Pick<ConnectionInfo, 'state' | 'reason' | 'reconnectAttempt'> & { nextRetryAt?: number | null }): void {
    Object.assign(entry.info, { nextRetryAt: null }, state);
    if (this.entries.get(entry.info.id) === entry) this.publish([entry], []);
  }

  private open(entry: ConnectionEntry, attempt: number): Promise<void> {
    if (entry.handle) return Promise.resolve();
    entry.opening ??= this.openNow(entry, attempt).finally(() => {
      entry.opening = null;
    });
    return entry.opening;
  }

  private async openNow(entry: ConnectionEntry, attempt: number): Promise<void> {
    const generation = ++entry.generation;
    const current = () => generation === entry.generation;
    this.setState(entry, { state: 'connecting', reason: null, reconnectAttempt: attempt });
    let handle: ConnectionHandle | undefined;
    try {
      handle = await this.binding.open(entry.info.uri);
      const opened = handle;
      // Subscribed before anyone lists domains, so no lifecycle event falls between list and subscription.
      await this.binding.subscribeEvents(opened, (event) => {
        if (current()) this.onNativeEvent(entry, opened, event);
      });
    } catch (e) {
      if (handle) void this.binding.close(handle).catch(() => undefined);
      if (current()) {
        // Only a connection that was lost keeps retrying; a first connect just reports why it failed.
        const nextAttempt = attempt > 0 ? attempt + 1 : 0;
        const nextRetryAt = nextAttempt > 0 ? this.scheduleReconnect(entry, nextAttempt) : null;
        this.setState(entry, { state: 'disconnected', reason: (e as Error).message, reconnectAttempt: nextAttempt, nextRetryAt });
      }
      throw e;
    }
    if (!current()) {
      // Disconnected or removed while opening.
      void this.binding.close(handle).catch(() => undefined);
      throw apiError('not-connected', `"${entry.info.name}" was disconnected while connecting`);
    }
    entry.handle = handle;
    this.setState(entry, { state: 'connected', reason: null, reconnectAttempt: 0 });
    this.lifecycle.emit('connected', entry.info.id, handle);
  }

  private onNativeEvent(entry: ConnectionEntry, handle: ConnectionHandle, event: NativeEvent): void {
    if (event.type !== 'disconnected') {
      this.lifecycle.emit('native-event', entry.info.id, event);
      return;
    }
    this.lose(entry, handle, `connection lost (${event.reason})`);
  }

  /** The connection died under us: drop it, tell the services, and reconnect with backoff. */
  private lose(entry: ConnectionEntry, handle: ConnectionHandle, reason: string): void {
    if (entry.handle !== handle) return; // already noticed (the close callback and a failed call can both report it)
    entry.generation++;
    entry.handle = null;
    void this.binding.close(handle).catch(() => undefined); // frees libvirt's side of the dead connection
    this.lifecycle.emit('disconnected', entry.info.id);
    const nextRetryAt = this.scheduleReconnect(entry, 1);
    this.setState(entry, { state: 'disconnected', reason, reconnectAttempt: 1, nextRetryAt });
  }

  /**
   * A libvirt call on this connection failed. When the failure looks like a transport problem
   * and the connection no longer answers, it is treated as lost (banner, reconnect), so a dead
   * connection is noticed even where libvirt's close callback does not fire (or not yet).
   * Resolves true when the connection was found dead.
   */
  async noticeFailure(connectionId: string, handle: ConnectionHandle, error: unknown): Promise<boolean> {
    const entry = this.entries.get(connectionId);
    if (!entry || entry.handle !== handle || !looksLikeTransportFailure(error)) return false;
    let dead: string | null = null;
    try {
      const info = await this.binding.connectInfo(handle);
      if (!info.alive) dead = (error as Error).message;
    } catch (e) {
      dead = (e as Error).message;
    }
    if (dead === null) return false;
    this.lose(entry, handle, `connection lost (${dead})`);
    return true;
  }

  /** Returns when the attempt will start. */
  private scheduleReconnect(entry: ConnectionEntry, attempt: number): number {
    this.cancelReconnect(entry);
    const delay = Math.min(this.reconnect.firstDelayMs * 2 ** (attempt - 1), this.reconnect.maxDelayMs);
    entry.reconnectTimer = setTimeout(() => {
      entry.reconnectTimer = null;
      // A failed attempt schedules the next one and shows in the connection's state.
      this.open(entry, attempt).catch(() => undefined);
    }, delay);
    entry.reconnectTimer.unref();
    return Date.now() + delay;
  }

  private cancelReconnect(entry: ConnectionEntry): void {
    if (entry.reconnectTimer) clearTimeout(entry.reconnectTimer);
    entry.reconnectTimer = null;
  }

  private async close(entry: ConnectionEntry): Promise<void> {
    this.cancelReconnect(entry);
    entry.generation++;
    const handle = entry.handle;
    entry.handle = null;
    const wasOpen = handle !== null || entry.opening !== null;
    if (handle) this.lifecycle.emit('disconnected', entry.info.id);
    if (wasOpen || entry.info.reconnectAttempt > 0) this.setState(entry, { state: 'disconnected', reason: null, reconnectAttempt: 0 });
    if (handle) {
      await this.binding.unsubscribeEvents(handle).catch(() => undefined);
      await this.binding.close(handle);
    }
  }
}

/**
 * libvirt errors that can mean the connection itself is gone: anything from the RPC layer
 * ("client socket is closed", "Cannot recv data"), a closed/invalid connection, a system error.
 * Only a hint: noticeFailure then asks the connection whether it is alive.
 */
export function looksLikeTransportFailure(error: unknown): boolean {
  if (!isLibvirtError(error)) return false;
  return (
    error.virDomainName === 'VIR_FROM_RPC' ||
    error.virDomainName === 'VIR_FROM_REMOTE' ||
    ['VIR_ERR_NO_CONNECT', 'VIR_ERR_INVALID_CONN', 'VIR_ERR_SYSTEM_ERROR', 'VIR_ERR_RPC', 'VIR_ERR_AUTH_FAILED', 'VIR_ERR_INTERNAL_ERROR'].includes(error.code)
  );
}

/** A URI for this machine's own daemon (no host part, no remote transport): qemu:///system, test:///default. */
export function isLocalUri(uri: string): boolean {
  const match = /^([a-z0-9.-]+)(?:\+([a-z0-9.-]+))?:\/\/([^/?]*)/i.exec(uri);
  if (!match) return false;
  const transport = match[2]?.toLowerCase();
  const authority = match[3] ?? '';
  return authority === '' && (transport === undefined || transport === 'unix');
}
