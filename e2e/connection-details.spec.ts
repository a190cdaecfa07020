// The Connection details dialog in Chromium through the browser shell, on the Demo connection
// (libvirt's test driver: the 'default' NAT network and 'default-pool', used by the 'test' VM):
// networks created, stopped and deleted; a used network refused; a volume and a pool created and
// deleted. Each list follows libvirt.
import { type Page, expect, test } from '@playwright/test';
import { collectErrors, loadedList, startShell, type Shell } from './manager-shell.js';

const rowOf = (page: Page, kind: 'network' | 'pool' | 'volume', name: string) => page.locator(`[data-testid="${kind}-row"][data-name="${name}"]`);

test.describe('Connection details on the Demo connection', () => {
  let shell: Shell;
  test.beforeAll(async () => {
    shell = await startShell([]);
  });
  test.afterAll(async () => {
    await shell?.stop();
  });

  test('manages virtual networks and storage', async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto(shell.url);
    await loadedList(page);
    await page.getByTestId('connection-demo').click({ button: 'right' });
    await page.getByTestId('connection-menu').getByRole('menuitem', { name: /Details/ }).click();
    const dialog = page.getByTestId('connection-details');
    await expect(rowOf(page, 'network', 'default')).toContainText('192.168.122.1/24, DHCP 192.168.122.2–192.168.122.254');
    await expect(rowOf(page, 'network', 'default')).toContainText('NAT');

    // A new NAT network: a bad subnet is explained first.
    await dialog.getByTestId('network-add').click();
    await dialog.getByTestId('network-name').fill('lab-nat');
    await dialog.getByTestId('network-ipv4').fill('192.168.150.7/24');
    await expect(dialog.getByTestId('network-form-problem')).toHaveText('Subnet: 192.168.150.7/24 has host bits set: the network of a /24 ends in zeros');
    await expect(dialog.getByTestId('network-create')).toBeDisabled();
    await dialog.getByTestId('network-ipv4').fill('192.168.150.0/24');
    await dialog.getByTestId('network-create').click();
    await expect(rowOf(page, 'network', 'lab-nat')).toContainText('Active');
    await expect(rowOf(page, 'network', 'lab-nat')).toContainText('192.168.150.1/24, DHCP 192.168.150.2–192.168.150.254');
    await rowOf(page, 'network', 'lab-nat').getByTestId('network-toggle').click();
    await expect(rowOf(page, 'network', 'lab-nat')).toContainText('Inactive');
    page.once('dialog', (d) => void d.accept());
    await rowOf(page, 'network', 'lab-nat').getByTestId('network-delete').click();
    await expect(rowOf(page, 'network', 'lab-nat')).toHaveCount(0);
    // The Demo VM uses 'default': not deleted, and why.
    page.once('dialog', (d) => void d.accept());
    await rowOf(page, 'network', 'default').getByTestId('network-delete').click();
    await expect(dialog.getByTestId('connection-details-error')).toHaveText('The network "default" is used by "test": change their network first. Nothing was changed.');
    await expect(rowOf(page, 'network', 'default')).toHaveCount(1);

    await dialog.getByTestId('details-tab-storage').click();
    await expect(rowOf(page, 'pool', 'default-pool')).toContainText('Active');
    await dialog.getByTestId('volume-add').click();
    await dialog.getByTestId('volume-name').fill('data.qcow2');
    await dialog.getByTestId('volume-size').fill('2');
    await dialog.getByTestId('volume-create').click();
    await expect(rowOf(page, 'volume', 'data.qcow2')).toContainText('2.0 GiB');
    page.once('dialog', (d) => void d.accept());
    await rowOf(page, 'volume', 'data.qcow2').getByTestId('volume-delete').click();
    await expect(rowOf(page, 'volume', 'data.qcow2')).toHaveCount(0);

    await dialog.getByTestId('pool-add').click();
    await dialog.getByTestId('pool-name').fill('images');
    await dialog.getByTestId('pool-path').fill('/srv/images');
    await dialog.getByTestId('pool-create').click();
    await expect(rowOf(page, 'pool', 'images')).toContainText('Active');
    page.once('dialog', (d) => void d.accept());
    await rowOf(page, 'pool', 'images').getByTestId('pool-delete').click();
    await expect(rowOf(page, 'pool', 'images')).toHaveCount(0);
    expect(errors).toEqual([]);
  });
});
