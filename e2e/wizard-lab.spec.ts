// The New VM wizard on the lab's libvirtd (qemu:///system) with the tiny guest, in a browser shell
// of its own: direct kernel boot with a new disk in a dir pool under the temp dir, booting to the
// serial prompt in the console window Finish opens; a cloud image with its NoCloud seed attached;
// three copies that each boot; and forced failures that leave no volume and no definition behind.
// Needs `bash scripts/lab.sh start`; VIREO_NO_DAEMON=1 skips it.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Locator, type Page, expect, test } from '@playwright/test';
import { labReady, virsh } from '../electron/test/lab.js';
import { type WizardShell, collectErrors, expectError, forward, openWizard, startWizardShell } from './wizard-helpers.js';

const ready = labReady();
test.skip(!ready, 'needs the lab libvirtd and the tiny guest: bash scripts/lab.sh start (or VIREO_NO_DAEMON=1 set)');
test.describe.configure({ mode: 'serial' });

const guestDir = fileURLToPath(new URL('../.lab/guest/', import.meta.url));
const tiny = { kernel: join(guestDir, 'vmlinux'), initrd: join(guestDir, 'initramfs.img'), cmdline: 'console=tty0 console=ttyS0 panic=-1' };
const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';
const tag = `vireo-e2e-${randomBytes(3).toString('hex')}`;
const pool = tag;
let poolDir = '';
let filesDir = '';
let shell: WizardShell;

const ourDomains = (): string[] =>
  virsh('list', '--all', '--name')
    .split('\n')
    .map((n) => n.trim())
    .filter((n) => n.startsWith(tag));
const poolVolumes = (): string[] => {
  virsh('pool-refresh', pool);
  return virsh('vol-list', pool)
    .split('\n')
    .slice(2)
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
};
const state = (name: string) => virsh('domstate', name).trim();
const domainExists = (name: string): boolean => {
  try {
    virsh('dominfo', name);
    return true;
  } catch {
    return false;
  }
};

test.beforeAll(async () => {
  poolDir = mkdtempSync(join(tmpdir(), `${tag}-pool-`));
  filesDir = mkdtempSync(join(tmpdir(), `${tag}-files-`));
  virsh('pool-define-as', pool, 'dir', '--target', poolDir);
  virsh('pool-build', pool);
  virsh('pool-start', pool);
  shell = await startWizardShell(['--connect', 'qemu:///system']);
});

test.afterAll(async () => {
  await shell?.stop();
  if (!ready) return;
  for (const name of ourDomains()) {
    for (const args of [['destroy', name], ['undefine', name]]) {
      try {
        virsh(...args);
      } catch {
        // not running, or gone
      }
    }
  }
  try {
    for (const volume of poolVolumes()) virsh('vol-delete', '--pool', pool, volume);
  } catch {
    // the pool is gone already
  }
  for (const args of [['pool-destroy', pool], ['pool-undefine', pool]]) {
    try {
      virsh(...args);
    } catch {
      // already gone
    }
  }
  for (const made of [poolDir, filesDir]) if (made) rmSync(made, { recursive: true, force: true });
});

async function openLab(page: Page): Promise<void> {
  await page.goto(shell.url);
  await expect(page.getByTestId('connection-qemu-system').getByTestId('connection-state')).toHaveText('connected', { timeout: 30_000 });
}

interface KernelBoot {
  name: string;
  copies?: number;
  kernel?: string;
  customize?: boolean;
}

/** Drives the wizard through a direct kernel boot of the tiny guest (TCG) with a new 64 MiB disk in the test pool, up to its last page. */
async function kernelBootWizard(page: Page, { name, copies = 1, kernel = tiny.kernel, customize = false }: KernelBoot): Promise<Locator> {
  const dialog = await openWizard(page);
  await expect(dialog.getByTestId('wizard-connection')).toHaveValue('qemu-system');
  await dialog.getByTestId('wizard-method-kernel').check();
  // The tiny guest runs under TCG (KVM guests hang on these machines).
  await dialog.getByTestId('wizard-virt-type').selectOption('qemu');
  await forward(dialog, 2);
  await dialog.getByTestId('wizard-kernel').fill(kernel);
  await dialog.getByTestId('wizard-initrd').fill(tiny.initrd);
  await dialog.getByTestId('wizard-cmdline').fill(tiny.cmdline);
  await expect(dialog.getByTestId('wizard-os-selected')).toHaveText('Generic or unknown OS');
  await forward(dialog, 3);
  await dialog.getByTestId('wizard-memory').fill('256');
  await dialog.getByTestId('wizard-vcpus').fill('1');
  await forward(dialog, 4);
  await dialog.getByTestId('wizard-storage-new').check();
  await dialog.getByTestId('wizard-pool').selectOption(pool);
  await dialog.getByTestId('wizard-disk-size').fill('0.0625');
  await forward(dialog, 5);
  await dialog.getByTestId('wizard-copies').fill(String(copies));
  await dialog.getByTestId('wizard-name').fill(name);
  await dialog.getByTestId('wizard-network').selectOption('user');
  if (customize) await dialog.getByTestId('wizard-customize').check();
  return dialog;
}

