// The OS catalogue of the New-VM wizard, read from osinfo-db (/usr/share/osinfo/os/**/*.xml): names,
// versions, support dates, resource needs, install media, install trees and cloud images. The
// ~800 files are read and parsed a file per event-loop turn, once per directory, on first use.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type XmlElement, parse } from '../../../shared/xml/document.js';

export const OSINFO_DIR = '/usr/share/osinfo';

export type OsResourceLevel = 'minimum' | 'recommended' | 'maximum' | 'network-install';

export interface OsResourceValues {
  ramBytes?: number;
  storageBytes?: number;
  nCpus?: number;
  cpuHz?: number;
}

/** One <resources> element: the values for one architecture, or for arch 'all'. */
export interface OsResourceSet {
  arch: string;
  levels: Partial<Record<OsResourceLevel, OsResourceValues>>;
}

export interface OsInstallMedia {
  arch: string;
  variants: string[];
  url?: string;
  /** Regular expressions on the ISO's primary volume descriptor (unanchored, as libosinfo matches them). */
  volumeId?: string;
  systemId?: string;
  publisherId?: string;
  applicationId?: string;
  /** Exact size in bytes, for media whose descriptors are otherwise alike (live and DVD editions). */
  volumeSize?: number;
  /** Paths inside the ISO. */
  kernel?: string;
  initrd?: string;
  live: boolean;
  installer: boolean;
}

export interface OsInstallTree {
  arch: string;
  variants: string[];
  url?: string;
  /** Paths relative to the tree URL; absent for trees that describe themselves in a .treeinfo file. */
  kernel?: string;
  initrd?: string;
  hasTreeinfo: boolean;
}

export interface OsCloudImage {
  arch: string;
  variants: string[];
  url: string;
  format: string;
  cloudInit: boolean;
}

export type OsReleaseStatus = 'released' | 'prerelease' | 'snapshot' | 'rolling';

export interface OsInfo {
  /** e.g. http://debian.org/debian/11 */
  id: string;
  /** e.g. ['debian11', 'debianbullseye']; the first is the one tools show. */
  shortIds: string[];
  name: string;
  version?: string;
  vendor?: string;
  family?: string;
  distro?: string;
  codename?: string;
  /** YYYY-MM-DD */
  releaseDate?: string;
  eolDate?: string;
  releaseStatus: OsReleaseStatus;
  derivesFrom?: string;
  upgrades?: string;
  /** Kernel argument naming the install tree, e.g. 'inst.repo' ('inst.repo=URL'); see kernelUrlArgument(). */
  ownKernelUrlArgument?: string;
  /** As written in this OS's file; resources() fills gaps from the OSes it derives from or upgrades. */
  resources: OsResourceSet[];
  /** Ids of devices the OS has drivers for (PCI ids like http://pcisig.com/pci/1af4/1001); see supportsDevice(). */
  devices: string[];
  media: OsInstallMedia[];
  trees: OsInstallTree[];
  images: OsCloudImage[];
  /** The files it was read from: its own, then overlays from its .d directory (Windows driver lists). */
  files: string[];
}

export interface OsSearchResult {
  os: OsInfo;
  /** Past its end of life (see OsCatalogue.isEol). */
  eol: boolean;
}

export interface OsSearchOptions {
  includeEol?: boolean;
  limit?: number;
  now?: Date;
}

export class OsinfoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OsinfoError';
  }
}

const RESOURCE_LEVELS: readonly OsResourceLevel[] = ['minimum', 'recommended', 'maximum', 'network-install'];
/** virt-manager's rule for OSes whose file gives no end of life: supported for five years after release. */
const ASSUMED_SUPPORT_YEARS = 5;

export class OsCatalogue {
  /** Newest first. */
  readonly all: readonly OsInfo[];
  /** Files that could not be read or parsed, with why. */
  readonly skipped: readonly { file: string; reason: string }[];
  private readonly byKey = new Map<string, OsInfo>();

