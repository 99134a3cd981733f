// Saves a screenshot of the workbench when an e2e test fails, next to the others, to see what the user would see.
import type { Page } from 'playwright-core';
import { screenshot } from './session';

export function screenshotOnFailure(page: () => Page | undefined): void {
  afterEach(async function () {
    const p = page();
    if (this.currentTest?.state === 'failed' && p) {
      const name = `FAILED-${this.currentTest.fullTitle().replace(/[^\w]+/g, '-').slice(0, 80)}`;
      await screenshot(p, name).catch(() => undefined);
    }
  });
}
