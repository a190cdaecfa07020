// The New-VM wizard's file browser for local connections: folders under a few roots where ISOs,
// kernels and disk images live (the home folder, libvirt's image folders, the temp folder, mount
// points, the connection's directory pools) and the optical drives in /dev. Paths are resolved
// (symlinks included) before the root check, so no path leads out; entries carry names, types and
// sizes only.
import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { apiError } from '../../shared/api/errors.js';
import type { BrowseEntry, BrowseListing } from '../../shared/models/wizard.js';

/** Folders offered on every local connection (those that exist). */
export function defaultBrowseRoots(): string[] {
  return [homedir(), '/var/lib/libvirt/images', '/var/lib/libvirt/boot', tmpdir(), '/media', '/mnt', '/run/media', '/srv', DEVICES];
}

const DEVICES = '/dev';
/** Optical drives: the only entries shown in /dev. */
const OPTICAL_DRIVE = /^(sr\d+|cdrom\d*|dvd\d*)$/;
export const MAX_BROWSE_ENTRIES = 5000;

interface Root {
  /** As configured. */
  shown: string;
  /** With symlinks resolved: what paths are checked against. */
  real: string;
}

async function existingRoots(candidates: readonly string[]): Promise<Root[]> {
  const roots: Root[] = [];
  const seen = new Set<string>();
  for (const shown of candidates) {
    if (!isAbsolute(shown)) continue;
    const real = await realpath(shown).catch(() => null);
    if (real === null || seen.has(real)) continue;
    if (!(await stat(real).catch(() => null))?.isDirectory()) continue;
    seen.add(real);
    roots.push({ shown, real });
  }
  return roots;
}

const inside = (path: string, root: string): boolean => path === root || path.startsWith(root === '/' ? '/' : `${root}/`);

function entryType(stats: Stats): BrowseEntry['type'] | null {
  if (stats.isDirectory()) return 'dir';
  if (stats.isFile()) return 'file';
  if (stats.isBlockDevice()) return 'block';
  return null; // sockets, pipes, character devices: nothing to install from
}

/** Lists a folder under one of `candidates` (the roots); no path: the roots themselves. */
export async function browse(candidates: readonly string[], path: string | undefined): Promise<BrowseListing> {
  const roots = await existingRoots(candidates);
  const rootList = roots.map((r) => r.real);
  if (path === undefined) {
    return { path: null, parent: null, roots: rootList, entries: rootList.map((name) => ({ name, type: 'dir', sizeBytes: null })), truncated: false };
  }
  if (!isAbsolute(path) || path.includes('\0')) throw apiError('invalid-input', `"${path}" is not an absolute path`);
  const real = await realpath(resolve(path)).catch((e: NodeJS.ErrnoException) => {
    throw apiError('not-found', `${path} cannot be opened: ${e.code ?? e.message}`);
  });
  // The deepest root holding it: /dev is only browsed at its top.
  const root = roots.filter((r) => inside(real, r.real)).toSorted((a, b) => b.real.length - a.real.length)[0];
  if (!root || (root.real === DEVICES && real !== DEVICES)) {
    throw apiError('invalid-input', `${path} is outside the folders the wizard browses (${rootList.join(', ')}); type the path instead`);
  }
  if (!(await stat(real)).isDirectory()) throw apiError('invalid-input', `${path} is not a folder`);

  let dirents: Dirent[];
  try {
    dirents = await readdir(real, { withFileTypes: true });
  } catch (e) {
    throw apiError('not-found', `${path} cannot be listed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const devices = real === DEVICES;
  const candidatesHere = dirents.filter((d) => !d.name.startsWith('.') && (!devices || OPTICAL_DRIVE.test(d.name)));
  const truncated = candidatesHere.length > MAX_BROWSE_ENTRIES;
  const shown = candidatesHere.slice(0, MAX_BROWSE_ENTRIES);
  const found: BrowseEntry[] = [];
  // Symlinks are listed as what they point to; ones that lead nowhere are left out.
  const stats = await Promise.all(shown.map((d) => stat(`${real === '/' ? '' : real}/${d.name}`).catch(() => null)));
  for (const [i, dirent] of shown.entries()) {
    const info = stats[i];
    const type = info ? entryType(info) : null;
    if (!type || (type === 'block' && !devices)) continue;
    found.push({ name: dirent.name, type, sizeBytes: type === 'file' ? info!.size : null });
  }
  const entries = found.toSorted((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name, 'en', { numeric: true }));
  return { path: real, parent: real === root.real ? null : dirname(real), roots: rootList, entries, truncated };
}