  constructor(oses: OsInfo[], skipped: { file: string; reason: string }[] = []) {
    this.all = oses.toSorted(newestFirst);
    this.skipped = skipped;
    for (const os of this.all) {
      this.byKey.set(os.id, os);
      for (const shortId of os.shortIds) this.byKey.set(shortId.toLowerCase(), os);
    }
  }

  /** By id (http://debian.org/debian/11) or short id (debian11, case-insensitive). */
  get(key: string): OsInfo | undefined {
    return this.byKey.get(key) ?? this.byKey.get(key.toLowerCase());
  }

  require(key: string): OsInfo {
    const os = this.get(key);
    if (!os) throw new OsinfoError(`unknown operating system "${key}" (not in osinfo-db)`);
    return os;
  }

  /**
   * OSes whose name, short ids, codename, distro or vendor contain every word of the query
   * (case-insensitive). An exact short id comes first, then newest first.
   */
  search(query: string, options: OsSearchOptions = {}): OsSearchResult[] {
    const now = options.now ?? new Date();
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const exact = query.trim().toLowerCase();
    const results: OsSearchResult[] = [];
    for (const os of this.all) {
      const haystack = [os.name, ...os.shortIds, os.codename, os.distro, os.vendor].join(' ').toLowerCase();
      if (!words.every((word) => haystack.includes(word))) continue;
      const eol = this.isEol(os, now);
      if (eol && options.includeEol === false) continue;
      results.push({ os, eol });
    }
    const exactFirst = results.toSorted((a, b) => Number(b.os.shortIds.includes(exact)) - Number(a.os.shortIds.includes(exact)));
    return exactFirst.slice(0, options.limit ?? exactFirst.length);
  }

  /** Past its eol-date; without one, released more than five years ago (rolling releases never are). */
  isEol(os: OsInfo, now = new Date()): boolean {
    if (os.eolDate) return now > new Date(os.eolDate);
    if (os.releaseStatus === 'rolling' || !os.releaseDate) return false;
    const assumedEnd = new Date(os.releaseDate);
    assumedEnd.setUTCFullYear(assumedEnd.getUTCFullYear() + ASSUMED_SUPPORT_YEARS);
    return now > assumedEnd;
  }

  /**
   * Resource needs of an OS on an architecture: each value from the OS's own entry for `arch`,
   * else its 'all' entry, else from the nearest OS it derives from or upgrades.
   */
  resources(os: OsInfo, arch: string, level: OsResourceLevel): OsResourceValues {
    const values: OsResourceValues = {};
    for (const field of ['ramBytes', 'storageBytes', 'nCpus', 'cpuHz'] as const) {
      const value = this.inherited(os, (candidate) => {
        const sets = [candidate.resources.find((r) => r.arch === arch), candidate.resources.find((r) => r.arch === 'all')];
        return sets.map((set) => set?.levels[level]?.[field]).find((v) => v !== undefined);
      });
      if (value !== undefined) values[field] = value;
    }
    return values;
  }

  /** The kernel argument that points an installer at its tree ('inst.repo', 'install', 'method'), inherited like resources. */
  kernelUrlArgument(os: OsInfo): string | undefined {
    return this.inherited(os, (candidate) => candidate.ownKernelUrlArgument);
  }

  /** Whether the OS or an OS it derives from or upgrades has drivers for a device. */
  supportsDevice(os: OsInfo, deviceId: string): boolean {
    return this.inherited(os, (candidate) => candidate.devices.includes(deviceId) || undefined) ?? false;
  }

  /** The first value `pick` finds on the OS or its ancestors, nearest first (breadth-first, cycles ignored). */
  private inherited<T>(os: OsInfo, pick: (os: OsInfo) => T | undefined): T | undefined {
    const seen = new Set<string>();
    const queue = [os];
    for (let candidate = queue.shift(); candidate; candidate = queue.shift()) {
      if (seen.has(candidate.id)) continue;
      seen.add(candidate.id);
      const value = pick(candidate);
      if (value !== undefined) return value;
      for (const parentId of [candidate.derivesFrom, candidate.upgrades]) {
        const parent = parentId === undefined ? undefined : this.byKey.get(parentId);
        if (parent) queue.push(parent);
      }
    }
    return undefined;
  }
}

