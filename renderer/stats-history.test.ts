import { describe, expect, it } from 'vitest';
import type { VmStats } from '../shared/models/stats.js';
import { HISTORY_LENGTH, StatsHistory, metricValue } from './stats-history.js';

const stats = (cpu: number | null): VmStats => ({
  cpuPercent: cpu,
  hostCpuPercent: cpu === null ? null : cpu / 2,
  vcpus: 1,
  memoryKiB: 512,
  maxMemoryKiB: 1024,
  memoryPercent: 50,
  diskReadBytesPerSec: 100,
  diskWriteBytesPerSec: 20,
  netRxBytesPerSec: null,
  netTxBytesPerSec: null,
});
const tick = (vms: Record<string, VmStats>) => ({ connectionId: 'c', at: 0, intervalMs: 1000, vms });

describe('stats history', () => {
  it('keeps the last samples per VM, oldest first', () => {
    const history = new StatsHistory();
    for (let i = 0; i < HISTORY_LENGTH + 5; i++) history.apply(tick({ a: stats(i) }));
    const series = history.series('c', 'a', 'cpu');
    expect(series).toHaveLength(HISTORY_LENGTH);
    expect(series[0]).toBe(5);
    expect(series.at(-1)).toBe(HISTORY_LENGTH + 4);
    expect(history.series('c', 'a', 'hostCpu').at(-1)).toBeCloseTo((HISTORY_LENGTH + 4) / 2);
  });

  it('marks missing figures NaN, sums disk and network directions, and forgets stopped VMs', () => {
    const history = new StatsHistory();
    history.apply(tick({ a: stats(null), b: stats(1) }));
    expect(history.series('c', 'a', 'cpu')).toEqual([Number.NaN]);
    expect(history.series('c', 'a', 'disk')).toEqual([120]);
    expect(metricValue(stats(1), 'net')).toBeNull();
    history.apply(tick({ b: stats(2) }));
    expect(history.series('c', 'a', 'cpu')).toEqual([]);
    expect(history.series('c', 'b', 'cpu')).toEqual([1, 2]);
  });
});
