import { describe, expect, it } from 'vitest';
import type { VmStats } from '../shared/models/stats.js';
import type { VmState, VmSummary } from '../shared/models/vm.js';
import { type ListView, visibleVms } from './vm-list-model.js';

const vm = (name: string, state: VmState, hasManagedSave = false): VmSummary => ({
  connectionId: 'c',
  uuid: `${name}`,
  name,
  id: state === 'shutoff' ? -1 : 1,
  state,
  stateReason: 'unknown',
  hasManagedSave,
});
const stats = (cpuPercent: number | null, disk: number | null = null): VmStats => ({
  cpuPercent,
  hostCpuPercent: cpuPercent === null ? null : cpuPercent / 4,
  vcpus: 1,
  memoryKiB: 0,
  maxMemoryKiB: 0,
  memoryPercent: null,
  diskReadBytesPerSec: disk,
  diskWriteBytesPerSec: disk === null ? null : 0,
  netRxBytesPerSec: null,
  netTxBytesPerSec: null,
});
const view = (partial: Partial<ListView> = {}): ListView => ({ filter: '', stateFilter: 'all', sort: { column: 'name', descending: false }, ...partial });
const names = (vms: VmSummary[]) => vms.map((v) => v.name);

const vms = [vm('web-10', 'running'), vm('web-2', 'paused'), vm('db', 'shutoff', true), vm('Build', 'running'), vm('cache', 'shutoff')];

describe('VM list model', () => {
  it('sorts names naturally and case-insensitively, either way', () => {
    expect(names(visibleVms(vms, undefined, view()))).toEqual(['Build', 'cache', 'db', 'web-2', 'web-10']);
    expect(names(visibleVms(vms, undefined, view({ sort: { column: 'name', descending: true } })))).toEqual(['web-10', 'web-2', 'db', 'cache', 'Build']);
  });

  it('sorts by state, running first, then by name', () => {
    expect(names(visibleVms(vms, undefined, view({ sort: { column: 'state', descending: false } })))).toEqual(['Build', 'web-10', 'web-2', 'cache', 'db']);
  });

  it('sorts by a stats column, VMs without figures last', () => {
    const s = { 'web-10': stats(5), Build: stats(80), 'web-2': stats(null) };
    expect(names(visibleVms(vms, s, view({ sort: { column: 'cpu', descending: true } })))).toEqual(['Build', 'web-10', 'cache', 'db', 'web-2']);
    expect(names(visibleVms(vms, s, view({ sort: { column: 'cpu', descending: false } })))).toEqual(['web-10', 'Build', 'cache', 'db', 'web-2']);
  });

  it('filters by name (substring, any case) and by state', () => {
    expect(names(visibleVms(vms, undefined, view({ filter: 'WEB' })))).toEqual(['web-2', 'web-10']);
    expect(names(visibleVms(vms, undefined, view({ stateFilter: 'inactive' })))).toEqual(['cache', 'db']);
    expect(names(visibleVms(vms, undefined, view({ stateFilter: 'running', filter: 'uil' })))).toEqual(['Build']);
  });

  it('handles 5 000 VMs quickly', () => {
    const many = Array.from({ length: 5000 }, (_, i) => vm(`vm-${String(4999 - i).padStart(5, '0')}`, i % 2 ? 'running' : 'shutoff'));
    const t0 = performance.now();
    const rows = visibleVms(many, undefined, view());
    expect(performance.now() - t0).toBeLessThan(200);
    expect(rows[0]?.name).toBe('vm-00000');
  });
});
