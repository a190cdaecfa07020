// Install media: which OS an ISO (or CD-ROM device) holds, read from its ISO 9660 primary volume
// descriptor and matched against osinfo-db the way libosinfo does; and where an install tree
// (URL) keeps its installer kernel and initrd.
import { open } from 'node:fs/promises';
import type { OsCatalogue, OsInfo, OsInstallMedia } from './osinfo.js';

export type MediaErrorReason = 'unreadable' | 'not-iso' | 'unsupported-image' | 'no-tree-boot-files';

export class MediaError extends Error {
  constructor(
    readonly location: string,
    readonly reason: MediaErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** The identifying fields of an ISO's primary volume descriptor, trailing padding removed. */
export interface IsoIdentity {
  volumeId: string;
  systemId: string;
  publisherId: string;
  applicationId: string;
  volumeSizeBytes: number;
}

/** The primary volume descriptor is the first descriptor, in sector 16 of 2048-byte sectors. */
const PVD_OFFSET = 16 * 2048;
const PVD_LENGTH = 2048;

const field = (pvd: Buffer, start: number, length: number): string =>
  pvd
    .toString('latin1', start, start + length)
    .replace(/[\s\0]+$/, '');

/** `length` bytes of a file from `position` (fewer at its end), and its size; MediaError when it cannot be read. */
async function readBytes(path: string, position: number, length: number): Promise<{ bytes: Buffer; fileSize: number }> {
  try {
    const file = await open(path, 'r');
    try {
      const bytes = Buffer.alloc(length);
      const { bytesRead } = await file.read(bytes, 0, length, position);
      // Block devices (a CD-ROM drive) report size 0: their size is not needed.
      return { bytes: bytes.subarray(0, bytesRead), fileSize: (await file.stat()).size };
    } finally {
      await file.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new MediaError(path, 'unreadable', `${path} is not readable: ${code}`);
  }
}

/** Reads the identity of an ISO image file or an optical drive (/dev/sr0). */
export async function readIsoIdentity(path: string): Promise<IsoIdentity> {
  const { bytes: pvd } = await readBytes(path, PVD_OFFSET, PVD_LENGTH);
  const isPrimaryDescriptor = pvd.length === PVD_LENGTH && pvd[0] === 1 && pvd.toString('latin1', 1, 6) === 'CD001';
  if (!isPrimaryDescriptor) throw new MediaError(path, 'not-iso', `${path} is not an ISO 9660 image`);
  return {
    systemId: field(pvd, 8, 32),
    volumeId: field(pvd, 40, 32),
    // Volume space size (sectors, little-endian half of a both-endian field) times the sector size.
    volumeSizeBytes: pvd.readUInt32LE(80) * pvd.readUInt16LE(128),
    publisherId: field(pvd, 318, 128),
    applicationId: field(pvd, 574, 128),
  };
}

export interface DiskImageInfo {
  format: 'qcow2' | 'raw';
  /** The disk size the guest sees. */
  virtualSizeBytes: number;
}

const QCOW2_MAGIC = 'QFI\xfb';
/** Formats QEMU reads that Vireo does not take as they are; the message says how to convert them. */
const OTHER_IMAGE_MAGICS: ReadonlyArray<[offset: number, magic: string, format: string]> = [
  [0, 'KDMV', 'VMDK'],
  [0, 'vhdxfile', 'VHDX'],
  [0, 'conectix', 'VHD'],
  [64, '\x7f\x10\xda\xbe', 'VDI'],
];

/** The format and virtual size of a disk image file: qcow2 by its header, anything unrecognised is raw. */
export async function readDiskImageInfo(path: string): Promise<DiskImageInfo> {
  const { bytes: header, fileSize } = await readBytes(path, 0, 72);
  const magicAt = (offset: number, magic: string): boolean => header.toString('latin1', offset, offset + magic.length) === magic;
  if (magicAt(0, QCOW2_MAGIC) && header.length >= 32) {
    // The virtual size is a big-endian u64 at offset 24 of the qcow2 header.
    return { format: 'qcow2', virtualSizeBytes: Number(header.readBigUInt64BE(24)) };
  }
  const other = OTHER_IMAGE_MAGICS.find(([offset, magic]) => magicAt(offset, magic));
  if (other) {
    throw new MediaError(path, 'unsupported-image', `${path} is a ${other[2]} image: convert it with "qemu-img convert -O qcow2 ${path} NEW.qcow2"`);
  }
  return { format: 'raw', virtualSizeBytes: fileSize };
}

export interface MediaMatch {
  os: OsInfo;
  media: OsInstallMedia;
}

const compiledPatterns = new Map<string, RegExp | null>();

/** osinfo patterns are GRegex, unanchored; the few JavaScript cannot compile never match. */
function matches(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  let regex = compiledPatterns.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern);
    } catch {
      regex = null;
    }
    compiledPatterns.set(pattern, regex);
  }
  return regex?.test(value) ?? false;
}

