// The New VM wizard on Demo (libvirt's test driver, in a browser shell of its own): the ISO flow
// from the file browser through OS detection to a defined, started VM and its console window;
// errors on the page they belong to; Back/Forward; a saved template reused.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { type WizardShell, collectErrors, expectError, forward, makeDebianIso, openWizard, startWizardShell } from './wizard-helpers.js';

test.describe.configure({ mode: 'serial' });

const tag = `vireo-e2e-${randomBytes(3).toString('hex')}`;
let shell: WizardShell;
let dir: string;
let iso: string;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), `${tag}-`));
  iso = makeDebianIso(dir);
  shell = await startWizardShell();
});

test.afterAll(async () => {
  // The Demo VMs live in the shell's own test driver: they go with it.
  await shell?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openDemo(page: Page): Promise<void> {
  await page.goto(shell.url);
  await expect(page.getByTestId('connection-demo').getByTestId('connection-state')).toHaveText('connected');
  await expect(page.getByTestId('vm-row-test')).toBeVisible();
}

test('the ISO flow on Demo: browse to the ISO, OS detected, defaults from osinfo, Finish defines and starts the VM and opens its console', async ({ page }) => {
  const errors = collectErrors(page);
  await openDemo(page);
  const dialog = await openWizard(page);
  await expect(dialog.getByTestId('wizard-connection')).toHaveValue('demo');
  await expect(dialog.getByTestId('wizard-method-iso')).toBeChecked();
  // The test driver's host: an i686 without KVM.
  await expect(dialog.getByTestId('wizard-arch')).toContainText('Host (i686)');
  await forward(dialog, 2);

  // The file browser: from the roots to the ISO in its temp folder.
  await dialog.getByTestId('wizard-iso-path-browse').click();
  const browser = dialog.getByTestId('file-browser');
  await expect(browser).toBeVisible();
  await browser.locator(`[data-testid="file-browser-entry"][data-name="${tmpdir()}"]`).click();
  await expect(browser.getByTestId('file-browser-path')).toHaveText(tmpdir());
  await browser.locator(`[data-testid="file-browser-entry"][data-name="${basename(dir)}"]`).click();
  await browser.locator('[data-testid="file-browser-entry"][data-name="debian-11.iso"]').click();
  await browser.getByTestId('file-browser-choose').click();
  await expect(dialog.getByTestId('wizard-iso-path')).toHaveValue(iso);
  await expect(dialog.getByTestId('wizard-os-detected')).toHaveText('Detected: Debian 11');
  await expect(dialog.getByTestId('wizard-os-selected')).toHaveText('Debian 11');
  await forward(dialog, 3);

  // osinfo-db recommends 1 GiB and one CPU for Debian 11; the test host has 3 GiB and 16 CPUs.
  await expect(dialog.getByTestId('wizard-memory')).toHaveValue('1024');
  await expect(dialog.getByTestId('wizard-vcpus')).toHaveValue('1');
  await expect(dialog.getByTestId('wizard-host-limits')).toContainText('The host has 3 GiB of memory and 16 CPUs. Debian 11 needs at least 1 GiB.');
  await forward(dialog, 4);

  await expect(dialog.getByTestId('wizard-storage-new')).toBeChecked();
  await expect(dialog.getByTestId('wizard-pool')).toHaveValue('default-pool');
  await expect(dialog.getByTestId('wizard-disk-size')).toHaveValue('20');
  await forward(dialog, 5);

  const name = `${tag}-iso`;
  await dialog.getByTestId('wizard-name').fill(name);
  await expect(dialog.getByTestId('wizard-network')).toHaveValue('network:default');
  await dialog.getByTestId('wizard-save-template').check();
  await dialog.getByTestId('wizard-template-name').fill(`${tag} Debian`);
  await expect(dialog.getByTestId('wizard-summary')).toContainText('20 GiB qcow2 in pool default-pool');

  const popup = page.waitForEvent('popup');
  await dialog.getByTestId('wizard-finish').click();
  // Finish opens the new VM's console window.
  const consoleWindow = await popup;
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`vm-row-${name}`).getByTestId('vm-state')).toHaveText('Running');
  const uuid = await page.getByTestId(`vm-row-${name}`).getAttribute('data-uuid');
  expect(consoleWindow.url()).toContain(`#/vm/demo/${uuid}/console`);
  await expect(consoleWindow.getByTestId('vm-window')).toBeVisible();
  await consoleWindow.close();
  expect(errors).toEqual([]);
});

