// Assembles the backend from its services. Both shells (Electron, browser) create one Backend
// and talk to it only through ApiSession; nothing here imports electron.
import { type NativeBinding, loadBinding } from '../../native/index.js';
import type { ApiHandlers, ApiStreamHandlers } from '../../shared/api/contract.js';
import { ConnectionManager, type ReconnectPolicy, detectLocalDaemons } from './connection-manager.js';
import { ConnectionStore, defaultConfigDir } from './connection-store.js';
import { ConsoleService } from './consoles.js';
import { DomainConfigService } from './domain-config.js';
import { HostResourceService } from './host-resources.js';
import { SnapshotService } from './snapshots.js';
import { DomainService } from './domain-service.js';
import { EventBus } from './event-bus.js';
import { PreferencesStore } from './preferences-store.js';
import { createHandlers } from './handlers.js';
import { StatsService } from './stats-service.js';
import { WizardService } from './wizard.js';

export interface BackendOptions {
  /** Defaults to the built binding (loadBinding). */
  binding?: NativeBinding;
  /** Where connections.json lives; defaults to $XDG_CONFIG_HOME/vireo. */
  configDir?: string;
  /** --connect URI. */
  launchUri?: string | undefined;
  /** Local daemons to offer; defaults to those whose socket exists. */
  detected?: { id: string; uri: string; name: string }[];
  reconnect?: ReconnectPolicy;
  domainEventBatchMs?: number;
  /** The external viewer for SPICE consoles (default remote-viewer, or $VIREO_REMOTE_VIEWER). */
  externalViewer?: string;
}

export interface Backend {
  readonly handlers: ApiHandlers;
  /** Declared channels without an implementation yet answer 'not-implemented'. */
  readonly streams: Partial<ApiStreamHandlers>;
  readonly events: EventBus;
  readonly connections: ConnectionManager;
  readonly stats: StatsService;
  /** Loads persisted connections and autoconnects; resolves once every attempt settled. */
  start(): Promise<void>;
  /** A client session ended: release what it held. */
  endSession(sessionId: string): void;
  dispose(): Promise<void>;
}

export function createBackend(options: BackendOptions = {}): Backend {
  const binding = options.binding ?? loadBinding();
  const events = new EventBus();
  const connections = new ConnectionManager({
    binding,
    events,
    store: new ConnectionStore(options.configDir ?? defaultConfigDir()),
    launchUri: options.launchUri,
    detected: options.detected ?? detectLocalDaemons(),
    ...(options.reconnect && { reconnect: options.reconnect }),
  });
  const domains = new DomainService({ binding, connections, events, ...(options.domainEventBatchMs !== undefined && { batchWindowMs: options.domainEventBatchMs }) });
  const preferences = new PreferencesStore(options.configDir ?? defaultConfigDir());
  const stats = new StatsService({
    binding,
    connections,
    events,
    onConfigChange: (config) => void preferences.save({ statsIntervalMs: config.intervalMs }).catch((e: unknown) => console.warn(`Vireo: saving ${preferences.file} failed: ${(e as Error).message}`)),
  });
  const consoles = new ConsoleService({ binding, connections, ...(options.externalViewer !== undefined && { externalViewer: options.externalViewer }) });
  const details = new DomainConfigService({ binding, connections, events });
  const wizard = new WizardService({ binding, connections, events, configDir: options.configDir ?? defaultConfigDir() });
  const snapshots = new SnapshotService(binding, events);
  const hostResources = new HostResourceService(binding, events);
  return {
    handlers: createHandlers({ binding, connections, domains, stats, consoles, details, wizard, snapshots, hostResources }),
    streams: {
      'console.serial': (params, toClient) => consoles.openSerial(params, toClient),
      'console.graphics': (params, toClient) => consoles.openGraphics(params, toClient),
    },
    events,
    connections,
    stats,
    async start() {
      stats.useSaved({ intervalMs: (await preferences.load()).statsIntervalMs });
      await connections.start();
    },
    endSession: (sessionId) => stats.forgetWatcher(sessionId),
    async dispose() {
      consoles.dispose();
      stats.stop();
      await stats.settled();
      await connections.dispose();
    },
  };
}
