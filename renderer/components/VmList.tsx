// The VM list of one connection: a virtualised grid (only the rows in view are in the DOM),
// multi-select with mouse and keyboard, sortable columns, stats sparklines per VM. It sets
// data-loaded and data-row-count once it holds every row, which tests and the benchmark wait for.
import { type CSSProperties, type KeyboardEvent, type MouseEvent, memo, useEffect, useMemo, useRef } from 'react';
import type { VmSummary } from '../../shared/models/vm.js';
import { percent, rate, stateIcon, stateLabel } from '../format.js';
import { type Selection, click, moveTo, neighbour, selectAll, toggleFocused } from '../selection.js';
import { statsHistory } from '../stats-history.js';
import { useVms } from '../stores/vms.js';
import { useVirtualWindow } from '../use-virtual-window.js';
import { type VmCommandId, commandForKey } from '../vm-actions.js';
import { STATS_COLUMNS, type SortColumn, type SortOrder, type StatsColumnId } from '../vm-list-model.js';
import { Sparkline } from './Sparkline.js';

export const ROW_HEIGHT = 30;
const HEADER_HEIGHT = 32;

export interface VmListProps {
  connectionId: string;
  /** The rows as shown: filtered and sorted. */
  rows: VmSummary[];
  /** All VMs of the connection (before the filter). */
  totalCount: number;
  /** The connection's list arrived. */
  loaded: boolean;
  filtered: boolean;
  columns: StatsColumnId[];
  sort: SortOrder;
  onSort(column: SortColumn): void;
  selection: Selection;
  onSelection(selection: Selection): void;
  onCommand(command: VmCommandId, vms: VmSummary[]): void;
  onContextMenu(at: { x: number; y: number }): void;
  /** Scroll to this VM once (a VM picked in the connection tree). */
  reveal: string | null;
  onRevealed(): void;
}

const rowOf = (event: MouseEvent) => (event.target as HTMLElement).closest<HTMLElement>('[data-uuid]')?.dataset.uuid ?? null;

const rowId = (connectionId: string, uuid: string) => `vm-row-${connectionId}-${uuid}`;

function columnTemplate(columns: StatsColumnId[]): string {
  return ['minmax(160px, 2fr)', '120px', ...columns.map(() => 'minmax(130px, 1fr)')].join(' ');
}

interface RowProps {
  vm: VmSummary;
  index: number;
  connectionId: string;
  selected: boolean;
  focused: boolean;
  columns: StatsColumnId[];
}

/**
 * One row. Each visible row follows its own VM's stats, so a tick re-renders the rows in view
 * and nothing else (not the pane, the toolbar, the list's frame).
 */
const VmRow = memo(function VmRow({ vm, index, connectionId, selected, focused, columns }: RowProps) {
  const stats = useVms((s) => s.stats[connectionId]?.[vm.uuid]);
  // The history moved on with the tick even when this VM's figures did not change.
  useVms((s) => (stats ? s.ticks[connectionId] : 0));
  return (
    <div
      role="row"
      id={rowId(connectionId, vm.uuid)}
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`vm-row${selected ? ' selected' : ''}${focused ? ' focused' : ''}`}
      data-uuid={vm.uuid}
      data-testid={`vm-row-${vm.name}`}
      style={{ transform: `translateY(${index * ROW_HEIGHT}px)` }}
    >
      <div role="gridcell" className="vm-name" title={vm.name}>
        <span className={`state-icon ${stateIcon(vm)}`} aria-hidden="true" />
        <span className="vm-name-text">{vm.name}</span>
      </div>
      <div role="gridcell" className="vm-state-cell">
        <span data-testid="vm-state" className={`state-label ${stateIcon(vm)}`} title={vm.stateReason === 'unknown' ? undefined : `reason: ${vm.stateReason}`}>
          {stateLabel(vm)}
        </span>
      </div>
      {columns.map((id) => {
        const column = STATS_COLUMNS.find((c) => c.id === id)!;
        const series = stats ? statsHistory.series(connectionId, vm.uuid, id) : [];
        const latest = series.at(-1);
        const value = latest !== undefined && Number.isFinite(latest) ? latest : null;
        let max = 100;
        if (column.kind === 'rate') {
          max = 1024;
          for (const v of series) if (v > max) max = v;
        }
        return (
          <div role="gridcell" key={id} className="vm-stat" data-column={id}>
            <Sparkline values={series} max={max} />
            <span className="vm-stat-text">{column.kind === 'percent' ? percent(value) : rate(value)}</span>
          </div>
        );
      })}
    </div>
  );
});

