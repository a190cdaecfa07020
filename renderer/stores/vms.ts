import { create } from 'zustand';
import type { ListSnapshot } from '../../shared/models/list.js';
import type { StatsTick, VmStats } from '../../shared/models/stats.js';
import type { VmListChange, VmSummary } from '../../shared/models/vm.js';
import { statsHistory } from '../stats-history.js';
import { type VersionedList, applyListChange, applyListSnapshot, emptyList } from './versioned-list.js';

const keyOf = (vm: VmSummary) => vm.uuid;

interface VmsState {
  /** connectionId → that connection's VMs. */
  lists: Record<string, VersionedList<VmSummary>>;
  /** connectionId → VM uuid → latest stats. */
  stats: Record<string, Record<string, VmStats>>;
  /** connectionId → ticks applied; the sparklines redraw when it moves (their history is in statsHistory). */
  ticks: Record<string, number>;
  applyChange(change: VmListChange): void;
  applySnapshot(connectionId: string, snapshot: ListSnapshot<VmSummary>): void;
  /** One tick is one batch: every VM's figures change in the same store update. */
  applyStats(tick: StatsTick): void;
  /** The connection went away: its stats and history go too. */
  forgetStats(connectionId: string): void;
}

export const useVms = create<VmsState>()((set) => ({
  lists: {},
  stats: {},
  ticks: {},
  applyChange: (change) =>
    set((s) => ({ lists: { ...s.lists, [change.connectionId]: applyListChange(s.lists[change.connectionId] ?? emptyList(), change, keyOf) } })),
  applySnapshot: (connectionId, snapshot) =>
    set((s) => ({ lists: { ...s.lists, [connectionId]: applyListSnapshot(s.lists[connectionId] ?? emptyList(), snapshot, keyOf) } })),
  applyStats: (tick) => {
    statsHistory.apply(tick);
    set((s) => ({ stats: { ...s.stats, [tick.connectionId]: tick.vms }, ticks: { ...s.ticks, [tick.connectionId]: (s.ticks[tick.connectionId] ?? 0) + 1 } }));
  },
  forgetStats: (connectionId) => {
    statsHistory.forget(connectionId);
    set((s) => {
      const stats = { ...s.stats };
      delete stats[connectionId];
      return { stats };
    });
  },
}));
