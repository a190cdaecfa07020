import { beforeEach, describe, expect, it } from 'vitest';
import type { VmSummary } from '../../shared/models/vm.js';
import { useVms } from './vms.js';

const vm = (connectionId: string, uuid: string, state: VmSummary['state']): VmSummary => ({ connectionId, uuid, name: uuid, id: -1, state, stateReason: 'unknown', hasManagedSave: false });

describe('VM store', () => {
  beforeEach(() => useVms.setState({ lists: {}, stats: {}, ticks: {} }));

  it('keeps each connection list apart', () => {
    const { applySnapshot, applyChange } = useVms.getState();
    applySnapshot('demo', { version: 1, items: [vm('demo', 'a', 'running')] });
    applySnapshot('remote', { version: 2, items: [vm('remote', 'a', 'shutoff')] });
    applyChange({ connectionId: 'demo', version: 3, reset: false, upserted: [vm('demo', 'a', 'paused')], removed: [] });
    const { lists } = useVms.getState();
    expect(lists.demo?.items.a?.state).toBe('paused');
    expect(lists.remote?.items.a?.state).toBe('shutoff');
  });

  it('empties a connection list on a reset without rows (disconnect)', () => {
    const { applySnapshot, applyChange } = useVms.getState();
    applySnapshot('demo', { version: 1, items: [vm('demo', 'a', 'running')] });
    applyChange({ connectionId: 'demo', version: 2, reset: true, upserted: [], removed: [] });
    expect(useVms.getState().lists.demo?.items).toEqual({});
  });

  it('replaces the stats of a connection with each tick', () => {
    const stats = { cpuPercent: 12, hostCpuPercent: 3, vcpus: 2, memoryKiB: 1024, maxMemoryKiB: 2048, memoryPercent: 50, diskReadBytesPerSec: 0, diskWriteBytesPerSec: 0, netRxBytesPerSec: null, netTxBytesPerSec: null };
    useVms.getState().applyStats({ connectionId: 'demo', at: 1, intervalMs: 3000, vms: { a: stats } });
    useVms.getState().applyStats({ connectionId: 'demo', at: 2, intervalMs: 3000, vms: {} });
    expect(useVms.getState().stats.demo).toEqual({});
  });
});
