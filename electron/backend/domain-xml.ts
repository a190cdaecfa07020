// The storage a domain uses, read from the XML libvirt writes (domainGetXML) through the shared
// XML model: its disks and NVRAM file (the delete dialog), and who else uses a disk or a MAC
// address (delete, details, the wizard), from the other domains' XML.
import { type ConnectionHandle, type NativeBinding, drainBatch } from '../../native/index.js';
import { type XmlElement, parse } from '../../shared/xml/document.js';
import { forEachLimited } from './domain-service.js';

export interface DomainDisk {
  /** The <disk type>: file, block, dir, volume, network, nvme... */
  type: string;
  device: 'disk' | 'cdrom' | 'floppy' | 'lun';
  target: string;
  /** file/block/dir: the path; volume: "pool/volume"; network: "protocol:name"; null: empty drive. */
  source: string | null;
  /** For type='volume'. */
  pool: string | null;
  volume: string | null;
  readonly: boolean;
  shareable: boolean;
}

export interface DomainStorage {
  name: string;
  uuid: string;
  disks: DomainDisk[];
  /** The UEFI variable store's path, null without one. */
  nvram: string | null;
}

function diskSource(type: string, source: XmlElement | undefined): Pick<DomainDisk, 'source' | 'pool' | 'volume'> {
  const none = { source: null, pool: null, volume: null };
  if (!source) return none;
  const a = (name: string) => source.attr(name);
  switch (type) {
    case 'file':
      return a('file') ? { ...none, source: a('file')! } : none;
    case 'block':
      return a('dev') ? { ...none, source: a('dev')! } : none;
    case 'dir':
      return a('dir') ? { ...none, source: a('dir')! } : none;
    case 'volume': {
      const pool = a('pool');
      const volume = a('volume');
      return pool && volume ? { source: `${pool}/${volume}`, pool, volume } : none;
    }
    case 'network':
      return a('name') ? { ...none, source: `${a('protocol') ?? 'network'}:${a('name')}` } : none;
    default:
      return { ...none, source: a('file') ?? a('dev') ?? a('path') ?? null };
  }
}

/** Disks (empty drives included, source null) and the NVRAM file of a domain. Throws XmlSyntaxError on malformed XML. */
export function domainStorage(xml: string): DomainStorage {
  const domain = parse(xml).root;
  if (domain.name !== 'domain') throw new Error(`not a domain XML (root <${domain.name}>)`);
  const disks = domain.findAll('devices/disk').map((disk): DomainDisk => {
    const type = disk.attr('type') ?? 'file';
    const device = (['disk', 'cdrom', 'floppy', 'lun'] as const).find((d) => d === disk.attr('device')) ?? 'disk';
    return {
      type,
      device,
      target: disk.child('target')?.attr('dev') ?? '',
      ...diskSource(type, disk.child('source')),
      readonly: disk.child('readonly') !== undefined,
      shareable: disk.child('shareable') !== undefined,
    };
  });
  // <nvram>path</nvram>, or (libvirt >= 8.5) <nvram type='file'><source file='path'/></nvram>.
  const nvram = domain.find('os/nvram');
  const nvramPath = nvram ? (nvram.child('source')?.attr('file') ?? nvram.text().trim()) || null : null;
  return { name: domain.child('name')?.text().trim() ?? '', uuid: domain.child('uuid')?.text().trim() ?? '', disks, nvram: nvramPath };
}

/**
 * Calls `visit` with the XML of every domain of the connection but `exceptUuid`, 16 reads at a time
 * (domains gone meanwhile are skipped). With more than `limit` domains it reads none and resolves false.
 */
export async function scanOtherDomains(
  binding: NativeBinding,
  conn: ConnectionHandle,
  exceptUuid: string | null,
  visit: (domain: { name: string; uuid: string }, xml: string) => void,
  limit = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  const others = (await drainBatch(await binding.listAllDomains(conn))).filter((domain) => domain.uuid.toLowerCase() !== exceptUuid?.toLowerCase());
  if (others.length > limit) return false;
  await forEachLimited(others, 16, async (domain) => {
    const xml = await binding.domainGetXML(conn, domain.uuid).catch(() => null);
    if (xml !== null) visit(domain, xml);
  });
  return true;
}

/** For each of `paths`, the names of the domains (but `exceptUuid`) that have it as a writable, non-shareable disk; one scan for all. */
export async function writableDiskUsers(binding: NativeBinding, conn: ConnectionHandle, paths: readonly string[], exceptUuid: string | null = null): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  if (paths.length === 0) return users;
  await scanOtherDomains(binding, conn, exceptUuid, (domain, xml) => {
    for (const disk of domainStorage(xml).disks) {
      if (disk.source === null || !paths.includes(disk.source) || disk.readonly || disk.shareable) continue;
      const names = users.get(disk.source) ?? [];
      if (!names.includes(domain.name)) users.set(disk.source, [...names, domain.name].toSorted());
    }
  });
  return users;
}
