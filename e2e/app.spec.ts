import { expect, test } from '@playwright/test';
import { collectErrors } from './shell.js';

const appUrl = () => {
  const url = process.env.VIREO_URL;
  if (!url) throw new Error('VIREO_URL is not set: e2e/global-setup.ts starts the browser shell');
  return url;
};


test('shows the Demo connection with its "test" VM running', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(appUrl());
  const demo = page.getByTestId('connection-demo');
  await expect(demo).toContainText('Demo');
  await expect(demo.getByTestId('connection-state')).toHaveText('connected');
  await expect(page.getByTestId('vm-row-test').getByTestId('vm-state')).toHaveText('Running');
  // The token leaves the address bar as soon as the page has it.
  expect(page.url()).not.toContain('token');
  expect(errors).toEqual([]);
});

test('pausing the VM shows it paused, resuming shows it running again', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(appUrl());
  const row = page.getByTestId('vm-row-test');
  const state = row.getByTestId('vm-state');
  await expect(state).toHaveText('Running');
  // Actions act on the selected VMs (manager window: toolbar, context menu, keyboard).
  await row.click();
  await page.getByRole('toolbar').getByRole('button', { name: 'Pause' }).click();
  await expect(state).toHaveText('Paused');
  await page.getByRole('toolbar').getByRole('button', { name: 'Resume' }).click();
  await expect(state).toHaveText('Running');
  expect(errors).toEqual([]);
});

test('keeps working after a reload, though the token left the URL', async ({ page }) => {
  await page.goto(appUrl());
  await expect(page.getByTestId('vm-row-test')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('vm-row-test').getByTestId('vm-state')).toHaveText('Running');
});

test('a page without the token gets no API', async ({ page }) => {
  const url = new URL(appUrl());
  url.hash = '';
  await page.goto(url.href);
  await expect(page.getByRole('alert')).toContainText('backend');
  await expect(page.getByTestId('vm-row-test')).toHaveCount(0);
});
