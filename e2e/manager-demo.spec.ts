// The manager window on libvirt's test driver (the Demo connection and a Demo-like test:///
// file with VMs in every state, a storage pool, a saved VM, a UEFI VM): list, tree, filter,
// sort, multi-select, toolbar / context menu / keyboard actions, start/stop/pause/delete flows,
// the delete dialog, columns, host summary, add connection, and "Open console".
import { type Page, expect, test } from '@playwright/test';
import { FIXTURE_VMS, managerFixtureUri } from '../electron/test/manager-fixture.js';
import { type Shell, collectErrors, loadedList, row, rowNames, startShell, stateOf } from './manager-shell.js';

test.describe.configure({ mode: 'serial' });

let shell: Shell;
test.beforeAll(async () => {
  shell = await startShell(['--connect', managerFixtureUri()]);
});
test.afterAll(async () => {
  await shell?.stop();
});

const ALL = FIXTURE_VMS.map((v) => v.name);
const uuidOf = (name: string) => FIXTURE_VMS.find((v) => v.name === name)!.uuid;

async function open(page: Page): Promise<void> {
  await page.goto(shell.url);
  await loadedList(page);
}

test('lists every VM with its state, and the tree shows them under their connection', async ({ page }) => {
  const errors = collectErrors(page);
  await open(page);
  await expect(page.getByTestId('vm-list')).toHaveAttribute('data-vm-count', String(ALL.length));
  expect(await rowNames(page)).toEqual(['build', 'cache', 'db', 'legacy', 'uefi', 'web-1', 'web-2', 'web-10']);
  await expect(stateOf(page, 'web-1')).toHaveText('Running');
  await expect(stateOf(page, 'web-10')).toHaveText('Paused');
  await expect(stateOf(page, 'cache')).toHaveText('Shut off');
  await expect(stateOf(page, 'db')).toHaveText('Saved'); // managed save image
  // The tree: Demo with its "test" VM, and this connection with its VMs.
  await expect(page.getByTestId('connection-demo').getByTestId('connection-state')).toHaveText('connected');
  await expect(page.getByTestId('tree-vm-test')).toBeVisible();
  await expect(page.getByTestId('connection-launch')).toHaveAttribute('aria-selected', 'true');
  for (const name of ALL) await expect(page.getByTestId(`tree-vm-${name}`)).toBeVisible();
  // Collapsing a connection hides its VMs in the tree.
  await page.getByTestId('connection-demo').locator('.caret').click();
  await expect(page.getByTestId('tree-vm-test')).toHaveCount(0);
  await expect(page.getByTestId('connection-demo')).toHaveAttribute('aria-expanded', 'false');
  expect(errors).toEqual([]);
});

test('shows the host summary', async ({ page }) => {
  await open(page);
  const host = page.getByTestId('host-summary');
  await expect(host.getByTestId('host-hypervisor')).toContainText('TEST');
  await expect(host.getByTestId('host-libvirt')).toHaveText(/^\d+\.\d+\.\d+$/);
  await expect(host.getByTestId('host-cpus')).toContainText('×');
  await expect(host.getByTestId('host-memory')).toContainText('GiB');
  await expect(host.getByTestId('host-acceleration')).toContainText("test driver simulates its VMs");
});

test('filters by name and by state', async ({ page }) => {
  await open(page);
  const filter = page.getByTestId('vm-filter');
  // "/" focuses the filter from anywhere.
  await page.getByTestId('vm-list').focus();
  await page.keyboard.press('/');
  await expect(filter).toBeFocused();
  await page.keyboard.type('WEB');
  await expect.poll(() => rowNames(page)).toEqual(['web-1', 'web-2', 'web-10']);
  await expect(page.getByTestId('status-line')).toHaveText('3 of 8 VMs');
  await page.getByTestId('state-filter').selectOption('running');
  await expect.poll(() => rowNames(page)).toEqual(['web-1', 'web-2']);
  await filter.fill('no such vm');
  await expect(page.getByTestId('vm-list')).toContainText('No virtual machine matches the filter.');
  await filter.fill('');
  await page.getByTestId('state-filter').selectOption('inactive');
  await expect.poll(() => rowNames(page)).toEqual(['cache', 'db', 'legacy', 'uefi']);
  await page.getByTestId('state-filter').selectOption('all');
  await expect.poll(() => rowNames(page)).toHaveLength(8);
});

