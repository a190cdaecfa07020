// The VM commands of the manager window (toolbar, context menu, keyboard): which VMs each one
// applies to, what it calls, and how it is confirmed. Pure data, so the rules are unit-tested.
import type { MethodName } from '../shared/api/contract.js';
import type { VmSummary } from '../shared/models/vm.js';

export type VmCommandId = 'run' | 'pause' | 'resume' | 'shutdown' | 'reboot' | 'reset' | 'forceOff' | 'save' | 'clone' | 'delete' | 'console' | 'details';

/** The lifecycle methods that take just {connectionId, uuid}. */
export type VmActionMethod = Extract<
  MethodName,
  'domains.start' | 'domains.suspend' | 'domains.resume' | 'domains.shutdown' | 'domains.reboot' | 'domains.reset' | 'domains.destroy' | 'domains.managedSave'
>;

export interface VmCommand {
  id: VmCommandId;
  /** Menu and button label; may depend on the VMs it applies to (Run / Restore). */
  label: (vms: VmSummary[]) => string;
  /** What a failure message says: Could not <verb> "vm": reason. */
  verb: string;
  applies: (vm: VmSummary) => boolean;
  /** Lifecycle commands call this method per VM; the others open a dialog or a window. */
  method?: VmActionMethod;
  /** Asks first (what the dialog says), for commands that lose guest state. */
  confirm?: (vms: VmSummary[]) => { title: string; body: string; button: string };
  /** Key that runs it while the VM list has focus, as KeyboardEvent.key plus modifiers. */
  shortcut: { key: string; shift?: boolean; alt?: boolean; label: string };
  /** Only for one VM at a time (the focused one). */
  single?: boolean;
}

/** Running or paused or otherwise alive: libvirt gives it an id. */
export const isActive = (vm: VmSummary): boolean => vm.id >= 0;
const isRunning = (vm: VmSummary) => vm.state === 'running' || vm.state === 'blocked';
const plural = (vms: VmSummary[], one: string, many: string) => (vms.length === 1 ? one.replace('%s', `"${vms[0]!.name}"`) : many.replace('%n', String(vms.length)));

export const COMMANDS: Record<VmCommandId, VmCommand> = {
  run: {
    id: 'run',
    label: (vms) => (vms.length > 0 && vms.every((vm) => vm.hasManagedSave) ? 'Restore' : 'Run'),
    verb: 'start',
    applies: (vm) => !isActive(vm),
    method: 'domains.start',
    shortcut: { key: 'r', label: 'R' },
  },
  pause: { id: 'pause', label: () => 'Pause', verb: 'pause', applies: isRunning, method: 'domains.suspend', shortcut: { key: 'p', label: 'P' } },
  resume: { id: 'resume', label: () => 'Resume', verb: 'resume', applies: (vm) => vm.state === 'paused', method: 'domains.resume', shortcut: { key: 'p', label: 'P' } },
  shutdown: { id: 'shutdown', label: () => 'Shut down', verb: 'shut down', applies: isRunning, method: 'domains.shutdown', shortcut: { key: 's', label: 'S' } },
  reboot: { id: 'reboot', label: () => 'Reboot', verb: 'reboot', applies: isRunning, method: 'domains.reboot', shortcut: { key: 'b', label: 'B' } },
  reset: {
    id: 'reset',
    label: () => 'Reset',
    verb: 'reset',
    applies: (vm) => isRunning(vm) || vm.state === 'paused',
    method: 'domains.reset',
    confirm: (vms) => ({
      title: plural(vms, 'Reset %s?', 'Reset %n VMs?'),
      body: 'Like pressing the reset button: the guest restarts at once and loses what it has not written to disk.',
      button: 'Reset',
    }),
    shortcut: { key: 'R', shift: true, label: 'Shift+R' },
  },
  forceOff: {
    id: 'forceOff',
    label: () => 'Force off',
    verb: 'force off',
    applies: isActive,
    method: 'domains.destroy',
    confirm: (vms) => ({
      title: plural(vms, 'Force off %s?', 'Force off %n VMs?'),
      body: 'Like pulling the power cord: the guest stops at once and loses what it has not written to disk.',
      button: 'Force off',
    }),
    shortcut: { key: 'f', label: 'F' },
  },
  save: {
    id: 'save',
    label: () => 'Save',
    verb: 'save',
    applies: (vm) => isRunning(vm) || vm.state === 'paused',
    method: 'domains.managedSave',
    shortcut: { key: 'm', label: 'M' },
  },
  // Disks are copied while nothing writes them: shut-off VMs only, as virt-manager asks.
  clone: { id: 'clone', label: () => 'Clone…', verb: 'clone', applies: (vm) => vm.state === 'shutoff' || vm.state === 'crashed', single: true, shortcut: { key: 'c', label: 'C' } },
  delete: { id: 'delete', label: () => 'Delete…', verb: 'delete', applies: () => true, shortcut: { key: 'Delete', label: 'Delete' } },
  console: { id: 'console', label: () => 'Open console', verb: 'open the console of', applies: () => true, single: true, shortcut: { key: 'Enter', label: 'Enter' } },
  details: { id: 'details', label: () => 'Open details', verb: 'open the details of', applies: () => true, single: true, shortcut: { key: 'Enter', alt: true, label: 'Alt+Enter' } },
};

/** The VMs among `vms` a command applies to. */
export const targetsOf = (command: VmCommand, vms: VmSummary[]): VmSummary[] => vms.filter((vm) => command.applies(vm));

/** The command a key press means in the VM list; pause and resume share P (whichever applies). */
export function commandForKey(event: { key: string; shiftKey: boolean; altKey: boolean; ctrlKey: boolean; metaKey: boolean }, vms: VmSummary[]): VmCommand | null {
  if (event.ctrlKey || event.metaKey) return null;
  const matches = Object.values(COMMANDS).filter(
    (c) => c.shortcut.key === event.key && !!c.shortcut.shift === event.shiftKey && !!c.shortcut.alt === event.altKey,
  );
  if (matches.length <= 1) return matches[0] ?? null;
  return matches.find((c) => targetsOf(c, vms).length > 0) ?? matches[0]!;
}

/** Lifecycle commands offered for a state, in menu order (what virt-manager offers). */
export function lifecycleFor(vm: VmSummary): VmCommand[] {
  return (['run', 'pause', 'resume', 'shutdown', 'reboot', 'reset', 'forceOff', 'save'] as const).map((id) => COMMANDS[id]).filter((c) => c.applies(vm));
}
