// The selected connection: its header and host summary, the toolbar, the filter, and the VM list.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { STATS_INTERVAL_LIMITS_MS } from '../../shared/models/stats.js';
import type { VmSummary } from '../../shared/models/vm.js';
import { reportFailure, useApi } from '../api/context.js';
import { useVmCommands } from '../commands.js';
import { prune } from '../selection.js';
import { useConnections } from '../stores/connections.js';
import { selectionOf, useUi } from '../stores/ui.js';
import { useVms } from '../stores/vms.js';
import { STATE_FILTERS, STATS_COLUMNS, type SortColumn, type StateFilter, visibleVms } from '../vm-list-model.js';
import { HostSummaryPanel, useHostSummary } from './HostSummaryPanel.js';
import { Menu } from './Menu.js';
import { VmList } from './VmList.js';
import { VmToolbar, vmMenuEntries } from './VmMenus.js';
import { NewVmButton } from '../views/wizard/index.js';

const NO_VMS: Record<string, VmSummary> = {};

function StatsInterval() {
  const client = useApi();
  const [intervalMs, setIntervalMs] = useState<number | null>(null);
  useEffect(() => {
    client.call('stats.getConfig').then(
      (config) => setIntervalMs(config.intervalMs),
      () => undefined,
    );
  }, [client]);
  const seconds = [];
  for (let s = STATS_INTERVAL_LIMITS_MS.min / 1000; s <= STATS_INTERVAL_LIMITS_MS.max / 1000; s++) seconds.push(s);
  return (
    <label className="stats-interval" title="How often the graphs are updated (one bulk libvirt call per connection each time)">
      Update every
      <select
        value={intervalMs ?? STATS_INTERVAL_LIMITS_MS.default}
        data-testid="stats-interval"
        onChange={(e) => {
          const next = Number(e.target.value);
          setIntervalMs(next);
          reportFailure(client.call('stats.setConfig', { intervalMs: next }).then((config) => setIntervalMs(config.intervalMs)));
        }}
      >
        {seconds.map((s) => (
          <option key={s} value={s * 1000}>
            {s} s
          </option>
        ))}
      </select>
    </label>
  );
}

function ColumnsMenu() {
  const columns = useUi((s) => s.columns);
  const toggle = useUi((s) => s.toggleColumn);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <span className="menu-anchor">
      <button ref={button} type="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="columns-button">
        Columns ▾
      </button>
      {open && (
        <Menu
          label="Columns"
          anchor={button}
          testId="columns-menu"
          onClose={() => setOpen(false)}
          entries={STATS_COLUMNS.map((c) => ({ id: c.id, label: c.label, checked: columns.includes(c.id), onSelect: () => toggle(c.id) }))}
        />
      )}
    </span>
  );
}

