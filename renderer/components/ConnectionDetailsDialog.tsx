// "Connection details" (virt-manager's Connection Details window): the connection's virtual
// networks and storage pools (with their volumes), each started, stopped, set to autostart,
// created and deleted. Lists reload on 'hostResources.changed'; refusals show in the dialog.
import { useCallback, useEffect, useState } from 'react';
import { type StoragePool, type VirtualNetwork, parseIpv4Network } from '../../shared/models/host-resources.js';
import type { WizardVolume } from '../../shared/models/wizard.js';
import { useApi } from '../api/context.js';
import { bytes } from '../format.js';
import { useAction } from '../use-action.js';
import { useUi } from '../stores/ui.js';
import { Modal } from './Modal.js';

const close = () => useUi.getState().openDialog(null);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

export function ConnectionDetailsDialog({ connectionId }: { connectionId: string }) {
  const client = useApi();
  const [tab, setTab] = useState<'networks' | 'storage'>('networks');
  const [networks, setNetworks] = useState<VirtualNetwork[] | null>(null);
  const [pools, setPools] = useState<StoragePool[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { busy, error, act } = useAction();

  const load = useCallback(
    () =>
      Promise.all([client.call('networks.list', { connectionId }), client.call('pools.list', { connectionId })]).then(
        ([foundNetworks, foundPools]) => {
          setNetworks(foundNetworks);
          setPools(foundPools);
          return foundNetworks;
        },
        (e: unknown) => setLoadError(message(e)),
      ),
    [client, connectionId],
  );
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => client.on('hostResources.changed', (payload) => payload.connectionId === connectionId && void load()), [client, connectionId, load]);

  return (
    <Modal title="Connection details" onClose={close} testId="connection-details" className="connection-details">
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'networks'} onClick={() => setTab('networks')} data-testid="details-tab-networks">
          Virtual networks
        </button>
        <button type="button" role="tab" aria-selected={tab === 'storage'} onClick={() => setTab('storage')} data-testid="details-tab-storage">
          Storage
        </button>
      </div>
      {(error ?? loadError) && (
        <p className="error" role="alert" data-testid="connection-details-error">
          {error ?? `Could not read the networks and pools: ${loadError}`}
        </p>
      )}
      {tab === 'networks' && <NetworksTab connectionId={connectionId} networks={networks} busy={busy} act={act} />}
      {tab === 'storage' && <StorageTab connectionId={connectionId} pools={pools} busy={busy} act={act} />}
      <div className="dialog-buttons">
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
    </Modal>
  );
}

interface TabProps {
  connectionId: string;
  busy: boolean;
  act(call: () => Promise<unknown>): Promise<boolean>;
}

/** A network's or pool's autostart box, Start/Stop and Delete (after asking). */
function StateControls({ kind, connectionId, item, busy, act, deleteQuestion }: TabProps & {
  kind: 'networks' | 'pools';
  item: { name: string; active: boolean; autostart: boolean; persistent: boolean };
  deleteQuestion: string;
}) {
  const client = useApi();
  const target = { connectionId, name: item.name };
  const testId = kind === 'networks' ? 'network' : 'pool';
  return (
    <>
      <td>
        <input
          type="checkbox"
          aria-label={`Start ${item.name} with the host`}
          checked={item.autostart}
          disabled={busy || !item.persistent}
          onChange={(e) => void act(() => client.call(`${kind}.setAutostart`, { ...target, autostart: e.target.checked }))}
        />
      </td>
      <td className="actions">
        <button type="button" disabled={busy} onClick={() => void act(() => client.call(item.active ? `${kind}.stop` : `${kind}.start`, target))} data-testid={`${testId}-toggle`}>
          {item.active ? 'Stop' : 'Start'}
        </button>
        <button type="button" disabled={busy} onClick={() => window.confirm(deleteQuestion) && void act(() => client.call(`${kind}.delete`, target))} data-testid={`${testId}-delete`}>
          Delete
        </button>
      </td>
    </>
  );
}