test('errors on the page they belong to: unreadable ISO, disk larger than the pool, taken name, missing bridge; Back and Forward keep the entries', async ({ page }) => {
  await openDemo(page);
  const dialog = await openWizard(page);
  await forward(dialog, 2);

  // Source: a path that is not there.
  await dialog.getByTestId('wizard-os-auto').uncheck();
  await dialog.getByTestId('wizard-iso-path').fill(join(dir, 'missing.iso'));
  await dialog.getByTestId('wizard-forward').click();
  await expectError(dialog, 'source', `${join(dir, 'missing.iso')} is not readable: ENOENT`);
  await expect(dialog.getByTestId('wizard-iso-path')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByTestId('wizard-iso-path').fill(iso);
  await dialog.getByTestId('wizard-os-search').fill('fedora');
  await dialog.getByTestId('wizard-os-list').selectOption({ index: 1 });
  const chosenOs = await dialog.getByTestId('wizard-os-selected').textContent();
  expect(chosenOs).toMatch(/^Fedora/);
  await forward(dialog, 3);
  await dialog.getByTestId('wizard-memory').fill('512');
  await forward(dialog, 4);

  // Storage: more than the test pool's 100 GiB (less what the first test's VM took).
  await dialog.getByTestId('wizard-disk-size').fill('200');
  await dialog.getByTestId('wizard-forward').click();
  await expectError(dialog, 'storage', /^a 200 GiB disk does not fit in storage pool "default-pool": it has \d+ GiB free$/);
  await expect(dialog.getByTestId('wizard-disk-size')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByTestId('wizard-disk-size').fill('2');
  await forward(dialog, 5);

  // Back and Forward keep what was entered.
  await dialog.getByTestId('wizard-back').click();
  await expect(dialog.getByTestId('wizard-disk-size')).toHaveValue('2');
  await dialog.getByTestId('wizard-back').click();
  await expect(dialog.getByTestId('wizard-memory')).toHaveValue('512');
  await dialog.getByTestId('wizard-back').click();
  await expect(dialog.getByTestId('wizard-iso-path')).toHaveValue(iso);
  await expect(dialog.getByTestId('wizard-os-selected')).toHaveText(chosenOs!);
  await forward(dialog, 3);
  await forward(dialog, 4);
  await forward(dialog, 5);

  // Name: the Demo's own VM.
  await dialog.getByTestId('wizard-name').fill('test');
  await dialog.getByTestId('wizard-finish').click();
  await expectError(dialog, 'summary', 'a VM named "test" already exists on test:///default');
  await expect(dialog.getByTestId('wizard-name')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByTestId('wizard-name').fill('not a valid name');
  await dialog.getByTestId('wizard-finish').click();
  await expectError(dialog, 'summary', '"not a valid name" is not a valid VM name');

  // Network: a bridge the host does not have.
  await dialog.getByTestId('wizard-name').fill(`${tag}-errors`);
  await dialog.getByTestId('wizard-network').selectOption('bridge');
  await dialog.getByTestId('wizard-bridge').fill('vireo-nobr0');
  await dialog.getByTestId('wizard-finish').click();
  await expectError(dialog, 'summary', 'there is no bridge named "vireo-nobr0" on this host');

  // Nothing was created along the way.
  await dialog.getByTestId('wizard-cancel').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`vm-row-${tag}-errors`)).toHaveCount(0);
});

test('a saved template fills the wizard again, and creates another VM from it', async ({ page }) => {
  await openDemo(page);
  const dialog = await openWizard(page);
  await dialog.getByTestId('wizard-template').selectOption(`${tag} Debian`);
  await expect(dialog.getByTestId('wizard-method-iso')).toBeChecked();
  await forward(dialog, 2);
  await expect(dialog.getByTestId('wizard-iso-path')).toHaveValue(iso);
  await forward(dialog, 3);
  await expect(dialog.getByTestId('wizard-memory')).toHaveValue('1024');
  await forward(dialog, 4);
  await expect(dialog.getByTestId('wizard-disk-size')).toHaveValue('20');
  await forward(dialog, 5);
  const name = `${tag}-from-template`;
  await dialog.getByTestId('wizard-name').fill(name);
  await dialog.getByTestId('wizard-start').uncheck();
  await dialog.getByTestId('wizard-finish').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`vm-row-${name}`).getByTestId('vm-state')).toHaveText('Shut off');
});
