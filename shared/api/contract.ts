// The one API contract between the renderer and the backend. Both bridges (Electron IPC and the
// browser shell's WebSocket) and both ends (ApiClient in the renderer, ApiHandlers in the backend)
// are derived from this object: adding a method here is the only step that makes it callable,
// and the backend's handler table stops compiling until the method is implemented.
import { z } from 'zod';
import type { ConnectionInfo, ConnectionListChange, LaunchInfo } from '../models/connection.js';
import type { ApiError } from '../models/error.js';
import type { HostSummary } from '../models/host.js';
import type { ListSnapshot } from '../models/list.js';
import { STATS_INTERVAL_LIMITS_MS, type StatsConfig, type StatsTick } from '../models/stats.js';
import type { VmListChange, VmSummary } from '../models/vm.js';

declare const phantom: unique symbol;
/** Carries a type through the contract object without a value at run time. */
export interface Phantom<T> {
  readonly [phantom]?: T;
}
const phantomOf = <T>(): Phantom<T> => ({});

export interface MethodSpec<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  readonly output: Phantom<O>;
}
export interface EventSpec<P = unknown> {
  readonly payload: Phantom<P>;
}
/** A byte stream (consoles, later volume transfers): opened with validated params, then raw bytes both ways. */
export interface StreamSpec<I extends z.ZodType = z.ZodType> {
  readonly input: I;
}

const method = <O>() => <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input, output: phantomOf<O>() });
const event = <P>(): EventSpec<P> => ({ payload: phantomOf<P>() });
const stream = <I extends z.ZodType>(input: I): StreamSpec<I> => ({ input });

// ---- field schemas, with the messages a caller sees in 'invalid-input' issues

const connectionId = z
  .string({ error: 'connectionId must be a string' })
  .min(1, 'connectionId must not be empty')
  .max(200, 'connectionId is too long');

// libvirt prints UUIDs as 8-4-4-4-12 hex digits; not every one is an RFC 4122 UUID (the test driver's isn't).
const uuid = z
  .string({ error: 'uuid must be a string' })
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'uuid must look like 6695eb01-f6a4-8304-79aa-97f2502e193f');

const libvirtUri = z
  .string({ error: 'uri must be a string' })
  .trim()
  .min(1, 'uri must not be empty')
  .max(2048, 'uri is too long')
  .regex(/^[a-z][a-z0-9+.-]*:\/\/[^\s]*$/i, 'uri must be a libvirt URI such as qemu:///system or qemu+ssh://user@host/system');

const noParams = z.strictObject({});
const connectionRef = z.strictObject({ connectionId });
const vmRef = z.strictObject({ connectionId, uuid });
const flag = z.boolean({ error: 'must be true or false' }).optional();

export const contract = {
  methods: {
    'app.launchInfo': method<LaunchInfo>()(noParams),

    'connections.list': method<ListSnapshot<ConnectionInfo>>()(noParams),
    'connections.add': method<ConnectionInfo>()(
      z.strictObject({
        uri: libvirtUri,
        name: z.string().trim().min(1, 'name must not be empty').max(80, 'name must be at most 80 characters').optional(),
        autoconnect: z.boolean({ error: 'autoconnect must be true or false' }).default(false),
      }),
    ),
    'connections.remove': method<void>()(connectionRef),
    'connections.connect': method<ConnectionInfo>()(connectionRef),
    'connections.disconnect': method<ConnectionInfo>()(connectionRef),
    'connections.hostSummary': method<HostSummary>()(connectionRef),

    /** The connection's whole VM list, inactive VMs included. */
    'domains.list': method<ListSnapshot<VmSummary>>()(connectionRef),
    // Lifecycle actions resolve once libvirt accepted them; the new state arrives as a 'domains.changed' event.
    'domains.start': method<void>()(vmRef.extend({ paused: flag, forceBoot: flag })),
    'domains.shutdown': method<void>()(vmRef.extend({ acpi: flag, agent: flag })),
    'domains.reboot': method<void>()(vmRef.extend({ acpi: flag, agent: flag })),
    'domains.reset': method<void>()(vmRef),
    'domains.destroy': method<void>()(vmRef.extend({ graceful: flag })),
    'domains.suspend': method<void>()(vmRef),
    'domains.resume': method<void>()(vmRef),
    'domains.managedSave': method<void>()(vmRef.extend({ running: flag, paused: flag, bypassCache: flag })),
    /** Undefines the VM (its disks stay); options say which attached metadata goes with it. */
    'domains.delete': method<void>()(
      vmRef.extend({ managedSave: flag, snapshotsMetadata: flag, checkpointsMetadata: flag, nvram: flag, keepNvram: flag, tpm: flag, keepTpm: flag }),
    ),
    'domains.getXml': method<string>()(vmRef.extend({ inactive: flag, secure: flag })),

    'stats.getConfig': method<StatsConfig>()(noParams),
    'stats.setConfig': method<StatsConfig>()(
      z.strictObject({
        intervalMs: z
          .number({ error: 'intervalMs must be a number' })
          .int('intervalMs must be a whole number of milliseconds')
          .min(STATS_INTERVAL_LIMITS_MS.min, `intervalMs must be at least ${STATS_INTERVAL_LIMITS_MS.min}`)
          .max(STATS_INTERVAL_LIMITS_MS.max, `intervalMs must be at most ${STATS_INTERVAL_LIMITS_MS.max}`),
      }),
    ),
    /** 'stats.tick' events flow for a connection while at least one client watches it. */
    'stats.watch': method<void>()(connectionRef),
    'stats.unwatch': method<void>()(connectionRef),
  },
  events: {
    'connections.changed': event<ConnectionListChange>(),
    'domains.changed': event<VmListChange>(),
    'stats.tick': event<StatsTick>(),
  },
  streams: {
    /** Serial/text console of a VM; device null: the first console. */
    'console.serial': stream(vmRef.extend({ device: z.string().min(1, 'device must not be empty').nullable().default(null) })),
    /** Raw VNC/SPICE bytes of a VM's graphics device `index`. */
    'console.graphics': stream(vmRef.extend({ index: z.number().int().min(0, 'index must be 0 or more').default(0) })),
  },
} as const;

