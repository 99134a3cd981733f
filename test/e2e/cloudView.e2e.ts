// A user opens the Cloud view with no account configured: the embedded sandbox is listed, and a rollout job can be
// followed down to each device's status.
import * as assert from 'node:assert/strict';
import { screenshotOnFailure } from './support/failureScreenshots';
import { screenshot, startSession, type E2ESession } from './support/session';
import { collapsePane, expandRow, openOtaContainer, rowTexts, treeRow, viewPane, widenSidebar } from './support/workbench';

describe('Cloud view (UI, sandbox account)', function () {
  let session: E2ESession;
  screenshotOnFailure(() => session?.page);

  before(async function () {
    this.timeout(300_000);
    session = await startSession();
  });

  after(async () => {
    await session?.close();
  });

  it('lists the sandbox products and firmware with status, type and size', async () => {
    const { page } = session;
    await openOtaContainer(page);
    const cloud = viewPane(page, 'Cloud');
    await treeRow(cloud, 'Sandbox').waitFor({ state: 'visible', timeout: 60_000 });
    await expandRow(cloud, 'Smart Plug');
    await treeRow(cloud, 'plug-main 1.2.0').waitFor({ state: 'visible', timeout: 60_000 });
    const rows = await rowTexts(cloud);
    assert.ok(rows.some((r) => /^Weather Station — a1WthrStm32 · \d+ firmware$/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^plug-main 1\.2\.0 — full · verified · [\d.]+ KiB$/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^plug-main-delta 1\.2\.1 — delta from 1\.2\.0 · unverified · /.test(r)), rows.join('\n'));
  });

  it('expands a rollout job down to device rows with their status', async () => {
    const { page } = session;
    const cloud = viewPane(page, 'Cloud');
    await expandRow(cloud, 'plug-main 1.2.0');
    const job = treeRow(cloud, /^Upgrade job /);
    await job.waitFor({ state: 'visible', timeout: 60_000 });
    await job.click();
    await treeRow(cloud, 'failed').waitFor({ state: 'visible', timeout: 60_000 });
    await expandRow(cloud, 'failed');
    await cloud.locator('.monaco-list-row .label-name', { hasText: /^plug-\d{4}$/ }).first().waitFor({ timeout: 60_000 });
    const rows = await rowTexts(cloud);
    assert.ok(rows.some((r) => /^Upgrade job \S+ — in progress · static, all · started /.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^succeeded — \d+ devices$/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^failed — \d+ devices$/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^plug-\d{4} — \d+ %/.test(r)), rows.join('\n'));
    await collapsePane(page, 'Serial');
    await widenSidebar(page, 640);
    await treeRow(cloud, 'failed').scrollIntoViewIfNeeded();
    await screenshot(page, 'cloud-job-devices');
  });
});
