// The graphical console's features that need the guest's cooperation, against a tiny guest with a
// virtio GPU and QEMU's clipboard agent channel (scripts/tiny-guest-xml.sh VIDEO=virtio VDAGENT=1):
// "Resize guest" makes the guest display follow the window (VNC SetDesktopSize -> QEMU -> the
// virtio-gpu driver's preferred mode), and the clipboard goes both ways through the guest's
// vdagent (scripts/tiny-guest/vdagent.c). Needs `bash scripts/lab.sh start`.
import { type Page, expect, test } from '@playwright/test';
import { activeLayer, chooseConsole, openVmWindow, terminalText, useLabGuest } from './console-page.js';

/** Runs a command at the serial console's shell (the prompt must be there). */
async function runOnSerial(page: Page, command: string): Promise<void> {
  await chooseConsole(page, 'Serial 1');
  await activeLayer(page).locator('.xterm').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

/** The size noVNC asks the server for: its screen element's, in whole pixels. */
const requestedSize = (page: Page) =>
  activeLayer(page)
    .getByTestId('vnc-screen')
    .evaluate((stage) => {
      const screen = stage.firstElementChild!.getBoundingClientRect();
      return { width: Math.floor(screen.width), height: Math.floor(screen.height) };
    });

const canvasSize = (page: Page) =>
  activeLayer(page)
    .locator('[data-testid="vnc-screen"] canvas')
    .evaluate((c) => {
      const canvas = c as unknown as { width: number; height: number };
      return { width: canvas.width, height: canvas.height };
    });

test.describe('a virtio-gpu guest with the clipboard agent', () => {
  test.describe.configure({ mode: 'serial', timeout: 120_000 });
  const lab = useLabGuest({ prefix: 'vireo-e2e-display', video: 'virtio', clipboardAgent: true });
  let page: Page;
  let errors: string[];

  test.beforeAll(async ({ browser }) => {
    // Smaller than the guest's boot mode (1280×800): the guest's framebuffer console can shrink
    // its mode within the framebuffer it allocated at boot, not grow past it.
    ({ page, errors } = await openVmWindow(browser, lab.guest.uuid, { width: 1100, height: 760 }));
  });

  test.afterAll(async () => {
    await page?.close().catch(() => undefined);
  });

  test('the serial console reaches the shell', async () => {
    await chooseConsole(page, 'Serial 1');
    await activeLayer(page).locator('.xterm').click();
    await expect(async () => {
      await page.keyboard.press('Enter');
      await expect(terminalText(page)).toContainText('tiny# ', { timeout: 3000 });
    }).toPass({ timeout: 60_000 });
  });

  test('the graphical console shows the boot mode, and offers "Resize guest"', async () => {
    await chooseConsole(page, 'Graphical console');
    await expect(activeLayer(page).getByTestId('console-status')).toHaveCount(0, { timeout: 20_000 });
    await expect(activeLayer(page).locator('.console-size')).toHaveText('1280×800');
    await expect(activeLayer(page).getByRole('checkbox', { name: 'Resize guest' })).toBeEnabled();
  });

  test('"Resize guest" resizes the guest display to the window, and again when the window changes', async () => {
    const size = activeLayer(page).locator('.console-size');
    await activeLayer(page).getByRole('checkbox', { name: 'Resize guest' }).check();
    for (const viewport of [null, { width: 900, height: 640 }]) {
      if (viewport) await page.setViewportSize(viewport);
      const wanted = await requestedSize(page);
      expect(wanted.width).toBeLessThan(1280);
      await expect(size).toHaveText(`${wanted.width}×${wanted.height}`, { timeout: 20_000 });
      expect(await canvasSize(page)).toEqual(wanted);
      // The guest's DRM connector lists the size asked for first: its preferred mode.
      await runOnSerial(page, 'echo "mode=$(head -1 /sys/class/drm/card0-Virtual-1/modes)"');
      await expect(terminalText(page)).toContainText(`mode=${wanted.width}x${wanted.height}`);
      await chooseConsole(page, 'Graphical console');
    }
  });

  test('text the guest copies shows as the guest clipboard', async () => {
    await runOnSerial(page, 'vdagent-copy copied-in-guest-$((6*7))');
    await chooseConsole(page, 'Graphical console');
    await activeLayer(page).getByRole('button', { name: 'Clipboard', exact: true }).click();
    await expect(activeLayer(page).locator('.clipboard-guest')).toHaveText('Guest clipboard: copied-in-guest-42');
  });

  test('"Send to guest clipboard" puts the text on the guest clipboard', async () => {
    await activeLayer(page).getByLabel('Clipboard text').fill('sent from the host');
    await activeLayer(page).getByRole('button', { name: 'Send to guest clipboard' }).click();
    // The agent writes what the host pasted to /tmp/clipboard.
    await runOnSerial(page, 'until [ -s /tmp/clipboard ]; do sleep 0.2; done; echo "clip=[$(cat /tmp/clipboard)]"');
    await expect(terminalText(page)).toContainText('clip=[sent from the host]');
  });

  test('no CSP refusals or page errors', () => {
    expect(errors).toEqual([]);
  });
});

test.describe('a VGA guest', () => {
  test.describe.configure({ timeout: 90_000 });
  const lab = useLabGuest({ prefix: 'vireo-e2e-display' });

  test('"Resize guest" is refused by QEMU, and the console says so and withdraws the setting', async ({ browser }) => {
    const { page, errors } = await openVmWindow(browser, lab.guest.uuid, { width: 1100, height: 760 });
    try {
      await chooseConsole(page, 'Graphical console');
      const layer = activeLayer(page);
      await expect(layer.getByTestId('console-status')).toHaveCount(0, { timeout: 20_000 });
      await expect(layer.locator('.console-size')).toHaveText(/^\d+×\d+$/);
      const bootSize = await layer.locator('.console-size').textContent();
      // QEMU announces ExtendedDesktopSize for every display, so the setting is offered...
      const resize = layer.getByRole('checkbox', { name: 'Resize guest' });
      await expect(resize).toBeEnabled();
      await resize.click(); // (not check(): the refusal may untick it before check() looks)
      // ...but a VGA display cannot change size: QEMU answers "invalid screen layout".
      await expect(page.locator('.console-message')).toHaveText('The guest display cannot be resized: the VNC server answered "invalid screen layout"');
      await expect(resize).toBeDisabled();
      await expect(resize).not.toBeChecked();
      await expect(layer.locator('.console-size')).toHaveText(bootSize!);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
