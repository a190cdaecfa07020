// The connection tree: every connection, and under each connected one its VMs (virtualised:
// a connection can hold thousands). Picking a VM selects it in the list on the right.
import { type KeyboardEvent, type MouseEvent, useCallback, useMemo, useRef, useState } from 'react';
import type { ConnectionInfo } from '../../shared/models/connection.js';
import type { VmSummary } from '../../shared/models/vm.js';
import { reportFailure, useApi } from '../api/context.js';
import { stateIcon, stateLabel } from '../format.js';
import { useConnections } from '../stores/connections.js';
import { useUi } from '../stores/ui.js';
import { useVms } from '../stores/vms.js';
import { useVirtualWindow } from '../use-virtual-window.js';
import { byName } from '../vm-list-model.js';
import { Menu, type MenuEntry } from './Menu.js';

const ROW_HEIGHT = 28;

export function connectionStateLabel(connection: ConnectionInfo): string {
  if (connection.reconnectAttempt > 0) {
    return connection.state === 'connecting' ? `reconnecting (attempt ${connection.reconnectAttempt})` : 'waiting to reconnect';
  }
  return connection.state;
}

/** A connection's VMs by name, sorted once per list change (the store replaces `items` on every change). */
const sortedCache = new WeakMap<object, VmSummary[]>();
function sortedVms(items: Record<string, VmSummary>): VmSummary[] {
  let sorted = sortedCache.get(items);
  if (!sorted) {
    sorted = Object.values(items).toSorted(byName);
    sortedCache.set(items, sorted);
  }
  return sorted;
}

type TreeRow = { kind: 'connection'; key: string; connection: ConnectionInfo; expanded: boolean } | { kind: 'vm'; key: string; vm: VmSummary };

function useTreeRows(): TreeRow[] {
  const connections = useConnections((s) => s.list.items);
  const lists = useVms((s) => s.lists);
  const collapsed = useUi((s) => s.collapsed);
  return useMemo(() => {
    const rows: TreeRow[] = [];
    for (const connection of Object.values(connections)) {
      const expanded = !collapsed[connection.id];
      rows.push({ kind: 'connection', key: `c:${connection.id}`, connection, expanded });
      const items = lists[connection.id]?.items;
      if (!expanded || connection.state !== 'connected' || !items) continue;
      for (const vm of sortedVms(items)) rows.push({ kind: 'vm', key: `v:${connection.id}:${vm.uuid}`, vm });
    }
    return rows;
  }, [connections, lists, collapsed]);
}

