import type { ConnectionInfo } from '../../shared/models/connection.js';
import { useConnections } from '../stores/connections.js';
import { useUi } from '../stores/ui.js';

export function connectionStateLabel(connection: ConnectionInfo): string {
  if (connection.reconnectAttempt > 0) {
    return connection.state === 'connecting' ? `reconnecting (attempt ${connection.reconnectAttempt})` : 'waiting to reconnect';
  }
  return connection.state;
}

export function ConnectionSidebar() {
  const connections = useConnections((s) => s.list.items);
  const selectedId = useUi((s) => s.selectedConnectionId);
  const select = useUi((s) => s.selectConnection);
  return (
    <nav className="sidebar" aria-label="Connections">
      <h2>Connections</h2>
      <ul>
        {Object.values(connections).map((connection) => (
          <li key={connection.id} data-testid={`connection-${connection.id}`}>
            <button
              type="button"
              className={connection.id === selectedId ? 'connection selected' : 'connection'}
              aria-current={connection.id === selectedId ? 'true' : undefined}
              title={connection.uri}
              onClick={() => select(connection.id)}
            >
              <span className="connection-name">{connection.name}</span>
              <span className={`badge state-${connection.state}`} data-testid="connection-state">
                {connectionStateLabel(connection)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
