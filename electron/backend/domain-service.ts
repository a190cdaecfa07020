// Keeps each connected connection's VM list. It is read once on connect (one bulk stats call
// gives every domain's identity and state) and then kept current from libvirt's lifecycle
// events alone: no state polling. Events arriving close together are handled as one batch.
// Whether an inactive VM has a managed save image is asked per VM: right after the first
// read (in the background, so the list shows at once) and for the VMs an event names.
import { type ConnectionHandle, type DomainStatsRecord, type NativeBinding, type NativeEvent, drainBatch, isLibvirtError } from '../../native/index.js';
import type { ListSnapshot } from '../../shared/models/list.js';
import type { VmSummary } from '../../shared/models/vm.js';
import type { ConnectionManager } from './connection-manager.js';
import { domainReasonName, domainStateName } from './domain-state.js';
import type { EventBus } from './event-bus.js';

interface ConnectionDomains {
  connectionId: string;
  handle: ConnectionHandle;
  vms: Map<string, VmSummary>;
  /** The first full read; list() waits for it. */
  loaded: Promise<void>;
  /** UUIDs named by events not yet handled. */
  dirty: Set<string>;
  /** An event added or removed a domain, or named one we don't know: re-read the whole list. */
  resyncNeeded: boolean;
  batchTimer: NodeJS.Timeout | null;
  /** Batches run one after another. */
  work: Promise<void>;
}

export interface DomainServiceOptions {
  binding: NativeBinding;
  connections: ConnectionManager;
  events: EventBus;
  /** How long to gather events into one batch. */
  batchWindowMs?: number;
}

export class DomainService {
  private readonly tracked = new Map<string, ConnectionDomains>();
  private readonly binding: NativeBinding;
  private readonly connections: ConnectionManager;
  private readonly events: EventBus;
  private readonly batchWindowMs: number;
  /** One counter for all connections: a snapshot's version orders it against change batches. */
  private version = 0;

  constructor(options: DomainServiceOptions) {
    this.binding = options.binding;
    this.connections = options.connections;
    this.events = options.events;
    this.batchWindowMs = options.batchWindowMs ?? 30;
    options.connections.lifecycle.on('connected', (id, handle) => this.track(id, handle));
    options.connections.lifecycle.on('disconnected', (id) => this.untrack(id));
    options.connections.lifecycle.on('native-event', (id, event) => this.onEvent(id, event));
  }

  /** The connection must be connected (the caller checks with ConnectionManager.requireHandle). */
  async list(connectionId: string): Promise<ListSnapshot<VmSummary>> {
    const domains = this.tracked.get(connectionId);
    if (!domains) return { version: this.version, items: [] };
    await domains.loaded;
    return { version: this.version, items: [...domains.vms.values()] };
  }

  private track(connectionId: string, handle: ConnectionHandle): void {
    const domains: ConnectionDomains = {
      connectionId,
      handle,
      vms: new Map(),
      loaded: Promise.resolve(),
      dirty: new Set(),
      resyncNeeded: false,
      batchTimer: null,
      work: Promise.resolve(),
    };
    domains.loaded = (async () => {
      const records = await this.readAll(domains);
      if (this.tracked.get(connectionId) !== domains) return;
      domains.vms = new Map(records.map((r) => [r.uuid, r]));
      this.emit(domains, { reset: true, upserted: records, removed: [] });
    })();
    domains.work = domains.loaded
      .then(() => this.markManagedSaves(domains, [...domains.vms.values()]))
      .catch((e: unknown) => this.fail(domains, e, 'listing domains'));
    this.tracked.set(connectionId, domains);
  }

  private untrack(connectionId: string): void {
    const domains = this.tracked.get(connectionId);
    if (!domains) return;
    if (domains.batchTimer) clearTimeout(domains.batchTimer);
    this.tracked.delete(connectionId);
    // Clients drop the VMs of a connection that is gone.
    this.emit(domains, { reset: true, upserted: [], removed: [] });
  }

  private onEvent(connectionId: string, event: NativeEvent): void {
    const domains = this.tracked.get(connectionId);
    if (!domains || event.type !== 'domain-lifecycle') return;
    const { uuid } = event.domain;
    if (event.event === 'defined' || event.event === 'undefined' || !domains.vms.has(uuid)) domains.resyncNeeded = true;
    domains.dirty.add(uuid);
    domains.batchTimer ??= setTimeout(() => {
      domains.batchTimer = null;
      domains.work = domains.work.then(() => this.applyBatch(domains));
    }, this.batchWindowMs);
  }

  private async applyBatch(domains: ConnectionDomains): Promise<void> {
    const uuids = [...domains.dirty];
    const resync = domains.resyncNeeded;
    domains.dirty.clear();
    domains.resyncNeeded = false;
    try {
      await (resync ? this.resync(domains) : this.refresh(domains, uuids));
    } catch (e) {
      // A domain named by an event may be gone by now; the full list is then the truth.
      if (!resync && isLibvirtError(e) && !(await this.connections.noticeFailure(domains.connectionId, domains.handle, e))) {
        await this.resync(domains).catch((err: unknown) => this.fail(domains, err, 'updating the domains'));
      } else this.fail(domains, e, 'updating the domains');
    }
  }

