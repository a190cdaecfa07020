// Plain table for now; kept to rows in, actions out so a virtualised list can replace it.
import type { VmStats } from '../../shared/models/stats.js';
import type { VmSummary } from '../../shared/models/vm.js';
import { type VmAction, actionsFor } from '../vm-actions.js';

export interface VmListProps {
  vms: VmSummary[];
  /** Keyed by VM uuid; absent while nobody samples. */
  stats: Record<string, VmStats> | undefined;
  onAction(vm: VmSummary, action: VmAction): void;
}

const percent = (value: number | null | undefined) => (value == null ? '–' : `${value.toFixed(0)} %`);
const mebibytes = (kib: number | undefined) => (kib ? `${Math.round(kib / 1024)} MiB` : '–');

export function VmList({ vms, stats, onAction }: VmListProps) {
  if (vms.length === 0) return <p className="empty">No virtual machines on this connection.</p>;
  return (
    <table className="vm-list">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">State</th>
          <th scope="col">CPU</th>
          <th scope="col">Memory</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {vms.map((vm) => (
          <tr key={vm.uuid} data-testid={`vm-row-${vm.name}`}>
            <th scope="row">{vm.name}</th>
            <td>
              <span className={`badge state-${vm.state}`} data-testid="vm-state" title={vm.stateReason}>
                {vm.state}
              </span>
            </td>
            <td>{percent(stats?.[vm.uuid]?.cpuPercent)}</td>
            <td>{mebibytes(stats?.[vm.uuid]?.memoryKiB)}</td>
            <td className="actions">
              {actionsFor(vm.state).map((action) => (
                <button key={action.method} type="button" onClick={() => onAction(vm, action)}>
                  {action.label}
                </button>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
