import { create } from 'zustand';

interface UiState {
  selectedConnectionId: string | null;
  /** The last failed action, shown until dismissed. */
  notice: string | null;
  /** The browser shell refused this page (no or wrong token) or stopped: nothing works until fixed. */
  backendLost: 'refused' | 'closed' | null;
  selectConnection(connectionId: string): void;
  showNotice(message: string | null): void;
  markBackendLost(end: 'refused' | 'closed'): void;
}

export const useUi = create<UiState>()((set) => ({
  selectedConnectionId: null,
  notice: null,
  backendLost: null,
  selectConnection: (selectedConnectionId) => set({ selectedConnectionId }),
  showNotice: (notice) => set({ notice }),
  markBackendLost: (backendLost) => set({ backendLost }),
}));
