import type { VireoBridge } from '../../shared/api/bridge.js';
import type { ApiClient } from '../../shared/api/contract.js';
import type { Outcome } from '../../shared/api/dispatch.js';
import { ApiCallError } from '../../shared/api/errors.js';

const unwrap = <T>(outcome: Outcome<T>): T => {
  if (outcome.ok) return outcome.value;
  throw new ApiCallError(outcome.error);
};

/** ApiClient over the preload's window.vireo. */
export function createElectronClient(bridge: VireoBridge): ApiClient {
  return {
    call: async (method, ...[params]) => unwrap(await bridge.call(method, params)),
    on: (event, listener) => bridge.on(event, listener),
    openStream: async (channel, params, sink) => unwrap(await bridge.openStream(channel, params, sink)),
  };
}
