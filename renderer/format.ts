// How the manager window writes numbers, sizes, versions and states.
import type { VmState, VmSummary } from '../shared/models/vm.js';

const STATE_LABELS: Record<VmState, string> = {
  nostate: 'No state',
  running: 'Running',
  blocked: 'Blocked',
  paused: 'Paused',
  shutdown: 'Shutting down',
  shutoff: 'Shut off',
  crashed: 'Crashed',
  pmsuspended: 'Suspended',
};

/** The state as virt-manager names it; an inactive VM with a managed save image is "Saved". */
export function stateLabel(vm: Pick<VmSummary, 'state' | 'hasManagedSave'>): string {
  if (vm.hasManagedSave && vm.state === 'shutoff') return 'Saved';
  return STATE_LABELS[vm.state];
}

/** The icon class of a state: running, paused, off, saved, busy, crashed. */
export function stateIcon(vm: Pick<VmSummary, 'state' | 'hasManagedSave'>): string {
  switch (vm.state) {
    case 'running':
    case 'blocked':
      return 'running';
    case 'paused':
    case 'pmsuspended':
      return 'paused';
    case 'shutdown':
      return 'busy';
    case 'crashed':
      return 'crashed';
    default:
      return vm.hasManagedSave ? 'saved' : 'off';
  }
}

export const percent = (value: number | null | undefined): string => (value == null ? '–' : `${value < 10 ? value.toFixed(1) : value.toFixed(0)} %`);

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function bytes(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '–';
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${unit === 0 ? n.toFixed(0) : n.toFixed(n < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export const rate = (value: number | null | undefined): string => (value == null ? '–' : `${bytes(value)}/s`);

export const kib = (value: number | null | undefined): string => (value == null || value <= 0 ? '–' : bytes(value * 1024));

/** libvirt's packed versions (major * 1e6 + minor * 1e3 + micro). */
export function version(packed: number): string {
  if (!Number.isFinite(packed) || packed <= 0) return 'unknown';
  return `${Math.floor(packed / 1_000_000)}.${Math.floor(packed / 1000) % 1000}.${packed % 1000}`;
}

/** "a", "a and b", "a, b and 3 more". */
export function nameList(names: string[], max = 3): string {
  const quoted = names.map((n) => `"${n}"`);
  if (quoted.length <= 1) return quoted[0] ?? '';
  if (quoted.length <= max) return `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
  return `${quoted.slice(0, max).join(', ')} and ${quoted.length - max} more`;
}
