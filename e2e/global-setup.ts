// Starts the browser shell (npm run serve) on a random port with a throwaway config dir, and
// hands its printed URL to the tests in VIREO_URL. Returns the teardown.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const STARTUP_TIMEOUT_MS = 120_000; // includes a renderer build when the sources changed

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the browser shell printed no URL within ${STARTUP_TIMEOUT_MS} ms:\n${output}`)), STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Vireo listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the browser shell exited (${code}) before listening:\n${output}`));
    });
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const configHome = mkdtempSync(join(tmpdir(), 'vireo-e2e-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/shells/browser/serve.ts', '--port', '0'], {
    env: { ...process.env, XDG_CONFIG_HOME: configHome },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.env.VIREO_URL = await waitForUrl(child);
  // Keep reading so the child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(configHome, { recursive: true, force: true });
  };
}
