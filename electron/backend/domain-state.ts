// libvirt reports a domain's state and reason as numbers (virDomainState and the per-state
// reason enums in libvirt-domain.h); the API speaks their names.
import type { VmState } from '../../shared/models/vm.js';

const STATES: VmState[] = ['nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended'];

const REASONS: Record<VmState, string[]> = {
  nostate: ['unknown'],
  running: ['unknown', 'booted', 'migrated', 'restored', 'from_snapshot', 'unpaused', 'migration_canceled', 'save_canceled', 'wakeup', 'crashed', 'postcopy', 'postcopy_failed'],
  blocked: ['unknown'],
  paused: ['unknown', 'user', 'migration', 'save', 'dump', 'ioerror', 'watchdog', 'from_snapshot', 'shutting_down', 'snapshot', 'crashed', 'starting_up', 'postcopy', 'postcopy_failed', 'api_error'],
  shutdown: ['unknown', 'user'],
  shutoff: ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from_snapshot', 'daemon'],
  crashed: ['unknown', 'panicked'],
  pmsuspended: ['unknown'],
};

export function domainStateName(state: number): VmState {
  return STATES[state] ?? 'nostate';
}

export function domainReasonName(state: VmState, reason: number): string {
  return REASONS[state][reason] ?? 'unknown';
}

/** Shut off (or crashed): nothing runs, its disks are at rest. */
export const isShutOff = (state: string): boolean => state === 'shutoff' || state === 'crashed';
