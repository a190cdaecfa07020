// Each connection's host summary (hypervisor, libvirt, CPUs, memory, acceleration), asked once
// per connect.
import { create } from 'zustand';
import type { HostSummary } from '../../shared/models/host.js';

export type HostEntry = { status: 'loading' } | { status: 'ready'; summary: HostSummary } | { status: 'failed'; message: string };

interface HostsState {
  hosts: Record<string, HostEntry>;
  set(connectionId: string, entry: HostEntry | null): void;
}

export const useHosts = create<HostsState>()((set) => ({
  hosts: {},
  set: (connectionId, entry) =>
    set((s) => {
      const hosts = { ...s.hosts };
      if (entry) hosts[connectionId] = entry;
      else delete hosts[connectionId];
      return { hosts };
    }),
}));
