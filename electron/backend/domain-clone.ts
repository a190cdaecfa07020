// Cloning a VM (virt-manager's Clone dialog, virt-clone): the plan says per disk whether it is
// copied (a writable storage-pool volume: a new volume in the same pool, made by libvirt from the
// original) or shared (read-only media, shareable disks, files outside every pool); the clone gets
// the new name, no UUID (libvirt makes one), new MAC addresses and no NVRAM file of the original's
// (libvirt makes a fresh one from the template). All or nothing: a failure deletes the copies.
import { type ConnectionHandle, type NativeBinding, drainBatch } from '../../native/index.js';
import { ApiCallError, apiError } from '../../shared/api/errors.js';
import type { ValidParams } from '../../shared/api/contract.js';
import { randomMac } from '../../shared/details/config.js';
import type { CloneDisk, CloneDiskAction, ClonePlan, CloneResult } from '../../shared/models/clone.js';
import { escapeText } from '../../shared/xml/document.js';
import { DomainConfig } from '../../shared/xml/domain.js';
import { poolsByPath, resolveVolumes } from './domain-delete.js';
import { isShutOff } from './domain-state.js';
import { domainStorage } from './domain-xml.js';
import { checkVmName } from './provisioning/plan.js';

/** `base.ext`, or `base-1.ext`... when that name is taken in the pool. */
function freeVolumeName(taken: ReadonlySet<string>, base: string, source: string): string {
  const ext = /\.[A-Za-z0-9]+$/.exec(source.slice(source.lastIndexOf('/') + 1))?.[0] ?? '';
  for (let n = 0; ; n++) {
    const name = `${base}${n === 0 ? '' : `-${n}`}${ext}`;
    if (!taken.has(name)) return name;
  }
}

export class DomainCloner {
  constructor(private readonly lv: NativeBinding) {}

  async plan(connectionId: string, conn: ConnectionHandle, uuid: string, name?: string): Promise<ClonePlan> {
    const [ref, state, xml, names] = await Promise.all([
      this.lv.domainLookup(conn, uuid),
      this.lv.domainGetState(conn, uuid),
      this.lv.domainGetXML(conn, uuid, { inactive: true }),
      this.lv.listAllDomains(conn).then(drainBatch),
    ]);
    const taken = new Set(names.map((domain) => domain.name));
    let proposedName = `${ref.name}-clone`;
    for (let n = 1; taken.has(proposedName); n++) proposedName = `${ref.name}-clone${n}`;
    return {
      connectionId,
      uuid: ref.uuid,
      name: ref.name,
      proposedName,
      cloneName: name || proposedName,
      blockedBecause: isShutOff(state.stateName) ? null : `"${ref.name}" is ${state.stateName}: shut it down first, so its disks do not change while they are copied`,
      disks: await this.disks(conn, xml, name || proposedName),
    };
  }

  private async disks(conn: ConnectionHandle, xml: string, cloneName: string): Promise<CloneDisk[]> {
    const storage = domainStorage(xml);
    const resolved = new Map((await resolveVolumes(this.lv, conn, storage.disks)).map((r) => [r.disk, r.volumePath]));
    const pools = [...resolved.values()].some((path) => path !== null) ? await poolsByPath(this.lv, conn) : new Map<string, string>();
    const takenInPool = new Map<string, Set<string>>();
    const out: CloneDisk[] = [];
    for (const disk of storage.disks) {
      const base = { target: disk.target, device: disk.device, source: disk.source };
      const volumePath = resolved.get(disk) ?? null;
      const pool = volumePath === null ? undefined : pools.get(volumePath);
      if (disk.source === null) {
        out.push({ ...base, copyTo: null, proposed: 'share', note: 'Empty drive: nothing to copy.' });
        continue;
      }
      if (pool === undefined || volumePath === null) {
        const why = disk.type === 'network' ? 'Network storage' : 'Not a volume of an active storage pool';
        out.push({ ...base, copyTo: null, proposed: 'share', note: `${why}: it cannot be copied, only shared.` });
        continue;
      }
      let taken = takenInPool.get(pool);
      if (taken === undefined) {
        taken = new Set((await this.lv.volList(conn, pool)).map((volume) => volume.name));
        takenInPool.set(pool, taken);
      }
      const name = freeVolumeName(taken, cloneName, volumePath);
      taken.add(name);
      const readOnly = disk.readonly || disk.device === 'cdrom' || disk.device === 'floppy';
      const note = readOnly ? 'Read-only media: shared by default.' : disk.shareable ? 'Marked shareable: shared by default.' : null;
      out.push({ ...base, copyTo: { pool, name }, proposed: readOnly || disk.shareable ? 'share' : 'clone', note });
    }
    return out;
  }

