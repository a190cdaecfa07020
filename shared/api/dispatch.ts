// Transport-neutral entry into the backend: both bridges hand every call here, so no handler
// ever runs on params that the contract's schema did not accept.
import type { ApiError } from '../models/error.js';
import {
  type ApiHandlers,
  type ApiStreamHandlers,
  type CallContext,
  type StreamHandle,
  type StreamSink,
  contract,
  isMethodName,
  isStreamName,
} from './contract.js';
import { invalidInput, toApiError } from './errors.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ApiError };

// Handlers are typed per method; once the name and params are checked, one call signature fits all.
type AnyHandler = (params: unknown, context: CallContext) => Promise<unknown>;
type AnyStreamHandler = (params: unknown, toClient: StreamSink, context: CallContext) => Promise<StreamHandle>;

const failure = (error: ApiError): { ok: false; error: ApiError } => ({ ok: false, error });

/** Validates `params` against the contract, then runs the handler; never throws. Absent params count as {}. */
export async function dispatch(handlers: ApiHandlers, method: string, params: unknown, context: CallContext): Promise<Outcome<unknown>> {
  if (!isMethodName(method)) return failure({ code: 'unknown-method', message: `No API method named ${JSON.stringify(method)}` });
  const parsed = contract.methods[method].input.safeParse(params ?? {});
  if (!parsed.success) return failure(invalidInput(method, parsed.error));
  try {
    const handler = handlers[method] as AnyHandler;
    return { ok: true, value: await handler(parsed.data, context) };
  } catch (e) {
    return failure(toApiError(e));
  }
}

/** Same as dispatch for byte streams; a declared channel without a handler yet fails with 'not-implemented'. */
export async function dispatchStream(
  handlers: Partial<ApiStreamHandlers>,
  channel: string,
  params: unknown,
  toClient: StreamSink,
  context: CallContext,
): Promise<Outcome<StreamHandle>> {
  if (!isStreamName(channel)) return failure({ code: 'unknown-method', message: `No stream channel named ${JSON.stringify(channel)}` });
  const parsed = contract.streams[channel].input.safeParse(params ?? {});
  if (!parsed.success) return failure(invalidInput(channel, parsed.error));
  const handler = handlers[channel] as AnyStreamHandler | undefined;
  if (!handler) return failure({ code: 'not-implemented', message: `Stream channel ${channel} is not implemented yet` });
  try {
    return { ok: true, value: await handler(parsed.data, toClient, context) };
  } catch (e) {
    return failure(toApiError(e));
  }
}
