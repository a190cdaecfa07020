import type { ListChange } from './list.js';

/** libvirt's virDomainState, by name. */
export type VmState = 'nostate' | 'running' | 'blocked' | 'paused' | 'shutdown' | 'shutoff' | 'crashed' | 'pmsuspended';

export interface VmSummary {
  connectionId: string;
  uuid: string;
  name: string;
  /** Hypervisor id while running, -1 when inactive. */
  id: number;
  state: VmState;
  /** libvirt's reason for the state, lower case: 'booted', 'user', 'destroyed'... */
  stateReason: string;
  /** A managed save image exists: starting the VM restores it ("Restore" in the UI). */
  hasManagedSave: boolean;
}

/** VM list changes of one connection; `removed` holds UUIDs. */
export interface VmListChange extends ListChange<VmSummary> {
  connectionId: string;
}
