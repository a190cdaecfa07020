// The VM window's consoles against the lab libvirtd (qemu:///system) with the tiny guest, in
// Chromium through the browser shell: serial console (prompt, command output, take over), the
// graphical console (guest text on the canvas, keys typed through noVNC reaching the guest,
// send-key, screenshot, scaling, keyboard release), reconnects after a reboot and a power cycle,
// a VNC password, and a SPICE-only guest. Needs `bash scripts/lab.sh start`.
import { readFileSync } from 'node:fs';
import { type Page, expect, test } from '@playwright/test';
import { strokeFor } from '../renderer/views/vm/console/keyboard.js';
import { virsh } from '../electron/test/lab.js';
import { activeLayer, chooseConsole, openVmWindow, terminalText, textAfter, useLabGuest } from './console-page.js';

/** The DOM this file touches in the page (the Node side has no DOM types). */
interface PageCanvas {
  width: number;
  height: number;
  getContext(type: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
  getBoundingClientRect(): { width: number; height: number };
}
type PageDocument = { querySelector(selector: string): PageCanvas | null };

/** Lit pixels on the noVNC canvas (the framebuffer console draws light text on black). */
function litPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: PageDocument }).document;
    const canvas = doc.querySelector('[data-testid="vnc-screen"] canvas');
    if (!canvas || canvas.width === 0) return 0;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! > 300) lit++;
    return lit;
  });
}

/** Types on the focused noVNC screen with real key presses (Shift held for capitals and symbols). */
async function typeKeys(page: Page, text: string): Promise<void> {
  for (const ch of text) {
    const stroke = strokeFor(ch);
    if (!stroke) throw new Error(`no key for ${JSON.stringify(ch)}`);
    if (stroke.shift) await page.keyboard.down('Shift');
    await page.keyboard.press(stroke.code);
    if (stroke.shift) await page.keyboard.up('Shift');
  }
}

