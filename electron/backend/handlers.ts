// The backend side of every contract method. Params arrive validated by dispatch; domain
// actions only ask libvirt, the resulting state reaches clients through lifecycle events.
import type { ConnectionHandle, NativeBinding } from '../../native/index.js';
import type { ApiHandlers } from '../../shared/api/contract.js';
import type { HostAcceleration, HostSummary } from '../../shared/models/host.js';
import { type ConnectionManager, isLocalUri } from './connection-manager.js';
import type { ConsoleService } from './consoles.js';
import type { DomainConfigService } from './domain-config.js';
import { DomainCloner } from './domain-clone.js';
import { DomainDeleter } from './domain-delete.js';
import { validateDomainXml } from './domain-validate.js';
import type { DomainService } from './domain-service.js';
import { probeAcceleration } from './host/acceleration.js';
import type { HostResourceService } from './host-resources.js';
import type { SnapshotService } from './snapshots.js';
import type { StatsService } from './stats-service.js';
import type { WizardService } from './wizard.js';

export interface Services {
  binding: NativeBinding;
  connections: ConnectionManager;
  domains: DomainService;
  stats: StatsService;
  consoles: ConsoleService;
  /** The VM window's Details tab. */
  details: DomainConfigService;
  /** The New VM wizard. */
  wizard: WizardService;
  /** The VM window's Snapshots tab. */
  snapshots: SnapshotService;
  /** The Connection details dialog: networks, pools, volumes. */
  hostResources: HostResourceService;
}

/** The host part of a connection's summary: connectInfo + nodeInfo + capabilities → acceleration. */
export async function hostSummary(lv: NativeBinding, connectionId: string, uri: string, conn: ConnectionHandle): Promise<HostSummary> {
  const [info, node, capabilities] = await Promise.all([lv.connectInfo(conn), lv.nodeInfo(conn), lv.getCapabilities(conn)]);
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
    acceleration: await acceleration(uri, info.hypervisor, capabilities),
  };
}

async function acceleration(uri: string, hypervisor: string, capabilitiesXml: string): Promise<HostAcceleration> {
  // Hardware virtualisation is a QEMU/KVM question; the test driver, LXC... have none to offer.
  if (!/^qemu$/i.test(hypervisor)) {
    return {
      usable: false,
      checkedBy: 'not-applicable',
      cpuExtension: null,
      kvmDevice: 'unknown',
      libvirtOffersKvm: false,
      explanation:
        hypervisor.toLowerCase() === 'test'
          ? "libvirt's test driver simulates its VMs: no hardware acceleration is involved."
          : `The ${hypervisor} driver does not use KVM hardware acceleration.`,
    };
  }
  // The host's CPU flags and /dev/kvm can only be read for this machine's own daemon.
  const local = isLocalUri(uri);
  const report = await probeAcceleration({ capabilitiesXml, ...(local && { local: {} }) });
  if (local) return { ...report, checkedBy: 'local' };
  return {
    ...report,
    checkedBy: 'remote',
    explanation: `${report.explanation} (Seen in libvirt's capabilities only: a remote host's CPU flags and /dev/kvm cannot be checked from here.)`,
  };
}

