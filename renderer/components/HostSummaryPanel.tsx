// Per-connection host summary: hypervisor, libvirt version, CPUs, memory, and whether hardware
// acceleration works (and what to do when it does not).
import { useEffect } from 'react';
import type { ConnectionInfo } from '../../shared/models/connection.js';
import { useApi } from '../api/context.js';
import { bytes, kib, version } from '../format.js';
import { useHosts } from '../stores/hosts.js';

/** Asks for the summary whenever the connection (re)connects. */
export function useHostSummary(connection: ConnectionInfo | undefined): void {
  const client = useApi();
  const id = connection?.id;
  const connected = connection?.state === 'connected';
  useEffect(() => {
    if (!id) return;
    const hosts = useHosts.getState();
    if (!connected) {
      hosts.set(id, null);
      return;
    }
    let current = true;
    hosts.set(id, { status: 'loading' });
    client.call('connections.hostSummary', { connectionId: id }).then(
      (summary) => current && useHosts.getState().set(id, { status: 'ready', summary }),
      (e: unknown) => current && useHosts.getState().set(id, { status: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      current = false;
    };
  }, [client, id, connected]);
}

export function HostSummaryPanel({ connectionId }: { connectionId: string }) {
  const entry = useHosts((s) => s.hosts[connectionId]);
  if (!entry) return null;
  if (entry.status === 'loading') return <section className="host-summary" aria-label="Host" aria-busy="true">Reading the host…</section>;
  if (entry.status === 'failed') return <section className="host-summary" aria-label="Host">Could not read the host: {entry.message}</section>;
  const { summary } = entry;
  const accel = summary.acceleration;
  return (
    <section className="host-summary" aria-label="Host" data-testid="host-summary">
      <dl>
        <div>
          <dt>Hypervisor</dt>
          <dd data-testid="host-hypervisor">
            {summary.hypervisor} {version(summary.hypervisorVersion)}
          </dd>
        </div>
        <div>
          <dt>libvirt</dt>
          <dd data-testid="host-libvirt">{version(summary.libvirtVersion)}</dd>
        </div>
        <div>
          <dt>Host</dt>
          <dd>{summary.hostname}</dd>
        </div>
        <div>
          <dt>CPUs</dt>
          <dd data-testid="host-cpus">
            {summary.cpus} × {summary.cpuModel}
            {summary.cpuMhz > 0 && ` @ ${summary.cpuMhz} MHz`}
          </dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd data-testid="host-memory">
            {kib(summary.memoryKiB)}
            {summary.freeMemoryBytes > 0 && ` (${bytes(summary.freeMemoryBytes)} free)`}
          </dd>
        </div>
        <div className="acceleration">
          <dt>Hardware acceleration</dt>
          <dd data-testid="host-acceleration" className={accel.usable ? 'ok' : accel.checkedBy === 'not-applicable' ? '' : 'warn'}>
            <strong>{accel.checkedBy === 'not-applicable' ? 'Not applicable' : accel.usable ? `KVM available${accel.cpuExtension ? ` (${accel.cpuExtension})` : ''}` : 'KVM not usable'}</strong>
            <span className="explanation"> {accel.explanation}</span>
          </dd>
        </div>
      </dl>
    </section>
  );
}