test('sorts by name and by state, both ways, and remembers the order', async ({ page }) => {
  await open(page);
  await page.getByTestId('sort-name').click();
  await expect(page.locator('[role="columnheader"][aria-sort="descending"]')).toContainText('Name');
  await expect.poll(() => rowNames(page)).toEqual(['web-10', 'web-2', 'web-1', 'uefi', 'legacy', 'db', 'cache', 'build']);
  await page.getByTestId('sort-state').click();
  await expect.poll(async () => (await rowNames(page)).slice(0, 3)).toEqual(['build', 'web-1', 'web-2']); // running first
  await expect.poll(async () => (await rowNames(page)).at(-1)).toBe('db'); // saved after shut off
  await page.reload();
  await loadedList(page);
  await expect(page.locator('[role="columnheader"][aria-sort="ascending"]')).toContainText('State');
  await page.getByTestId('sort-name').click();
  await expect.poll(() => rowNames(page)).toEqual(['build', 'cache', 'db', 'legacy', 'uefi', 'web-1', 'web-2', 'web-10']);
});

test('multi-select with Ctrl/Shift+click and the keyboard; bulk pause and resume from the toolbar', async ({ page }) => {
  await open(page);
  const list = page.getByTestId('vm-list');
  await row(page, 'build').click();
  await row(page, 'web-2').click({ modifiers: ['Control'] });
  await row(page, 'web-1').click({ modifiers: ['Control'] });
  await expect(list).toHaveAttribute('data-selected-count', '3');
  await expect(page.getByTestId('toolbar-pause')).toHaveText('Pause (3)');
  await page.getByTestId('toolbar-pause').click();
  for (const name of ['build', 'web-1', 'web-2']) await expect(stateOf(page, name)).toHaveText('Paused');
  // Only paused VMs selected: the same slot resumes.
  await expect(page.getByTestId('toolbar-resume')).toHaveText('Resume (3)');
  await page.getByTestId('toolbar-resume').click();
  for (const name of ['build', 'web-1', 'web-2']) await expect(stateOf(page, name)).toHaveText('Running');

  // Shift+click selects the range; Shift+Arrow extends; Ctrl+A selects every shown row.
  await row(page, 'cache').click();
  await row(page, 'uefi').click({ modifiers: ['Shift'] });
  await expect(list).toHaveAttribute('data-selected-count', '4');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(list).toHaveAttribute('data-selected-count', '5');
  await expect(row(page, 'web-1')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(list).toHaveAttribute('data-selected-count', '1');
  await expect(row(page, 'web-2')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+a');
  await expect(list).toHaveAttribute('data-selected-count', '8');
  await expect(page.getByTestId('status-line')).toHaveText('8 VMs, 8 selected');
  await page.keyboard.press('Escape');
  await expect(list).toHaveAttribute('data-selected-count', '0');
});

test('start/stop flows from the context menu and the keyboard; Force off asks first', async ({ page }) => {
  await open(page);
  // Shut down (ACPI) from the context menu.
  await row(page, 'web-1').click({ button: 'right' });
  const menu = page.getByTestId('vm-context-menu');
  await expect(menu.getByRole('menuitem', { name: /Run/ })).toHaveAttribute('aria-disabled', 'true');
  await menu.getByRole('menuitem', { name: /Shut down/ }).click();
  await expect(menu).toHaveCount(0);
  await expect(stateOf(page, 'web-1')).toHaveText('Shut off');
  // Run from the keyboard (R), with the row focused.
  await expect(page.getByTestId('vm-list')).toBeFocused();
  await page.keyboard.press('r');
  await expect(stateOf(page, 'web-1')).toHaveText('Running');
  // Force off (F) asks; Cancel changes nothing, confirming forces it off.
  await page.keyboard.press('f');
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('Force off "web-1"?');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(stateOf(page, 'web-1')).toHaveText('Running');
  await page.getByTestId('vm-list').focus();
  await page.keyboard.press('f');
  await page.getByTestId('confirm-button').click();
  await expect(stateOf(page, 'web-1')).toHaveText('Shut off');
  // The context menu also opens from the keyboard and runs the focused item with Enter.
  await page.getByTestId('vm-list').focus();
  await page.keyboard.press('Shift+F10');
  await expect(page.getByTestId('vm-context-menu').getByRole('menuitem', { name: /Run/ })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(stateOf(page, 'web-1')).toHaveText('Running');
});

test('reboot and reset from the Shut down menu; reset asks first; nothing fails', async ({ page }) => {
  await open(page);
  await row(page, 'build').click();
  await page.getByTestId('toolbar-shutdown-menu').click();
  const menu = page.getByTestId('shutdown-menu');
  await expect(menu.getByRole('menuitem', { name: 'Shut down' })).toBeFocused();
  await menu.getByRole('menuitem', { name: 'Reboot' }).click();
  await expect(menu).toHaveCount(0);
  await page.getByTestId('toolbar-shutdown-menu').click();
  await page.getByTestId('shutdown-menu').getByRole('menuitem', { name: 'Reset' }).click();
  await expect(page.getByTestId('confirm-dialog')).toContainText('Reset "build"?');
  await page.getByTestId('confirm-button').click();
  await expect(page.getByTestId('confirm-dialog')).toHaveCount(0);
  await expect(stateOf(page, 'build')).toHaveText('Running');
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('restores a saved VM: "Restore", then Running; managed save from the Shut down menu', async ({ page }) => {
  await open(page);
  await row(page, 'db').click();
  await expect(page.getByTestId('toolbar-run')).toHaveText('Restore');
  await page.getByTestId('toolbar-run').click();
  await expect(stateOf(page, 'db')).toHaveText('Running');
  await page.getByTestId('toolbar-shutdown-menu').click();
  await page.getByTestId('shutdown-menu').getByRole('menuitem', { name: 'Save' }).click();
  await expect(stateOf(page, 'db')).toHaveText('Saved');
});

test('pause and resume the Demo connection\'s "test" VM with the keyboard', async ({ page }) => {
  await open(page);
  await page.getByTestId('connection-demo').click();
  await loadedList(page, 1);
  await row(page, 'test').click();
  await page.keyboard.press('p');
  await expect(stateOf(page, 'test')).toHaveText('Paused');
  await page.keyboard.press('p');
  await expect(stateOf(page, 'test')).toHaveText('Running');
  await expect(page.getByTestId('tree-vm-test')).toBeVisible();
});

test('the delete dialog lists each disk, NVRAM and saved state; deletes only what is ticked', async ({ page }) => {
  await open(page);
  // A running VM: forced off only when the user says so.
  await row(page, 'web-2').click();
  await page.keyboard.press('Delete');
  const dialog = page.getByTestId('delete-dialog');
  await expect(dialog.getByTestId('delete-disk-vda')).toContainText('/lab-pool/web-2.qcow2');
  await expect(dialog.getByTestId('delete-disk-vda').getByRole('checkbox')).toBeChecked();
  // shared with db: listed, not ticked, and why.
  await expect(dialog.getByTestId('delete-disk-vdb')).toContainText('Also used by db');
  await expect(dialog.getByTestId('delete-disk-vdb').getByRole('checkbox')).not.toBeChecked();
  await expect(page.getByTestId('delete-confirm')).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(stateOf(page, 'web-2')).toHaveText('Running'); // nothing happened

  // A file outside every pool and a CD-ROM image: shown, not deletable, with the reason.
  await row(page, 'web-1').click();
  await page.getByTestId('toolbar-delete').click();
  await expect(dialog.getByTestId('delete-disk-hdc')).toContainText('only deletes storage-pool volumes');
  await expect(dialog.getByTestId('delete-disk-hdc').getByRole('checkbox')).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Bulk: web-2 (running, one disk) and uefi (NVRAM) and db (saved state) together.
  await row(page, 'web-2').click();
  await row(page, 'uefi').click({ modifiers: ['Control'] });
  await row(page, 'db').click({ modifiers: ['Control'] });
  await row(page, 'db').click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: /Delete/ }).click();
  await expect(dialog.locator('h2')).toHaveText('Delete 3 virtual machines?');
  const uefi = dialog.getByTestId('delete-plan-uefi');
  await expect(uefi.getByTestId('delete-nvram')).toContainText('/var/lib/libvirt/qemu/nvram/uefi_VARS.fd');
  await expect(uefi.getByTestId('delete-nvram').getByRole('checkbox')).toBeChecked();
  await expect(dialog.getByTestId('delete-plan-db').getByTestId('delete-managed-save')).toContainText('Saved state');
  // db's own disk is ticked (its vdb, shared with web-2, is not).
  const dbDisk = dialog.getByTestId('delete-plan-db').getByTestId('delete-disk-vda').getByRole('checkbox');
  await expect(dbDisk).toBeChecked();
  await expect(page.getByTestId('delete-confirm')).toBeDisabled(); // web-2 still running
  await dialog.getByTestId('delete-plan-web-2').getByTestId('delete-force-off').check();
  await expect(page.getByTestId('delete-confirm')).toHaveText('Delete 3 VMs and 2 disks');
  await page.getByTestId('delete-confirm').click();
  await expect(dialog).toHaveCount(0);
  for (const name of ['web-2', 'uefi', 'db']) {
    await expect(row(page, name)).toHaveCount(0);
    await expect(page.getByTestId(`tree-vm-${name}`)).toHaveCount(0);
  }
  await expect(page.getByTestId('vm-list')).toHaveAttribute('data-vm-count', '5');
  await expect(page.getByTestId('notice')).toHaveCount(0); // no failure to report
});

test('columns can be hidden and shown, and stay so after a reload', async ({ page }) => {
  await open(page);
  const header = page.locator('[role="columnheader"]');
  await expect(header).toHaveText([/Name/, /State/, /CPU usage/, /Memory usage/, /Disk I\/O/, /Network I\/O/]);
  await page.getByTestId('columns-button').click();
  await page.getByTestId('columns-menu').getByRole('menuitemcheckbox', { name: 'Disk I/O' }).click();
  await page.getByTestId('columns-menu').getByRole('menuitemcheckbox', { name: 'Host CPU usage' }).click();
  await page.keyboard.press('Escape');
  await expect(header).toHaveText([/Name/, /State/, /CPU usage/, /Host CPU usage/, /Memory usage/, /Network I\/O/]);
  await page.reload();
  await loadedList(page);
  await expect(header).toHaveText([/Name/, /State/, /CPU usage/, /Host CPU usage/, /Memory usage/, /Network I\/O/]);
  // Running VMs get sparklines and figures from the stats ticks.
  await expect(row(page, 'build').locator('[data-column="cpu"] .vm-stat-text')).toHaveText(/%$/);
});

test('the stats interval is a preference from 1 to 10 s', async ({ page }) => {
  await open(page);
  const select = page.getByTestId('stats-interval');
  await expect(select).toHaveValue('3000');
  await expect(select.locator('option')).toHaveCount(10);
  await select.selectOption('1000');
  await page.reload();
  await loadedList(page);
  await expect(page.getByTestId('stats-interval')).toHaveValue('1000');
});

test('Open console opens the VM window route in a new tab', async ({ page, context }) => {
  await open(page);
  await row(page, 'build').click();
  const popup = context.waitForEvent('page');
  await page.keyboard.press('Enter');
  const vmPage = await popup;
  await expect.poll(() => vmPage.url()).toContain(`#/vm/launch/${uuidOf('build')}/console`);
  await vmPage.close();
  const details = context.waitForEvent('page');
  await page.getByTestId('toolbar-details').click();
  await expect.poll(async () => (await details).url()).toContain(`#/vm/launch/${uuidOf('build')}/details`);
});

test('adds a connection; a duplicate is refused with the reason', async ({ page }) => {
  await open(page);
  await page.getByTestId('add-connection').click();
  const dialog = page.getByTestId('add-connection-dialog');
  await dialog.getByTestId('add-connection-custom').check();
  await dialog.getByTestId('add-connection-uri').fill('test:///default');
  await dialog.getByTestId('add-connection-submit').click();
  await expect(dialog.getByRole('alert')).toContainText('already in the list as "Demo"');
  await dialog.getByTestId('add-connection-uri').fill(managerFixtureUri().replace('.xml', '-2.xml'));
  await dialog.getByLabel('Name (optional)').fill('Second lab');
  // (That file does not exist: the connection is added, and its failure to connect shows.)
  await dialog.getByTestId('add-connection-submit').click();
  await expect(dialog).toHaveCount(0);
  const added = page.locator('[data-testid^="connection-"]', { hasText: 'Second lab' });
  await expect(added.getByTestId('connection-state')).toHaveText('disconnected');
  await expect(page.locator('.vm-pane .reason')).toContainText(/No such file|cannot|failed/i);
  // Removing it from the context menu.
  await added.click({ button: 'right' });
  await page.getByTestId('connection-menu').getByRole('menuitem', { name: 'Remove from the list' }).click();
  await expect(added).toHaveCount(0);
});

test('clones a shut-off VM: its pool disk copied, the CD-ROM image shared; a running VM cannot be cloned', async ({ page }) => {
  const errors = collectErrors(page);
  await open(page);
  await row(page, 'web-1').click({ button: 'right' });
  const menu = page.getByTestId('vm-context-menu');
  await expect(menu.getByRole('menuitem', { name: /Clone/ })).toHaveAttribute('aria-disabled', 'true');
  await menu.getByRole('menuitem', { name: /Shut down/ }).click();
  await expect(stateOf(page, 'web-1')).toHaveText('Shut off');

  await row(page, 'web-1').click({ button: 'right' });
  await menu.getByRole('menuitem', { name: /Clone/ }).click();
  const dialog = page.getByTestId('clone-dialog');
  await expect(dialog.getByTestId('clone-name')).toHaveValue('web-1-clone');
  await expect(dialog.getByTestId('clone-action-vda')).toHaveValue('clone');
  await expect(dialog.getByTestId('clone-action-vda').locator('option[value="clone"]')).toHaveText('Copy as web-1-clone.qcow2 (pool lab-pool)');
  await expect(dialog.getByTestId('clone-action-hdc')).toBeDisabled();
  await expect(dialog.getByTestId('clone-disk-hdc')).toContainText('cannot be copied, only shared');

  await dialog.getByTestId('clone-name').fill('bad name');
  await dialog.getByTestId('clone-confirm').click();
  await expect(dialog.getByTestId('clone-error')).toContainText('"bad name" is not a valid VM name');
  await dialog.getByTestId('clone-name').fill('web-1b');
  // The copy's name follows the clone's.
  await expect(dialog.getByTestId('clone-action-vda').locator('option[value="clone"]')).toHaveText('Copy as web-1b.qcow2 (pool lab-pool)');
  await dialog.getByTestId('clone-confirm').click();
  await expect(dialog).toHaveCount(0);
  await expect(stateOf(page, 'web-1b')).toHaveText('Shut off');
  await expect(page.getByTestId('notice')).toHaveCount(0);
  expect(errors).toEqual([]);
});