function NetworksTab({ connectionId, networks, busy, act }: TabProps & { networks: VirtualNetwork[] | null }) {
  const client = useApi();
  const [form, setForm] = useState<{ name: string; mode: 'nat' | 'isolated'; ipv4: string; dhcp: boolean } | null>(null);
  const formProblem = form === null ? null : !NAME.test(form.name) ? 'Name: up to 50 letters, digits, ".", "_" and "-"' : typeof parseIpv4Network(form.ipv4) === 'string' ? `Subnet: ${parseIpv4Network(form.ipv4) as string}` : null;
  if (networks === null) return <p aria-busy="true">Reading the networks…</p>;
  return (
    <section aria-label="Virtual networks">
      <table className="resource-list" data-testid="network-list">
        <thead>
          <tr>
            <th>Name</th>
            <th>State</th>
            <th>Mode</th>
            <th>IPv4</th>
            <th>Autostart</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {networks.map((network) => (
            <tr key={network.name} data-testid="network-row" data-name={network.name}>
              <td>
                {network.name}
                {network.bridge && <span className="note"> {network.bridge}</span>}
              </td>
              <td>{network.active ? 'Active' : 'Inactive'}</td>
              <td>{network.mode === 'nat' ? 'NAT' : network.mode}</td>
              <td>{network.ipv4 ? `${network.ipv4.address}/${network.ipv4.prefix}${network.ipv4.dhcp ? `, DHCP ${network.ipv4.dhcp.start}–${network.ipv4.dhcp.end}` : ''}` : '—'}</td>
              <StateControls kind="networks" connectionId={connectionId} item={network} busy={busy} act={act} deleteQuestion={`Delete the network "${network.name}"?`} />
            </tr>
          ))}
        </tbody>
      </table>
      {form === null ? (
        <button type="button" disabled={busy} onClick={() => setForm({ name: '', mode: 'nat', ipv4: '192.168.100.0/24', dhcp: true })} data-testid="network-add">
          Add network…
        </button>
      ) : (
        <form
          className="resource-form"
          aria-label="New network"
          onSubmit={(e) => {
            e.preventDefault();
            if (formProblem === null) void act(() => client.call('networks.create', { connectionId, ...form })).then((ok) => ok && setForm(null));
          }}
        >
          <label>
            Name <input type="text" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="network-name" />
          </label>
          <label>
            Mode
            <select value={form.mode} onChange={(e) => setForm({ ...form, mode: e.target.value as 'nat' | 'isolated' })} data-testid="network-mode">
              <option value="nat">NAT (guests reach out through the host)</option>
              <option value="isolated">Isolated (guests and host only)</option>
            </select>
          </label>
          <label>
            IPv4 subnet <input type="text" value={form.ipv4} onChange={(e) => setForm({ ...form, ipv4: e.target.value })} data-testid="network-ipv4" />
          </label>
          <label className="inline">
            <input type="checkbox" checked={form.dhcp} onChange={(e) => setForm({ ...form, dhcp: e.target.checked })} /> DHCP
          </label>
          {formProblem && form.name !== '' && (
            <p className="error" data-testid="network-form-problem">
              {formProblem}
            </p>
          )}
          <div className="dialog-buttons">
            <button type="button" onClick={() => setForm(null)}>
              Cancel
            </button>
            <button type="submit" disabled={busy || formProblem !== null} data-testid="network-create">
              Create
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function StorageTab({ connectionId, pools, busy, act }: TabProps & { pools: StoragePool[] | null }) {
  const client = useApi();
  const [selected, setSelected] = useState<string | null>(null);
  const [volumes, setVolumes] = useState<{ pool: string; list: WizardVolume[] } | null>(null);
  const [form, setForm] = useState<{ name: string; path: string } | null>(null);
  const [volumeForm, setVolumeForm] = useState<{ name: string; sizeGiB: string; format: 'qcow2' | 'raw' } | null>(null);
  const pool = pools?.find((p) => p.name === selected) ?? pools?.[0] ?? null;

  const poolName = pool?.active ? pool.name : null;
  const loadVolumes = useCallback(() => {
    if (poolName === null) return;
    client.call('wizard.volumes', { connectionId, pool: poolName }).then(
      (list) => setVolumes({ pool: poolName, list }),
      () => setVolumes({ pool: poolName, list: [] }),
    );
  }, [client, connectionId, poolName]);
  useEffect(() => loadVolumes(), [loadVolumes]);
  const poolVolumes = volumes !== null && volumes.pool === poolName ? volumes.list : null;

  if (pools === null) return <p aria-busy="true">Reading the storage pools…</p>;
  const sizeGiB = Number(volumeForm?.sizeGiB);
  const volumeProblem = volumeForm === null ? null : volumeForm.name.trim() === '' || volumeForm.name.includes('/') ? 'Name: a file name, without "/"' : !(sizeGiB > 0) ? 'Size: a number of GiB above 0' : null;
  return (
    <section aria-label="Storage" className="storage-tab">
      <table className="resource-list" data-testid="pool-list">
        <thead>
          <tr>
            <th>Pool</th>
            <th>State</th>
            <th>Size</th>
            <th>Autostart</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {pools.map((p) => (
            <tr key={p.name} data-testid="pool-row" data-name={p.name} aria-selected={p.name === pool?.name} onClick={() => setSelected(p.name)}>
              <td>
                {p.name}
                <span className="note">
                  {' '}
                  {p.type} {p.path ?? ''}
                </span>
              </td>
              <td>{p.active ? 'Active' : 'Inactive'}</td>
              <td>{p.active ? `${bytes(p.availableBytes)} free of ${bytes(p.capacityBytes)}` : '—'}</td>
              <StateControls kind="pools" connectionId={connectionId} item={p} busy={busy} act={act} deleteQuestion={`Delete the storage pool "${p.name}"? Its folder and files stay.`} />
            </tr>
          ))}
        </tbody>
      </table>
      {form === null ? (
        <button type="button" disabled={busy} onClick={() => setForm({ name: '', path: '' })} data-testid="pool-add">
          Add directory pool…
        </button>
      ) : (
        <form
          className="resource-form"
          aria-label="New storage pool"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => client.call('pools.create', { connectionId, ...form })).then((ok) => ok && setForm(null));
          }}
        >
          <label>
            Name <input type="text" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="pool-name" />
          </label>
          <label>
            Folder <input type="text" value={form.path} placeholder="/var/lib/libvirt/images2" onChange={(e) => setForm({ ...form, path: e.target.value })} data-testid="pool-path" />
          </label>
          <div className="dialog-buttons">
            <button type="button" onClick={() => setForm(null)}>
              Cancel
            </button>
            <button type="submit" disabled={busy || !NAME.test(form.name) || !form.path.startsWith('/')} data-testid="pool-create">
              Create
            </button>
          </div>
        </form>
      )}
      {pool && (
        <>
          <h3>Volumes of {pool.name}</h3>
          {!pool.active && <p className="hint">Start the pool to see its volumes.</p>}
          {poolVolumes !== null && (
            <table className="resource-list" data-testid="volume-list">
              <tbody>
                {poolVolumes.length === 0 && (
                  <tr>
                    <td className="hint">No volumes.</td>
                  </tr>
                )}
                {poolVolumes.map((volume) => (
                  <tr key={volume.path} data-testid="volume-row" data-name={volume.name}>
                    <td>{volume.name}</td>
                    <td>{volume.format ?? ''}</td>
                    <td>{bytes(volume.capacityMiB * 1024 * 1024)}</td>
                    <td className="actions">
                      <button
                        type="button"
                        disabled={busy}
                        onClick={() => window.confirm(`Delete the volume "${volume.name}"? Its data is lost.`) && void act(() => client.call('volumes.delete', { connectionId, path: volume.path })).then((ok) => ok && loadVolumes())}
                        data-testid="volume-delete"
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {pool.active &&
            (volumeForm === null ? (
              <button type="button" disabled={busy} onClick={() => setVolumeForm({ name: '', sizeGiB: '10', format: 'qcow2' })} data-testid="volume-add">
                Add volume…
              </button>
            ) : (
              <form
                className="resource-form"
                aria-label="New volume"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (volumeProblem !== null) return;
                  void act(() => client.call('details.createVolume', { connectionId, pool: pool.name, name: volumeForm.name, capacityMiB: Math.round(sizeGiB * 1024), format: volumeForm.format })).then((ok) => {
                    if (ok) {
                      setVolumeForm(null);
                      loadVolumes();
                    }
                    return ok;
                  });
                }}
              >
                <label>
                  Name <input type="text" value={volumeForm.name} onChange={(e) => setVolumeForm({ ...volumeForm, name: e.target.value })} data-testid="volume-name" />
                </label>
                <label>
                  Size (GiB) <input type="text" value={volumeForm.sizeGiB} onChange={(e) => setVolumeForm({ ...volumeForm, sizeGiB: e.target.value })} data-testid="volume-size" />
                </label>
                <label>
                  Format
                  <select value={volumeForm.format} onChange={(e) => setVolumeForm({ ...volumeForm, format: e.target.value as 'qcow2' | 'raw' })}>
                    <option value="qcow2">qcow2</option>
                    <option value="raw">raw</option>
                  </select>
                </label>
                {volumeProblem && volumeForm.name !== '' && <p className="error">{volumeProblem}</p>}
                <div className="dialog-buttons">
                  <button type="button" onClick={() => setVolumeForm(null)}>
                    Cancel
                  </button>
                  <button type="submit" disabled={busy || volumeProblem !== null} data-testid="volume-create">
                    Create
                  </button>
                </div>
              </form>
            ))}
        </>
      )}
    </section>
  );
}
