// "Add connection": pick a hypervisor and, for a remote host, SSH user and host (virt-manager's
// dialog), or type any libvirt URI. The new connection connects at once.
import { type FormEvent, useState } from 'react';
import { useApi } from '../api/context.js';
import { HYPERVISORS, type Hypervisor, buildUri } from '../connection-uri.js';
import { useUi } from '../stores/ui.js';
import { Modal } from './Modal.js';

const close = () => useUi.getState().openDialog(null);

export function AddConnectionDialog() {
  const client = useApi();
  const [hypervisor, setHypervisor] = useState<Hypervisor>('qemu-system');
  const [ssh, setSsh] = useState(false);
  const [user, setUser] = useState('root');
  const [host, setHost] = useState('');
  const [customUri, setCustomUri] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [autoconnect, setAutoconnect] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const built = buildUri({ hypervisor, ssh, user, host });
  const uri = customUri ?? built ?? '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const added = await client.call('connections.add', { uri, autoconnect, ...(name.trim() && { name: name.trim() }) });
      useUi.getState().selectConnection(added.id);
      close();
      // An autoconnect connection connects by itself; the others connect now, as virt-manager does.
      if (!autoconnect) await client.call('connections.connect', { connectionId: added.id });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="Add connection" onClose={close} testId="add-connection-dialog">
      <form onSubmit={(e) => void submit(e)} className="form">
        <label>
          Hypervisor
          <select value={hypervisor} onChange={(e) => setHypervisor(e.target.value as Hypervisor)} disabled={customUri !== null}>
            {HYPERVISORS.map((h) => (
              <option key={h.id} value={h.id}>
                {h.label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" checked={ssh} onChange={(e) => setSsh(e.target.checked)} disabled={customUri !== null} />
          Connect to a remote host over SSH
        </label>
        {ssh && customUri === null && (
          <>
            <label>
              Username
              <input value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" />
            </label>
            <label>
              Hostname
              <input value={host} onChange={(e) => setHost(e.target.value)} placeholder="host or host:port" autoComplete="off" data-testid="add-connection-host" />
            </label>
          </>
        )}
        <label className="inline">
          <input type="checkbox" checked={customUri !== null} onChange={(e) => setCustomUri(e.target.checked ? (built ?? '') : null)} data-testid="add-connection-custom" />
          Custom URI
        </label>
        <label>
          URI
          <input value={uri} readOnly={customUri === null} onChange={(e) => setCustomUri(e.target.value)} data-testid="add-connection-uri" spellCheck={false} />
        </label>
        <label>
          Name (optional)
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="a name for the list" />
        </label>
        <label className="inline">
          <input type="checkbox" checked={autoconnect} onChange={(e) => setAutoconnect(e.target.checked)} />
          Connect automatically when Vireo starts
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" disabled={busy || !uri} data-testid="add-connection-submit">
            {busy ? 'Connecting…' : 'Connect'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