// ---- types derived from the contract

type Methods = typeof contract.methods;
type Events = typeof contract.events;
type Streams = typeof contract.streams;

export type MethodName = keyof Methods;
export type EventName = keyof Events;
export type StreamName = keyof Streams;

/** What a caller passes (defaults not applied yet). */
export type MethodParams<M extends MethodName> = z.input<Methods[M]['input']>;
/** What a handler receives: validated, defaults applied. */
export type ValidParams<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodResult<M extends MethodName> = Methods[M]['output'] extends Phantom<infer O> ? O : never;
export type StreamParams<S extends StreamName> = z.input<Streams[S]['input']>;
export type ValidStreamParams<S extends StreamName> = z.output<Streams[S]['input']>;

export type ApiEvents = { [E in EventName]: Events[E]['payload'] extends Phantom<infer P> ? P : never };
/** One event as it travels: name and payload. */
export type EventMessage = { [E in EventName]: { event: E; payload: ApiEvents[E] } }[EventName];

/** Params are optional for methods whose params are all optional. */
type ParamsArg<P> = Record<never, never> extends P ? [params?: P] : [params: P];

/** One side of a byte stream: what is written to it reaches the other end. */
export interface StreamSink {
  data(bytes: Uint8Array): void;
  /** The stream ended; error null for a clean end. */
  end(error: ApiError | null): void;
}
export interface StreamHandle {
  write(bytes: Uint8Array): void;
  close(): void;
}

/** The renderer's view of the backend, whatever the transport. */
export interface ApiClient {
  call<M extends MethodName>(method: M, ...params: ParamsArg<MethodParams<M>>): Promise<MethodResult<M>>;
  /** Returns the function that removes the listener. */
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  openStream<S extends StreamName>(channel: S, params: StreamParams<S>, sink: StreamSink): Promise<StreamHandle>;
}

/** Who is calling: one renderer window or one WebSocket. */
export interface CallContext {
  readonly sessionId: string;
}

export type ApiHandlers = {
  [M in MethodName]: (params: ValidParams<M>, context: CallContext) => Promise<MethodResult<M>>;
};

/** A stream handler gets the sink toward the client and returns the handle the client's bytes go to. */
export type ApiStreamHandlers = {
  [S in StreamName]: (params: ValidStreamParams<S>, toClient: StreamSink, context: CallContext) => Promise<StreamHandle>;
};

const isOwnKey = <T extends object>(table: T, key: string): key is Extract<keyof T, string> => Object.hasOwn(table, key);
export const isMethodName = (name: string): name is MethodName => isOwnKey(contract.methods, name);
export const isEventName = (name: string): name is EventName => isOwnKey(contract.events, name);
export const isStreamName = (name: string): name is StreamName => isOwnKey(contract.streams, name);
export const methodNames = Object.keys(contract.methods) as MethodName[];
export const eventNames = Object.keys(contract.events) as EventName[];
