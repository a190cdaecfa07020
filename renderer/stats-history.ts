// The last few stats samples of each running VM, for the list's sparklines. Kept outside React
// state in typed-array rings (a tick for 5 000 VMs writes 25 000 numbers, allocates nothing);
// the store's per-connection tick counter tells rows when to redraw.
import type { StatsTick, VmStats } from '../shared/models/stats.js';

export const HISTORY_LENGTH = 40;
export const METRICS = ['cpu', 'hostCpu', 'memory', 'disk', 'net'] as const;
export type Metric = (typeof METRICS)[number];

const METRIC_INDEX: Record<Metric, number> = { cpu: 0, hostCpu: 1, memory: 2, disk: 3, net: 4 };

/** The figure a metric plots; null when libvirt gave none (first sample, no counters). */
export function metricValue(stats: VmStats, metric: Metric): number | null {
  switch (metric) {
    case 'cpu':
      return stats.cpuPercent;
    case 'hostCpu':
      return stats.hostCpuPercent;
    case 'memory':
      return stats.memoryPercent;
    case 'disk':
      return stats.diskReadBytesPerSec === null && stats.diskWriteBytesPerSec === null ? null : (stats.diskReadBytesPerSec ?? 0) + (stats.diskWriteBytesPerSec ?? 0);
    case 'net':
      return stats.netRxBytesPerSec === null && stats.netTxBytesPerSec === null ? null : (stats.netRxBytesPerSec ?? 0) + (stats.netTxBytesPerSec ?? 0);
  }
}

class Ring {
  /** METRICS.length rows of HISTORY_LENGTH samples; NaN where there was no figure. */
  readonly values = new Float32Array(METRICS.length * HISTORY_LENGTH).fill(Number.NaN);
  /** Samples written so far (the newest is at (count - 1) % HISTORY_LENGTH). */
  count = 0;
  /** The tick that last wrote it: rings a tick did not write belong to stopped VMs. */
  tick = 0;

  push(stats: VmStats): void {
    const slot = this.count % HISTORY_LENGTH;
    for (const metric of METRICS) {
      const value = metricValue(stats, metric);
      this.values[METRIC_INDEX[metric] * HISTORY_LENGTH + slot] = value ?? Number.NaN;
    }
    this.count++;
  }

  series(metric: Metric): number[] {
    const n = Math.min(this.count, HISTORY_LENGTH);
    const base = METRIC_INDEX[metric] * HISTORY_LENGTH;
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.values[base + ((this.count - n + i) % HISTORY_LENGTH)]!);
    return out;
  }
}

export class StatsHistory {
  private readonly connections = new Map<string, { ticks: number; rings: Map<string, Ring> }>();

  /** One tick: every VM in it gets a sample; VMs no longer sampled (stopped) lose their history. */
  apply(tick: StatsTick): void {
    let connection = this.connections.get(tick.connectionId);
    if (!connection) {
      connection = { ticks: 0, rings: new Map() };
      this.connections.set(tick.connectionId, connection);
    }
    const current = ++connection.ticks;
    const { rings } = connection;
    let written = 0;
    for (const uuid in tick.vms) {
      let ring = rings.get(uuid);
      if (!ring) {
        ring = new Ring();
        rings.set(uuid, ring);
      }
      ring.push(tick.vms[uuid]!);
      ring.tick = current;
      written++;
    }
    if (written !== rings.size) for (const [uuid, ring] of rings) if (ring.tick !== current) rings.delete(uuid);
  }

  /** Oldest first; NaN marks samples without a figure. Empty for a VM without samples. */
  series(connectionId: string, uuid: string, metric: Metric): number[] {
    return this.connections.get(connectionId)?.rings.get(uuid)?.series(metric) ?? [];
  }

  forget(connectionId: string): void {
    this.connections.delete(connectionId);
  }
}

export const statsHistory = new StatsHistory();
