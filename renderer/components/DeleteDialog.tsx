// "Delete virtual machine": lists, per VM, each disk (deletable storage-pool volumes with a
// check box; anything else with the reason it stays), the saved state, snapshot metadata and
// the NVRAM file. Nothing is deleted before the user confirms, and only what is ticked.
import { useEffect, useState } from 'react';
import type { VmDeletePlan } from '../../shared/models/delete.js';
import { useApi } from '../api/context.js';
import { failureMessage } from '../commands.js';
import { useUi } from '../stores/ui.js';
import { Modal } from './Modal.js';

interface Choice {
  disks: Set<string>;
  nvram: boolean;
  forceOff: boolean;
}

type Loaded = { uuid: string; plan: VmDeletePlan } | { uuid: string; error: string };

const close = () => useUi.getState().openDialog(null);

export function DeleteDialog({ connectionId, uuids }: { connectionId: string; uuids: string[] }) {
  const client = useApi();
  const [plans, setPlans] = useState<Loaded[] | null>(null);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    const load = async () => {
      const loaded = await Promise.all(
        uuids.map((uuid) =>
          client.call('domains.deletePlan', { connectionId, uuid }).then(
            (plan): Loaded => ({ uuid, plan }),
            (e: unknown): Loaded => ({ uuid, error: e instanceof Error ? e.message : String(e) }),
          ),
        ),
      );
      if (!current) return;
      setPlans(loaded);
      const initial: Record<string, Choice> = {};
      for (const entry of loaded) {
        if ('plan' in entry) {
          initial[entry.uuid] = { disks: new Set(entry.plan.disks.filter((d) => d.suggested && d.volumePath).map((d) => d.volumePath!)), nvram: true, forceOff: false };
        }
      }
      setChoices(initial);
    };
    void load();
    return () => {
      current = false;
    };
  }, [client, connectionId, uuids]);

  const ready = (plans ?? []).flatMap((p) => ('plan' in p ? [p.plan] : []));
  const blocked = ready.filter((plan) => plan.active && !choices[plan.uuid]?.forceOff);
  const diskCount = ready.reduce((n, plan) => n + (choices[plan.uuid]?.disks.size ?? 0), 0);
  const update = (uuid: string, change: (c: Choice) => Choice) => setChoices((all) => ({ ...all, [uuid]: change(all[uuid]!) }));

  const confirm = async () => {
    setBusy(true);
    for (const plan of ready) {
      const choice = choices[plan.uuid]!;
      try {
        const result = await client.call('domains.delete', {
          connectionId,
          uuid: plan.uuid,
          forceOff: plan.active ? choice.forceOff : undefined,
          managedSave: plan.hasManagedSave || undefined,
          snapshotsMetadata: plan.snapshots.length > 0 || undefined,
          ...(plan.nvram && (choice.nvram ? { nvram: true } : { keepNvram: true })),
          disks: [...choice.disks],
        });
        for (const failed of result.failedDisks) useUi.getState().showNotice(`Deleted "${plan.name}", but could not delete its disk ${failed.path}: ${failed.message}`);
      } catch (e) {
        useUi.getState().showNotice(failureMessage('delete', plan.name, e));
      }
    }
    setBusy(false);
    close();
  };

  const title = uuids.length === 1 ? `Delete ${ready[0] ? `"${ready[0].name}"` : 'virtual machine'}?` : `Delete ${uuids.length} virtual machines?`;
  return (
    <Modal title={title} onClose={close} testId="delete-dialog" className="delete-dialog">
      {!plans && <p aria-busy="true">Reading what belongs to {uuids.length === 1 ? 'the VM' : 'the VMs'}…</p>}
      {plans?.map((entry) => {
        if ('error' in entry) {
          return (
            <p key={entry.uuid} className="error" role="alert">
              Could not read what belongs to {entry.uuid}: {entry.error}
            </p>
          );
        }
        const { plan } = entry;
        const choice = choices[plan.uuid];
        if (!choice) return null;
        return (
          <fieldset key={plan.uuid} className="delete-vm" data-testid={`delete-plan-${plan.name}`}>
            <legend>{plan.name}</legend>
            {plan.active && (
              <label className="warn">
                <input type="checkbox" checked={choice.forceOff} onChange={(e) => update(plan.uuid, (c) => ({ ...c, forceOff: e.target.checked }))} data-testid="delete-force-off" />
                It is running: force it off first (the guest loses what it has not written to disk)
              </label>
            )}
            <p className="hint">The VM's definition is always deleted. Also delete:</p>
            {plan.disks.length === 0 && <p className="hint">It has no disks.</p>}
            <ul className="delete-items">
              {plan.disks.map((disk) => {
                const key = `${disk.target}:${disk.source}`;
                return (
                  <li key={key} data-testid={`delete-disk-${disk.target}`}>
                    <label className={disk.deletable ? '' : 'disabled'}>
                      <input
                        type="checkbox"
                        disabled={!disk.deletable}
                        checked={!!disk.volumePath && choice.disks.has(disk.volumePath)}
                        onChange={(e) =>
                          update(plan.uuid, (c) => {
                            const disks = new Set(c.disks);
                            if (e.target.checked) disks.add(disk.volumePath!);
                            else disks.delete(disk.volumePath!);
                            return { ...c, disks };
                          })
                        }
                      />
                      <span className="disk-target">{disk.target}</span>
                      <span className="disk-device">{disk.device}</span>
                      <span className="disk-path">{disk.volumePath ?? disk.source}</span>
                      {disk.pool && <span className="disk-pool">pool {disk.pool}</span>}
                    </label>
                    {disk.note && <span className="note">{disk.note}</span>}
                  </li>
                );
              })}
              {plan.nvram && (
                <li data-testid="delete-nvram">
                  <label>
                    <input type="checkbox" checked={choice.nvram} onChange={(e) => update(plan.uuid, (c) => ({ ...c, nvram: e.target.checked }))} />
                    UEFI variables (NVRAM) <span className="disk-path">{plan.nvram}</span>
                  </label>
                </li>
              )}
              {plan.hasManagedSave && (
                <li data-testid="delete-managed-save">
                  <label className="disabled">
                    <input type="checkbox" checked disabled /> Saved state (managed save image)
                  </label>
                  <span className="note">Required: libvirt does not delete a VM whose saved state remains.</span>
                </li>
              )}
              {plan.snapshots.length > 0 && (
                <li data-testid="delete-snapshots">
                  <label className="disabled">
                    <input type="checkbox" checked disabled /> Snapshot metadata ({plan.snapshots.length}: {plan.snapshots.join(', ')})
                  </label>
                  <span className="note">Required: libvirt does not delete a VM that still has snapshots. Snapshot data inside disks goes only with the disk.</span>
                </li>
              )}
            </ul>
            {!plan.sharingChecked && <p className="hint">This connection has too many VMs to check which other VM uses these disks.</p>}
          </fieldset>
        );
      })}
      <p className="hint">Only storage-pool volumes can be deleted here; other files stay where they are.</p>
      <div className="dialog-buttons">
        <button type="button" onClick={close} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy || ready.length === 0 || blocked.length > 0} onClick={() => void confirm()} data-testid="delete-confirm">
          {busy ? 'Deleting…' : `Delete ${ready.length === 1 ? 'VM' : `${ready.length} VMs`}${diskCount > 0 ? ` and ${diskCount} disk${diskCount === 1 ? '' : 's'}` : ''}`}
        </button>
      </div>
    </Modal>
  );
}
