// Two windows of one VS Code (two browser pages on one code-server: each has its own extension host, both share the
// user data folder's global storage and so the sandbox's data folder) see one sandbox: both list it, a deploy run
// from the first window shows up in the second after a refresh, and once the first has closed (code-server ends its
// extension host) the second takes the sandbox over and keeps listing it.
import * as assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, openWorkbench } from '../harness/browser';
import { repoRoot } from '../harness/codeServer';
import { screenshotOnFailure } from './support/failureScreenshots';
import { screenshot, startSession, type E2ESession } from './support/session';
import {
  collapsePane,
  expandRow,
  openOtaContainer,
  pickQuickItem,
  rowTexts,
  runCommand,
  treeRow,
  viewPane,
  widenSidebar,
} from './support/workbench';

describe('two windows share one sandbox (UI)', function () {
  let session: E2ESession;
  let second: Page;
  let closeSecond: (() => Promise<void>) | undefined;
  /** Whether the first window runs the sandbox (the other one uses it). */
  let firstRunsIt = false;
  screenshotOnFailure(() => second ?? session?.page);

  before(async function () {
    this.timeout(300_000);
    session = await startSession({
      prepareWorkspace: (dir) => cpSync(join(repoRoot, 'test', 'fixtures', 'pio', 'blink'), dir, { recursive: true }),
      settings: {
        'ota.platformio.path': join(repoRoot, 'test', 'fixtures', 'pio', 'fake-pio'),
        'ota.sandbox.simulationIntervalMs': 200,
        'ota.sandbox.failureRate': 0,
        'ota.serial.virtualDevices': false,
      },
    });
    // The second window: another browser, so another workbench and another extension host on the same server.
    const browser = await launchBrowser();
    closeSecond = () => browser.close();
    second = await openWorkbench(browser, session.server.workspaceUrl);
  });

  after(async () => {
    await closeSecond?.();
    await session?.close();
  });

  async function showSandbox(page: Page): Promise<string[]> {
    await openOtaContainer(page);
    const cloud = viewPane(page, 'Cloud');
    await treeRow(cloud, 'Sandbox').waitFor({ state: 'visible', timeout: 60_000 });
    await collapsePane(page, 'Serial');
    await expandRow(cloud, 'Smart Plug');
    await treeRow(cloud, 'plug-main 1.2.0').waitFor({ state: 'visible', timeout: 60_000 });
    return rowTexts(cloud);
  }

  /** The lines of the window's OTA log that say which sandbox it uses. */
  async function sandboxLog(page: Page): Promise<string> {
    await runCommand(page, 'OTA: Show Log');
    const lines = page.locator('.part.panel .monaco-editor .view-lines');
    // The panel renders spaces as no-break spaces: dots in the pattern.
    await lines.filter({ hasText: /Sandbox.(running.at|of.another.window)/ }).waitFor({ timeout: 60_000 });
    const text = (await lines.innerText()).replace(/\u00a0/g, ' ');
    return text.split('\n').filter((l) => l.includes('Sandbox ')).join('\n');
  }

  it('lists the sandbox products and firmware in both windows', async () => {
    for (const page of [session.page, second]) {
      const rows = await showSandbox(page);
      assert.ok(rows.some((r) => /^Weather Station — a1WthrStm32 · \d+ firmware$/.test(r)), rows.join('\n'));
      assert.ok(rows.some((r) => /^plug-main 1\.2\.0 — full · verified · [\d.]+ KiB$/.test(r)), rows.join('\n'));
      assert.ok(!rows.some((r) => /error|could not|failed to/i.test(r)), rows.join('\n'));
    }
    // One sandbox, not two: one window runs it, the other says it uses that one, at the same address.
    const logs = [await sandboxLog(session.page), await sandboxLog(second)];
    const owners = logs.map((l) => /Sandbox running at (http\S+)/.exec(l)?.[1]);
    const joiners = logs.map((l) => /Sandbox of another window \(or 'ota sandbox'\) used at (http\S+)/.exec(l)?.[1]);
    assert.equal(owners.filter(Boolean).length, 1, logs.join('\n----\n'));
    assert.equal(joiners.filter(Boolean).length, 1, logs.join('\n----\n'));
    assert.equal(owners.find(Boolean), joiners.find(Boolean), logs.join('\n----\n'));
    firstRunsIt = Boolean(owners[0]);
  });

  it('shows in the second window the firmware and job a deploy from the first window made', async () => {
    const page = session.page;
    await runCommand(page, 'OTA: Build, Upload and Deploy');
    await pickQuickItem(page, 'esp32dev');
    const box = page.locator('.quick-input-widget input');
    await box.waitFor({ state: 'visible' });
    assert.equal(await box.inputValue(), '1.4.2');
    await page.keyboard.press('Enter');
    await pickQuickItem(page, 'Smart Plug');
    await pickQuickItem(page, 'Specific devices…');
    await box.waitFor({ state: 'visible' });
    await box.fill('plug-0001, plug-0002');
    await page.keyboard.press('Enter');
    await pickQuickItem(page, 'Upload without verification');
    const done = page.locator('.notifications-toasts .notification-toast', { hasText: 'Rollout of 1.4.2 ended' });
    await done.waitFor({ timeout: 120_000 });
    assert.match(await done.innerText(), /2 succeeded, 0 failed of 2/);

    const cloud = viewPane(second, 'Cloud');
    await runCommand(second, 'OTA: Refresh Cloud View');
    await widenSidebar(second, 640);
    await expandRow(cloud, 'Smart Plug');
    // Out of the way of the product's hover, which would cover the row below it.
    await second.mouse.move(1000, 700);
    await expandRow(cloud, 'workspace-esp32dev 1.4.2');
    const job = treeRow(cloud, /^Upgrade job /);
    await job.waitFor({ timeout: 30_000 });
    await job.click();
    await second.mouse.move(1000, 700);
    await expandRow(cloud, 'succeeded');
    await cloud.locator('.monaco-list-row .label-name', { hasText: /^plug-0002$/ }).waitFor({ timeout: 30_000 });
    const rows = await rowTexts(cloud);
    assert.ok(rows.some((r) => /^workspace-esp32dev 1\.4\.2 — full · no verification needed · /.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^Upgrade job \S+ — completed · static, specific/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^succeeded — 2 devices$/.test(r)), rows.join('\n'));
    await widenSidebar(page, 640);
    await screenshot(page, 'two-windows-first-deployed');
    await screenshot(second, 'two-windows-second-sees-deploy');
  });

  it('keeps listing the sandbox in the second window after the first window closed', async () => {
    await session.page.context().close();
    if (firstRunsIt) {
      // code-server ends a closed window's extension host: the second window takes over the sandbox.
      const lines = second.locator('.part.panel .monaco-editor .view-lines');
      await runCommand(second, 'OTA: Show Log');
      await lines.filter({ hasText: /went.away;.this.window.runs.it.now/ }).waitFor({ timeout: 90_000 });
    } else {
      await second.waitForTimeout(5_000);
    }
    await runCommand(second, 'OTA: Refresh Cloud View');
    const cloud = viewPane(second, 'Cloud');
    await treeRow(cloud, 'Sandbox').waitFor({ state: 'visible', timeout: 60_000 });
    await expandRow(cloud, 'Smart Plug');
    await treeRow(cloud, 'workspace-esp32dev 1.4.2').waitFor({ state: 'visible', timeout: 60_000 });
    await treeRow(cloud, 'plug-main 1.2.0').waitFor({ state: 'visible', timeout: 60_000 });
    const rows = await rowTexts(cloud);
    assert.ok(!rows.some((r) => /error|could not|failed to/i.test(r)), rows.join('\n'));
    await screenshot(second, 'two-windows-second-after-first-closed');
  });
});
