// Debian's Chromium driven by playwright-core: the window through which tests see and click the real VS Code.
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.OTA_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Opens the workbench and waits until it is ready for input. */
export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  // The web workbench's clipboard is the browser's.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  // The activity bar is there once the layout has settled.
  await page.waitForSelector('.activitybar', { timeout: 60_000 });
  return page;
}
