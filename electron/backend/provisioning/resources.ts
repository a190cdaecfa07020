// Memory, vCPU and disk sizes for a new VM: defaults from what osinfo-db recommends for the OS,
// kept within the host; a request the host cannot give is refused with a message naming both sides.
import type { NodeInfo } from '../../../native/index.js';
import type { OsCatalogue, OsInfo, OsResourceLevel } from './osinfo.js';

export interface VmResources {
  memoryMiB: number;
  vcpus: number;
  diskMiB: number;
}

export interface ResourceDefaults extends VmResources {
  /** What the OS needs at least, where osinfo-db says; smaller requests get a warning. */
  minimum: Partial<VmResources>;
}

/** For OSes osinfo-db does not know, or says nothing about. */
export const GENERIC_RESOURCES: VmResources = { memoryMiB: 2048, vcpus: 2, diskMiB: 20 * 1024 };

export class ResourceError extends Error {
  constructor(
    readonly field: keyof VmResources,
    message: string,
  ) {
    super(message);
    this.name = 'ResourceError';
  }
}

const MiB = 1024 * 1024;
const hostMemoryMiB = (host: NodeInfo): number => Math.floor(host.memoryKiB / 1024);

/** What osinfo-db says an OS needs at a level, in the wizard's units. */
export function osResourcesInMiB(os: { catalogue: OsCatalogue; os: OsInfo }, arch: string, level: OsResourceLevel): Partial<VmResources> {
  const values = os.catalogue.resources(os.os, arch, level);
  const out: Partial<VmResources> = {};
  if (values.ramBytes !== undefined) out.memoryMiB = Math.ceil(values.ramBytes / MiB);
  if (values.nCpus !== undefined) out.vcpus = values.nCpus;
  if (values.storageBytes !== undefined) out.diskMiB = Math.ceil(values.storageBytes / MiB);
  return out;
}

/**
 * The sizes the wizard starts with: the OS's recommended values (else its minimum, else generic
 * ones, and never below its minimum), with memory at most half the host's, so the host keeps room for itself, and vCPUs at
 * most the host's CPUs.
 */
export function defaultResources(host: NodeInfo, arch: string, os?: { catalogue: OsCatalogue; os: OsInfo }): ResourceDefaults {
  const recommended = os ? osResourcesInMiB(os, arch, 'recommended') : {};
  const minimum = os ? osResourcesInMiB(os, arch, 'minimum') : {};
  // A recommendation inherited from an older version can be below the OS's own minimum (Windows 11's).
  const wanted = { ...GENERIC_RESOURCES, ...minimum, ...recommended };
  for (const field of ['memoryMiB', 'vcpus', 'diskMiB'] as const) wanted[field] = Math.max(wanted[field], minimum[field] ?? 0);
  const memoryCap = Math.max(Math.floor(hostMemoryMiB(host) / 2), Math.min(minimum.memoryMiB ?? 0, hostMemoryMiB(host)));
  return {
    memoryMiB: Math.min(wanted.memoryMiB, memoryCap),
    vcpus: Math.min(wanted.vcpus, host.cpus),
    diskMiB: wanted.diskMiB,
    minimum,
  };
}

/** "512 MiB", "1.5 GiB", "20 GiB" */
export const describeMiB = (mib: number): string => (mib >= 1024 ? `${(mib / 1024).toFixed(1).replace(/\.0$/, '')} GiB` : `${mib} MiB`);

/** A VM without a new disk (an imported image, no storage) has no disk size to check. */
export type ResourceRequest = Omit<VmResources, 'diskMiB'> & { diskMiB?: number };

const DESCRIBE: Record<keyof VmResources, (value: number) => string> = {
  memoryMiB: (mib) => `${describeMiB(mib)} of memory`,
  vcpus: (count) => `${count} virtual CPUs`,
  diskMiB: (mib) => `${describeMiB(mib)} of disk`,
};

/**
 * Refuses sizes that are not positive whole numbers or that the host does not have (disk space is
 * checked against the pool when the plan is validated). Returns warnings for sizes below the OS's minimum.
 */
export function checkResources(request: ResourceRequest, host: NodeInfo, minimum: Partial<VmResources> = {}): string[] {
  const fields = (['memoryMiB', 'vcpus', 'diskMiB'] as const).filter((field) => request[field] !== undefined);
  for (const field of fields) {
    const value = request[field]!;
    if (!Number.isInteger(value) || value <= 0) throw new ResourceError(field, `${field} must be a positive whole number, not ${value}`);
  }
  const hostMemory = hostMemoryMiB(host);
  if (request.memoryMiB > hostMemory) {
    throw new ResourceError('memoryMiB', `${DESCRIBE.memoryMiB(request.memoryMiB)} asked for, but the host has only ${describeMiB(hostMemory)}`);
  }
  if (request.vcpus > host.cpus) {
    throw new ResourceError('vcpus', `${DESCRIBE.vcpus(request.vcpus)} asked for, but the host has only ${host.cpus} CPUs`);
  }
  return fields.flatMap((field) => {
    const needed = minimum[field];
    const asked = request[field]!;
    return needed !== undefined && asked < needed ? [`${DESCRIBE[field](asked)} is below the ${DESCRIBE[field](needed)} this OS needs`] : [];
  });
}