/** The VM window's serial console reaches the tiny guest's shell prompt. */
async function expectSerialPrompt(vmPage: Page): Promise<void> {
  await expect(vmPage.getByTestId('vm-window')).toBeVisible();
  const select = vmPage.getByTestId('console-select');
  await expect(select).toBeVisible({ timeout: 30_000 });
  const serial = await select.locator('option', { hasText: 'Serial 1' }).first().getAttribute('value');
  await select.selectOption(serial!);
  const layer = vmPage.locator('.console-layer.active');
  const terminal = layer.locator('.xterm-rows');
  await expect(terminal).toBeVisible();
  await layer.locator('.xterm').click();
  // Boot output printed before the console attached is gone: Enter brings a fresh prompt.
  await expect(async () => {
    await vmPage.keyboard.press('Enter');
    await expect(terminal).toContainText('tiny# ', { timeout: 3000 });
  }).toPass({ timeout: 90_000 });
}

/** Opens a VM's console window from the manager window's toolbar. */
async function openConsoleOf(page: Page, name: string): Promise<Page> {
  await page.getByTestId(`vm-row-${name}`).click();
  const popup = page.waitForEvent('popup');
  await page.getByTestId('toolbar-console').click();
  return popup;
}

test('direct kernel boot of the tiny guest with a new disk in a dir pool: it boots, and the console Finish opens shows the prompt', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = collectErrors(page);
  await openLab(page);
  const name = `${tag}-boot`;
  const dialog = await kernelBootWizard(page, { name });
  await expect(dialog.getByTestId('wizard-summary')).toContainText(`0.0625 GiB qcow2 in pool ${pool}`);
  const popup = page.waitForEvent('popup');
  await dialog.getByTestId('wizard-finish').click();
  const consoleWindow = await popup;
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`vm-row-${name}`).getByTestId('vm-state')).toHaveText('Running');
  expect(state(name)).toBe('running');
  // Its new disk: a 64 MiB qcow2 volume in the pool, as the VM's first disk.
  const disk = join(poolDir, `${name}.qcow2`);
  expect(virsh('vol-info', disk)).toMatch(/Capacity:\s+64\.00 MiB/);
  expect(virsh('domblklist', name)).toContain(disk);
  await expectSerialPrompt(consoleWindow);
  await consoleWindow.close();
  virsh('destroy', name);
  expect(errors).toEqual([]);
});