function newestFirst(a: OsInfo, b: OsInfo): number {
  const byDate = (b.releaseDate ?? '').localeCompare(a.releaseDate ?? '');
  if (byDate !== 0) return byDate;
  const byVersion = (b.version ?? '').localeCompare(a.version ?? '', 'en', { numeric: true });
  return byVersion !== 0 ? byVersion : a.name.localeCompare(b.name);
}

// ---- reading osinfo-db files

/** The untranslated text of the first `name` child: osinfo repeats names and vendors per xml:lang. */
function textOf(parent: XmlElement, name: string): string | undefined {
  const element = parent.children(name).find((child) => !child.hasAttr('xml:lang'));
  const text = element?.text().trim();
  return text === undefined || text === '' ? undefined : text;
}

function numberOf(parent: XmlElement, name: string): number | undefined {
  const text = textOf(parent, name);
  const value = text === undefined ? NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const variantsOf = (element: XmlElement): string[] => element.children('variant').flatMap((v) => v.attr('id') ?? []);
const archOf = (element: XmlElement): string => element.attr('arch') ?? 'all';

function resourceValues(element: XmlElement): OsResourceValues {
  const values: OsResourceValues = {};
  const pairs = [
    ['ramBytes', 'ram'],
    ['storageBytes', 'storage'],
    ['nCpus', 'n-cpus'],
    ['cpuHz', 'cpu'],
  ] as const;
  for (const [field, tag] of pairs) {
    const value = numberOf(element, tag);
    if (value !== undefined) values[field] = value;
  }
  return values;
}

function readResources(element: XmlElement): OsResourceSet {
  const levels: OsResourceSet['levels'] = {};
  for (const level of RESOURCE_LEVELS) {
    const levelElement = element.child(level);
    if (levelElement) levels[level] = resourceValues(levelElement);
  }
  return { arch: archOf(element), levels };
}

function readMedia(element: XmlElement): OsInstallMedia {
  const iso = element.child('iso');
  return {
    arch: archOf(element),
    variants: variantsOf(element),
    url: textOf(element, 'url'),
    volumeId: iso && textOf(iso, 'volume-id'),
    systemId: iso && textOf(iso, 'system-id'),
    publisherId: iso && textOf(iso, 'publisher-id'),
    applicationId: iso && textOf(iso, 'application-id'),
    volumeSize: iso && numberOf(iso, 'volume-size'),
    kernel: textOf(element, 'kernel'),
    initrd: textOf(element, 'initrd'),
    live: element.attr('live') === 'true',
    installer: element.attr('installer') !== 'false',
  };
}

function readTree(element: XmlElement): OsInstallTree {
  return {
    arch: archOf(element),
    variants: variantsOf(element),
    url: textOf(element, 'url'),
    kernel: textOf(element, 'kernel'),
    initrd: textOf(element, 'initrd'),
    hasTreeinfo: element.child('treeinfo') !== undefined,
  };
}

function readImage(element: XmlElement): OsCloudImage | undefined {
  const url = textOf(element, 'url');
  if (url === undefined) return undefined;
  return {
    arch: archOf(element),
    variants: variantsOf(element),
    url,
    format: element.attr('format') ?? 'raw',
    cloudInit: element.attr('cloud-init') === 'true',
  };
}

const RELEASE_STATUSES: readonly OsReleaseStatus[] = ['released', 'prerelease', 'snapshot', 'rolling'];

function readOsElement(element: XmlElement, file: string): OsInfo {
  const id = element.attr('id');
  if (!id) throw new OsinfoError('an <os> element has no id');
  const status = textOf(element, 'release-status');
  return {
    id,
    shortIds: element.children('short-id').map((s) => s.text().trim()),
    name: textOf(element, 'name') ?? id,
    version: textOf(element, 'version'),
    vendor: textOf(element, 'vendor'),
    family: textOf(element, 'family'),
    distro: textOf(element, 'distro'),
    codename: textOf(element, 'codename'),
    releaseDate: textOf(element, 'release-date'),
    eolDate: textOf(element, 'eol-date'),
    releaseStatus: RELEASE_STATUSES.find((s) => s === status) ?? 'released',
    derivesFrom: element.child('derives-from')?.attr('id'),
    upgrades: element.child('upgrades')?.attr('id'),
    ownKernelUrlArgument: textOf(element, 'kernel-url-argument'),
    resources: element.children('resources').map(readResources),
    devices: (element.child('devices')?.children('device') ?? []).flatMap((device) => device.attr('id') ?? []),
    media: element.children('media').map(readMedia),
    trees: element.children('tree').map(readTree),
    images: element.children('image').flatMap((image) => readImage(image) ?? []),
    files: [file],
  };
}

/** An OS described in several files (win-10.xml and win-10.d/*.xml) is one OS: lists are joined, the first file's values win. */
function mergeOs(first: OsInfo, overlay: OsInfo): OsInfo {
  const merged: OsInfo = { ...overlay, ...Object.fromEntries(Object.entries(first).filter(([, value]) => value !== undefined)) };
  merged.shortIds = [...new Set([...first.shortIds, ...overlay.shortIds])];
  merged.resources = [...first.resources, ...overlay.resources];
  merged.devices = [...new Set([...first.devices, ...overlay.devices])];
  merged.media = [...first.media, ...overlay.media];
  merged.trees = [...first.trees, ...overlay.trees];
  merged.images = [...first.images, ...overlay.images];
  merged.files = [...first.files, ...overlay.files];
  return merged;
}

/** The <os> entries of one osinfo-db file's text. */
export function parseOsinfoFile(text: string, file: string): OsInfo[] {
  return parse(text)
    .root.children('os')
    .map((os) => readOsElement(os, file));
}

const isOverlay = (file: string): boolean => /\.d\//.test(file);
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Files read at once; each is parsed on an event-loop turn of its own. */
const READ_BATCH = 16;

async function readCatalogue(dir: string): Promise<OsCatalogue> {
  const osDir = join(dir, 'os');
  if (!(await stat(osDir).catch(() => null))?.isDirectory()) {
    throw new OsinfoError(`osinfo-db is not installed (no ${osDir}): install the osinfo-db package`);
  }
  // An OS's own file (win-10.xml) is read before its overlays (win-10.d/*.xml).
  const files = (await readdir(osDir, { recursive: true }))
    .filter((f) => f.endsWith('.xml'))
    .toSorted((a, b) => Number(isOverlay(a)) - Number(isOverlay(b)))
    .map((f) => join(osDir, f));
  const oses = new Map<string, OsInfo>();
  const skipped: { file: string; reason: string }[] = [];
  for (let start = 0; start < files.length; start += READ_BATCH) {
    const batch = files.slice(start, start + READ_BATCH);
    const texts = await Promise.all(batch.map((file) => readFile(file, 'utf8').catch((e: Error) => e)));
    for (const [i, text] of texts.entries()) {
      const file = batch[i]!;
      try {
        if (text instanceof Error) throw text;
        for (const os of parseOsinfoFile(text, file)) {
          const known = oses.get(os.id);
          oses.set(os.id, known ? mergeOs(known, os) : os);
        }
      } catch (e) {
        skipped.push({ file, reason: (e as Error).message });
      }
      await yieldToEventLoop();
    }
  }
  return new OsCatalogue([...oses.values()], skipped);
}

const catalogues = new Map<string, Promise<OsCatalogue>>();

/** The catalogue of an osinfo-db directory, read once; a failed read is retried on the next call. */
export function loadOsCatalogue(dir = OSINFO_DIR): Promise<OsCatalogue> {
  let loading = catalogues.get(dir);
  if (!loading) {
    loading = readCatalogue(dir);
    catalogues.set(dir, loading);
    loading.catch(() => catalogues.delete(dir));
  }
  return loading;
}
