// Runs the manager window's VM commands: dialogs for those that ask first, the lifecycle call
// for each VM it applies to, and a notice naming the VM and libvirt's reason for each failure.
import { useCallback } from 'react';
import type { ApiClient } from '../shared/api/contract.js';
import type { VmSummary } from '../shared/models/vm.js';
import { useApi } from './api/context.js';
import { useUi } from './stores/ui.js';
import { useVms } from './stores/vms.js';
import { COMMANDS, type VmCommandId, targetsOf } from './vm-actions.js';
import { openVmWindow } from './vm-window.js';

const CONCURRENCY = 8;

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** "Could not pause "web-1": Requested operation is not valid: domain is not running". */
export function failureMessage(verb: string, vmName: string, e: unknown): string {
  return `Could not ${verb} "${vmName}": ${reason(e)}`;
}

/** Calls the command's method for every VM it applies to; failures become notices. */
export async function executeLifecycle(client: ApiClient, commandId: VmCommandId, vms: VmSummary[]): Promise<void> {
  const command = COMMANDS[commandId];
  const method = command.method;
  if (!method) return;
  const queue = targetsOf(command, vms);
  const worker = async () => {
    for (let vm = queue.shift(); vm; vm = queue.shift()) {
      try {
        await client.call(method, { connectionId: vm.connectionId, uuid: vm.uuid });
      } catch (e) {
        useUi.getState().showNotice(failureMessage(command.verb, vm.name, e));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
}

/** The VMs of a connection, by UUID, in the order given (unknown UUIDs skipped). */
export function vmsByUuid(connectionId: string, uuids: Iterable<string>): VmSummary[] {
  const items = useVms.getState().lists[connectionId]?.items ?? {};
  const out: VmSummary[] = [];
  for (const uuid of uuids) {
    const vm = items[uuid];
    if (vm) out.push(vm);
  }
  return out;
}

/** Returns run(commandId, vms): what the toolbar, the context menu and the keyboard call. */
export function useVmCommands(): (commandId: VmCommandId, vms: VmSummary[]) => void {
  const client = useApi();
  return useCallback(
    (commandId: VmCommandId, vms: VmSummary[]) => {
      const command = COMMANDS[commandId];
      const targets = targetsOf(command, vms);
      const first = targets[0];
      if (!first) return;
      const ui = useUi.getState();
      ui.openMenu(null);
      if (commandId === 'console' || commandId === 'details') {
        openVmWindow(first.connectionId, first.uuid, commandId).catch((e: unknown) => ui.showNotice(failureMessage(command.verb, first.name, e)));
        return;
      }
      if (commandId === 'clone') {
        ui.openDialog({ kind: 'clone', connectionId: first.connectionId, uuid: first.uuid });
        return;
      }
      if (commandId === 'delete') {
        ui.openDialog({ kind: 'delete', connectionId: first.connectionId, uuids: targets.map((vm) => vm.uuid) });
        return;
      }
      if (command.confirm) {
        ui.openDialog({ kind: 'confirm', connectionId: first.connectionId, uuids: targets.map((vm) => vm.uuid), command: commandId });
        return;
      }
      void executeLifecycle(client, commandId, targets);
    },
    [client],
  );
}
