// What the manager window shows and how: the selected connection, each connection's VM
// selection, the list's filter/sort/columns, notices, the open dialog and menu.
import { create } from 'zustand';
import { type Selection, emptySelection } from '../selection.js';
import type { VmCommandId } from '../vm-actions.js';
import { DEFAULT_COLUMNS, type ListView, type SortOrder, STATS_COLUMNS, type StatsColumnId, type StateFilter } from '../vm-list-model.js';

export interface Notice {
  id: number;
  message: string;
}

export type Dialog =
  | { kind: 'delete'; connectionId: string; uuids: string[] }
  | { kind: 'clone'; connectionId: string; uuid: string }
  | { kind: 'confirm'; connectionId: string; uuids: string[]; command: VmCommandId }
  | { kind: 'add-connection' }
  | { kind: 'connection-details'; connectionId: string }
  | null;

/** The open context menu: where, and for which connection's selection. */
export interface MenuState {
  x: number;
  y: number;
  connectionId: string;
}

interface UiState {
  selectedConnectionId: string | null;
  /** connectionId → its VM selection. */
  selections: Record<string, Selection>;
  view: ListView;
  columns: StatsColumnId[];
  /** Connection tree: connectionId → expanded (default: expanded). */
  collapsed: Record<string, boolean>;
  notices: Notice[];
  dialog: Dialog;
  menu: MenuState | null;
  /** The browser shell refused this page (no or wrong token) or stopped: nothing works until fixed. */
  backendLost: 'refused' | 'closed' | null;
  /** The row the list should scroll to (a VM picked in the connection tree). */
  revealUuid: string | null;

  selectConnection(connectionId: string): void;
  setSelection(connectionId: string, selection: Selection): void;
  setFilter(filter: string): void;
  setStateFilter(stateFilter: StateFilter): void;
  setSort(sort: SortOrder): void;
  toggleColumn(column: StatsColumnId): void;
  toggleExpanded(connectionId: string): void;
  /** Adds a notice; returns its id. null clears them all (kept for older callers). */
  showNotice(message: string | null): number;
  dismissNotice(id: number): void;
  openDialog(dialog: Dialog): void;
  openMenu(menu: MenuState | null): void;
  markBackendLost(end: 'refused' | 'closed'): void;
  reveal(uuid: string | null): void;
}

const STORAGE_KEY = 'vireo.manager.view';
const MAX_NOTICES = 6;

interface Saved {
  columns: StatsColumnId[];
  sort: SortOrder;
}

function loadSaved(): Partial<Saved> {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (!raw) return {};
    const saved = JSON.parse(raw) as Partial<Saved>;
    const known = new Set(STATS_COLUMNS.map((c) => c.id));
    return {
      ...(Array.isArray(saved.columns) && { columns: saved.columns.filter((c) => known.has(c)) }),
      ...(saved.sort && typeof saved.sort.column === 'string' && { sort: { column: saved.sort.column, descending: !!saved.sort.descending } }),
    };
  } catch {
    return {};
  }
}

function save(state: Saved): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // storage full or disabled: the view is simply not remembered
  }
}

const saved = loadSaved();
let lastNoticeId = 0;

export const useUi = create<UiState>()((set, get) => ({
  selectedConnectionId: null,
  selections: {},
  view: { filter: '', stateFilter: 'all', sort: saved.sort ?? { column: 'name', descending: false } },
  columns: saved.columns ?? DEFAULT_COLUMNS,
  collapsed: {},
  notices: [],
  dialog: null,
  menu: null,
  backendLost: null,
  revealUuid: null,

  selectConnection: (selectedConnectionId) => set({ selectedConnectionId, menu: null }),
  setSelection: (connectionId, selection) => set((s) => ({ selections: { ...s.selections, [connectionId]: selection } })),
  setFilter: (filter) => set((s) => ({ view: { ...s.view, filter } })),
  setStateFilter: (stateFilter) => set((s) => ({ view: { ...s.view, stateFilter } })),
  setSort: (sort) => {
    set((s) => ({ view: { ...s.view, sort } }));
    save({ columns: get().columns, sort });
  },
  toggleColumn: (column) => {
    const current = get().columns;
    const columns = current.includes(column) ? current.filter((c) => c !== column) : STATS_COLUMNS.map((c) => c.id).filter((c) => c === column || current.includes(c));
    set({ columns });
    save({ columns, sort: get().view.sort });
  },
  toggleExpanded: (connectionId) => set((s) => ({ collapsed: { ...s.collapsed, [connectionId]: !s.collapsed[connectionId] } })),
  showNotice: (message) => {
    if (message === null) {
      set({ notices: [] });
      return 0;
    }
    const id = ++lastNoticeId;
    set((s) => ({ notices: [...s.notices, { id, message }].slice(-MAX_NOTICES) }));
    return id;
  },
  dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  openDialog: (dialog) => set({ dialog, menu: null }),
  openMenu: (menu) => set({ menu }),
  markBackendLost: (backendLost) => set({ backendLost }),
  reveal: (revealUuid) => set({ revealUuid }),
}));

export const selectionOf = (connectionId: string | null) => (s: UiState): Selection => (connectionId ? (s.selections[connectionId] ?? emptySelection) : emptySelection);
