import { useEffect, useMemo } from 'react';
import type { VmSummary } from '../../shared/models/vm.js';
import { reportFailure, useApi } from '../api/context.js';
import { useConnections } from '../stores/connections.js';
import { useUi } from '../stores/ui.js';
import { useVms } from '../stores/vms.js';
import type { VmAction } from '../vm-actions.js';
import { VmList } from './VmList.js';

const byName = (a: VmSummary, b: VmSummary) => a.name.localeCompare(b.name);

export function VmPane() {
  const client = useApi();
  const selectedId = useUi((s) => s.selectedConnectionId);
  const connection = useConnections((s) => (selectedId ? s.list.items[selectedId] : undefined));
  const vmsById = useVms((s) => (selectedId ? s.lists[selectedId]?.items : undefined));
  const stats = useVms((s) => (selectedId ? s.stats[selectedId] : undefined));
  const vms = useMemo(() => Object.values(vmsById ?? {}).toSorted(byName), [vmsById]);
  const connected = connection?.state === 'connected';

  // Stats flow only for the connection on screen.
  useEffect(() => {
    if (!selectedId || !connected) return;
    reportFailure(client.call('stats.watch', { connectionId: selectedId }));
    return () => reportFailure(client.call('stats.unwatch', { connectionId: selectedId }));
  }, [client, selectedId, connected]);

  if (!connection) return <p className="empty">Loading…</p>;
  const connectionId = connection.id;
  const onAction = (vm: VmSummary, action: VmAction) => reportFailure(client.call(action.method, { connectionId, uuid: vm.uuid }));

  return (
    <section className="vm-pane" aria-label={`Virtual machines on ${connection.name}`}>
      <header>
        <h1>{connection.name}</h1>
        <span className="uri">{connection.uri}</span>
        {connected ? (
          <button type="button" onClick={() => reportFailure(client.call('connections.disconnect', { connectionId }))}>
            Disconnect
          </button>
        ) : (
          <button type="button" disabled={connection.state === 'connecting'} onClick={() => reportFailure(client.call('connections.connect', { connectionId }))}>
            Connect
          </button>
        )}
      </header>
      {connected ? (
        <VmList vms={vms} stats={stats} onAction={onAction} />
      ) : (
        <p className="empty">
          {connection.state === 'connecting' ? 'Connecting…' : 'Not connected.'}
          {connection.reason && <span className="reason"> {connection.reason}</span>}
        </p>
      )}
    </section>
  );
}
