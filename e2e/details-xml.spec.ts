// The Details tab's XML views in Chromium through the browser shell, on the Demo connection
// (libvirt's test driver): a general page's own XML fragment (CPUs), edited and applied, changes
// only its lines of the domain; an element of another page is refused there with its reason and
// changes nothing; Validate checks the whole document against libvirt's schema, with each
// problem at its line.
import { expect, test } from '@playwright/test';
import { lineDiff } from '../shared/xml/test-support.js';
import { TEST_UUID, applied, domainXml, editorText, goTo, openDetails, replaceEditorText } from './details-page.js';
import { type Shell, startShell, watchCspAndPageErrors } from './shell.js';

test.describe('Details XML views on the Demo connection', () => {
  let shell: Shell;
  test.beforeAll(async () => {
    shell = await startShell([]);
  });
  test.afterAll(async () => {
    await shell?.stop();
  });

  test("edits the CPUs page's XML; reloading shows the new count and only that line changed", async ({ page }) => {
    const errors = watchCspAndPageErrors(page);
    await openDetails(page, shell, 'demo', TEST_UUID);
    const before = await domainXml(page);

    await goTo(page, 'cpu');
    await page.getByTestId('view-xml').click();
    const fragment = await editorText(page, 'page-xml-editor');
    expect(fragment).toBe("<vcpu placement='static'>2</vcpu>");
    await replaceEditorText(page, 'page-xml-editor', fragment.replace('>2<', '>3<'));
    await expect(page.getByTestId('dirty')).toBeVisible();
    await expect(page.getByTestId('xml-error')).toHaveCount(0);
    await page.getByTestId('view-details').click();
    await expect(page.getByTestId('field-vcpus-max')).toHaveValue('3');
    await applied(page);

    await page.reload();
    await expect(page.getByTestId('page-overview')).toBeVisible();
    await goTo(page, 'cpu');
    await expect(page.getByTestId('field-vcpus-max')).toHaveValue('3');
    expect(lineDiff(before, await domainXml(page))).toEqual({ removed: ["  <vcpu placement='static'>2</vcpu>"], added: ["  <vcpu placement='static'>3</vcpu>"] });
    expect(errors).toEqual([]);
  });

  test("refuses an element of another page in a page's XML, at its line, and changes nothing", async ({ page }) => {
    await openDetails(page, shell, 'demo', TEST_UUID);
    const before = await domainXml(page);
    await goTo(page, 'cpu');
    await page.getByTestId('view-xml').click();
    const fragment = await editorText(page, 'page-xml-editor');
    await replaceEditorText(page, 'page-xml-editor', `${fragment}\n<devices/>`);
    await expect(page.getByTestId('xml-error')).toHaveText('Line 2, column 1: <devices> is not part of the CPUs page: edit it in the Domain XML');
    await expect(page.getByTestId('page-xml-editor').locator('.cm-lint-marker-error')).toHaveCount(1);
    // Nothing reached the document: there is nothing to apply.
    await expect(page.getByTestId('dirty')).toHaveCount(0);
    await expect(page.getByTestId('apply')).toBeDisabled();
    expect(await domainXml(page)).toBe(before);
  });

  test("Revert puts a page's XML back, the text typed in it included", async ({ page }) => {
    await openDetails(page, shell, 'demo', TEST_UUID);
    await goTo(page, 'memory');
    await page.getByTestId('view-xml').click();
    const fragment = await editorText(page, 'page-xml-editor');
    const edited = fragment.replace(/<currentMemory unit='KiB'>\d+</, "<currentMemory unit='KiB'>1048576<");
    expect(edited).not.toBe(fragment);
    await replaceEditorText(page, 'page-xml-editor', edited);
    await expect(page.getByTestId('dirty')).toBeVisible();
    await page.getByTestId('revert').click();
    await expect(page.getByTestId('dirty')).toHaveCount(0);
    await expect.poll(() => editorText(page, 'page-xml-editor')).toBe(fragment);
  });

  test("validates the document against libvirt's schema, with a problem at its line", async ({ page }) => {
    const errors = watchCspAndPageErrors(page);
    await openDetails(page, shell, 'demo', TEST_UUID);
    const before = await domainXml(page);
    await page.getByTestId('validate').click();
    await expect(page.getByTestId('schema-valid')).toHaveText("Valid against libvirt's schema");

    const lines = before.split('\n');
    const at = lines.findIndex((line) => line.includes('</vcpu>')) + 1;
    lines.splice(at, 0, '  <frobnicator/>');
    await replaceEditorText(page, 'domain-xml-editor', lines.join('\n'));
    // The result was about the text before the edit.
    await expect(page.getByTestId('schema-valid')).toHaveCount(0);
    await page.getByTestId('validate').click();
    await expect(page.getByTestId('schema-issues')).toHaveText(`Line ${at + 1}: Element domain has extra content: frobnicator`);
    const editor = page.getByTestId('domain-xml-editor');
    await expect(editor.locator('.cm-line', { hasText: '<frobnicator/>' }).locator('.cm-lintRange-error')).toHaveCount(1);
    await expect(editor.locator('.cm-lintRange-error')).toHaveCount(1);

    // Validating applied nothing.
    await page.getByTestId('revert').click();
    await page.reload();
    await expect(page.getByTestId('page-overview')).toBeVisible();
    expect(await domainXml(page)).toBe(before);
    expect(errors).toEqual([]);
  });
});