  async clone(connectionId: string, conn: ConnectionHandle, { uuid, name, disks: chosen = {} }: ValidParams<'domains.clone'>): Promise<CloneResult> {
    checkName(name);
    const plan = await this.plan(connectionId, conn, uuid, name);
    if (plan.blockedBecause !== null) throw apiError('invalid-input', `${plan.blockedBecause}. Nothing was changed.`);
    const taken = await this.lv.domainLookup(conn, name).then(
      () => true,
      () => false,
    );
    if (taken) throw nameError(`a VM named "${name}" already exists`);
    const unknown = Object.keys(chosen).filter((target) => !plan.disks.some((disk) => disk.target === target));
    if (unknown.length > 0) throw apiError('invalid-input', `"${plan.name}" has no disk ${unknown.join(', ')}. Nothing was changed.`);
    const action = (disk: CloneDisk): CloneDiskAction => (Object.hasOwn(chosen, disk.target) ? chosen[disk.target]! : disk.proposed);
    const impossible = plan.disks.filter((disk) => action(disk) === 'clone' && disk.copyTo === null);
    if (impossible.length > 0) {
      throw apiError('invalid-input', `${impossible.map((d) => `${d.target} (${d.note ?? 'no copy possible'})`).join('; ')}: share it instead. Nothing was changed.`);
    }

    const config = DomainConfig.parse(await this.lv.domainGetXML(conn, uuid, { inactive: true, secure: true }).catch(() => this.lv.domainGetXML(conn, uuid, { inactive: true })));
    config.set('name', name);
    for (const element of config.element.children().filter((child) => child.name === 'uuid' || child.name === 'genid')) element.remove();
    config.element.find('os/nvram')?.remove();
    for (const nic of config.devices('interface')) nic.set('mac', randomMac(config));

    const created: string[] = [];
    try {
      for (const disk of plan.disks.filter((d) => action(d) === 'clone')) {
        const { pool, name: volume } = disk.copyTo!;
        const source = await this.lv.volGetInfo(conn, disk.source!);
        const format = /<format type=['"]([^'"]+)['"]/.exec(await this.lv.volGetXML(conn, source.path))?.[1];
        const xml = `<volume><name>${escapeText(volume)}</name><capacity unit='bytes'>${source.capacity}</capacity>${format ? `<target><format type='${escapeText(format)}'/></target>` : ''}</volume>`;
        const copy = await this.lv.volCreateFrom(conn, pool, xml, source.path);
        created.push(copy.path);
        const device = config.devices('disk').find((d) => d.get('targetDev') === disk.target)!;
        if (device.get('type') === 'volume') device.update({ sourcePool: pool, sourceVolume: volume });
        else device.update({ type: 'file', sourceFile: copy.path });
      }
      const defined = await this.lv.domainDefine(conn, config.toXml(), { validate: true });
      return { uuid: defined.uuid, name: defined.name, volumes: created };
    } catch (e) {
      for (const path of created) await this.lv.volDelete(conn, path).catch(() => undefined);
      throw e;
    }
  }
}

const nameError = (message: string) => new ApiCallError({ code: 'invalid-input', message: `${message}. Nothing was changed.`, issues: [{ path: ['name'], message }] });

function checkName(name: string): void {
  try {
    checkVmName(name);
  } catch (e) {
    throw nameError((e as Error).message);
  }
}
