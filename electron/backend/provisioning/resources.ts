// Memory, vCPU and disk sizes for a new VM: defaults from what osinfo-db recommends for the OS,
// kept within the host; a request the host cannot give is refused with a message naming both sides.
import type { NodeInfo } from '../../../native/index.js';
import type { OsCatalogue, OsInfo, OsResourceValues } from './osinfo.js';

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

function inMiB(values: OsResourceValues): Partial<VmResources> {
  const out: Partial<VmResources> = {};
  if (values.ramBytes !== undefined) out.memoryMiB = Math.ceil(values.ramBytes / MiB);
  if (values.nCpus !== undefined) out.vcpus = values.nCpus;
  if (values.storageBytes !== undefined) out.diskMiB = Math.ceil(values.storageBytes / MiB);
  return out;
}

/**
 * The sizes the wizard starts with: the OS's recommended values (else its minimum, else generic
 * ones), with memory at most half the host's, so the host keeps room for itself, and vCPUs at
 * most the host's CPUs.
 */
export function defaultResources(host: NodeInfo, arch: string, os?: { catalogue: OsCatalogue; os: OsInfo }): ResourceDefaults {
  const recommended = os ? inMiB(os.catalogue.resources(os.os, arch, 'recommended')) : {};
  const minimum = os ? inMiB(os.catalogue.resources(os.os, arch, 'minimum')) : {};
  const wanted = { ...GENERIC_RESOURCES, ...minimum, ...recommended };
  const memoryCap = Math.max(Math.floor(hostMemoryMiB(host) / 2), Math.min(minimum.memoryMiB ?? 0, hostMemoryMiB(host)));
  return {
    memoryMiB: Math.min(wanted.memoryMiB, memoryCap),
    vcpus: Math.min(wanted.vcpus, host.cpus),
    diskMiB: wanted.diskMiB,
    minimum,
  };
}

const describeMiB = (mib: number): string => (mib >= 1024 && mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`);

/**
 * Refuses sizes that are not positive whole numbers or that the host does not have (disk space is
 * checked against the pool when the plan is validated). Returns warnings for sizes below the OS's minimum.
 */
export function checkResources(request: VmResources, host: NodeInfo, minimum: Partial<VmResources> = {}): string[] {
  for (const field of ['memoryMiB', 'vcpus', 'diskMiB'] as const) {
    if (!Number.isInteger(request[field]) || request[field] <= 0) {
      throw new ResourceError(field, `${field} must be a positive whole number, not ${request[field]}`);
    }
  }
  const hostMemory = hostMemoryMiB(host);
  if (request.memoryMiB > hostMemory) {
    throw new ResourceError('memoryMiB', `${describeMiB(request.memoryMiB)} of memory asked for, but the host has only ${describeMiB(hostMemory)}`);
  }
  if (request.vcpus > host.cpus) {
    throw new ResourceError('vcpus', `${request.vcpus} virtual CPUs asked for, but the host has only ${host.cpus} CPUs`);
  }
  const warnings: string[] = [];
  if (minimum.memoryMiB !== undefined && request.memoryMiB < minimum.memoryMiB) {
    warnings.push(`${describeMiB(request.memoryMiB)} of memory is below the ${describeMiB(minimum.memoryMiB)} this OS needs`);
  }
  if (minimum.vcpus !== undefined && request.vcpus < minimum.vcpus) {
    warnings.push(`${request.vcpus} virtual CPUs is below the ${minimum.vcpus} this OS needs`);
  }
  if (minimum.diskMiB !== undefined && request.diskMiB < minimum.diskMiB) {
    warnings.push(`a ${describeMiB(request.diskMiB)} disk is below the ${describeMiB(minimum.diskMiB)} this OS needs`);
  }
  return warnings;
}
