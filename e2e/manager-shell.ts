// A browser shell of its own for the manager window's specs (npm run serve -- --connect URI),
// on a random port with a throwaway config dir, so their connections and VMs stay theirs.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page, expect } from '@playwright/test';

export interface Shell {
  url: string;
  /** The serve process's output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startShell(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Shell> {
  const configHome = mkdtempSync(join(tmpdir(), 'vireo-e2e-manager-'));
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

/** The VM list of the selected connection, once it holds the connection's whole list. */
export async function loadedList(page: Page, count?: number) {
  const list = page.getByTestId('vm-list');
  await expect(list).toHaveAttribute('data-loaded', 'true');
  if (count !== undefined) await expect(list).toHaveAttribute('data-vm-count', String(count));
  return list;
}

/** Names of the rendered rows, top to bottom. */
export async function rowNames(page: Page): Promise<string[]> {
  return page.locator('[data-testid="vm-list"] [role="row"][data-uuid] .vm-name-text').allTextContents();
}

export const row = (page: Page, name: string) => page.getByTestId(`vm-row-${name}`);
export const stateOf = (page: Page, name: string) => row(page, name).getByTestId('vm-state');