test.describe('consoles of a running tiny guest', () => {
  test.describe.configure({ mode: 'serial', timeout: 120_000 });
  const lab = useLabGuest();
  let page: Page;
  let errors: string[];

  test.beforeAll(async ({ browser }) => {
    ({ page, errors } = await openVmWindow(browser, lab.guest.uuid));
  });

  test.afterAll(async () => {
    await page?.close().catch(() => undefined);
  });

  test('the serial console shows the shell prompt, and a typed command its output', async () => {
    await chooseConsole(page, 'Serial 1');
    const terminal = terminalText(page);
    await expect(terminal).toBeVisible();
    await activeLayer(page).locator('.xterm').click();
    // The boot prompt may have been printed before the console attached: Enter brings a new one.
    await expect(async () => {
      await page.keyboard.press('Enter');
      await expect(terminal).toContainText('tiny# ', { timeout: 3000 });
    }).toPass({ timeout: 60_000 });
    await page.keyboard.type('echo hello-$((6*7))');
    await page.keyboard.press('Enter');
    await expect(terminal).toContainText('hello-42');
    await expect(activeLayer(page).getByTestId('console-status')).toHaveCount(0);
  });

  test('the graphical console shows the guest text on the canvas', async () => {
    await chooseConsole(page, 'Graphical console');
    await expect(activeLayer(page).getByTestId('console-status')).toHaveCount(0, { timeout: 20_000 });
    // tty1 shows the boot messages and the prompt: light text on black, thousands of lit pixels.
    await expect.poll(() => litPixels(page), { timeout: 30_000 }).toBeGreaterThan(2000);
    await expect(activeLayer(page).locator('.console-size')).toHaveText(/^\d+×\d+$/);
  });

  test('keys typed through noVNC at the VGA shell run echo MARK > /dev/ttyS0, and the serial console shows MARK', async () => {
    const canvas = activeLayer(page).locator('[data-testid="vnc-screen"] canvas');
    await canvas.click();
    await expect(activeLayer(page).getByTestId('grab-indicator')).toContainText('Keyboard captured');
    await typeKeys(page, 'echo MARK > /dev/ttyS0\n');
    await chooseConsole(page, 'Serial 1');
    // The serial console stayed attached while the graphical one was shown. (The typed line is
    // on tty1; only the echo's output comes out of ttyS0, after the serial shell's prompt.)
    await expect(terminalText(page)).toContainText('tiny# MARK');
  });

  test('the keyboard is released with Ctrl+Alt', async () => {
    await chooseConsole(page, 'Graphical console');
    const indicator = activeLayer(page).getByTestId('grab-indicator');
    await activeLayer(page).locator('[data-testid="vnc-screen"] canvas').click();
    await expect(indicator).toContainText('Keyboard captured');
    await page.keyboard.down('Control');
    await page.keyboard.down('Alt');
    await page.keyboard.up('Alt');
    await page.keyboard.up('Control');
    await expect(indicator).toHaveText('Click the screen to type in the guest');
  });

  test('the send-key menu sends a preset and a custom combination to the guest', async () => {
    const sendKey = activeLayer(page).getByTestId('send-key');
    await sendKey.click();
    await activeLayer(page).getByRole('menuitem', { name: 'Ctrl+Alt+F2', exact: true }).click();
    await expect(page.locator('.console-message')).toHaveText('Sent Ctrl+Alt+F2');
    // A custom one: Ctrl+L makes the VGA shell clear its screen, all but the prompt line.
    expect(await litPixels(page)).toBeGreaterThan(2000);
    await sendKey.click();
    const menu = activeLayer(page).getByRole('menu', { name: 'Send key' });
    await menu.getByLabel('Custom key combination').fill('ctrl+x+');
    await expect(menu.getByText('"ctrl+x+" has an empty key between two +')).toBeVisible();
    await menu.getByLabel('Custom key combination').fill('ctrl+l');
    await menu.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('.console-message')).toHaveText('Sent Ctrl+L');
    await expect.poll(() => litPixels(page), { timeout: 20_000 }).toBeLessThan(800);
    // The custom combination is remembered in the menu.
    await sendKey.click();
    await expect(activeLayer(page).getByRole('menuitem', { name: 'Ctrl+L', exact: true })).toBeVisible();
    await sendKey.click();
  });

  test('scales the guest screen to the window, or shows it 1:1', async () => {
    const canvas = activeLayer(page).locator('[data-testid="vnc-screen"] canvas');
    const native = await canvas.evaluate((c) => (c as unknown as PageCanvas).width);
    await activeLayer(page).getByTestId('vnc-scale').selectOption('native');
    await expect.poll(() => canvas.evaluate((c) => Math.round(c.getBoundingClientRect().width))).toBe(native);
    await activeLayer(page).getByTestId('vnc-scale').selectOption('fit');
    // Fit: as large as the window allows, keeping the aspect ratio (one side touches the edges).
    const fits = () =>
      activeLayer(page)
        .getByTestId('vnc-screen')
        .evaluate((stage) => {
          const c = stage.querySelector('canvas')!.getBoundingClientRect();
          const inside = c.width <= stage.clientWidth + 1 && c.height <= stage.clientHeight + 1;
          const touches = Math.abs(c.width - stage.clientWidth) <= 2 || Math.abs(c.height - stage.clientHeight) <= 2;
          return inside && touches;
        });
    await expect.poll(fits).toBe(true);
  });

  test('fullscreen shows the console alone, and leaves again', async () => {
    const button = activeLayer(page).getByRole('button', { name: 'Fullscreen' });
    await button.click();
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { fullscreenElement: { getAttribute(n: string): string | null } | null } }).document.fullscreenElement?.getAttribute('data-testid'))).toBe('vnc-console');
    await activeLayer(page).getByRole('button', { name: 'Leave fullscreen' }).click();
    await expect(button).toBeVisible();
  });

  test('the clipboard panel types text into the guest (echo CLIP > /dev/ttyS0 shows on the serial console)', async () => {
    await activeLayer(page).getByRole('button', { name: 'Clipboard', exact: true }).click();
    await activeLayer(page).getByLabel('Clipboard text').fill('echo CLIP-$((3*3)) > /dev/ttyS0\n');
    await activeLayer(page).getByRole('button', { name: 'Type into guest' }).click();
    await expect(page.locator('.console-message')).toHaveText('Typed the text');
    await chooseConsole(page, 'Serial 1');
    await expect(terminalText(page)).toContainText('CLIP-9');
    // Find in the serial console's scrollback.
    const find = activeLayer(page).getByLabel('Find in the console');
    await find.fill('CLIP-9');
    await find.press('Enter');
    await expect(find).not.toHaveAttribute('aria-invalid');
    await find.fill('no-such-text-here');
    await find.press('Enter');
    await expect(find).toHaveAttribute('aria-invalid', 'true');
    await chooseConsole(page, 'Graphical console');
    await activeLayer(page).getByRole('button', { name: 'Clipboard', exact: true }).click();
  });

  test('a screenshot is saved as a PNG of the guest screen', async () => {
    const download = page.waitForEvent('download');
    await activeLayer(page).getByTestId('screenshot').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(new RegExp(`^${lab.guest.name}-\\d{8}-\\d{6}\\.png$`));
    const png = readFileSync((await file.path())!);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const canvasWidth = await activeLayer(page).locator('[data-testid="vnc-screen"] canvas').evaluate((c) => (c as unknown as PageCanvas).width);
    expect(png.readUInt32BE(16)).toBe(canvasWidth);
  });

  test('after a guest reboot both consoles show the guest again', async () => {
    await chooseConsole(page, 'Serial 1');
    await activeLayer(page).getByRole('button', { name: 'Clear' }).click();
    // ACPI reboot: the guest powers off, libvirt resets it in the same QEMU process.
    await page.getByRole('toolbar', { name: 'VM' }).getByRole('button', { name: 'Reboot' }).click();
    await expect.poll(() => textAfter(page, 'TINY-GUEST-READY'), { timeout: 60_000 }).toContain('tiny# ');
    await chooseConsole(page, 'Graphical console');
    await expect(activeLayer(page).getByTestId('console-status')).toHaveCount(0, { timeout: 30_000 });
    await expect.poll(() => litPixels(page), { timeout: 30_000 }).toBeGreaterThan(2000);
  });

  test('after a power cycle (new QEMU process) both consoles reconnect by themselves', async () => {
    const state = page.getByTestId('vm-window-state');
    await chooseConsole(page, 'Serial 1');
    await activeLayer(page).getByRole('button', { name: 'Clear' }).click(); // only the new boot's lines from here
    await chooseConsole(page, 'Graphical console');
    virsh('destroy', lab.guest.name);
    await expect(state).toHaveText('shut off');
    await expect(activeLayer(page).getByTestId('console-status')).toHaveAttribute('data-phase', 'not-running');
    await expect(activeLayer(page).getByTestId('console-status')).toContainText('The guest is not running');
    virsh('start', lab.guest.name);
    await expect(state).toHaveText('running');
    await expect(activeLayer(page).getByTestId('console-status')).toHaveCount(0, { timeout: 30_000 });
    await expect.poll(() => litPixels(page), { timeout: 60_000 }).toBeGreaterThan(2000);
    await chooseConsole(page, 'Serial 1');
    // Reattached as soon as the guest ran: the boot messages are there, then the new prompt.
    await expect(terminalText(page)).toContainText('[console reconnected]');
    await expect.poll(() => textAfter(page, 'TINY-GUEST-READY'), { timeout: 60_000 }).toContain('tiny# ');
    await activeLayer(page).locator('.xterm').click();
    await page.keyboard.type('echo back-$((2+3))');
    await page.keyboard.press('Enter');
    await expect(terminalText(page)).toContainText('back-5');
  });

  test('a second window finds the serial console busy, takes it over, and the first then says so', async ({ browser }) => {
    const second = await openVmWindow(browser, lab.guest.uuid);
    try {
      await chooseConsole(second.page, 'Serial 1');
      const busy = second.page.locator('.console-layer.active').getByTestId('console-busy');
      await expect(busy).toContainText('Another client is connected to this console');
      await busy.getByRole('button', { name: 'Take over' }).click();
      await expect(second.page.locator('.console-layer.active').getByTestId('console-status')).toHaveCount(0);
      await expect(activeLayer(page).getByTestId('console-busy')).toBeVisible({ timeout: 20_000 });
      expect(second.errors).toEqual([]);
    } finally {
      await second.page.close();
    }
    // The other window closed: taking it back works.
    await activeLayer(page).getByTestId('console-busy').getByRole('button', { name: 'Take over' }).click();
    await expect(activeLayer(page).getByTestId('console-status')).toHaveCount(0);
  });

  test('no CSP refusals or page errors', () => {
    expect(errors).toEqual([]);
  });
});