export function VmList(props: VmListProps) {
  const { connectionId, rows, totalCount, loaded, filtered, columns, sort, onSort, selection, onSelection, onCommand, onContextMenu, reveal, onRevealed } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const view = useVirtualWindow(scroller, rows.length, ROW_HEIGHT, { headerHeight: HEADER_HEIGHT });
  const order = useMemo(() => rows.map((vm) => vm.uuid), [rows]);

  const focusIndex = selection.focus ? rows.findIndex((vm) => vm.uuid === selection.focus) : -1;
  const { scrollIntoView } = view;

  useEffect(() => {
    if (!reveal) return;
    const index = rows.findIndex((vm) => vm.uuid === reveal);
    if (index >= 0) {
      scrollIntoView(index);
      scroller.current?.focus({ preventScroll: true });
    }
    onRevealed();
  }, [reveal, rows, scrollIntoView, onRevealed]);

  const selectedVms = (): VmSummary[] => {
    const picked = rows.filter((vm) => selection.selected.has(vm.uuid));
    if (picked.length > 0) return picked;
    const focused = focusIndex >= 0 ? rows[focusIndex] : undefined;
    return focused ? [focused] : [];
  };

  const onMouseDown = (event: MouseEvent<HTMLDivElement>) => {
    const uuid = rowOf(event);
    if (!uuid || event.button !== 0) return;
    if (event.shiftKey) event.preventDefault(); // no text selection on Shift+click
    onSelection(click(selection, order, uuid, { toggle: event.ctrlKey || event.metaKey, range: event.shiftKey }));
  };

  const onRightClick = (event: MouseEvent<HTMLDivElement>) => {
    const uuid = rowOf(event);
    if (!uuid) return;
    event.preventDefault();
    if (!selection.selected.has(uuid)) onSelection({ selected: new Set([uuid]), anchor: uuid, focus: uuid });
    onContextMenu({ x: event.clientX, y: event.clientY });
  };

  const onDoubleClick = (event: MouseEvent<HTMLDivElement>) => {
    const uuid = rowOf(event);
    const vm = rows.find((v) => v.uuid === uuid);
    if (vm) onCommand('console', [vm]);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 300) / ROW_HEIGHT) - 1);
    const move = (to: string | null) => {
      if (!to) return;
      onSelection(moveTo(selection, order, to, { extend: event.shiftKey, keep: event.ctrlKey || event.metaKey }));
      scrollIntoView(order.indexOf(to));
    };
    const key = event.key;
    if (key === 'ArrowDown') move(neighbour(order, selection.focus, 1));
    else if (key === 'ArrowUp') move(neighbour(order, selection.focus, -1));
    else if (key === 'PageDown') move(neighbour(order, selection.focus, page));
    else if (key === 'PageUp') move(neighbour(order, selection.focus, -page));
    else if (key === 'Home') move(order[0] ?? null);
    else if (key === 'End') move(order.at(-1) ?? null);
    else if ((event.ctrlKey || event.metaKey) && key.toLowerCase() === 'a') onSelection(selectAll(order, selection));
    else if (key === ' ' && (event.ctrlKey || event.metaKey)) onSelection(toggleFocused(selection));
    else if (key === ' ') {
      if (selection.focus) onSelection({ selected: new Set([selection.focus]), anchor: selection.focus, focus: selection.focus });
    } else if (key === 'Escape') onSelection({ ...selection, selected: new Set() });
    else if (key === 'ContextMenu' || (key === 'F10' && event.shiftKey)) {
      const element = selection.focus ? document.getElementById(rowId(connectionId, selection.focus)) : null;
      const box = (element ?? scroller.current)?.getBoundingClientRect();
      if (box) onContextMenu({ x: box.left + 40, y: box.top + ROW_HEIGHT });
    } else {
      const vms = selectedVms();
      const command = commandForKey(event, vms);
      if (!command) return;
      onCommand(command.id, vms);
    }
    event.preventDefault();
  };

  const template = columnTemplate(columns);
  const header = (id: SortColumn, label: string) => {
    const active = sort.column === id;
    return (
      <div role="columnheader" key={id} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'} className="vm-header-cell">
        <button type="button" onClick={() => onSort(id)} data-testid={`sort-${id}`}>
          {label}
          <span className="sort-mark" aria-hidden="true">{active ? (sort.descending ? '▼' : '▲') : ''}</span>
        </button>
      </div>
    );
  };

  const visible = rows.slice(view.start, view.end);
  const focusedRendered = focusIndex >= view.start && focusIndex < view.end;

  return (
    <div
      ref={scroller}
      className="vm-list"
      role="grid"
      aria-label="Virtual machines"
      aria-multiselectable="true"
      aria-rowcount={rows.length + 1}
      aria-colcount={2 + columns.length}
      aria-activedescendant={focusedRendered && selection.focus ? rowId(connectionId, selection.focus) : undefined}
      tabIndex={0}
      data-testid="vm-list"
      data-loaded={loaded ? 'true' : 'false'}
      data-vm-count={totalCount}
      data-row-count={rows.length}
      data-selected-count={selection.selected.size}
      style={{ '--vm-columns': template } as CSSProperties}
      onKeyDown={onKeyDown}
      onMouseDown={onMouseDown}
      onContextMenu={onRightClick}
      onDoubleClick={onDoubleClick}
    >
      <div role="row" aria-rowindex={1} className="vm-header">
        {header('name', 'Name')}
        {header('state', 'State')}
        {columns.map((id) => header(id, STATS_COLUMNS.find((c) => c.id === id)!.label))}
      </div>
      {loaded && rows.length === 0 && (
        <p className="empty" role="presentation">
          {filtered && totalCount > 0 ? 'No virtual machine matches the filter.' : 'No virtual machines on this connection.'}
        </p>
      )}
      <div className="vm-rows" role="presentation" style={{ height: view.totalHeight }}>
        {visible.map((vm, i) => (
          <VmRow
            key={vm.uuid}
            vm={vm}
            index={view.start + i}
            connectionId={connectionId}
            selected={selection.selected.has(vm.uuid)}
            focused={selection.focus === vm.uuid}
            columns={columns}
          />
        ))}
      </div>
    </div>
  );
}