test('cloud image with cloud-init: a qcow2 overlay on the image and the NoCloud seed ISO attached to the VM', async ({ page }) => {
  test.setTimeout(120_000);
  await openLab(page);
  const image = join(filesDir, 'cloud-base.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', image, '48M']);
  const name = `${tag}-cloud`;
  const dialog = await openWizard(page);
  await dialog.getByTestId('wizard-method-cloud-image').check();
  await dialog.getByTestId('wizard-virt-type').selectOption('qemu');
  await forward(dialog, 2);
  await dialog.getByTestId('wizard-cloud-image').fill(image);
  await expect(dialog.getByTestId('wizard-image-info')).toHaveText('qcow2 image, 48 MiB');
  // cloud-init's checks belong to this page.
  await dialog.getByTestId('wizard-ci-user').fill('alice');
  await dialog.getByTestId('wizard-ci-keys').fill('not-a-key');
  await dialog.getByTestId('wizard-forward').click();
  await expectError(dialog, 'source', 'SSH key 1 is not an OpenSSH public key');
  await dialog.getByTestId('wizard-ci-keys').fill(key);
  await dialog.getByTestId('wizard-ci-password').fill('s3cret');
  await forward(dialog, 3);
  await dialog.getByTestId('wizard-memory').fill('256');
  await forward(dialog, 4);
  await dialog.getByTestId('wizard-pool').selectOption(pool);
  await dialog.getByTestId('wizard-disk-size').fill('1');
  await forward(dialog, 5);
  await dialog.getByTestId('wizard-name').fill(name);
  await dialog.getByTestId('wizard-network').selectOption('user');
  await dialog.getByTestId('wizard-start').uncheck();
  await dialog.getByTestId('wizard-finish').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`vm-row-${name}`).getByTestId('vm-state')).toHaveText('Shut off');

  const overlay = join(poolDir, `${name}.qcow2`);
  const seed = join(poolDir, `${name}-cidata.iso`);
  expect(poolVolumes()).toEqual(expect.arrayContaining([`${name}.qcow2`, `${name}-cidata.iso`]));
  expect(virsh('vol-dumpxml', overlay)).toContain(`<path>${image}</path>`);
  const xml = virsh('dumpxml', '--inactive', name);
  expect(xml).toMatch(new RegExp(`<disk type='file' device='cdrom'>[\\s\\S]*?<source file='${seed}'/>`));
  expect(xml).toMatch(new RegExp(`<disk type='file' device='disk'>[\\s\\S]*?<source file='${overlay}'/>`));
  expect(execFileSync('isoinfo', ['-d', '-i', seed], { encoding: 'utf8' })).toMatch(/Volume id: cidata/);
  const userData = execFileSync('isoinfo', ['-R', '-i', seed, '-x', '/user-data'], { encoding: 'utf8' });
  expect(userData).toContain('name: "alice"');
  expect(userData).toContain(JSON.stringify(key));
  expect(userData).not.toContain('s3cret');
  expect(userData).toMatch(/passwd: "\$6\$/);
  expect(execFileSync('isoinfo', ['-R', '-i', seed, '-x', '/meta-data'], { encoding: 'utf8' })).toContain(`local-hostname: "${name}"`);
});

test('three copies from one configuration, each with its own disk, each booting to the prompt', async ({ page }) => {
  test.setTimeout(300_000);
  await openLab(page);
  const dialog = await kernelBootWizard(page, { name: `${tag}-web-{n}`, copies: 3 });
  const names = [1, 2, 3].map((n) => `${tag}-web-${n}`);
  await expect(dialog.getByTestId('wizard-copy-names')).toHaveText(`Creates ${names.join(', ')}, each with its own disk.`);
  await expect(dialog.getByTestId('wizard-customize')).toBeDisabled();
  const popup = page.waitForEvent('popup');
  await dialog.getByTestId('wizard-finish').click();
  const first = await popup;
  await expect(dialog).toBeHidden();
  for (const name of names) {
    await expect(page.getByTestId(`vm-row-${name}`).getByTestId('vm-state')).toHaveText('Running');
    expect(virsh('domblklist', name)).toContain(join(poolDir, `${name}.qcow2`));
  }
  await expectSerialPrompt(first);
  await first.close();
  for (const name of names.slice(1)) {
    const window = await openConsoleOf(page, name);
    await expectSerialPrompt(window);
    await window.close();
  }
  for (const name of names) virsh('destroy', name);
});

