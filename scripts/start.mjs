// npm start [-- --connect URI]: builds, then runs Electron, or the browser shell where the
// Electron binary is not installed (it cannot be downloaded without internet).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

function electronBinary() {
  try {
    // The electron package exports the binary's path, and throws when it was never downloaded.
    const path = createRequire(import.meta.url)('electron');
    return existsSync(path) ? { path } : { missing: `no file at ${path}` };
  } catch (e) {
    return { missing: e.message };
  }
}

/** Build machines install with ELECTRON_SKIP_BINARY_DOWNLOAD (no internet); fetch it now if we can. */
function tryDownloadElectron() {
  if (process.env.CI || process.env.VIREO_NO_ELECTRON_DOWNLOAD) return;
  console.log('Electron binary not installed; trying to download it');
  spawnSync(process.execPath, ['node_modules/electron/install.js'], { cwd: root, stdio: 'inherit', timeout: 300_000 });
}

await build();
let electron = electronBinary();
if (!electron.path) {
  tryDownloadElectron();
  electron = electronBinary();
}
const [command, commandArgs] = electron.path
  ? [electron.path, ['.', ...args]]
  : [process.execPath, ['--import', 'tsx', 'electron/shells/browser/serve.ts', ...args]];
if (!electron.path) console.log(`Electron binary not installed (${electron.missing}); starting the browser shell instead`);
const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
