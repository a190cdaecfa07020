import { describe, expect, it } from 'vitest';
import type { VmState, VmSummary } from '../shared/models/vm.js';
import { COMMANDS, commandForKey, lifecycleFor, targetsOf } from './vm-actions.js';

const vm = (name: string, state: VmState, extra: Partial<VmSummary> = {}): VmSummary => ({
  connectionId: 'demo',
  uuid: `00000000-0000-0000-0000-${name.padStart(12, '0')}`,
  name,
  id: state === 'shutoff' || state === 'crashed' ? -1 : 1,
  state,
  stateReason: 'unknown',
  hasManagedSave: false,
  ...extra,
});
const labels = (v: VmSummary) => lifecycleFor(v).map((c) => c.label([v]));
const key = (k: string, mods: Partial<{ shiftKey: boolean; altKey: boolean; ctrlKey: boolean; metaKey: boolean }> = {}) => ({
  key: k,
  shiftKey: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods,
});

describe('VM commands by state', () => {
  it('offers what virt-manager offers', () => {
    expect(labels(vm('a', 'running'))).toEqual(['Pause', 'Shut down', 'Reboot', 'Reset', 'Force off', 'Save']);
    expect(labels(vm('a', 'paused'))).toEqual(['Resume', 'Reset', 'Force off', 'Save']);
    expect(labels(vm('a', 'shutoff'))).toEqual(['Run']);
    expect(labels(vm('a', 'shutdown'))).toEqual(['Force off']);
  });

  it('calls a VM with a managed save image Saved and its Run Restore', () => {
    const saved = vm('a', 'shutoff', { hasManagedSave: true });
    expect(labels(saved)).toEqual(['Restore']);
    expect(COMMANDS.run.method).toBe('domains.start'); // restoring is starting: libvirt resumes from the image
    expect(COMMANDS.run.label([saved, vm('b', 'shutoff')])).toBe('Run');
  });

  it('applies a bulk command to the selected VMs it fits, not the others', () => {
    const vms = [vm('a', 'running'), vm('b', 'shutoff'), vm('c', 'paused'), vm('d', 'running')];
    expect(targetsOf(COMMANDS.pause, vms).map((v) => v.name)).toEqual(['a', 'd']);
    expect(targetsOf(COMMANDS.run, vms).map((v) => v.name)).toEqual(['b']);
    expect(targetsOf(COMMANDS.forceOff, vms).map((v) => v.name)).toEqual(['a', 'c', 'd']);
    expect(targetsOf(COMMANDS.delete, vms)).toHaveLength(4);
  });

  it('asks before commands that lose guest state, naming the VM or the count', () => {
    expect(COMMANDS.forceOff.confirm?.([vm('web', 'running')]).title).toBe('Force off "web"?');
    expect(COMMANDS.reset.confirm?.([vm('a', 'running'), vm('b', 'running')]).title).toBe('Reset 2 VMs?');
    expect(COMMANDS.pause.confirm).toBeUndefined();
  });

  it('maps keys to commands; P pauses or resumes whichever applies', () => {
    expect(commandForKey(key('r'), [vm('a', 'shutoff')])?.id).toBe('run');
    expect(commandForKey(key('R', { shiftKey: true }), [vm('a', 'running')])?.id).toBe('reset');
    expect(commandForKey(key('p'), [vm('a', 'running')])?.id).toBe('pause');
    expect(commandForKey(key('p'), [vm('a', 'paused')])?.id).toBe('resume');
    expect(commandForKey(key('Enter'), [vm('a', 'running')])?.id).toBe('console');
    expect(commandForKey(key('Enter', { altKey: true }), [vm('a', 'running')])?.id).toBe('details');
    expect(commandForKey(key('Delete'), [vm('a', 'running')])?.id).toBe('delete');
    expect(commandForKey(key('r', { ctrlKey: true }), [vm('a', 'shutoff')])).toBeNull();
    expect(commandForKey(key('x'), [vm('a', 'shutoff')])).toBeNull();
  });
});
