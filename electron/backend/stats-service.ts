// Samples resource usage of the running VMs of each watched connection with one bulk libvirt
// call per interval, and only while some client watches: no watcher, no timer. Each sample
// becomes one 'stats.tick' event keyed by VM UUID, which clients apply as one batch.
import { type DomainStatsRecord, type NativeBinding, drainBatch } from '../../native/index.js';
import { STATS_INTERVAL_LIMITS_MS, type StatsConfig, type VmStats } from '../../shared/models/stats.js';
import type { ConnectionManager } from './connection-manager.js';
import type { EventBus } from './event-bus.js';

const STAT_GROUPS = ['cpu-total', 'balloon', 'vcpu', 'interface', 'block'];

/** Counters of one VM at one instant; rates come from two of them. */
export interface Counters {
  at: number;
  cpuTimeNs: number;
  diskRead: number;
  diskWrite: number;
  netRx: number;
  netTx: number;
}

export interface StatsServiceOptions {
  binding: NativeBinding;
  connections: ConnectionManager;
  events: EventBus;
  /** Called after every accepted setConfig (to save the preference). */
  onConfigChange?: (config: StatsConfig) => void;
}

export class StatsService {
  private intervalMs: number = STATS_INTERVAL_LIMITS_MS.default;
  /** connectionId → ids of the sessions watching it. */
  private readonly watchers = new Map<string, Set<string>>();
  private readonly previous = new Map<string, Map<string, Counters>>();
  /** connectionId → the host's CPU count (nodeInfo), asked once per connect. */
  private readonly hostCpus = new Map<string, Promise<number>>();
  private timer: NodeJS.Timeout | null = null;
  private sampling: Promise<void> | null = null;

  constructor(private readonly options: StatsServiceOptions) {
    options.connections.lifecycle.on('disconnected', (id) => {
      this.previous.delete(id);
      this.hostCpus.delete(id);
    });
  }

  /** Applies the saved preference at start-up (no onConfigChange: it is saved already). */
  useSaved(config: StatsConfig): void {
    this.intervalMs = config.intervalMs;
  }

  config(): StatsConfig {
    return { intervalMs: this.intervalMs };
  }

  setConfig(config: StatsConfig): StatsConfig {
    const changed = config.intervalMs !== this.intervalMs;
    this.intervalMs = config.intervalMs;
    if (changed && this.timer && !this.sampling) this.schedule(this.intervalMs);
    if (changed) this.options.onConfigChange?.(this.config());
    return this.config();
  }

  watch(watcherId: string, connectionId: string): void {
    const set = this.watchers.get(connectionId) ?? new Set();
    set.add(watcherId);
    this.watchers.set(connectionId, set);
    // A first sample right away, so a new watcher sees numbers without waiting a whole interval.
    if (!this.timer) this.schedule(0);
  }

  unwatch(watcherId: string, connectionId: string): void {
    const set = this.watchers.get(connectionId);
    set?.delete(watcherId);
    if (set?.size === 0) {
      this.watchers.delete(connectionId);
      this.previous.delete(connectionId);
    }
    if (this.watchers.size === 0) this.stop();
  }

