// The VM window's Snapshots tab in Chromium through the browser shell, on the Demo connection
// (libvirt's test driver keeps snapshots in memory): take two, a bad or taken name is refused on
// the form, revert to the first, delete the second; the list follows each step.
import { type Page, expect, test } from '@playwright/test';
import { TEST_UUID } from './details-page.js';
import { type Shell, startShell, vmWindowUrl, watchCspAndPageErrors } from './shell.js';

const row = (page: Page, name: string) => page.locator(`[data-testid="snapshot-row"][data-name="${name}"]`);

async function take(page: Page, name: string, description = ''): Promise<void> {
  await page.getByTestId('snapshot-new').click();
  await page.getByTestId('snapshot-name').fill(name);
  await page.getByTestId('snapshot-description').fill(description);
  await page.getByTestId('snapshot-take').click();
  await expect(page.getByTestId('snapshot-form')).toHaveCount(0);
  await expect(row(page, name)).toHaveAttribute('aria-current', 'true');
}

test.describe('Snapshots on the Demo connection', () => {
  let shell: Shell;
  test.beforeAll(async () => {
    shell = await startShell([]);
  });
  test.afterAll(async () => {
    await shell?.stop();
  });

  test('takes, refuses bad names, reverts and deletes snapshots', async ({ page }) => {
    const errors = watchCspAndPageErrors(page);
    await page.goto(vmWindowUrl(shell.url, 'demo', TEST_UUID, 'snapshots'));
    await expect(page.getByTestId('snapshots-empty')).toHaveText('No snapshots yet.');

    // The form offers a dated name, and says what a running VM's snapshot keeps.
    await page.getByTestId('snapshot-new').click();
    await expect(page.getByTestId('snapshot-name')).toHaveValue(/^snapshot-\d{4}-\d\d-\d\d-\d{4}$/);
    await expect(page.getByTestId('snapshot-form')).toContainText('The VM is running: the snapshot keeps its memory too');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await take(page, 'before', 'clean install');
    await take(page, 'after');
    await expect(row(page, 'before')).not.toHaveAttribute('aria-current', 'true');
    await expect(row(page, 'before')).toContainText('clean install');
    await expect(row(page, 'before')).toContainText('Running, with memory');
    // "after" was taken on top of "before": listed under it, indented.
    await expect(page.getByTestId('snapshot-row')).toHaveCount(2);
    expect(await page.getByTestId('snapshot-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(['before', 'after']);

    await page.getByTestId('snapshot-new').click();
    await page.getByTestId('snapshot-name').fill('a/b');
    await expect(page.getByTestId('snapshot-name-problem')).toHaveText('the name cannot contain "/"');
    await expect(page.getByTestId('snapshot-take')).toBeDisabled();
    await page.getByTestId('snapshot-name').fill('before');
    await expect(page.getByTestId('snapshot-name-problem')).toHaveText('there is a snapshot named "before" already');
    await page.getByRole('button', { name: 'Cancel' }).click();

    page.once('dialog', (dialog) => void dialog.accept());
    await row(page, 'before').getByTestId('snapshot-revert').click();
    await expect(row(page, 'before')).toHaveAttribute('aria-current', 'true');

    page.once('dialog', (dialog) => void dialog.accept());
    await row(page, 'after').getByTestId('snapshot-delete').click();
    await expect(row(page, 'after')).toHaveCount(0);
    await expect(page.getByTestId('snapshot-row')).toHaveCount(1);
    expect(errors).toEqual([]);
  });
});
