// Whether the New VM wizard is open, and on which connection. openNewVmWizard() is what the
// toolbar (and anything else) calls; <NewVmWizardHost/> shows it.
import { create } from 'zustand';
import { useConnections } from '../../stores/connections.js';
import { useUi } from '../../stores/ui.js';

interface WizardWindowState {
  /** null: closed. */
  connectionId: string | null;
  /** Bumped on every open, so a second "New VM" starts a fresh wizard. */
  session: number;
  open(connectionId: string): void;
  close(): void;
}

export const useWizardWindow = create<WizardWindowState>()((set) => ({
  connectionId: null,
  session: 0,
  open: (connectionId) => set((s) => ({ connectionId, session: s.session + 1 })),
  close: () => set({ connectionId: null }),
}));

/** Opens the wizard on a connection; default: the one selected in the manager window, else the first connected one. */
export function openNewVmWizard(connectionId?: string): void {
  const connections = Object.values(useConnections.getState().list.items);
  const target = connectionId ?? useUi.getState().selectedConnectionId ?? connections.find((c) => c.state === 'connected')?.id ?? connections[0]?.id;
  if (target) useWizardWindow.getState().open(target);
}
