// Page helpers for the manager window's specs; the shell itself is e2e/shell.ts.
import { type Page, expect } from '@playwright/test';

export { type Shell, collectErrors, startShell } from './shell.js';

/** The VM list of the selected connection, once it holds the connection's whole list. */
export async function loadedList(page: Page, count?: number) {
  const list = page.getByTestId('vm-list');
  await expect(list).toHaveAttribute('data-loaded', 'true');
  if (count !== undefined) await expect(list).toHaveAttribute('data-vm-count', String(count));
  return list;
}

/** Names of the rendered rows, top to bottom. */
export async function rowNames(page: Page): Promise<string[]> {
  return page.locator('[data-testid="vm-list"] [role="row"][data-uuid] .vm-name-text').allTextContents();
}

export const row = (page: Page, name: string) => page.getByTestId(`vm-row-${name}`);
export const stateOf = (page: Page, name: string) => row(page, name).getByTestId('vm-state');