export function createHandlers({ binding: lv, connections, domains, stats, consoles, details, wizard, snapshots, hostResources: resources }: Services): ApiHandlers {
  /**
   * Runs a libvirt call on a connected connection's handle. A failure that turns out to be a
   * dead connection also starts the reconnect (the caller still gets libvirt's error).
   */
  const on = async <T>(connectionId: string, call: (conn: ConnectionHandle) => Promise<T>): Promise<T> => {
    const handle = connections.requireHandle(connectionId);
    try {
      return await call(handle);
    } catch (e) {
      await connections.noticeFailure(connectionId, handle, e);
      throw e;
    }
  };
  const deleter = new DomainDeleter(lv);
  const cloner = new DomainCloner(lv);

  return {
    'app.launchInfo': async () => ({ initialConnectionId: connections.initialConnectionId }),

    'connections.list': async () => connections.list(),
    'connections.add': (request) => connections.add(request),
    'connections.remove': ({ connectionId }) => connections.remove(connectionId),
    'connections.connect': ({ connectionId }) => connections.connect(connectionId),
    'connections.disconnect': ({ connectionId }) => connections.disconnect(connectionId),
    'connections.hostSummary': ({ connectionId }) => on(connectionId, (conn) => hostSummary(lv, connectionId, connections.info(connectionId).uri, conn)),

    'domains.list': ({ connectionId }) => on(connectionId, () => domains.list(connectionId)),
    'domains.start': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainCreate(conn, uuid, options)),
    'domains.shutdown': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainShutdown(conn, uuid, options)),
    'domains.reboot': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainReboot(conn, uuid, options)),
    'domains.reset': ({ connectionId, uuid }) => on(connectionId, (conn) => lv.domainReset(conn, uuid)),
    'domains.destroy': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainDestroy(conn, uuid, options)),
    'domains.suspend': ({ connectionId, uuid }) => on(connectionId, (conn) => lv.domainSuspend(conn, uuid)),
    'domains.resume': ({ connectionId, uuid }) => on(connectionId, (conn) => lv.domainResume(conn, uuid)),
    'domains.managedSave': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainManagedSave(conn, uuid, options)),
    'domains.delete': ({ connectionId, uuid, ...request }) => on(connectionId, (conn) => deleter.delete(conn, uuid, request)),
    'domains.deletePlan': ({ connectionId, uuid }) => on(connectionId, (conn) => deleter.plan(connectionId, conn, uuid)),
    'domains.clonePlan': ({ connectionId, uuid, name }) => on(connectionId, (conn) => cloner.plan(connectionId, conn, uuid, name)),
    'domains.clone': (params) => on(params.connectionId, (conn) => cloner.clone(params.connectionId, conn, params)),
    'domains.getXml': ({ connectionId, uuid, ...options }) => on(connectionId, (conn) => lv.domainGetXML(conn, uuid, options)),

    'stats.getConfig': async () => stats.config(),
    'stats.setConfig': async (config) => stats.setConfig(config),
    'stats.watch': async ({ connectionId }, { sessionId }) => {
      connections.info(connectionId); // fails with 'not-found' for an unknown id
      stats.watch(sessionId, connectionId);
    },
    'stats.unwatch': async ({ connectionId }, { sessionId }) => stats.unwatch(sessionId, connectionId),

    'consoles.info': (params) => consoles.info(params),
    'consoles.screenshot': (params) => consoles.screenshot(params),
    'consoles.sendKeys': (params) => consoles.sendKeys(params),
    'consoles.openExternalViewer': (params) => consoles.openExternalViewer(params),

    'details.get': (params) => on(params.connectionId, () => details.get(params)),
    'details.apply': (params) => on(params.connectionId, () => details.apply(params)),
    'details.warnings': (params) => on(params.connectionId, () => details.warnings(params)),
    'details.validate': async ({ connectionId, xml }) => {
      connections.info(connectionId); // fails with 'not-found' for an unknown id
      return validateDomainXml(lv, xml);
    },
    'details.hostResources': (params) => on(params.connectionId, () => details.hostResources(params)),
    'details.addresses': (params) => on(params.connectionId, () => details.addresses(params)),
    'details.diskCapacity': (params) => on(params.connectionId, () => details.diskCapacity(params)),
    'details.resizeDisk': (params) => on(params.connectionId, () => details.resizeDisk(params)),
    'details.createVolume': (params) => on(params.connectionId, () => details.createVolume(params)),

    'networks.list': ({ connectionId }) => on(connectionId, (conn) => resources.networks(conn)),
    'networks.create': (params) => on(params.connectionId, (conn) => resources.createNetwork(conn, params)),
    'networks.start': (params) => on(params.connectionId, (conn) => resources.networkAction(conn, 'start', params)),
    'networks.stop': (params) => on(params.connectionId, (conn) => resources.networkAction(conn, 'stop', params)),
    'networks.delete': (params) => on(params.connectionId, (conn) => resources.networkAction(conn, 'delete', params)),
    'networks.setAutostart': (params) => on(params.connectionId, (conn) => resources.setNetworkAutostart(conn, params)),
    'pools.list': ({ connectionId }) => on(connectionId, (conn) => resources.pools(conn)),
    'pools.create': (params) => on(params.connectionId, (conn) => resources.createPool(conn, params)),
    'pools.start': (params) => on(params.connectionId, (conn) => resources.poolAction(conn, 'start', params)),
    'pools.stop': (params) => on(params.connectionId, (conn) => resources.poolAction(conn, 'stop', params)),
    'pools.delete': (params) => on(params.connectionId, (conn) => resources.poolAction(conn, 'delete', params)),
    'pools.setAutostart': (params) => on(params.connectionId, (conn) => resources.setPoolAutostart(conn, params)),
    'volumes.delete': (params) => on(params.connectionId, (conn) => resources.deleteVolume(conn, params)),

    'snapshots.list': ({ connectionId, uuid }) => on(connectionId, (conn) => snapshots.list(conn, uuid)),
    'snapshots.create': (params) => on(params.connectionId, (conn) => snapshots.create(conn, params)),
    'snapshots.revert': (params) => on(params.connectionId, (conn) => snapshots.revert(conn, params)),
    'snapshots.delete': (params) => on(params.connectionId, (conn) => snapshots.delete(conn, params)),

    ...wizard.handlers(),
  };
}
