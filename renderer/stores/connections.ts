import { create } from 'zustand';
import type { ConnectionInfo, ConnectionListChange } from '../../shared/models/connection.js';
import type { ListSnapshot } from '../../shared/models/list.js';
import { type VersionedList, applyListChange, applyListSnapshot, emptyList } from './versioned-list.js';

const keyOf = (connection: ConnectionInfo) => connection.id;

interface ConnectionsState {
  list: VersionedList<ConnectionInfo>;
  applyChange(change: ConnectionListChange): void;
  applySnapshot(snapshot: ListSnapshot<ConnectionInfo>): void;
}

export const useConnections = create<ConnectionsState>()((set) => ({
  list: emptyList(),
  applyChange: (change) => set((s) => ({ list: applyListChange(s.list, change, keyOf) })),
  applySnapshot: (snapshot) => set((s) => ({ list: applyListSnapshot(s.list, snapshot, keyOf) })),
}));
