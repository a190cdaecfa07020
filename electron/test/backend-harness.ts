// A backend with one client session, for the manager window's integration tests: calls that
// throw on failure, the events the session received, waiting for one, counting libvirt calls.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NativeBinding, loadBinding } from '../../native/index.js';
import type { ApiEvents, EventMessage, MethodName, MethodParams, MethodResult } from '../../shared/api/contract.js';
import type { ApiError } from '../../shared/models/error.js';
import { type Backend, type BackendOptions, createBackend } from '../backend/backend.js';
import { ApiSession } from '../backend/session.js';

export class CallFailed extends Error {
  constructor(
    readonly method: string,
    readonly error: ApiError,
  ) {
    super(`${method}: ${error.code} ${error.message}`);
  }
}

export interface Harness {
  backend: Backend;
  session: ApiSession;
  events: EventMessage[];
  /** libvirt calls made through the binding, by name, in order. */
  calls: string[];
  /** Their arguments, at the same positions. */
  callArgs: unknown[][];
  configDir: string;
  call<M extends MethodName>(method: M, params?: MethodParams<M>): Promise<MethodResult<M>>;
  /** The first event from now on (or already received when `since` is given) that matches. */
  nextEvent<M extends EventMessage>(where: (m: EventMessage) => m is M, options?: { timeoutMs?: number; since?: number }): Promise<M>;
  dispose(): Promise<void>;
}

/** The real binding (or `base`), counting the calls made through it. */
export function countingBinding(base: NativeBinding = loadBinding()): { binding: NativeBinding; calls: string[]; callArgs: unknown[][] } {
  const calls: string[] = [];
  const callArgs: unknown[][] = [];
  const binding = new Proxy(base, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        callArgs.push(args);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { binding, calls, callArgs };
}

export async function startHarness(options: Omit<BackendOptions, 'binding' | 'configDir'> & { binding?: NativeBinding } = {}): Promise<Harness> {
  const configDir = await mkdtemp(join(tmpdir(), 'vireo-manager-'));
  const counting = countingBinding(options.binding);
  const backend = createBackend({ detected: [], domainEventBatchMs: 10, ...options, binding: counting.binding, configDir });
  const events: EventMessage[] = [];
  const session = new ApiSession(backend, (message) => events.push(message));
  await backend.start();
  return {
    backend,
    session,
    events,
    calls: counting.calls,
    callArgs: counting.callArgs,
    configDir,
    async call(method, params) {
      const outcome = await session.call(method, params);
      if (!outcome.ok) throw new CallFailed(method, outcome.error);
      return outcome.value as never;
    },
    nextEvent: (where, wait) => waitForEvent(events, where, wait),
    async dispose() {
      session.dispose();
      await backend.dispose();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

/** The first event of `events` (a session's, growing) from `since` on that matches; rejects after `timeoutMs`. */
export function waitForEvent<M extends EventMessage>(events: readonly EventMessage[], where: (m: EventMessage) => m is M, { timeoutMs = 10_000, since = events.length } = {}): Promise<M> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const found = events.slice(since).find(where);
      if (found || Date.now() - started > timeoutMs) {
        clearInterval(poll);
        if (found) resolve(found);
        else reject(new Error(`no matching event within ${timeoutMs} ms`));
      }
    }, 5);
  });
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const isEvent =
  <E extends EventMessage['event']>(event: E, where: (payload: ApiEvents[E]) => boolean = () => true) =>
  (m: EventMessage): m is Extract<EventMessage, { event: E }> =>
    m.event === event && where(m.payload as ApiEvents[E]);
