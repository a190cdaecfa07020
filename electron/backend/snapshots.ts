// The VM window's Snapshots tab (virt-manager's Snapshots view): a VM's snapshots read from
// libvirt's snapshot XML, and take / revert / delete. Each change is announced as
// 'snapshots.changed' so every window showing the VM lists it again.
import type { ConnectionHandle, NativeBinding } from '../../native/index.js';
import type { ValidParams } from '../../shared/api/contract.js';
import { type VmSnapshot, snapshotTree } from '../../shared/models/snapshot.js';
import { escapeText, parse } from '../../shared/xml/document.js';
import type { EventBus } from './event-bus.js';

/** One snapshot from its XML (virDomainSnapshotGetXMLDesc) and the list's parent/current. */
export function parseSnapshot(xml: string, listed: { parent: string | null; current: boolean }): VmSnapshot {
  const root = parse(xml).root;
  const text = (name: string) => root.child(name)?.text().trim() || null;
  const seconds = Number(text('creationTime'));
  const memory = root.child('memory')?.attr('snapshot');
  const state = text('state') ?? 'nostate';
  return {
    name: text('name') ?? '',
    parent: listed.parent,
    current: listed.current,
    description: text('description'),
    createdAt: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null,
    state,
    // Internal snapshots of a running VM keep its memory without a <memory> element saying so.
    withMemory: memory === undefined ? state === 'running' || state === 'paused' : memory !== 'no',
  };
}

export class SnapshotService {
  constructor(
    private readonly lv: NativeBinding,
    private readonly events: EventBus,
  ) {}

  async list(conn: ConnectionHandle, uuid: string): Promise<VmSnapshot[]> {
    const listed = await this.lv.snapshotList(conn, uuid);
    const snapshots = await Promise.all(listed.map(async (snapshot) => parseSnapshot(await this.lv.snapshotGetXML(conn, uuid, snapshot.name), snapshot)));
    return snapshotTree(snapshots).map(({ snapshot }) => snapshot);
  }

  async create(conn: ConnectionHandle, { connectionId, uuid, name, description }: ValidParams<'snapshots.create'>): Promise<VmSnapshot> {
    const xml = `<domainsnapshot><name>${escapeText(name)}</name>${description ? `<description>${escapeText(description)}</description>` : ''}</domainsnapshot>`;
    // Atomic: a failure leaves no half-taken snapshot behind.
    const created = await this.lv.snapshotCreate(conn, uuid, xml, { atomic: true });
    this.changed(connectionId, uuid);
    const taken = (await this.list(conn, uuid)).find((snapshot) => snapshot.name === created);
    if (taken === undefined) throw new Error(`libvirt took the snapshot "${created}" but does not list it`);
    return taken;
  }

  async revert(conn: ConnectionHandle, { connectionId, uuid, name }: ValidParams<'snapshots.revert'>): Promise<void> {
    await this.lv.snapshotRevert(conn, uuid, name);
    this.changed(connectionId, uuid);
  }

  async delete(conn: ConnectionHandle, { connectionId, uuid, name }: ValidParams<'snapshots.delete'>): Promise<void> {
    await this.lv.snapshotDelete(conn, uuid, name);
    this.changed(connectionId, uuid);
  }

  private changed(connectionId: string, uuid: string): void {
    this.events.emit('snapshots.changed', { connectionId, uuid });
  }
}
