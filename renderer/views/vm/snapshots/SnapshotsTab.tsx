// The VM window's Snapshots tab (virt-manager's Snapshots view): the VM's snapshots as a tree,
// the current one marked; take one (name, description; a running VM's includes its memory),
// revert to one, delete one. Reverting and deleting ask first.
import './snapshots.css';
import { useCallback, useEffect, useState } from 'react';
import { type VmSnapshot, snapshotNameProblem, snapshotTree } from '../../../../shared/models/snapshot.js';
import type { VmState } from '../../../../shared/models/vm.js';
import { useApi } from '../../../api/context.js';
import { useAction } from '../../../use-action.js';

export interface SnapshotsTabProps {
  connectionId: string;
  uuid: string;
  state: VmState | undefined;
  visible: boolean;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const STATE_WORDS: Record<string, string> = { running: 'Running', paused: 'Paused', shutoff: 'Shut off', 'disk-snapshot': 'Disks only' };

const pad = (n: number) => String(n).padStart(2, '0');

/** A name like virt-manager's default: the date and time, unique among the VM's snapshots. */
export function defaultSnapshotName(taken: readonly string[], now = new Date()): string {
  const base = `snapshot-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${base}-${n}`;
  return name;
}

export function SnapshotsTab({ connectionId, uuid, state, visible }: SnapshotsTabProps) {
  const client = useApi();
  const [snapshots, setSnapshots] = useState<VmSnapshot[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { busy, error, act } = useAction();
  const [form, setForm] = useState<{ name: string; description: string } | null>(null);

  const load = useCallback(
    () =>
      client.call('snapshots.list', { connectionId, uuid }).then(
        (found) => {
          setSnapshots(found);
          setLoadError(null);
          return found;
        },
        (e: unknown) => setLoadError(message(e)),
      ),
    [client, connectionId, uuid],
  );

  // (Re)load when shown and when the VM's state changes (a revert changes it).
  useEffect(() => {
    if (visible && state !== undefined) void load();
  }, [visible, state, load]);
  useEffect(
    () =>
      client.on('snapshots.changed', (payload) => {
        if (payload.connectionId === connectionId && payload.uuid.toLowerCase() === uuid.toLowerCase()) void load();
      }),
    [client, connectionId, uuid, load],
  );

  const nameProblem = form === null ? null : snapshotNameProblem(form.name) ?? (snapshots?.some((s) => s.name === form.name) ? `there is a snapshot named "${form.name}" already` : null);
  const take = async () => {
    if (form === null || nameProblem !== null) return;
    const taken = await act(() => client.call('snapshots.create', { connectionId, uuid, name: form.name, ...(form.description.trim() !== '' && { description: form.description }) }));
    if (taken) setForm(null);
  };
  const revert = (name: string) => {
    if (!window.confirm(`Revert the VM to "${name}"? What it has done since is lost.`)) return;
    void act(() => client.call('snapshots.revert', { connectionId, uuid, name }));
  };
  const remove = (name: string) => {
    if (!window.confirm(`Delete the snapshot "${name}"? The VM stays as it is.`)) return;
    void act(() => client.call('snapshots.delete', { connectionId, uuid, name }));
  };

  const running = state === 'running' || state === 'paused';
  return (
    <section className="snapshots-tab" aria-label="Snapshots" data-testid="snapshots-tab">
      <div className="snapshots-toolbar">
        <button type="button" disabled={form !== null || busy || snapshots === null} onClick={() => setForm({ name: defaultSnapshotName(snapshots?.map((s) => s.name) ?? []), description: '' })} data-testid="snapshot-new">
          Take snapshot…
        </button>
        {busy && <span className="snapshots-busy">Working…</span>}
      </div>
      {form !== null && (
        <form
          className="snapshot-form"
          aria-label="New snapshot"
          data-testid="snapshot-form"
          onSubmit={(e) => {
            e.preventDefault();
            void take();
          }}
        >
          <label>
            Name
            <input type="text" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} aria-invalid={nameProblem !== null} data-testid="snapshot-name" />
          </label>
          {nameProblem && (
            <p className="snapshots-error" role="alert" data-testid="snapshot-name-problem">
              {nameProblem}
            </p>
          )}
          <label>
            Description
            <textarea value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} rows={2} data-testid="snapshot-description" />
          </label>
          <p className="snapshots-hint">{running ? 'The VM is running: the snapshot keeps its memory too, and reverting resumes it where it was.' : 'The VM is shut off: the snapshot keeps its disks.'}</p>
          <div className="snapshots-actions">
            <button type="button" onClick={() => setForm(null)}>
              Cancel
            </button>
            <button type="submit" disabled={nameProblem !== null || busy} data-testid="snapshot-take">
              Take snapshot
            </button>
          </div>
        </form>
      )}
      {error && (
        <p className="snapshots-error" role="alert" data-testid="snapshot-error">
          {error}
        </p>
      )}
      {loadError && <p className="snapshots-error" role="alert">Could not list the snapshots: {loadError}</p>}
      {snapshots === null && !loadError && <p className="empty">Loading…</p>}
      {snapshots?.length === 0 && <p className="empty" data-testid="snapshots-empty">No snapshots yet.</p>}
      {snapshots !== null && snapshots.length > 0 && (
        <table className="snapshots-list" data-testid="snapshots-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Taken</th>
              <th>VM state</th>
              <th>Description</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {snapshotTree(snapshots).map(({ snapshot, depth }) => (
              <tr key={snapshot.name} data-testid="snapshot-row" data-name={snapshot.name} aria-current={snapshot.current ? 'true' : undefined}>
                <td style={{ paddingLeft: `${0.5 + depth * 1.25}em` }}>
                  {snapshot.name}
                  {snapshot.current && <span className="snapshot-current"> (current)</span>}
                </td>
                <td>{snapshot.createdAt === null ? '—' : new Date(snapshot.createdAt).toLocaleString()}</td>
                <td>
                  {STATE_WORDS[snapshot.state] ?? snapshot.state}
                  {snapshot.withMemory ? ', with memory' : ''}
                </td>
                <td className="snapshot-description">{snapshot.description ?? ''}</td>
                <td className="snapshots-actions">
                  <button type="button" disabled={busy} onClick={() => revert(snapshot.name)} data-testid="snapshot-revert">
                    Revert
                  </button>
                  <button type="button" disabled={busy} onClick={() => remove(snapshot.name)} data-testid="snapshot-delete">
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
