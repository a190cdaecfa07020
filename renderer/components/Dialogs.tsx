// The manager window's dialogs: confirmation of commands that lose guest state, clone, delete, add
// connection, connection details (networks and storage).
import { useApi } from '../api/context.js';
import { executeLifecycle, vmsByUuid } from '../commands.js';
import { type Dialog, useUi } from '../stores/ui.js';
import { COMMANDS } from '../vm-actions.js';
import { AddConnectionDialog } from './AddConnectionDialog.js';
import { CloneDialog } from './CloneDialog.js';
import { ConnectionDetailsDialog } from './ConnectionDetailsDialog.js';
import { DeleteDialog } from './DeleteDialog.js';
import { Modal } from './Modal.js';

const close = () => useUi.getState().openDialog(null);

function ConfirmDialog({ dialog }: { dialog: Extract<Dialog, { kind: 'confirm' }> }) {
  const client = useApi();
  const command = COMMANDS[dialog.command];
  const vms = vmsByUuid(dialog.connectionId, dialog.uuids);
  const text = command.confirm!(vms);
  return (
    <Modal title={text.title} onClose={close} testId="confirm-dialog">
      <p>{text.body}</p>
      <div className="dialog-buttons">
        <button type="button" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          data-testid="confirm-button"
          onClick={() => {
            close();
            void executeLifecycle(client, dialog.command, vms);
          }}
        >
          {text.button}
        </button>
      </div>
    </Modal>
  );
}

export function Dialogs() {
  const dialog = useUi((s) => s.dialog);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'confirm':
      return <ConfirmDialog dialog={dialog} />;
    case 'delete':
      return <DeleteDialog connectionId={dialog.connectionId} uuids={dialog.uuids} />;
    case 'clone':
      return <CloneDialog connectionId={dialog.connectionId} uuid={dialog.uuid} />;
    case 'add-connection':
      return <AddConnectionDialog />;
    case 'connection-details':
      return <ConnectionDetailsDialog connectionId={dialog.connectionId} />;
  }
}
