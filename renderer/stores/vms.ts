import { create } from 'zustand';
import type { ListSnapshot } from '../../shared/models/list.js';
import type { StatsTick, VmStats } from '../../shared/models/stats.js';
import type { VmListChange, VmSummary } from '../../shared/models/vm.js';
import { type VersionedList, applyListChange, applyListSnapshot, emptyList } from './versioned-list.js';

const keyOf = (vm: VmSummary) => vm.uuid;

interface VmsState {
  /** connectionId → that connection's VMs. */
  lists: Record<string, VersionedList<VmSummary>>;
  /** connectionId → VM uuid → latest stats. */
  stats: Record<string, Record<string, VmStats>>;
  applyChange(change: VmListChange): void;
  applySnapshot(connectionId: string, snapshot: ListSnapshot<VmSummary>): void;
  applyStats(tick: StatsTick): void;
}

export const useVms = create<VmsState>()((set) => ({
  lists: {},
  stats: {},
  applyChange: (change) =>
    set((s) => ({ lists: { ...s.lists, [change.connectionId]: applyListChange(s.lists[change.connectionId] ?? emptyList(), change, keyOf) } })),
  applySnapshot: (connectionId, snapshot) =>
    set((s) => ({ lists: { ...s.lists, [connectionId]: applyListSnapshot(s.lists[connectionId] ?? emptyList(), snapshot, keyOf) } })),
  applyStats: (tick) => set((s) => ({ stats: { ...s.stats, [tick.connectionId]: tick.vms } })),
}));
