// The backend against libvirt's test driver (the Demo connection), through the same
// ApiSession both shells use.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../shared/api/contract.js';
import type { Outcome } from '../../shared/api/dispatch.js';
import type { VmListChange } from '../../shared/models/vm.js';
import { type Backend, createBackend } from './backend.js';
import { ApiSession } from './session.js';
import { countingBinding, waitForEvent } from '../test/backend-harness.js';

const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';
const vm = { connectionId: 'demo', uuid: TEST_UUID };


let configHome: string;
let backend: Backend;
let session: ApiSession;
let calls: string[];
const events: EventMessage[] = [];
const previousXdg = process.env.XDG_CONFIG_HOME;

beforeAll(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'vireo-xdg-'));
  process.env.XDG_CONFIG_HOME = configHome;
  const counting = countingBinding();
  calls = counting.calls;
  backend = createBackend({ binding: counting.binding, detected: [], domainEventBatchMs: 10 });
  session = new ApiSession(backend, (message) => events.push(message));
  await backend.start();
});

afterAll(async () => {
  session.dispose();
  await backend.dispose();
  process.env.XDG_CONFIG_HOME = previousXdg;
  await rm(configHome, { recursive: true, force: true });
});

async function call(method: string, params?: unknown): Promise<unknown> {
  const outcome: Outcome<unknown> = await session.call(method, params);
  if (!outcome.ok) throw new Error(`${method}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value;
}

/** Waits for the first event matching `where` that arrives from now on. */
const nextEvent = <M extends EventMessage>(where: (m: EventMessage) => m is M, timeoutMs = 5000): Promise<M> => waitForEvent(events, where, { timeoutMs });

const stateChangeOfTest = (state: string) => (m: EventMessage): m is { event: 'domains.changed'; payload: VmListChange } =>
  m.event === 'domains.changed' && m.payload.upserted.some((v) => v.uuid === TEST_UUID && v.state === state);

describe('backend on the Demo connection (test:///default)', () => {
  it('autoconnects Demo and lists its "test" domain as running', async () => {
    const { items } = (await call('connections.list')) as { items: { id: string; state: string }[] };
    expect(items.find((c) => c.id === 'demo')?.state).toBe('connected');
    const list = (await call('domains.list', { connectionId: 'demo' })) as { version: number; items: unknown[] };
    expect(list.items).toContainEqual({ connectionId: 'demo', uuid: TEST_UUID, name: 'test', id: 1, state: 'running', stateReason: 'unknown', hasManagedSave: false });
  });

  it('announced the list on connect with a reset event', () => {
    const reset = events.find((m) => m.event === 'domains.changed' && m.payload.reset && m.payload.upserted.length > 0);
    expect(reset?.payload).toMatchObject({ connectionId: 'demo', upserted: [{ name: 'test', state: 'running' }] });
  });

  it('turns lifecycle events into VM rows: suspend, resume, destroy, start', async () => {
    for (const [method, state, reason] of [
      ['domains.suspend', 'paused', 'user'],
      ['domains.resume', 'running', 'unpaused'],
      ['domains.destroy', 'shutoff', 'destroyed'],
      ['domains.start', 'running', 'booted'],
    ] as const) {
      const changed = nextEvent(stateChangeOfTest(state));
      await call(method, vm);
      const { payload } = await changed;
      expect(payload.upserted.find((v) => v.uuid === TEST_UUID)).toMatchObject({ state, stateReason: reason });
      expect(((await call('domains.list', { connectionId: 'demo' })) as { items: { state: string }[] }).items[0]?.state).toBe(state);
    }
  });

  it('reads no state by polling: only the events trigger state reads', async () => {
    const before = calls.filter((c) => c === 'getAllDomainStats').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(calls.filter((c) => c === 'getAllDomainStats').length).toBe(before);
  });

  it('maps libvirt failures to their VIR_ERR code', async () => {
    const outcome = await session.call('domains.suspend', { connectionId: 'demo', uuid: '00000000-0000-0000-0000-000000000000' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'VIR_ERR_NO_DOMAIN', libvirt: { virCode: 42, virDomainName: 'VIR_FROM_TEST' } } });
  });

  it('rejects invalid input without calling libvirt', async () => {
    const before = calls.length;
    const outcome = await session.call('domains.destroy', { connectionId: 'demo', uuid: 'test; rm -rf /' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: ['uuid'] }] } });
    expect(await session.call('domains.getXml', { connectionId: 'demo', uuid: TEST_UUID, inactive: 'yes' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(calls.length).toBe(before);
  });

  it('returns the domain XML and the host summary', async () => {
    expect(await call('domains.getXml', vm)).toMatch(/<name>test<\/name>/);
    expect(await call('connections.hostSummary', { connectionId: 'demo' })).toMatchObject({ hypervisor: 'TEST', cpus: expect.any(Number) });
  });

  it('samples stats only while someone watches', async () => {
    expect(await call('stats.setConfig', { intervalMs: 1000 })).toEqual({ intervalMs: 1000 });
    const tick = nextEvent((m): m is Extract<EventMessage, { event: 'stats.tick' }> => m.event === 'stats.tick');
    await call('stats.watch', { connectionId: 'demo' });
    expect((await tick).payload).toMatchObject({ connectionId: 'demo', intervalMs: 1000, vms: { [TEST_UUID]: expect.any(Object) } });
    await call('stats.unwatch', { connectionId: 'demo' });
    await backend.stats.settled();
    const count = events.filter((m) => m.event === 'stats.tick').length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(events.filter((m) => m.event === 'stats.tick').length).toBe(count);
  });

  it('persists added connections under $XDG_CONFIG_HOME/vireo', async () => {
    const added = (await call('connections.add', { uri: 'qemu+ssh://root@example.invalid/system' })) as { id: string };
    const file = JSON.parse(await readFile(join(configHome, 'vireo', 'connections.json'), 'utf8'));
    expect(file.connections).toEqual([{ id: added.id, uri: 'qemu+ssh://root@example.invalid/system', name: 'QEMU/KVM on example.invalid', autoconnect: false }]);
    await call('connections.remove', { connectionId: added.id });
  });

  it('empties the VM list when disconnecting, and reloads it on reconnect', async () => {
    const emptied = nextEvent((m): m is { event: 'domains.changed'; payload: VmListChange } => m.event === 'domains.changed' && m.payload.reset && m.payload.upserted.length === 0);
    await call('connections.disconnect', { connectionId: 'demo' });
    await emptied;
    expect(await session.call('domains.list', { connectionId: 'demo' })).toMatchObject({ ok: false, error: { code: 'not-connected' } });
    const reloaded = nextEvent((m): m is { event: 'domains.changed'; payload: VmListChange } => m.event === 'domains.changed' && m.payload.reset && m.payload.upserted.length > 0);
    await call('connections.connect', { connectionId: 'demo' });
    expect((await reloaded).payload.upserted.map((v) => v.name)).toContain('test');
  });
});