export function ConnectionSidebar() {
  const client = useApi();
  const rows = useTreeRows();
  const selectedId = useUi((s) => s.selectedConnectionId);
  const selections = useUi((s) => s.selections);
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number; connection: ConnectionInfo } | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const view = useVirtualWindow(scroller, rows.length, ROW_HEIGHT);

  const pick = useCallback((row: TreeRow) => {
    const ui = useUi.getState();
    if (row.kind === 'connection') {
      ui.selectConnection(row.connection.id);
      return;
    }
    ui.selectConnection(row.vm.connectionId);
    ui.setSelection(row.vm.connectionId, { selected: new Set([row.vm.uuid]), anchor: row.vm.uuid, focus: row.vm.uuid });
    ui.reveal(row.vm.uuid);
  }, []);

  const rowAt = (event: MouseEvent) => {
    const key = (event.target as HTMLElement).closest<HTMLElement>('[data-key]')?.dataset.key;
    return rows.find((r) => r.key === key);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = Math.max(0, rows.findIndex((r) => r.key === focusKey));
    const focusRow = (i: number) => {
      const row = rows[Math.max(0, Math.min(rows.length - 1, i))];
      if (!row) return;
      setFocusKey(row.key);
      view.scrollIntoView(rows.indexOf(row));
    };
    const row = rows[at];
    switch (event.key) {
      case 'ArrowDown':
        focusRow(at + 1);
        break;
      case 'ArrowUp':
        focusRow(at - 1);
        break;
      case 'Home':
        focusRow(0);
        break;
      case 'End':
        focusRow(rows.length - 1);
        break;
      case 'ArrowRight':
        if (row?.kind === 'connection' && !row.expanded) useUi.getState().toggleExpanded(row.connection.id);
        else focusRow(at + 1);
        break;
      case 'ArrowLeft':
        if (row?.kind === 'connection' && row.expanded) useUi.getState().toggleExpanded(row.connection.id);
        else if (row?.kind === 'vm') focusRow(rows.findIndex((r) => r.kind === 'connection' && r.connection.id === row.vm.connectionId));
        break;
      case 'Enter':
      case ' ':
        if (row) pick(row);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const menuEntries = (connection: ConnectionInfo): MenuEntry[] => [
    {
      id: 'connect',
      label: 'Connect',
      disabled: connection.state !== 'disconnected',
      onSelect: () => {
        setMenu(null);
        reportFailure(client.call('connections.connect', { connectionId: connection.id }));
      },
    },
    {
      id: 'disconnect',
      label: 'Disconnect',
      disabled: connection.state === 'disconnected' && connection.reconnectAttempt === 0,
      onSelect: () => {
        setMenu(null);
        reportFailure(client.call('connections.disconnect', { connectionId: connection.id }));
      },
    },
    {
      id: 'details',
      label: 'Details: networks and storage…',
      disabled: connection.state !== 'connected',
      onSelect: () => {
        setMenu(null);
        useUi.getState().openDialog({ kind: 'connection-details', connectionId: connection.id });
      },
    },
    { kind: 'separator', id: 'sep' },
    {
      id: 'remove',
      label: 'Remove from the list',
      disabled: connection.origin !== 'user',
      onSelect: () => {
        setMenu(null);
        reportFailure(client.call('connections.remove', { connectionId: connection.id }));
      },
    },
  ];

  return (
    <nav className="sidebar" aria-label="Connections">
      <div className="sidebar-head">
        <h2>Connections</h2>
        <button type="button" className="small" onClick={() => useUi.getState().openDialog({ kind: 'add-connection' })} data-testid="add-connection">
          Add…
        </button>
      </div>
      <div
        ref={scroller}
        className="tree"
        role="tree"
        aria-label="Connections and their virtual machines"
        tabIndex={0}
        aria-activedescendant={focusKey && rows.some((r) => r.key === focusKey) ? `tree-${focusKey}` : undefined}
        onKeyDown={onKeyDown}
        onClick={(event) => {
          const row = rowAt(event);
          if (!row) return;
          setFocusKey(row.key);
          if ((event.target as HTMLElement).closest('.caret') && row.kind === 'connection') useUi.getState().toggleExpanded(row.connection.id);
          else pick(row);
        }}
        onDoubleClick={(event) => {
          const row = rowAt(event);
          if (row?.kind === 'connection' && row.connection.state === 'disconnected') reportFailure(client.call('connections.connect', { connectionId: row.connection.id }));
        }}
        onContextMenu={(event) => {
          const row = rowAt(event);
          if (row?.kind !== 'connection') return;
          event.preventDefault();
          setMenu({ x: event.clientX, y: event.clientY, connection: row.connection });
        }}
      >
        <div className="tree-rows" style={{ height: view.totalHeight }}>
          {rows.slice(view.start, view.end).map((row, i) => {
            const index = view.start + i;
            const top = { transform: `translateY(${index * ROW_HEIGHT}px)` };
            if (row.kind === 'connection') {
              const { connection } = row;
              const selected = connection.id === selectedId;
              return (
                <div
                  key={row.key}
                  id={`tree-${row.key}`}
                  role="treeitem"
                  aria-level={1}
                  aria-expanded={row.expanded}
                  aria-selected={selected}
                  aria-current={selected ? 'true' : undefined}
                  className={`tree-row connection${selected ? ' selected' : ''}${focusKey === row.key ? ' focused' : ''}`}
                  data-key={row.key}
                  data-testid={`connection-${connection.id}`}
                  title={connection.uri}
                  style={top}
                >
                  <span className="caret" aria-hidden="true">{row.expanded ? '▾' : '▸'}</span>
                  <span className="connection-name">{connection.name}</span>
                  <span className={`badge state-${connection.state}${connection.reconnectAttempt > 0 ? ' reconnecting' : ''}`} data-testid="connection-state">
                    {connectionStateLabel(connection)}
                  </span>
                </div>
              );
            }
            const { vm } = row;
            const selected = vm.connectionId === selectedId && !!selections[vm.connectionId]?.selected.has(vm.uuid);
            return (
              <div
                key={row.key}
                id={`tree-${row.key}`}
                role="treeitem"
                aria-level={2}
                aria-selected={selected}
                className={`tree-row vm${selected ? ' selected' : ''}${focusKey === row.key ? ' focused' : ''}`}
                data-key={row.key}
                data-testid={`tree-vm-${vm.name}`}
                title={`${vm.name}: ${stateLabel(vm)}`}
                style={top}
              >
                <span className={`state-icon ${stateIcon(vm)}`} aria-hidden="true" />
                <span className="vm-name-text">{vm.name}</span>
              </div>
            );
          })}
        </div>
      </div>
      {menu && <Menu label={`Connection ${menu.connection.name}`} at={{ x: menu.x, y: menu.y }} entries={menuEntries(menu.connection)} onClose={() => setMenu(null)} testId="connection-menu" />}
    </nav>
  );
}
