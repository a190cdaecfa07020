import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionInfo } from '../../shared/models/connection.js';
import { fakeBinding } from '../test/fake-binding.js';
import { ConnectionManager, nameForUri } from './connection-manager.js';
import { ConnectionStore } from './connection-store.js';
import { EventBus } from './event-bus.js';

let configDir: string;
beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'vireo-connections-'));
});
afterEach(async () => {
  await rm(configDir, { recursive: true, force: true });
});

function setup(options: { launchUri?: string } = {}) {
  const fake = fakeBinding();
  const events = new EventBus();
  const seen: ConnectionInfo[] = [];
  events.subscribe((m) => {
    if (m.event === 'connections.changed') seen.push(...m.payload.upserted);
  });
  const manager = new ConnectionManager({
    binding: fake.binding,
    events,
    store: new ConnectionStore(configDir),
    detected: [],
    reconnect: { firstDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  return { fake, manager, seen };
}

const until = async (check: () => boolean, timeoutMs = 2000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('connection manager', () => {
  it('always has the Demo connection and autoconnects it', async () => {
    const { manager, seen } = setup();
    await manager.start();
    expect(manager.list().items.map((c) => [c.id, c.uri, c.state])).toEqual([['demo', 'test:///default', 'connected']]);
    expect(seen.filter((c) => c.id === 'demo').map((c) => c.state)).toEqual(['disconnected', 'connecting', 'connected']);
    await expect(manager.remove('demo')).rejects.toMatchObject({ code: 'not-removable' });
  });

  it('reconnects with growing delays after libvirt reports the connection lost', async () => {
    const { fake, manager, seen } = setup();
    await manager.start();
    fake.failOpens('test:///default', 2);
    fake.emit('test:///default', { type: 'disconnected', reason: 'eof' });
    expect(manager.info('demo')).toMatchObject({ state: 'disconnected', reason: 'connection lost (eof)', reconnectAttempt: 1 });
    await until(() => manager.info('demo').state === 'connected');
    const attempts = seen.filter((c) => c.state === 'connecting').map((c) => c.reconnectAttempt);
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(manager.info('demo').reconnectAttempt).toBe(0);
  });

  it('stops reconnecting when the user disconnects', async () => {
    const { fake, manager } = setup();
    await manager.start();
    fake.failOpens('test:///default', 100);
    fake.emit('test:///default', { type: 'disconnected', reason: 'keepalive' });
    await manager.disconnect('demo');
    const opens = fake.opens.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(fake.opens.length).toBe(opens);
    expect(manager.info('demo')).toMatchObject({ state: 'disconnected', reconnectAttempt: 0 });
  });

  it('reports a failed first connect without retrying', async () => {
    const { fake, manager } = setup();
    fake.failOpens('test:///default', 1);
    await manager.start();
    expect(manager.info('demo')).toMatchObject({ state: 'disconnected', reconnectAttempt: 0, reason: expect.stringMatching(/Connection refused/) });
    await expect(manager.connect('demo')).resolves.toMatchObject({ state: 'connected' });
  });

  it('persists user connections and reloads them', async () => {
    const { manager } = setup();
    await manager.start();
    const added = await manager.add({ uri: 'qemu+ssh://root@kvm1/system', autoconnect: false });
    expect(added).toMatchObject({ name: 'QEMU/KVM on kvm1', origin: 'user', state: 'disconnected' });
    await expect(manager.add({ uri: 'qemu+ssh://root@kvm1/system', autoconnect: false })).rejects.toMatchObject({ code: 'already-exists' });
    const file = JSON.parse(await readFile(join(configDir, 'connections.json'), 'utf8'));
    expect(file).toEqual({ version: 1, connections: [{ id: added.id, uri: 'qemu+ssh://root@kvm1/system', name: 'QEMU/KVM on kvm1', autoconnect: false }] });

    const reloaded = setup().manager;
    await reloaded.start();
    expect(reloaded.list().items.map((c) => c.uri)).toEqual(['test:///default', 'qemu+ssh://root@kvm1/system']);
    await reloaded.remove(added.id);
    expect(JSON.parse(await readFile(join(configDir, 'connections.json'), 'utf8')).connections).toEqual([]);
  });

  it('selects and connects the --connect URI for this launch only', async () => {
    const { manager } = setup({ launchUri: 'qemu:///system' });
    await manager.start();
    expect(manager.initialConnectionId).toBe('launch');
    expect(manager.info('launch')).toMatchObject({ uri: 'qemu:///system', origin: 'launch', state: 'connected' });
    await expect(readFile(join(configDir, 'connections.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('connects a saved connection named by --connect without saving it as autoconnect', async () => {
    const first = setup().manager;
    await first.start();
    const saved = await first.add({ uri: 'qemu:///system', autoconnect: false });
    const { manager } = setup({ launchUri: 'qemu:///system' });
    await manager.start();
    expect(manager.initialConnectionId).toBe(saved.id);
    expect(manager.info(saved.id)).toMatchObject({ state: 'connected', autoconnect: false });
    await manager.add({ uri: 'lxc:///', autoconnect: false });
    const file = JSON.parse(await readFile(join(configDir, 'connections.json'), 'utf8'));
    expect(file.connections[0]).toMatchObject({ uri: 'qemu:///system', autoconnect: false });
  });

  it('names URIs readably', () => {
    expect(nameForUri('qemu:///system')).toBe('QEMU/KVM');
    expect(nameForUri('qemu+ssh://admin@host.example:2222/system?keyfile=/k')).toBe('QEMU/KVM on host.example');
    expect(nameForUri('lxc:///')).toBe('LXC');
  });
});
