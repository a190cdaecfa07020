// The VM window's Details tab as the details specs drive it: open it, go to a page, read and
// replace the text of its XML editors (CodeMirror), apply through the review dialog.
import { type Page, expect } from '@playwright/test';
import { type Shell, vmWindowUrl } from './shell.js';

/** The test driver's running "test" VM on the Demo connection. */
export const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

export async function openDetails(page: Page, shell: Shell, connection: string, uuid: string): Promise<void> {
  await page.goto(vmWindowUrl(shell.url, connection, uuid, 'details'));
  await expect(page.getByTestId('page-overview')).toBeVisible({ timeout: 30_000 });
}

export const goTo = (page: Page, id: string) => page.getByTestId(`page-link-${id}`).click();

/** The whole text of a CodeMirror editor, not just the lines on screen. */
export async function editorText(page: Page, testId: string): Promise<string> {
  const editor = page.getByTestId(testId);
  await expect(editor.locator('.cm-line').first()).toBeVisible();
  const text = await editor.evaluate((element) => {
    type Tile = { root?: { view?: { state: { doc: { toString(): string } } } } };
    const content = element.querySelector('.cm-content') as unknown as { cmTile?: Tile } | null;
    return content?.cmTile?.root?.view?.state.doc.toString() ?? null;
  });
  if (text === null) throw new Error('cannot read the CodeMirror document');
  return text;
}

/** The next-boot XML as the Domain XML page shows it. */
export async function domainXml(page: Page): Promise<string> {
  await goTo(page, 'xml');
  return editorText(page, 'domain-xml-editor');
}

/** Replaces the whole text of a CodeMirror editor, as pasting it would. */
export async function replaceEditorText(page: Page, testId: string, text: string): Promise<void> {
  const content = page.getByTestId(testId).locator('.cm-content');
  await content.click();
  await page.keyboard.press('Control+a');
  await content.evaluate((element, pasted) => {
    // (No DOM types in the e2e project: the page's constructors, typed by shape.)
    const browser = globalThis as unknown as {
      DataTransfer: new () => { setData(type: string, value: string): void };
      ClipboardEvent: new (type: string, init: object) => Parameters<typeof element.dispatchEvent>[0];
    };
    const data = new browser.DataTransfer();
    data.setData('text/plain', pasted);
    element.dispatchEvent(new browser.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** Apply, through the review dialog (which shows the XML diff first). */
export async function apply(page: Page): Promise<void> {
  await page.getByTestId('apply').click();
  await expect(page.getByTestId('review-diff').locator('.cm-content')).toBeVisible();
  await page.getByTestId('apply-confirm').click();
}

export async function applied(page: Page): Promise<void> {
  await apply(page);
  await expect(page.getByTestId('apply-outcome')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('dirty')).toHaveCount(0);
}
