// The per-VM window (virt-manager's VM window): the VM's name, state and lifecycle buttons, and
// the tabs Console | Details | Snapshots. The tabs stay mounted, so switching keeps the console connected.
import './vm-window.css';
import { type ReactNode, useEffect, useState } from 'react';
import type { MethodName } from '../../../shared/api/contract.js';
import type { VmState } from '../../../shared/models/vm.js';
import { useApi } from '../../api/context.js';
import { useConnections } from '../../stores/connections.js';
import { useUi } from '../../stores/ui.js';
import { useVms } from '../../stores/vms.js';
import { ConsoleTab } from './console/ConsoleTab.js';
import { DetailsTab } from './details/DetailsTab.js';
import { SnapshotsTab } from './snapshots/SnapshotsTab.js';
import { VM_TABS, type VmRoute, type VmTab, vmRouteHash } from './route.js';

const STATE_TEXT: Record<VmState, string> = {
  nostate: 'no state',
  running: 'running',
  blocked: 'blocked',
  paused: 'paused',
  shutdown: 'shutting down',
  shutoff: 'shut off',
  crashed: 'crashed',
  pmsuspended: 'suspended',
};

type Lifecycle = Extract<MethodName, 'domains.start' | 'domains.suspend' | 'domains.resume' | 'domains.shutdown' | 'domains.reboot' | 'domains.destroy'>;

/** The lifecycle buttons that apply in a state. */
export function lifecycleButtons(state: VmState | undefined): { method: Lifecycle; label: string; confirm?: string }[] {
  if (state === undefined) return [];
  if (state === 'shutoff' || state === 'crashed' || state === 'nostate') return [{ method: 'domains.start', label: 'Run' }];
  const forceOff = { method: 'domains.destroy' as const, label: 'Force off', confirm: 'Force the VM off? Unsaved data in the guest is lost.' };
  if (state === 'paused' || state === 'pmsuspended') return [{ method: 'domains.resume', label: 'Resume' }, forceOff];
  return [
    { method: 'domains.suspend', label: 'Pause' },
    { method: 'domains.shutdown', label: 'Shut down' },
    { method: 'domains.reboot', label: 'Reboot' },
    forceOff,
  ];
}

const TAB_LABEL: Record<VmTab, string> = { console: 'Console', details: 'Details', snapshots: 'Snapshots' };

export function VmWindow({ route }: { route: VmRoute }) {
  const client = useApi();
  const { connectionId, uuid } = route;
  const [tab, setTab] = useState<VmTab>(route.tab);
  const [routeTab, setRouteTab] = useState<VmTab>(route.tab);
  if (route.tab !== routeTab) {
    // The address changed (hashchange): follow it.
    setRouteTab(route.tab);
    setTab(route.tab);
  }
  const [error, setError] = useState<string | null>(null);
  const connection = useConnections((s) => s.list.items[connectionId]);
  const list = useVms((s) => s.lists[connectionId]);
  const vm = list?.items[uuid];
  const connected = connection?.state === 'connected';
  const backendLost = useUi((s) => s.backendLost);

  useEffect(() => {
    document.title = vm ? `${vm.name} on ${connection?.name ?? connectionId} — Vireo` : 'Vireo';
  }, [vm, connection, connectionId]);

  const selectTab = (next: VmTab) => {
    setTab(next);
    history.replaceState(null, '', vmRouteHash({ connectionId, uuid, tab: next }));
  };

  const run = async (method: Lifecycle, label: string, confirmText?: string) => {
    if (confirmText && !window.confirm(confirmText)) return;
    setError(null);
    try {
      await client.call(method, { connectionId, uuid });
    } catch (e) {
      setError(`Could not ${label.toLowerCase()} the VM: ${(e as Error).message}`);
    }
  };
  const connect = async () => {
    try {
      await client.call('connections.connect', { connectionId });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  let body: ReactNode;
  if (!connection) body = <p className="empty">Loading…</p>;
  else if (!connected) {
    body = (
      <div className="empty" data-testid="vm-window-disconnected">
        <p>
          {connection.name} ({connection.uri}) is {connection.state === 'connecting' ? 'connecting…' : 'not connected.'}
          {connection.reason && <span className="reason"> {connection.reason}</span>}
        </p>
        <button
          type="button"
          disabled={connection.state === 'connecting'}
          onClick={() => void connect()}
        >
          Connect
        </button>
      </div>
    );
  } else if (!list) body = <p className="empty">Loading…</p>;
  else if (!vm) body = <p className="empty">There is no VM with UUID {uuid} on {connection.name}: it may have been deleted.</p>;
  else {
    body = (
      <>
        <div role="tabpanel" id="vm-tab-console" aria-labelledby="vm-tabbtn-console" hidden={tab !== 'console'} className="vm-tabpanel">
          <ConsoleTab connectionId={connectionId} uuid={uuid} vmName={vm.name} state={vm.state} visible={tab === 'console'} />
        </div>
        <div role="tabpanel" id="vm-tab-details" aria-labelledby="vm-tabbtn-details" hidden={tab !== 'details'} className="vm-tabpanel">
          <DetailsTab connectionId={connectionId} uuid={uuid} state={vm.state} visible={tab === 'details'} />
        </div>
        <div role="tabpanel" id="vm-tab-snapshots" aria-labelledby="vm-tabbtn-snapshots" hidden={tab !== 'snapshots'} className="vm-tabpanel">
          <SnapshotsTab connectionId={connectionId} uuid={uuid} state={vm.state} visible={tab === 'snapshots'} />
        </div>
      </>
    );
  }

  return (
    <div className="vm-window" data-testid="vm-window">
      <header className="vm-window-header">
        <h1>{vm?.name ?? uuid}</h1>
        {vm && (
          <span className={`vm-state state-${vm.state}`} data-testid="vm-window-state">
            {STATE_TEXT[vm.state]}
          </span>
        )}
        <span className="uri">{connection?.name}</span>
        <div className="vm-window-actions" role="toolbar" aria-label="VM">
          {connected &&
            lifecycleButtons(vm?.state).map((b) => (
              <button key={b.method} type="button" onClick={() => void run(b.method, b.label, b.confirm)}>
                {b.label}
              </button>
            ))}
        </div>
        <div className="vm-tabs" role="tablist" aria-label="VM views">
          {VM_TABS.map((t) => (
            <button key={t} id={`vm-tabbtn-${t}`} type="button" role="tab" aria-selected={tab === t} aria-controls={`vm-tab-${t}`} onClick={() => selectTab(t)}>
              {TAB_LABEL[t]}
            </button>
          ))}
        </div>
      </header>
      {backendLost && (
        <div className="banner error" role="alert">
          {backendLost === 'refused' ? 'The Vireo backend refused this page: open it from the Vireo window, or with the address Vireo printed.' : 'The Vireo backend stopped.'}
        </div>
      )}
      {error && (
        <div className="banner" role="alert">
          {error}
          <button type="button" onClick={() => setError(null)}>
            Dismiss
          </button>
        </div>
      )}
      <main className="vm-window-body">{body}</main>
    </div>
  );
}
