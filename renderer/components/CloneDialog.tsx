// "Clone virtual machine" (virt-manager's Clone dialog): the new name, and per disk whether it is
// copied (a new volume beside the original in its pool) or shared with the original. The copies'
// volume names follow the name typed. Problems show in the dialog; nothing is made before Clone.
import { useEffect, useState } from 'react';
import type { CloneDiskAction, ClonePlan } from '../../shared/models/clone.js';
import { ApiCallError } from '../../shared/api/errors.js';
import { useApi } from '../api/context.js';
import { useUi } from '../stores/ui.js';
import { Modal } from './Modal.js';

const close = () => useUi.getState().openDialog(null);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function CloneDialog({ connectionId, uuid }: { connectionId: string; uuid: string }) {
  const client = useApi();
  const [plan, setPlan] = useState<ClonePlan | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(null);
  const [actions, setActions] = useState<Record<string, CloneDiskAction>>({});
  const [error, setError] = useState<{ message: string; field: string | null } | null>(null);
  const [busy, setBusy] = useState(false);

  // The plan again for the name typed: the copies' names come from it.
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      client.call('domains.clonePlan', { connectionId, uuid, ...(name !== null && { name }) }).then(
        (found) => {
          if (current) {
            setPlan(found);
            if (name === null) setName(found.proposedName);
          }
          return found;
        },
        (e: unknown) => current && setLoadError(message(e)),
      );
    }, name === null ? 0 : 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, connectionId, uuid, name]);

  const actionOf = (target: string, proposed: CloneDiskAction) => actions[target] ?? proposed;
  const clone = async () => {
    if (plan === null || name === null) return;
    setBusy(true);
    setError(null);
    try {
      const result = await client.call('domains.clone', { connectionId, uuid, name, disks: Object.fromEntries(plan.disks.map((d) => [d.target, actionOf(d.target, d.proposed)])) });
      useUi.getState().reveal(result.uuid);
      close();
    } catch (e) {
      const field = e instanceof ApiCallError ? (e.issues?.[0]?.path[0] ?? null) : null;
      setError({ message: field === 'name' && e instanceof ApiCallError ? e.issues![0]!.message : message(e), field: field === null ? null : String(field) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={plan ? `Clone "${plan.name}"` : 'Clone virtual machine'} onClose={close} testId="clone-dialog" className="clone-dialog">
      {loadError && (
        <p className="error" role="alert">
          Could not read the VM: {loadError}
        </p>
      )}
      {!plan && !loadError && <p aria-busy="true">Reading the VM's disks…</p>}
      {plan && name !== null && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void clone();
          }}
        >
          {plan.blockedBecause && (
            <p className="error" role="alert" data-testid="clone-blocked">
              {plan.blockedBecause}.
            </p>
          )}
          <label className="clone-name">
            Name
            <input type="text" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={error?.field === 'name'} data-testid="clone-name" />
          </label>
          <p className="hint">The clone gets a new UUID and new MAC addresses.</p>
          <table className="clone-disks">
            <thead>
              <tr>
                <th>Disk</th>
                <th>Source</th>
                <th>In the clone</th>
              </tr>
            </thead>
            <tbody>
              {plan.disks.map((disk) => (
                <tr key={disk.target} data-testid={`clone-disk-${disk.target}`}>
                  <td>
                    {disk.target} ({disk.device})
                  </td>
                  <td className="disk-path">{disk.source ?? 'empty'}</td>
                  <td>
                    <select
                      value={actionOf(disk.target, disk.proposed)}
                      disabled={disk.copyTo === null}
                      onChange={(e) => setActions({ ...actions, [disk.target]: e.target.value as CloneDiskAction })}
                      data-testid={`clone-action-${disk.target}`}
                    >
                      {disk.copyTo && <option value="clone">Copy as {disk.copyTo.name} (pool {disk.copyTo.pool})</option>}
                      <option value="share">Share with the original</option>
                    </select>
                    {disk.note && <span className="note">{disk.note}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {plan.disks.length === 0 && <p className="hint">It has no disks.</p>}
          {error && (
            <p className="error" role="alert" data-testid="clone-error">
              {error.message}
            </p>
          )}
          <div className="dialog-buttons">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" disabled={busy || plan.blockedBecause !== null} data-testid="clone-confirm">
              {busy ? 'Cloning…' : 'Clone'}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