test.describe('a VNC password', () => {
  test.describe.configure({ timeout: 90_000 });
  const lab = useLabGuest({ vncPassword: 'sesame42' });

  test('is asked for, a wrong one is refused, the right one connects', async ({ browser }) => {
    const { page, errors } = await openVmWindow(browser, lab.guest.uuid);
    try {
      const layer = activeLayer(page);
      await expect(layer.getByText('This console is protected by a password')).toBeVisible({ timeout: 20_000 });
      await layer.getByTestId('vnc-password').fill('wrong');
      await layer.getByRole('button', { name: 'Log in' }).click();
      await expect(layer.getByText('The password was not accepted')).toBeVisible({ timeout: 20_000 });
      await layer.getByTestId('vnc-password').fill('sesame42');
      await layer.getByRole('button', { name: 'Log in' }).click();
      await expect(layer.getByTestId('console-status')).toHaveCount(0, { timeout: 20_000 });
      await expect.poll(() => litPixels(page), { timeout: 30_000 }).toBeGreaterThan(500);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

test.describe('a SPICE-only guest', () => {
  const lab = useLabGuest({ graphics: 'spice', start: false });

  test('says Vireo does not show SPICE, and how to open it', async ({ browser }) => {
    const { page, errors } = await openVmWindow(browser, lab.guest.uuid);
    try {
      await expect(page.getByTestId('console-select')).toHaveValue('graphics:0');
      const notice = activeLayer(page).getByTestId('external-viewer');
      await expect(notice).toContainText("This VM's display uses SPICE, which Vireo does not show itself.");
      // remote-viewer is not installed on the test machines: the notice says how to get it.
      await expect(notice.or(notice.getByRole('button', { name: /Open in remote-viewer/ }))).toContainText(/apt install virt-viewer|Start the VM first/);
      // The serial console is still there.
      await expect(page.getByTestId('console-select').locator('option')).toHaveText(['Graphical console (SPICE)', 'Serial 1']);
      await expect(page.getByTestId('vm-window-state')).toHaveText('shut off');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