  private async refresh(domains: ConnectionDomains, uuids: string[]): Promise<void> {
    const records = await this.withManagedSave(domains, await this.readAll(domains, uuids));
    if (this.tracked.get(domains.connectionId) !== domains) return;
    const upserted = records.filter((vm) => !sameVm(domains.vms.get(vm.uuid), vm));
    for (const vm of upserted) domains.vms.set(vm.uuid, vm);
    if (upserted.length > 0) this.emit(domains, { reset: false, upserted, removed: [] });
  }

  private async resync(domains: ConnectionDomains): Promise<void> {
    const read = await this.readAll(domains);
    // Known VMs keep what was found out about their managed save; new ones and changed ones are asked.
    const asked = read.filter((vm) => {
      const known = domains.vms.get(vm.uuid);
      if (known && known.state === vm.state && known.stateReason === vm.stateReason) {
        vm.hasManagedSave = known.hasManagedSave;
        return false;
      }
      return true;
    });
    await this.withManagedSave(domains, asked);
    const records = read;
    if (this.tracked.get(domains.connectionId) !== domains) return;
    const fresh = new Map(records.map((r) => [r.uuid, r]));
    const removed = [...domains.vms.keys()].filter((uuid) => !fresh.has(uuid));
    const upserted = records.filter((vm) => !sameVm(domains.vms.get(vm.uuid), vm));
    domains.vms = fresh;
    if (upserted.length > 0 || removed.length > 0) this.emit(domains, { reset: false, upserted, removed });
  }

  /** Identity and state of every domain (or of `uuids`) in one bulk call. */
  private async readAll(domains: ConnectionDomains, uuids?: string[]): Promise<VmSummary[]> {
    const batch = await this.binding.getAllDomainStats(domains.handle, ['state'], uuids ? { domains: uuids } : undefined);
    return (await drainBatch(batch)).map((record) => toVmSummary(domains.connectionId, record));
  }

  private emit(domains: ConnectionDomains, change: { reset: boolean; upserted: VmSummary[]; removed: string[] }): void {
    this.events.emit('domains.changed', { connectionId: domains.connectionId, version: ++this.version, ...change });
  }

  /** Sets hasManagedSave on the inactive VMs among `vms` (active ones have none); a VM that vanished meanwhile keeps false. */
  private async withManagedSave(domains: ConnectionDomains, vms: VmSummary[]): Promise<VmSummary[]> {
    const inactive = vms.filter((vm) => vm.id < 0);
    await forEachLimited(inactive, MANAGED_SAVE_CONCURRENCY, async (vm) => {
      vm.hasManagedSave = await this.binding.domainHasManagedSave(domains.handle, vm.uuid).catch((e: unknown) => {
        if (isLibvirtError(e) && e.code === 'VIR_ERR_NO_DOMAIN') return false;
        throw e;
      });
    });
    return vms;
  }

  /** After the first read: finds the saved VMs among the inactive ones and announces them in one batch. */
  private async markManagedSaves(domains: ConnectionDomains, vms: VmSummary[]): Promise<void> {
    const copies = vms.filter((vm) => vm.id < 0).map((vm) => ({ ...vm }));
    await this.withManagedSave(domains, copies);
    if (this.tracked.get(domains.connectionId) !== domains) return;
    const upserted: VmSummary[] = [];
    for (const copy of copies) {
      const current = domains.vms.get(copy.uuid);
      // Only where nothing changed meanwhile (an event's refresh has fresher figures).
      if (copy.hasManagedSave && current && current.id < 0 && !current.hasManagedSave && current.state === copy.state) {
        const updated = { ...current, hasManagedSave: true };
        domains.vms.set(copy.uuid, updated);
        upserted.push(updated);
      }
    }
    if (upserted.length > 0) this.emit(domains, { reset: false, upserted, removed: [] });
  }

  private fail(domains: ConnectionDomains, e: unknown, what: string): void {
    if (this.tracked.get(domains.connectionId) !== domains) return; // disconnected meanwhile: nothing to report
    console.warn(`Vireo: ${what} of ${domains.connectionId} failed: ${(e as Error).message}`);
    void this.connections.noticeFailure(domains.connectionId, domains.handle, e);
  }
}

const MANAGED_SAVE_CONCURRENCY = 16;

/** Runs `work` over `items`, at most `limit` at a time. */
export async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function toVmSummary(connectionId: string, { domain, stats }: DomainStatsRecord): VmSummary {
  const state = domainStateName(Number(stats['state.state'] ?? 0));
  return {
    connectionId,
    uuid: domain.uuid,
    name: domain.name,
    id: domain.id,
    state,
    stateReason: domainReasonName(state, Number(stats['state.reason'] ?? 0)),
    hasManagedSave: false,
  };
}

function sameVm(a: VmSummary | undefined, b: VmSummary): boolean {
  return a !== undefined && a.name === b.name && a.id === b.id && a.state === b.state && a.stateReason === b.stateReason && a.hasManagedSave === b.hasManagedSave;
}
