// Keeps the stores in step with the backend: events first, then the snapshots, so nothing
// that happens in between is lost (the stores order both by version).
import type { ApiClient } from '../shared/api/contract.js';
import { useConnections } from './stores/connections.js';
import { useUi } from './stores/ui.js';
import { useVms } from './stores/vms.js';

export async function startSync(client: ApiClient): Promise<void> {
  client.on('connections.changed', (change) => {
    useConnections.getState().applyChange(change);
    // A connection that is no longer connected has no current figures.
    for (const connection of change.upserted) if (connection.state !== 'connected') useVms.getState().forgetStats(connection.id);
    for (const id of change.removed) useVms.getState().forgetStats(id);
  });
  client.on('domains.changed', (change) => useVms.getState().applyChange(change));
  client.on('stats.tick', (tick) => useVms.getState().applyStats(tick));

  const [launch, connections] = await Promise.all([client.call('app.launchInfo'), client.call('connections.list')]);
  useConnections.getState().applySnapshot(connections);
  if (useUi.getState().selectedConnectionId === null) useUi.getState().selectConnection(launch.initialConnectionId);
  // Connections that connect from now on announce their VM list in a 'domains.changed' reset.
  const connected = connections.items.filter((c) => c.state === 'connected');
  await Promise.all(
    connected.map(async ({ id }) => useVms.getState().applySnapshot(id, await client.call('domains.list', { connectionId: id }))),
  );
}
