// npm run build: the Electron main and preload (esbuild, CommonJS) and the renderer (vite)
// into dist/. The libvirt addon is not bundled: native/index.ts finds it at run time.
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  external: ['electron', '*.node'],
  logLevel: 'warning',
};

/** The Electron main process and preload bundles, into `outdir` (tests bundle them elsewhere). */
export function buildElectron(outdir = `${root}/dist/electron`) {
  return Promise.all([
    esbuild.build({
      ...common,
      entryPoints: ['electron/main.ts'],
      outfile: `${outdir}/main.cjs`,
      platform: 'node',
      // Sources are ES modules; in the CommonJS bundle import.meta.url must come from __filename.
      define: { 'import.meta.url': 'import_meta_url' },
      banner: { js: "const import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    }),
    // Sandboxed preloads run as CommonJS with only a few modules (electron among them) to require.
    esbuild.build({ ...common, entryPoints: ['electron/preload.ts'], outfile: `${outdir}/preload.cjs`, platform: 'browser' }),
  ]);
}

export async function build() {
  await buildElectron();
  await viteBuild({ configFile: `${root}/vite.config.ts`, logLevel: 'warn' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build();
  console.log('built dist/electron/main.cjs, dist/electron/preload.cjs, dist/renderer/');
}
