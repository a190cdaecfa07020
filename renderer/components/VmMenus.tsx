// The VM commands as the toolbar and the context menu offer them, for the current selection.
import { useRef, useState } from 'react';
import type { VmSummary } from '../../shared/models/vm.js';
import { COMMANDS, type VmCommandId, targetsOf } from '../vm-actions.js';
import { Menu, type MenuEntry } from './Menu.js';

type Run = (command: VmCommandId, vms: VmSummary[]) => void;

const item = (id: VmCommandId, vms: VmSummary[], run: Run): MenuEntry => {
  const command = COMMANDS[id];
  const targets = targetsOf(command, vms);
  return {
    id,
    label: command.label(targets),
    shortcut: command.shortcut.label,
    disabled: targets.length === 0,
    count: command.single ? undefined : targets.length,
    onSelect: () => run(id, vms),
  };
};

/** Everything one can do to the selected VMs, in virt-manager's order. */
export function vmMenuEntries(vms: VmSummary[], run: Run): MenuEntry[] {
  return [
    item('run', vms, run),
    item('pause', vms, run),
    item('resume', vms, run),
    { kind: 'separator', id: 's1' },
    item('shutdown', vms, run),
    item('reboot', vms, run),
    item('reset', vms, run),
    item('forceOff', vms, run),
    item('save', vms, run),
    { kind: 'separator', id: 's2' },
    item('console', vms, run),
    item('details', vms, run),
    { kind: 'separator', id: 's3' },
    item('clone', vms, run),
    item('delete', vms, run),
  ];
}

interface ToolbarProps {
  vms: VmSummary[];
  run: Run;
  disabled: boolean;
}

/** Toolbar: Open, Details | Run, Pause/Resume, Shut down ▾ | Delete. Acts on every selected VM it applies to. */
export function VmToolbar({ vms, run, disabled }: ToolbarProps) {
  const [shutdownOpen, setShutdownOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const button = (id: VmCommandId, extraClass = '') => {
    const command = COMMANDS[id];
    const targets = targetsOf(command, vms);
    const count = !command.single && targets.length > 1 ? ` (${targets.length})` : '';
    return (
      <button
        type="button"
        className={`tool ${id} ${extraClass}`}
        disabled={disabled || targets.length === 0}
        onClick={() => run(id, vms)}
        title={`${command.label(targets)} (${command.shortcut.label})`}
        data-testid={`toolbar-${id}`}
      >
        {command.label(targets)}
        {count}
      </button>
    );
  };
  // One Pause/Resume slot, as in virt-manager: Resume when only paused VMs are selected.
  const pauseOrResume = targetsOf(COMMANDS.pause, vms).length === 0 && targetsOf(COMMANDS.resume, vms).length > 0 ? 'resume' : 'pause';
  return (
    <div className="toolbar" role="toolbar" aria-label="Virtual machine actions">
      {button('console')}
      {button('details')}
      <span className="toolbar-gap" />
      {button('run')}
      {button(pauseOrResume)}
      <span className="split">
        {button('shutdown')}
        <button
          ref={menuButton}
          type="button"
          className="tool more"
          aria-haspopup="menu"
          aria-expanded={shutdownOpen}
          aria-label="More shutdown options"
          disabled={disabled || vms.length === 0}
          onClick={() => setShutdownOpen((open) => !open)}
          data-testid="toolbar-shutdown-menu"
        >
          ▾
        </button>
        {shutdownOpen && (
          <Menu
            label="Shutdown options"
            anchor={menuButton}
            entries={(['shutdown', 'reboot', 'reset', 'forceOff', 'save'] as const).map((id) =>
              item(id, vms, (command, targets) => {
                setShutdownOpen(false);
                run(command, targets);
              }),
            )}
            onClose={() => setShutdownOpen(false)}
            testId="shutdown-menu"
          />
        )}
      </span>
      <span className="toolbar-gap" />
      {button('delete', 'danger')}
    </div>
  );
}
