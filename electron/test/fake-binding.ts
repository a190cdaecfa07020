// A stand-in for the native binding where a test must control libvirt's answers and events
// (lost connections, failing opens); everything else runs against the real test driver.
import type { ConnectionHandle, NativeBinding, NativeEvent } from '../../native/index.js';

export interface FakeBinding {
  binding: NativeBinding;
  /** Fires a native event on the newest open connection to `uri`. */
  emit(uri: string, event: NativeEvent): void;
  /** Makes the next `count` opens of `uri` fail. */
  failOpens(uri: string, count: number): void;
  opens: string[];
}

export function fakeBinding(): FakeBinding {
  const listeners = new Map<string, (event: NativeEvent) => void>();
  const failures = new Map<string, number>();
  const opens: string[] = [];
  const binding = {
    libvirtVersion: 10_000_000,
    async open(uri: string) {
      opens.push(uri);
      const left = failures.get(uri) ?? 0;
      if (left > 0) {
        failures.set(uri, left - 1);
        throw Object.assign(new Error(`Failed to connect socket to '${uri}': Connection refused`), {
          code: 'VIR_ERR_SYSTEM_ERROR',
          virCode: 38,
          virDomainName: 'VIR_FROM_RPC',
        });
      }
      return { uri } as ConnectionHandle;
    },
    async close() {},
    async subscribeEvents(conn: ConnectionHandle, listener: (event: NativeEvent) => void) {
      listeners.set(conn.uri, listener);
    },
    async unsubscribeEvents() {},
    async getAllDomainStats() {
      return { length: 0, next: () => [] };
    },
  };
  return {
    binding: binding as unknown as NativeBinding,
    emit: (uri, event) => listeners.get(uri)?.(event),
    failOpens: (uri, count) => failures.set(uri, count),
    opens,
  };
}
