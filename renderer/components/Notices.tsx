// Banners (the backend is gone; a connection is lost and reconnecting) and dismissible notices
// (failed actions, naming the VM and libvirt's reason).
import { useEffect, useState } from 'react';
import { reportFailure, useApi } from '../api/context.js';
import { useConnections } from '../stores/connections.js';
import { useUi } from '../stores/ui.js';

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function ConnectionBanners() {
  const client = useApi();
  const connections = useConnections((s) => s.list.items);
  const lost = Object.values(connections).filter((c) => c.reconnectAttempt > 0);
  const now = useNow(lost.length > 0);
  return (
    <>
      {lost.map((connection) => {
        const seconds = connection.nextRetryAt ? Math.max(0, Math.ceil((connection.nextRetryAt - now) / 1000)) : null;
        const next =
          connection.state === 'connecting'
            ? `Reconnecting now (attempt ${connection.reconnectAttempt})…`
            : seconds !== null
              ? `Next attempt (${connection.reconnectAttempt}) in ${seconds} s.`
              : 'Reconnecting…';
        return (
          <div key={connection.id} className="banner error" role="alert" data-testid={`connection-lost-${connection.id}`}>
            <span>
              Lost the connection to <strong>{connection.name}</strong> ({connection.uri}){connection.reason ? `: ${connection.reason}` : ''}. {next}
            </span>
            <button type="button" disabled={connection.state === 'connecting'} onClick={() => reportFailure(client.call('connections.connect', { connectionId: connection.id }))}>
              Reconnect now
            </button>
          </div>
        );
      })}
    </>
  );
}

export function Notices() {
  const notices = useUi((s) => s.notices);
  const backendLost = useUi((s) => s.backendLost);
  const dismiss = useUi((s) => s.dismissNotice);
  return (
    <div className="notices">
      {backendLost && (
        <div className="banner error" role="alert">
          {backendLost === 'refused'
            ? 'The Vireo backend refused this page. Open the address it printed at start-up: it carries the access token.'
            : 'The Vireo backend stopped. Start it again and open the address it prints.'}
        </div>
      )}
      {!backendLost && <ConnectionBanners />}
      {notices.map((notice) => (
        <div key={notice.id} className="banner notice" role="alert" data-testid="notice">
          <span className="notice-text">{notice.message}</span>
          <button type="button" aria-label="Dismiss" title="Dismiss" onClick={() => dismiss(notice.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