export function VmPane() {
  const client = useApi();
  const run = useVmCommands();
  const selectedId = useUi((s) => s.selectedConnectionId);
  const connection = useConnections((s) => (selectedId ? s.list.items[selectedId] : undefined));
  const list = useVms((s) => (selectedId ? s.lists[selectedId] : undefined));
  const view = useUi((s) => s.view);
  // Stats matter to the order only when sorting by a stats column; otherwise a tick does not
  // re-render the pane (the rows in view follow their own stats).
  const sortByStats = view.sort.column !== 'name' && view.sort.column !== 'state';
  const sortStats = useVms((s) => (sortByStats && selectedId ? s.stats[selectedId] : undefined));
  const columns = useUi((s) => s.columns);
  const selection = useUi(selectionOf(selectedId));
  const menu = useUi((s) => s.menu);
  const reveal = useUi((s) => s.revealUuid);
  const connected = connection?.state === 'connected';
  const items = list?.items ?? NO_VMS;
  useHostSummary(connection);

  const rows = useMemo(() => visibleVms(Object.values(items), sortStats, view), [items, sortStats, view]);
  const totalCount = useMemo(() => Object.keys(items).length, [items]);
  const selectedVms = useMemo(() => rows.filter((vm) => selection.selected.has(vm.uuid)), [rows, selection]);

  // Stats flow only for the connection on screen.
  useEffect(() => {
    if (!selectedId || !connected) return;
    reportFailure(client.call('stats.watch', { connectionId: selectedId }));
    return () => reportFailure(client.call('stats.unwatch', { connectionId: selectedId }));
  }, [client, selectedId, connected]);

  // Deleted VMs leave the selection (not while disconnected: the list is empty then, and the
  // selection is wanted back after a reconnect).
  useEffect(() => {
    if (!selectedId || !connected || !list?.loaded) return;
    const current = selectionOf(selectedId)(useUi.getState());
    const pruned = prune(current, (uuid) => uuid in items);
    if (pruned !== current) useUi.getState().setSelection(selectedId, pruned);
  }, [selectedId, items, connected, list?.loaded]);

  const onSort = useCallback((column: SortColumn) => {
    const { sort } = useUi.getState().view;
    // A stats column sorts busiest first; a second click reverses.
    const descending = sort.column === column ? !sort.descending : column !== 'name' && column !== 'state';
    useUi.getState().setSort({ column, descending });
  }, []);
  const onRevealed = useCallback(() => useUi.getState().reveal(null), []);

  if (!connection) return <p className="empty">Loading…</p>;
  const connectionId = connection.id;

  return (
    <section className="vm-pane" aria-label={`Virtual machines on ${connection.name}`}>
      <header className="pane-header">
        <h1>{connection.name}</h1>
        <span className="uri">{connection.uri}</span>
        {connected || connection.reconnectAttempt > 0 ? (
          <button type="button" onClick={() => reportFailure(client.call('connections.disconnect', { connectionId }))}>
            Disconnect
          </button>
        ) : (
          <button type="button" disabled={connection.state === 'connecting'} onClick={() => reportFailure(client.call('connections.connect', { connectionId }))}>
            Connect
          </button>
        )}
      </header>
      {connected && <HostSummaryPanel connectionId={connectionId} />}
      {connected ? (
        <>
          <div className="list-controls">
            <NewVmButton connectionId={connectionId} />
            <VmToolbar vms={selectedVms} run={run} disabled={false} />
            <span className="toolbar-gap" />
            <input
              type="search"
              className="filter"
              placeholder="Filter by name  ( / )"
              aria-label="Filter virtual machines by name"
              value={view.filter}
              data-testid="vm-filter"
              onChange={(e) => useUi.getState().setFilter(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'ArrowDown' || e.key === 'Enter') {
                  e.preventDefault();
                  document.querySelector<HTMLElement>('[data-testid="vm-list"]')?.focus();
                }
              }}
            />
            <select aria-label="Show VMs in state" value={view.stateFilter} onChange={(e) => useUi.getState().setStateFilter(e.target.value as StateFilter)} data-testid="state-filter">
              {STATE_FILTERS.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.label}
                </option>
              ))}
            </select>
            <ColumnsMenu />
            <StatsInterval />
          </div>
          <VmList
            connectionId={connectionId}
            rows={rows}
            totalCount={totalCount}
            loaded={!!list?.loaded}
            filtered={view.filter.trim() !== '' || view.stateFilter !== 'all'}
            columns={columns}
            sort={view.sort}
            onSort={onSort}
            selection={selection}
            onSelection={(next) => useUi.getState().setSelection(connectionId, next)}
            onCommand={run}
            onContextMenu={(at) => useUi.getState().openMenu({ ...at, connectionId })}
            reveal={reveal}
            onRevealed={onRevealed}
          />
          <p className="status-line" aria-live="polite" data-testid="status-line">
            {rows.length === totalCount ? `${totalCount} VM${totalCount === 1 ? '' : 's'}` : `${rows.length} of ${totalCount} VMs`}
            {selectedVms.length > 0 && `, ${selectedVms.length} selected`}
          </p>
          {menu && menu.connectionId === connectionId && (
            <Menu
              label="Virtual machine"
              at={{ x: menu.x, y: menu.y }}
              testId="vm-context-menu"
              entries={vmMenuEntries(selectedVms, run)}
              onClose={() => useUi.getState().openMenu(null)}
            />
          )}
        </>
      ) : (
        <p className="empty">
          {connection.state === 'connecting' ? 'Connecting…' : 'Not connected.'}
          {connection.reason && <span className="reason"> {connection.reason}</span>}
        </p>
      )}
    </section>
  );
}
