import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The renderer only; the Electron main and preload are bundled by scripts/build.mjs.
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  // Relative asset URLs: the same build loads from file:// in Electron and from / in the browser shell.
  base: './',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2023',
  },
});
