// The backend side of every contract method. Params arrive validated by dispatch; domain
// actions only ask libvirt, the resulting state reaches clients through lifecycle events.
import type { ConnectionHandle, NativeBinding } from '../../native/index.js';
import type { ApiHandlers } from '../../shared/api/contract.js';
import type { ConnectionManager } from './connection-manager.js';
import type { DomainService } from './domain-service.js';
import type { StatsService } from './stats-service.js';

export interface Services {
  binding: NativeBinding;
  connections: ConnectionManager;
  domains: DomainService;
  stats: StatsService;
}

export function createHandlers({ binding: lv, connections, domains, stats }: Services): ApiHandlers {
  /** Runs a libvirt call on a connected connection's handle. */
  const on = <T>(connectionId: string, call: (conn: ConnectionHandle) => Promise<T>): Promise<T> => call(connections.requireHandle(connectionId));

  return {
    'app.launchInfo': async () => ({ initialConnectionId: connections.initialConnectionId }),

    'connections.list': async () => connections.list(),
    'connections.add': (request) => connections.add(request),
    'connections.remove': ({ connectionId }) => connections.remove(connectionId),
    'connections.connect': ({ connectionId }) => connections.connect(connectionId),
    'connections.disconnect': ({ connectionId }) => connections.disconnect(connectionId),
    'connections.hostSummary': ({ connectionId }) =>
      on(connectionId, async (conn) => {
        const [info, node] = await Promise.all([lv.connectInfo(conn), lv.nodeInfo(conn)]);
        return {
          connectionId,
          uri: info.uri,
          hostname: info.hostname,
          hypervisor: info.hypervisor,
          hypervisorVersion: info.hypervisorVersion,
          libvirtVersion: info.libVersion,
          cpuModel: node.model,
          cpus: node.cpus,
          cpuMhz: node.mhz,
          memoryKiB: node.memoryKiB,
          freeMemoryBytes: node.freeMemoryBytes,
          encrypted: info.encrypted,
          secure: info.secure,
        };
      }),

    'domains.list': ({ connectionId }) => on(connectionId, () => domains.list(connectionId)),
    'domains.start': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainCreate(conn, uuid, options)),
    'domains.shutdown': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainShutdown(conn, uuid, options)),
    'domains.reboot': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainReboot(conn, uuid, options)),
    'domains.reset': ({ connectionId, uuid }) => on(connectionId, (conn) => lv.domainReset(conn, uuid)),
    'domains.destroy': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainDestroy(conn, uuid, options)),
    'domains.suspend': ({ connectionId, uuid }) => on(connectionId, (conn) => lv.domainSuspend(conn, uuid)),
    'domains.resume': ({ connectionId, uuid }) => on(connectionId, (conn) => lv.domainResume(conn, uuid)),
    'domains.managedSave': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainManagedSave(conn, uuid, options)),
    'domains.delete': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainUndefine(conn, uuid, options)),
    'domains.getXml': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainGetXML(conn, uuid, options)),

    'stats.getConfig': async () => stats.config(),
    'stats.setConfig': async (config) => stats.setConfig(config),
    'stats.watch': async ({ connectionId }, { sessionId }) => {
      connections.info(connectionId); // fails with 'not-found' for an unknown id
      stats.watch(sessionId, connectionId);
    },
    'stats.unwatch': async ({ connectionId }, { sessionId }) => stats.unwatch(sessionId, connectionId),
  };
}