test('customize before install with the details editors: a definition libvirt refuses rolls back (no volume, no definition), the fixed one is created', async ({ page }) => {
  test.setTimeout(150_000);
  await openLab(page);
  const name = `${tag}-custom`;
  const dialog = await kernelBootWizard(page, { name, customize: true });
  await dialog.getByTestId('wizard-finish').click();
  await expect(dialog.getByTestId('wizard-step')).toContainText('Step 6 of 6');
  const editor = dialog.getByTestId('wizard-customize-editor');
  await expect(editor).toBeVisible();

  // The details pages, on the pending definition: more memory, autostart.
  await editor.getByTestId('wizard-page-link-memory').click();
  await editor.getByTestId('field-memory-max').fill('300');
  // Back and Customize… again: the settings make the same definition, so the edit is still there.
  await dialog.getByTestId('wizard-back').click();
  await expect(dialog.getByTestId('wizard-step')).toContainText('Step 5 of 6');
  await dialog.getByTestId('wizard-finish').click();
  await editor.getByTestId('wizard-page-link-memory').click();
  await expect(editor.getByTestId('field-memory-max')).toHaveValue('300');
  await expect(dialog.getByTestId('wizard-warnings')).toHaveCount(0);
  // Other settings make another definition: made again from them, and the wizard says so.
  await dialog.getByTestId('wizard-back').click();
  await dialog.getByTestId('wizard-back').click();
  await dialog.getByTestId('wizard-back').click();
  await dialog.getByTestId('wizard-memory').fill('280');
  await forward(dialog, 4);
  await forward(dialog, 5);
  await dialog.getByTestId('wizard-finish').click();
  await expect(dialog.getByTestId('wizard-warnings')).toHaveText('The settings changed since the definition was customized: it was made again from them, without the earlier edits');
  await editor.getByTestId('wizard-page-link-memory').click();
  await expect(editor.getByTestId('field-memory-max')).toHaveValue('280');
  await editor.getByTestId('field-memory-max').fill('300');
  await editor.getByTestId('wizard-page-link-boot').click();
  await editor.getByTestId('field-autostart').check();
  // Its disk is the volume the wizard will create.
  await expect(editor.getByTestId('wizard-page-link-disk[vda]')).toBeVisible();

  // The Domain XML editor: an element libvirt's schema refuses (well-formed, so the editor lets it through).
  const insertAtDevicesEnd = async (text: string | null) => {
    await editor.getByTestId('wizard-page-link-xml').click();
    await editor.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Home');
    if (text !== null) await page.keyboard.insertText(text);
  };
  await insertAtDevicesEnd('<vireo-bogus/>');
  await expect(editor.locator('.cm-content')).toContainText('<vireo-bogus/></devices>');
  await expect(dialog.getByTestId('wizard-xml-problems')).toHaveCount(0);
  await dialog.getByTestId('wizard-finish').click();
  await expectError(dialog, 'customize', `creating "${name}" failed (define): XML document failed to validate against schema`);
  await expect(dialog.getByTestId('wizard-error')).toContainText('nothing it created was kept');
  expect(domainExists(name)).toBe(false);
  expect(poolVolumes().filter((v) => v.startsWith(name))).toEqual([]);

  // A rename would be refused before anything is created: the editor says so.
  await editor.getByTestId('wizard-page-link-overview').click();
  await editor.getByTestId('field-name').fill('other-name');
  await expect(dialog.getByTestId('wizard-xml-problems')).toContainText(`the name must stay "${name}"`);
  await expect(dialog.getByTestId('wizard-finish')).toBeDisabled();
  await editor.getByTestId('field-name').fill(name);
  await expect(dialog.getByTestId('wizard-xml-problems')).toHaveCount(0);

  // Fixed: the bogus element out again, and the installation begins.
  await insertAtDevicesEnd(null);
  for (let i = 0; i < '<vireo-bogus/>'.length; i++) await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Delete');
  await expect(editor.locator('.cm-content')).not.toContainText('vireo-bogus');
  const popup = page.waitForEvent('popup');
  await dialog.getByTestId('wizard-finish').click();
  const consoleWindow = await popup;
  await expect(dialog).toBeHidden();
  expect(state(name)).toBe('running');
  const info = virsh('dominfo', name);
  expect(info).toMatch(/Max memory:\s+307200 KiB/);
  expect(info).toMatch(/Autostart:\s+enable/);
  await consoleWindow.close();
  virsh('destroy', name);
});

test('a VM that fails to start rolls back: its disk and definition are removed, the error is on the last page', async ({ page }) => {
  test.setTimeout(120_000);
  await openLab(page);
  const bogus = join(filesDir, 'not-a-kernel');
  writeFileSync(bogus, randomBytes(64 * 1024));
  const name = `${tag}-nostart`;
  const dialog = await kernelBootWizard(page, { name, kernel: bogus });
  await dialog.getByTestId('wizard-finish').click();
  await expectError(dialog, 'summary', `creating "${name}" failed (start):`);
  await expect(dialog.getByTestId('wizard-error')).toContainText('nothing it created was kept');
  expect(domainExists(name)).toBe(false);
  expect(poolVolumes().filter((v) => v.startsWith(name))).toEqual([]);
  await dialog.getByTestId('wizard-cancel').click();
  await expect(page.getByTestId(`vm-row-${name}`)).toHaveCount(0);
});
