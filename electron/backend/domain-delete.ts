// Deleting a VM as virt-manager does, and no more: the dialog first gets a plan (each disk,
// whether it is a storage-pool volume that can be deleted, who else uses it; NVRAM; snapshots;
// saved state), then the delete removes exactly what the user ticked. Files outside every
// storage pool are never deleted: libvirt does not manage them, so neither does Vireo.
import { type ConnectionHandle, type NativeBinding, isLibvirtError } from '../../native/index.js';
import { apiError } from '../../shared/api/errors.js';
import type { DeletableDisk, VmDeletePlan, VmDeleteResult } from '../../shared/models/delete.js';
import { isShutOff } from './domain-state.js';
import { type DomainDisk, domainStorage, scanOtherDomains } from './domain-xml.js';

/** Above this many other VMs the plan does not read every VM's XML to find shared disks. */
export const SHARING_SCAN_LIMIT = 1000;

export interface DeleteRequest {
  managedSave?: boolean | undefined;
  snapshotsMetadata?: boolean | undefined;
  checkpointsMetadata?: boolean | undefined;
  nvram?: boolean | undefined;
  keepNvram?: boolean | undefined;
  tpm?: boolean | undefined;
  keepTpm?: boolean | undefined;
  forceOff?: boolean | undefined;
  disks: string[];
}

export interface ResolvedDisk {
  disk: DomainDisk;
  /** The storage-pool volume's path, null when the source is no volume. */
  volumePath: string | null;
}

const NOT_FOUND_CODES = new Set(['VIR_ERR_NO_STORAGE_VOL', 'VIR_ERR_NO_STORAGE_POOL', 'VIR_ERR_INVALID_STORAGE_VOL']);

/** Which disk sources are storage-pool volumes, and their paths. */
export function resolveVolumes(lv: NativeBinding, conn: ConnectionHandle, disks: DomainDisk[]): Promise<ResolvedDisk[]> {
  return Promise.all(
    disks
      .filter((disk) => disk.source !== null)
      .map(async (disk): Promise<ResolvedDisk> => {
        if (disk.type === 'network' || (disk.type !== 'volume' && !disk.source!.startsWith('/'))) return { disk, volumePath: null };
        try {
          const info = await lv.volGetInfo(conn, disk.source!);
          return { disk, volumePath: info.path };
        } catch (e) {
          if (isLibvirtError(e) && NOT_FOUND_CODES.has(e.code)) return { disk, volumePath: null };
          throw e;
        }
      }),
  );
}

/** Volume path → pool name, over the active pools. */
export async function poolsByPath(lv: NativeBinding, conn: ConnectionHandle): Promise<Map<string, string>> {
  const byPath = new Map<string, string>();
  const pools = (await lv.poolList(conn)).filter((p) => p.active);
  await Promise.all(
    pools.map(async (pool) => {
      const volumes = await lv.volList(conn, pool.name).catch(() => []);
      for (const volume of volumes) byPath.set(volume.path, pool.name);
    }),
  );
  return byPath;
}

export class DomainDeleter {
  constructor(private readonly lv: NativeBinding) {}

  /** What the plan and the delete both start from: the VM's storage (from its XML), state and persistence. */
  private async read(conn: ConnectionHandle, uuid: string) {
    const [xml, state, persistent] = await Promise.all([this.lv.domainGetXML(conn, uuid), this.lv.domainGetState(conn, uuid), this.lv.domainIsPersistent(conn, uuid)]);
    return { storage: domainStorage(xml), state, active: !isShutOff(state.stateName), persistent };
  }

  async plan(connectionId: string, conn: ConnectionHandle, uuid: string): Promise<VmDeletePlan> {
    const { storage, active, persistent } = await this.read(conn, uuid);
    const [resolved, snapshots, hasManagedSave, sharing] = await Promise.all([
      resolveVolumes(this.lv, conn, storage.disks),
      this.lv.snapshotList(conn, uuid).then(
        (list) => list.map((s) => s.name),
        (e: unknown) => {
          if (isLibvirtError(e) && (e.code === 'VIR_ERR_NO_SUPPORT' || e.code === 'VIR_ERR_OPERATION_UNSUPPORTED')) return [];
          throw e;
        },
      ),
      active ? Promise.resolve(false) : this.lv.domainHasManagedSave(conn, uuid),
      this.otherUsers(conn, uuid),
    ]);
    const pools = resolved.some((r) => r.volumePath) ? await poolsByPath(this.lv, conn) : new Map<string, string>();
    const disks = resolved.map(({ disk, volumePath }) => describeDisk(disk, volumePath, pools, sharing.users));
    return {
      connectionId,
      uuid,
      name: storage.name,
      active,
      persistent,
      disks,
      hasManagedSave,
      snapshots,
      nvram: storage.nvram,
      sharingChecked: sharing.checked,
    };
  }

