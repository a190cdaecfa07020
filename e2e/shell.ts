// A browser shell of its own for a spec (npm run serve -- --connect URI), on a random port
// with a throwaway config dir, so the connections, VMs and templates it makes stay its own.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { VmTab } from '../renderer/views/vm/route.js';

export interface Shell {
  url: string;
  /** The serve process (its CPU use is measured by bench/manager.ts). */
  pid: number;
  /** The serve process's output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startShell(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Shell> {
  const configHome = mkdtempSync(join(tmpdir(), 'vireo-e2e-shell-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'electron/shells/browser/serve.ts', '--port', '0', ...args], {
    env: { ...process.env, XDG_CONFIG_HOME: configHome, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the browser shell printed no URL within 120 s:\n${output}`)), 120_000);
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
  return {
    url,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(configHome, { recursive: true, force: true });
    },
  };
}

/** Console errors and uncaught exceptions (CSP violations among them). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** The per-VM window's address (#/vm/<connection>/<uuid>/<tab>) in the shell at `shellUrl`, token included. */
export function vmWindowUrl(shellUrl: string, connection: string, uuid: string, tab: VmTab): string {
  const url = new URL(shellUrl);
  const token = new URLSearchParams(url.hash.slice(1)).get('token');
  return `${url.origin}/#/vm/${connection}/${uuid}/${tab}?token=${token}`;
}

/**
 * Errors that point at a bug of ours: CSP refusals and uncaught exceptions (noVNC logs its own
 * protocol errors, a refused password among them, with console.error, so those are not counted).
 */
export function watchCspAndPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}