function mediaMatches(media: OsInstallMedia, iso: IsoIdentity): boolean {
  return (
    media.volumeId !== undefined &&
    matches(media.volumeId, iso.volumeId) &&
    matches(media.systemId, iso.systemId) &&
    matches(media.publisherId, iso.publisherId) &&
    matches(media.applicationId, iso.applicationId) &&
    (media.volumeSize === undefined || media.volumeSize === iso.volumeSizeBytes)
  );
}

/** Media that test more fields, then longer volume-id patterns, are the more specific match. */
function specificity(media: OsInstallMedia): number {
  const tested = [media.volumeId, media.systemId, media.publisherId, media.applicationId, media.volumeSize].filter((v) => v !== undefined).length;
  return tested * 1000 + (media.volumeId?.length ?? 0);
}

/** The osinfo media entry an ISO's identity matches best; newest OS on a tie. */
export function matchIsoMedia(catalogue: OsCatalogue, iso: IsoIdentity): MediaMatch | undefined {
  let best: (MediaMatch & { score: number }) | undefined;
  for (const os of catalogue.all) {
    for (const media of os.media) {
      if (!mediaMatches(media, iso)) continue;
      const score = specificity(media);
      if (!best || score > best.score) best = { os, media, score };
    }
  }
  return best && { os: best.os, media: best.media };
}

export interface IsoDetection {
  identity: IsoIdentity;
  /** Absent when osinfo-db knows no media like it: the user picks the OS. */
  match?: MediaMatch;
}

export async function detectIsoOs(path: string, catalogue: OsCatalogue): Promise<IsoDetection> {
  const identity = await readIsoIdentity(path);
  const match = matchIsoMedia(catalogue, identity);
  return match ? { identity, match } : { identity };
}

// ---- network install trees

export interface TreeBootFiles {
  kernelUrl: string;
  initrdUrl: string;
  /** Kernel arguments pointing the installer at the tree, e.g. "inst.repo=URL"; '' when the OS needs none. */
  kernelArgs: string;
}

/** Reads a text file of an install tree; the default fetches it. */
export type TreeTextReader = (url: string) => Promise<string>;

const fetchText: TreeTextReader = async (url) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return response.text();
};

const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;

/** .treeinfo names architectures its own way. */
const TREEINFO_ARCH: Record<string, string> = { armv7l: 'armhfp' };

/** The kernel and initrd paths a .treeinfo file gives for an architecture (its [images-ARCH] section). */
export function parseTreeinfo(text: string, arch: string): { kernel?: string; initrd?: string } {
  const wanted = `images-${TREEINFO_ARCH[arch] ?? arch}`;
  const found: { kernel?: string; initrd?: string } = {};
  let section = '';
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      section = header[1]!.trim();
      continue;
    }
    const entry = /^\s*(kernel|initrd)\s*[=:]\s*(\S+)/.exec(line);
    if (entry && section === wanted) found[entry[1] as 'kernel' | 'initrd'] = entry[2]!;
  }
  return found;
}

/**
 * Where the installer kernel and initrd of a tree are: from osinfo-db's tree data for the OS, else
 * from the tree's .treeinfo. `treeUrl` defaults to the OS's own tree URL for the architecture.
 */
export async function treeBootFiles(
  os: { catalogue: OsCatalogue; os: OsInfo } | undefined,
  arch: string,
  treeUrl?: string,
  readText: TreeTextReader = fetchText,
): Promise<TreeBootFiles> {
  const trees = os?.os.trees ?? [];
  const tree = trees.find((t) => t.arch === arch) ?? trees.find((t) => t.arch === 'all');
  const url = treeUrl ?? tree?.url;
  if (url === undefined) {
    const osName = os?.os.name ?? 'this OS';
    throw new MediaError(osName, 'no-tree-boot-files', `osinfo-db has no install tree for ${osName} on ${arch}: enter the tree URL`);
  }
  let paths: { kernel?: string; initrd?: string } = { kernel: tree?.kernel, initrd: tree?.initrd };
  if (paths.kernel === undefined || paths.initrd === undefined) {
    const treeinfoUrl = joinUrl(url, '.treeinfo');
    const text = await readText(treeinfoUrl).catch((e: Error) => {
      throw new MediaError(url, 'no-tree-boot-files', `${url} is not an install tree osinfo-db knows, and ${treeinfoUrl} could not be read: ${e.message}`);
    });
    paths = parseTreeinfo(text, arch);
  }
  if (paths.kernel === undefined || paths.initrd === undefined) {
    throw new MediaError(url, 'no-tree-boot-files', `the install tree at ${url} names no kernel and initrd for ${arch}`);
  }
  const urlArgument = os && os.catalogue.kernelUrlArgument(os.os);
  return {
    kernelUrl: joinUrl(url, paths.kernel),
    initrdUrl: joinUrl(url, paths.initrd),
    kernelArgs: urlArgument ? `${urlArgument}=${url}` : '',
  };
}
