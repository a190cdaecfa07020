// The VM window's Console tab as the console specs drive it: open the window of a lab guest,
// choose a console, read the serial terminal.
import { type Browser, type Locator, type Page, expect, test } from '@playwright/test';
import { type GuestOptions, type LabGuest, defineGuest, labReady, removeGuest, virsh } from '../electron/test/lab.js';
import { vmWindowUrl, watchCspAndPageErrors } from './shell.js';

const CONNECTION = 'qemu-system'; // the lab's daemon, detected by the browser shell

/**
 * For a describe block: a tiny lab guest, defined (and started, unless `start` is false) before
 * its tests and removed after them; `.guest` is set from then on. Without the lab the block skips.
 */
export function useLabGuest(options: GuestOptions & { start?: boolean } = {}): { readonly guest: LabGuest } {
  test.skip(!labReady(), 'needs the libvirt lab: bash scripts/lab.sh start');
  const lab: { guest?: LabGuest } = {};
  test.beforeAll(() => {
    lab.guest = defineGuest(options);
    if (options.start !== false) virsh('start', lab.guest.name);
  });
  test.afterAll(() => {
    if (lab.guest) removeGuest(lab.guest.name);
  });
  return lab as { readonly guest: LabGuest };
}

export async function openVmWindow(browser: Browser, uuid: string, viewport = { width: 1400, height: 1000 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors = watchCspAndPageErrors(page);
  await page.goto(vmWindowUrl(process.env.VIREO_URL ?? '', CONNECTION, uuid, 'console'));
  await expect(page.getByTestId('vm-window')).toBeVisible();
  // The lab's connection is detected but not connected: the window offers to connect.
  const connect = page.getByTestId('vm-window-disconnected').getByRole('button', { name: 'Connect' });
  await expect(connect.or(page.getByTestId('console-select')).first()).toBeVisible({ timeout: 20_000 });
  if (await connect.isVisible()) await connect.click();
  await expect(page.getByTestId('console-select')).toBeVisible({ timeout: 20_000 });
  return { page, errors };
}

export const chooseConsole = (page: Page, label: string | RegExp) =>
  page
    .getByTestId('console-select')
    .locator('option', { hasText: label })
    .first()
    .getAttribute('value')
    .then((value) => page.getByTestId('console-select').selectOption(value!));

export const activeLayer = (page: Page) => page.locator('.console-layer.active');
export const terminalText = (page: Page): Locator => activeLayer(page).locator('.xterm-rows');

/** The terminal's visible text after the last `marker` (null while the marker is not there). */
export async function textAfter(page: Page, marker: string): Promise<string | null> {
  const text = (await terminalText(page).textContent()) ?? '';
  const at = text.lastIndexOf(marker);
  return at < 0 ? null : text.slice(at + marker.length);
}
