// libvirtd restarted while the manager is connected (`bash scripts/lab.sh restart`, guests keep
// running): the connection is reported lost, reconnects with backoff, and afterwards the VM
// list equals `virsh list --all` and events flow again. Runs in the 'daemon-restart' vitest
// project, after every other project: a restart drops every other test's connection.
// Needs `bash scripts/lab.sh start`; VIREO_NO_DAEMON=1 skips it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../native/index.js';
import type { ConnectionInfo } from '../../shared/models/connection.js';
import { type Harness, isEvent, startHarness, until } from '../test/backend-harness.js';
import { LAB_URI, VIRSH_STATE, noDaemon, removeGuests, tinyGuestXml, uniqueName, virshListAll } from '../test/lab.js';

const run = promisify(execFile);
const lv = loadBinding();
const suite = noDaemon ? describe.skip : describe;
const LAUNCH = 'launch';
const same = (a: Map<string, string>, b: Map<string, string>) => JSON.stringify([...a].toSorted()) === JSON.stringify([...b].toSorted());

suite(noDaemon ? 'libvirtd restart: SKIPPED (VIREO_NO_DAEMON=1)' : 'libvirtd restarted under the manager (qemu:///system)', () => {
  let h: Harness;
  const running = uniqueName('rs');
  const stopped = uniqueName('rs-off');
  let runningUuid = '';

  beforeAll(async () => {
    h = await startHarness({ launchUri: LAB_URI, reconnect: { firstDelayMs: 300, maxDelayMs: 3000 } });
    const conn = h.backend.connections.requireHandle(LAUNCH);
    runningUuid = (await lv.domainDefine(conn, tinyGuestXml(running))).uuid;
    await lv.domainDefine(conn, tinyGuestXml(stopped));
    await lv.domainCreate(conn, runningUuid);
  });

  afterAll(async () => {
    await run('bash', [join(import.meta.dirname, '..', '..', 'scripts', 'lab.sh'), 'start']).catch(() => undefined); // up again if a restart failed
    await h?.dispose();
    await removeGuests([running, stopped]);
  });

  /** The backend's list as virsh prints it: name → virsh state words. */
  async function listed(): Promise<Map<string, string>> {
    const { items } = await h.call('domains.list', { connectionId: LAUNCH });
    return new Map(items.map((vm) => [vm.name, VIRSH_STATE[vm.state] ?? vm.state]));
  }

  it('reports the connection lost, reconnects with backoff, and then lists exactly what `virsh list --all` lists', async () => {
    await until(async () => (await listed()).get(running) === 'running', 20_000, 'guest running');
    const since = h.events.length;
    await run('bash', [join(import.meta.dirname, '..', '..', 'scripts', 'lab.sh'), 'restart']);

    const states = () =>
      h.events
        .slice(since)
        .filter((m) => m.event === 'connections.changed')
        .flatMap((m) => (m.payload as { upserted: ConnectionInfo[] }).upserted)
        .filter((c) => c.id === LAUNCH);
    // Lost (from libvirt's close callback or the first failed call), with a retry scheduled...
    const lost = await until(() => states().find((c) => c.state === 'disconnected' && c.reconnectAttempt > 0), 20_000, 'connection reported lost');
    expect(lost.reason).toMatch(/connection lost/);
    expect(lost.nextRetryAt).toEqual(expect.any(Number));
    // ...then connected again by itself.
    await until(() => h.backend.connections.info(LAUNCH).state === 'connected', 30_000, 'reconnected');
    expect(h.backend.connections.info(LAUNCH)).toMatchObject({ reconnectAttempt: 0, reason: null, nextRetryAt: null });
    // The VM list was emptied when the connection went, and reloaded in full on reconnect.
    expect(h.events.slice(since).some(isEvent('domains.changed', (c) => c.connectionId === LAUNCH && c.reset && c.upserted.length === 0))).toBe(true);
    expect(h.events.slice(since).some(isEvent('domains.changed', (c) => c.connectionId === LAUNCH && c.reset && c.upserted.length > 0))).toBe(true);

    // Other tests' guests may come and go meanwhile: compare until both agree.
    await until(async () => same(await listed(), virshListAll()), 15_000, 'the list equal to virsh list --all');
    expect((await listed()).get(running)).toBe('running'); // the guest kept running through the restart
    expect((await listed()).get(stopped)).toBe('shut off');
  });

  it('gets events on the new connection', async () => {
    const off = h.nextEvent(isEvent('domains.changed', (c) => c.upserted.some((v) => v.uuid === runningUuid && v.state === 'shutoff')), { timeoutMs: 20_000 });
    await run('virsh', ['-c', LAB_URI, 'destroy', running]);
    expect((await off).payload.upserted.find((v) => v.uuid === runningUuid)).toMatchObject({ state: 'shutoff', stateReason: 'destroyed' });
  });
});
