// Helpers for the New VM wizard's specs: a browser shell of their own (so the VMs they make on
// Demo and the templates they save stay theirs), and steps that drive the wizard's pages.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Locator, type Page, expect } from '@playwright/test';

export interface WizardShell {
  url: string;
  stop(): Promise<void>;
}

/** npm run serve on a random port with a throwaway config dir; args like ['--connect', 'qemu:///system']. */
export async function startWizardShell(args: string[] = []): Promise<WizardShell> {
  const configHome = mkdtempSync(join(tmpdir(), 'vireo-e2e-wizard-config-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'electron/shells/browser/serve.ts', '--port', '0', ...args], {
    env: { ...process.env, XDG_CONFIG_HOME: configHome },
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

/** An ISO whose volume id osinfo-db matches to Debian 11, in a folder of its own under the temp dir. */
export function makeDebianIso(dir: string): string {
  const content = join(dir, 'iso-content');
  mkdirSync(content, { recursive: true });
  writeFileSync(join(content, 'README'), 'Vireo e2e install medium');
  const path = join(dir, 'debian-11.iso');
  execFileSync('genisoimage', ['-quiet', '-V', 'Debian 11.5.0 amd64 n', '-o', path, content]);
  return path;
}

export const wizard = (page: Page): Locator => page.getByTestId('new-vm-wizard');

export async function openWizard(page: Page): Promise<Locator> {
  await page.getByTestId('toolbar-new-vm').click();
  const dialog = wizard(page);
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('wizard-step')).toContainText('Step 1 of 5');
  // The connection's environment has loaded when Forward can be pressed.
  await expect(dialog.getByTestId('wizard-forward')).toBeEnabled();
  return dialog;
}

/** Forward, and wait for the next page (or for an error on this one). */
export async function forward(dialog: Locator, expectStep: number): Promise<void> {
  await dialog.getByTestId('wizard-forward').click();
  const next = dialog.getByTestId('wizard-step').filter({ hasText: `Step ${expectStep} of` });
  const error = dialog.getByTestId('wizard-error');
  await expect(next.or(error).first()).toBeVisible({ timeout: 30_000 });
  if (await error.isVisible()) throw new Error(`the wizard stayed on its page: ${await error.textContent()}`);
}

/** The error shown, with the page it is on. */
export async function expectError(dialog: Locator, page: string, text: string | RegExp): Promise<void> {
  const error = dialog.getByTestId('wizard-error');
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expect(error).toHaveAttribute('data-page', page);
  await expect(error).toContainText(text);
}