  /** A session ended: drop everything it watched. */
  forgetWatcher(watcherId: string): void {
    for (const connectionId of this.watchers.keys()) this.unwatch(watcherId, connectionId);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves when the sample under way (if any) is done; for tests and shutdown. */
  async settled(): Promise<void> {
    await this.sampling;
  }

  private schedule(delayMs: number): void {
    this.stop();
    this.timer = setTimeout(() => {
      this.sampling = this.sampleAll().finally(() => {
        this.sampling = null;
        if (this.timer && this.watchers.size > 0) this.schedule(this.intervalMs);
      });
    }, delayMs);
  }

  private async sampleAll(): Promise<void> {
    await Promise.all([...this.watchers.keys()].map((id) => this.sample(id)));
  }

  private async sample(connectionId: string): Promise<void> {
    const handle = this.options.connections.handleOf(connectionId);
    if (!handle) return;
    let records: DomainStatsRecord[];
    let hostCpus: number;
    try {
      [records, hostCpus] = await Promise.all([
        this.options.binding.getAllDomainStats(handle, STAT_GROUPS, { active: true }).then((batch) => drainBatch(batch)),
        this.hostCpusOf(connectionId, handle),
      ]);
    } catch (e) {
      if (this.options.connections.handleOf(connectionId) !== handle) return; // disconnected meanwhile
      console.warn(`Vireo: stats of ${connectionId} failed: ${(e as Error).message}`);
      void this.options.connections.noticeFailure(connectionId, handle, e);
      return;
    }
    if (!this.watchers.has(connectionId) || this.options.connections.handleOf(connectionId) !== handle) return;
    const at = Date.now();
    const before = this.previous.get(connectionId) ?? new Map<string, Counters>();
    const now = new Map<string, Counters>();
    const vms: Record<string, VmStats> = {};
    for (const { domain, stats } of records) {
      const counters = countersOf(stats, at);
      now.set(domain.uuid, counters);
      vms[domain.uuid] = toVmStats(stats, counters, before.get(domain.uuid), hostCpus);
    }
    this.previous.set(connectionId, now);
    this.options.events.emit('stats.tick', { connectionId, at, intervalMs: this.intervalMs, vms });
  }

  private hostCpusOf(connectionId: string, handle: Parameters<NativeBinding['nodeInfo']>[0]): Promise<number> {
    let cpus = this.hostCpus.get(connectionId);
    if (!cpus) {
      cpus = this.options.binding.nodeInfo(handle).then(
        (info) => Math.max(1, info.cpus),
        () => 1, // a driver without nodeInfo: host CPU % then equals the per-VM figure's scale
      );
      this.hostCpus.set(connectionId, cpus);
    }
    return cpus;
  }
}

type TypedParams = DomainStatsRecord['stats'];

const num = (stats: TypedParams, key: string): number => {
  const value = stats[key];
  return typeof value === 'number' ? value : 0;
};

/** Sum of `<group>.<i>.<field>` over the group's devices (block.0.rd.bytes, block.1.rd.bytes...). */
const sumOver = (stats: TypedParams, group: string, field: string): number => {
  let total = 0;
  for (let i = 0; i < num(stats, `${group}.count`); i++) total += num(stats, `${group}.${i}.${field}`);
  return total;
};

export function countersOf(stats: TypedParams, at: number): Counters {
  return {
    at,
    cpuTimeNs: num(stats, 'cpu.time'),
    diskRead: sumOver(stats, 'block', 'rd.bytes'),
    diskWrite: sumOver(stats, 'block', 'wr.bytes'),
    netRx: sumOver(stats, 'net', 'rx.bytes'),
    netTx: sumOver(stats, 'net', 'tx.bytes'),
  };
}

/** Rounded for the wire: ticks for thousands of VMs stay small. */
const round1 = (x: number) => Math.round(x * 10) / 10;
const clampPercent = (x: number) => round1(Math.min(100, Math.max(0, x)));

export function toVmStats(stats: TypedParams, now: Counters, before: Counters | undefined, hostCpus: number): VmStats {
  const seconds = before ? (now.at - before.at) / 1000 : 0;
  // Counters restart with the VM: a drop means a new run, not a negative rate.
  const rate = (field: Exclude<keyof Counters, 'at'>): number | null =>
    before && seconds > 0 && now[field] >= before[field] ? Math.round((now[field] - before[field]) / seconds) : null;
  const vcpus = num(stats, 'vcpu.current') || num(stats, 'vcpu.maximum') || 1;
  const cpuNsPerSec = before && seconds > 0 && now.cpuTimeNs >= before.cpuTimeNs ? (now.cpuTimeNs - before.cpuTimeNs) / seconds : null;
  const maxMemoryKiB = num(stats, 'balloon.maximum');
  // What the guest uses: its own view when its balloon driver reports it (available − unused);
  // else QEMU's resident set on the host; else the balloon's size (without a balloon device
  // libvirt reports the configured memory, which says little).
  const available = num(stats, 'balloon.available');
  const unused = num(stats, 'balloon.unused');
  const memoryKiB = available > 0 && 'balloon.unused' in stats ? Math.max(0, available - unused) : num(stats, 'balloon.rss') || num(stats, 'balloon.current');
  return {
    cpuPercent: cpuNsPerSec === null ? null : clampPercent((cpuNsPerSec / 1e9 / vcpus) * 100),
    hostCpuPercent: cpuNsPerSec === null ? null : clampPercent((cpuNsPerSec / 1e9 / Math.max(1, hostCpus)) * 100),
    vcpus,
    memoryKiB,
    maxMemoryKiB,
    memoryPercent: maxMemoryKiB > 0 && memoryKiB > 0 ? clampPercent((memoryKiB / maxMemoryKiB) * 100) : null,
    diskReadBytesPerSec: rate('diskRead'),
    diskWriteBytesPerSec: rate('diskWrite'),
    netRxBytesPerSec: rate('netRx'),
    netTxBytesPerSec: rate('netTx'),
  };
}
