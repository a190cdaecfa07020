import type { MethodName } from '../shared/api/contract.js';
import type { VmState } from '../shared/models/vm.js';

/** The lifecycle methods offered as buttons; each takes just {connectionId, uuid}. */
export type VmActionMethod = Extract<MethodName, 'domains.start' | 'domains.suspend' | 'domains.resume' | 'domains.shutdown' | 'domains.reboot' | 'domains.destroy'>;

export interface VmAction {
  method: VmActionMethod;
  label: string;
}

const start: VmAction = { method: 'domains.start', label: 'Start' };
const pause: VmAction = { method: 'domains.suspend', label: 'Pause' };
const resume: VmAction = { method: 'domains.resume', label: 'Resume' };
const shutdown: VmAction = { method: 'domains.shutdown', label: 'Shut down' };
const reboot: VmAction = { method: 'domains.reboot', label: 'Reboot' };
const forceOff: VmAction = { method: 'domains.destroy', label: 'Force off' };

/** What makes sense in each state, as virt-manager offers it. */
export function actionsFor(state: VmState): VmAction[] {
  switch (state) {
    case 'running':
    case 'blocked':
      return [pause, shutdown, reboot, forceOff];
    case 'paused':
      return [resume, forceOff];
    case 'shutoff':
    case 'crashed':
      return [start];
    case 'pmsuspended':
      return [resume, forceOff];
    case 'shutdown':
    case 'nostate':
      return [forceOff];
  }
}
