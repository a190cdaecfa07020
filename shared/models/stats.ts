/** One VM's resource usage over the last stats interval; rates are null on the first sample. */
export interface VmStats {
  /** Guest CPU use: cpu.time delta / (interval × vCPUs), 0–100. */
  cpuPercent: number | null;
  /** The same CPU time relative to all of the host's CPUs, 0–100. */
  hostCpuPercent: number | null;
  vcpus: number;
  /** Memory the VM uses: the balloon's current size, else QEMU's resident set. */
  memoryKiB: number;
  maxMemoryKiB: number;
  /** memoryKiB of maxMemoryKiB, 0–100; null when libvirt reports no memory figures. */
  memoryPercent: number | null;
  diskReadBytesPerSec: number | null;
  diskWriteBytesPerSec: number | null;
  netRxBytesPerSec: number | null;
  netTxBytesPerSec: number | null;
}

/** Stats of every running VM of a connection, sampled by one bulk libvirt call. */
export interface StatsTick {
  connectionId: string;
  /** Sample time, ms since the epoch. */
  at: number;
  intervalMs: number;
  /** Keyed by VM UUID. */
  vms: Record<string, VmStats>;
}

export interface StatsConfig {
  intervalMs: number;
}

export const STATS_INTERVAL_LIMITS_MS = { min: 1000, max: 10_000, default: 3000 } as const;