  async delete(conn: ConnectionHandle, uuid: string, request: DeleteRequest): Promise<VmDeleteResult> {
    const { storage, state, active, persistent } = await this.read(conn, uuid);
    // Only this VM's storage-pool volumes: a path from anywhere else is refused before anything is deleted.
    const volumes = new Set((await resolveVolumes(this.lv, conn, storage.disks)).flatMap((r) => (r.volumePath ? [r.volumePath] : [])));
    const foreign = request.disks.filter((path) => !volumes.has(path));
    if (foreign.length > 0) {
      throw apiError('invalid-input', `Not a storage volume of "${storage.name}", so not deleted: ${foreign.join(', ')}. Nothing was changed.`);
    }
    if (active && !request.forceOff) {
      throw apiError('invalid-input', `"${storage.name}" is ${state.stateName}: it has to be forced off before it can be deleted. Nothing was changed.`);
    }
    if (active) await this.lv.domainDestroy(conn, uuid);
    if (persistent) {
      const flags = {
        managedSave: request.managedSave,
        snapshotsMetadata: request.snapshotsMetadata,
        checkpointsMetadata: request.checkpointsMetadata,
        nvram: request.nvram,
        keepNvram: request.keepNvram,
        tpm: request.tpm,
        keepTpm: request.keepTpm,
      };
      // Only the options asked for: a driver may refuse flags it does not know even when false.
      const asked = Object.fromEntries(Object.entries(flags).filter(([, on]) => on === true));
      try {
        await this.lv.domainUndefine(conn, uuid, asked);
      } catch (e) {
        // A driver without NVRAM/TPM files (the test driver) refuses those flags; as virsh does,
        // undefine without them: such a driver keeps no such file to delete or keep.
        const fileFlags = ['nvram', 'keepNvram', 'tpm', 'keepTpm'];
        const unsupported = isLibvirtError(e) && (e.code === 'VIR_ERR_NO_SUPPORT' || (e.code === 'VIR_ERR_INVALID_ARG' && /unsupported flags/.test(e.message)));
        if (!unsupported || !Object.keys(asked).some((k) => fileFlags.includes(k))) throw e;
        await this.lv.domainUndefine(conn, uuid, Object.fromEntries(Object.entries(asked).filter(([k]) => !fileFlags.includes(k))));
      }
    }
    const result: VmDeleteResult = { deletedDisks: [], failedDisks: [] };
    for (const path of new Set(request.disks)) {
      try {
        await this.lv.volDelete(conn, path);
        result.deletedDisks.push(path);
      } catch (e) {
        result.failedDisks.push({ path, message: (e as Error).message });
      }
    }
    return result;
  }

  /** Disk source → names of the other VMs that use it. */
  private async otherUsers(conn: ConnectionHandle, uuid: string): Promise<{ checked: boolean; users: Map<string, string[]> }> {
    const users = new Map<string, string[]>();
    const checked = await scanOtherDomains(
      this.lv,
      conn,
      uuid,
      (other, xml) => {
        for (const disk of domainStorage(xml).disks) {
          if (!disk.source) continue;
          const names = users.get(disk.source) ?? [];
          if (!names.includes(other.name)) names.push(other.name);
          users.set(disk.source, names);
        }
      },
      SHARING_SCAN_LIMIT,
    );
    return { checked, users };
  }
}

function describeDisk(disk: DomainDisk, volumePath: string | null, pools: Map<string, string>, users: Map<string, string[]>): DeletableDisk {
  const usedBy = [...new Set([...(users.get(disk.source!) ?? []), ...(volumePath && volumePath !== disk.source ? (users.get(volumePath) ?? []) : [])])];
  const deletable = volumePath !== null;
  let note: string | null = null;
  if (!deletable) {
    note =
      disk.type === 'network'
        ? 'Network storage: Vireo does not delete it.'
        : 'Not a volume of any libvirt storage pool: like virt-manager, Vireo only deletes storage-pool volumes. It stays in place.';
  } else if (usedBy.length > 0) note = `Also used by ${usedBy.join(', ')}: deleting it would break ${usedBy.length === 1 ? 'that VM' : 'those VMs'}.`;
  else if (disk.shareable) note = 'Marked shareable: other VMs may use it.';
  else if (disk.readonly || disk.device === 'cdrom' || disk.device === 'floppy') note = 'Read-only media (often an installer image): not suggested.';
  return {
    target: disk.target,
    device: disk.device,
    source: disk.source,
    volumePath,
    pool: volumePath ? (pools.get(volumePath) ?? disk.pool) : null,
    readonly: disk.readonly,
    shareable: disk.shareable,
    usedBy,
    deletable,
    suggested: deletable && disk.device === 'disk' && !disk.readonly && !disk.shareable && usedBy.length === 0,
    note,
  };
}
