// What a user does in the workbench, as Playwright steps.
import type { Frame, Locator, Page } from 'playwright-core';

/** The little of the DOM these helpers read in the page (the tests compile without the DOM library). */
interface DomNode {
  getAttribute(name: string): string | null;
  querySelector(selector: string): { textContent: string | null } | null;
}

/** Runs a command from the command palette by its full title ("OTA: Show Log"). */
export async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 10_000 });
      await row.waitFor({ state: 'visible', timeout: 10_000 });
    } catch (e) {
      // The palette can open before the workbench has read every extension's commands, or close again when a
      // webview that held the keyboard takes it back: try again.
      if (attempt >= 3) throw e;
      continue;
    }
    await page.keyboard.press('Enter');
    return;
  }
}

/** Opens the OTA container from the activity bar. */
export async function openOtaContainer(page: Page): Promise<void> {
  const icon = page.locator('.activitybar .action-item a[aria-label^="OTA"], .activitybar .action-label[aria-label^="OTA"]').first();
  await icon.waitFor({ state: 'visible', timeout: 60_000 });
  await icon.click();
  await page.locator('.sidebar .composite.title', { hasText: 'OTA' }).waitFor({ state: 'visible' });
}

/** The pane of a view in the sidebar, by its name ("Cloud"). */
export function viewPane(page: Page, name: string): Locator {
  return page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: name }) });
}

/** A row of a view's tree by its label (exact text, or a pattern). */
export function treeRow(pane: Locator, label: string | RegExp): Locator {
  const text = typeof label === 'string' ? new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : label;
  return pane.locator('.monaco-list-row').filter({ has: pane.page().locator('.label-name', { hasText: text }) }).first();
}

/** Expands a collapsed tree row and waits until it is expanded. */
export async function expandRow(pane: Locator, label: string | RegExp): Promise<Locator> {
  const row = treeRow(pane, label);
  await row.waitFor({ state: 'visible', timeout: 60_000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  await pane.page().waitForFunction((el: DomNode | null) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: 60_000 });
  return row;
}

/** The visible rows of a pane's tree as their label and description texts. */
export async function rowTexts(pane: Locator): Promise<string[]> {
  return pane.locator('.monaco-list-row').evaluateAll((rows: DomNode[]) =>
    rows.map((r) => {
      const name = r.querySelector('.label-name')?.textContent ?? '';
      const desc = r.querySelector('.label-description')?.textContent ?? '';
      return `${name}${desc ? ` — ${desc}` : ''}`.replace(/\u00a0/g, ' ');
    }),
  );
}

/** Drags the sidebar's edge so the sidebar is `width` pixels wide (for readable screenshots). */
export async function widenSidebar(page: Page, width: number): Promise<void> {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar) return;
  const edge = sidebar.x + sidebar.width;
  const y = sidebar.y + sidebar.height / 2;
  await page.mouse.move(edge, y);
  await page.mouse.down();
  await page.mouse.move(sidebar.x + width, y, { steps: 8 });
  await page.mouse.up();
}

/** Collapses a view pane by clicking its header, if it is expanded. */
export async function collapsePane(page: Page, name: string): Promise<void> {
  const header = viewPane(page, name).locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
}

/** Picks an item of the open quick pick: types `text` as the filter, as a user would, and accepts the best match. */
export async function pickQuickItem(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused', { hasText: text });
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  // The picker before this one may still be on screen when the filter is typed, and the next one then opens with
  // an empty filter: type it again until the item is the focused one.
  const end = Date.now() + 30_000;
  for (;;) {
    if ((await input.inputValue().catch(() => '')) !== text) await input.fill(text).catch(() => undefined);
    try {
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      break;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
  }
  await page.keyboard.press('Enter');
}

/** The frame of a webview whose document has `selector` (webviews are nested iframes). */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const frame of page.frames()) {
      try {
        if ((await frame.locator(selector).count()) > 0) return frame;
      } catch {
        // a frame that went away while we looked
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview with ${selector} within ${timeoutMs} ms`);
}
