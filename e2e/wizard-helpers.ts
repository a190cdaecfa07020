// Helpers for the New VM wizard's specs: a browser shell of their own (so the VMs they make on
// Demo and the templates they save stay theirs), and steps that drive the wizard's pages.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Locator, type Page, expect } from '@playwright/test';

export { type Shell as WizardShell, collectErrors, startShell as startWizardShell } from './shell.js';

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
