// The browser shell serves the built renderer; this rebuilds it when any of its sources is
// newer than the last build, so `npm run serve` never shows a stale UI.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const RENDERER_OUT = join(REPO_ROOT, 'dist', 'renderer');
const SOURCES = ['renderer', 'shared', 'vite.config.ts', 'package.json'].map((p) => join(REPO_ROOT, p));

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const times = await Promise.all(entries.filter((e) => e.isFile()).map(async (e) => (await stat(join(e.parentPath, e.name))).mtimeMs));
  return Math.max(info.mtimeMs, ...times);
}

export async function rendererIsStale(): Promise<boolean> {
  const index = join(RENDERER_OUT, 'index.html');
  if (!existsSync(index)) return true;
  const built = (await stat(index)).mtimeMs;
  const sources = await Promise.all(SOURCES.map(newestMtime));
  return Math.max(...sources) > built;
}

export async function ensureRendererBuilt(): Promise<void> {
  if (!(await rendererIsStale())) return;
  console.log('Vireo: building the renderer (vite build)…');
  const { build } = await import('vite');
  await build({ configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
