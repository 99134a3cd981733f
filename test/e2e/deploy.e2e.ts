// A user runs "OTA: Build, Upload and Deploy" from the palette on a PlatformIO project (built by the fixtures' fake
// pio; the firmware is named after the project folder and environment), answers its questions, and watches the rollout end in the Cloud view; then a compile error stops the next
// deploy before the upload and shows up in the Problems view.
import * as assert from 'node:assert/strict';
import { appendFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
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

describe('build, upload and deploy (UI, sandbox)', function () {
  let session: E2ESession;
  screenshotOnFailure(() => session?.page);

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
  });

  after(async () => {
    await session?.close();
  });

  async function answer(input: string): Promise<void> {
    const box = session.page.locator('.quick-input-widget input');
    await box.waitFor({ state: 'visible' });
    await box.fill(input);
    await session.page.keyboard.press('Enter');
  }

  async function startDeploy(firstTime: boolean): Promise<void> {
    const { page } = session;
    await runCommand(page, 'OTA: Build, Upload and Deploy');
    // The environment is asked once, then remembered for the workspace.
    if (firstTime) await pickQuickItem(page, 'esp32dev');
  }

  it('runs to the end: the tree shows the new firmware and its job completed with device rows', async () => {
    const { page } = session;
    await openOtaContainer(page);
    await startDeploy(true);
    // The version comes from the build flag -D FIRMWARE_VERSION=1.4.2, offered for confirmation.
    const box = page.locator('.quick-input-widget input');
    await box.waitFor({ state: 'visible' });
    assert.equal(await box.inputValue(), '1.4.2');
    await page.keyboard.press('Enter');
    await pickQuickItem(page, 'Smart Plug');
    await pickQuickItem(page, 'Specific devices…');
    await answer('plug-0001, plug-0002, plug-0003');
    await pickQuickItem(page, 'Upload without verification');
    const done = page.locator('.notifications-toasts .notification-toast', { hasText: 'Rollout of 1.4.2 ended' });
    await done.waitFor({ timeout: 120_000 });
    assert.match(await done.innerText(), /3 succeeded, 0 failed of 3/);

    const cloud = viewPane(page, 'Cloud');
    await collapsePane(page, 'Serial');
    await widenSidebar(page, 640);
    await expandRow(cloud, 'Smart Plug');
    await expandRow(cloud, 'workspace-esp32dev 1.4.2');
    const job = treeRow(cloud, /^Upgrade job /);
    await job.waitFor({ timeout: 30_000 });
    await job.click();
    await expandRow(cloud, 'succeeded');
    await cloud.locator('.monaco-list-row .label-name', { hasText: /^plug-0003$/ }).waitFor({ timeout: 30_000 });
    const rows = await rowTexts(cloud);
    assert.ok(rows.some((r) => /^workspace-esp32dev 1\.4\.2 — full · no verification needed · /.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^Upgrade job \S+ — completed · static, specific/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^succeeded — 3 devices$/.test(r)), rows.join('\n'));
    for (const d of ['plug-0001', 'plug-0002', 'plug-0003']) assert.ok(rows.some((r) => r.startsWith(`${d} — 100 %`)), rows.join('\n'));
    await screenshot(page, 'deploy-completed');
  });

  it('stops before the upload when the build fails, and shows the error in the Problems view', async () => {
    const { page } = session;
    appendFileSync(join(session.workspace, 'src', 'main.cpp'), "\n// fake-pio-error: expected ';' before '}' token\n");
    await startDeploy(false);
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await pickQuickItem(page, 'Smart Plug');
    await pickQuickItem(page, 'All devices');
    await pickQuickItem(page, 'Upload without verification');
    const error = page.locator('.notifications-toasts .notification-toast', { hasText: "expected ';' before '}' token" });
    await error.waitFor({ timeout: 60_000 });
    assert.match(await error.innerText(), /build/i);
    assert.match(await error.innerText(), /Nothing was uploaded/);
    await error.getByRole('button', { name: 'Show Problems' }).click();
    const problems = page.locator('.part.panel .markers-panel');
    await problems.locator('.monaco-list-row', { hasText: "expected ';' before '}' token" }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'deploy-build-error');
    // Nothing new in the cloud: the product still has one 1.4.2 and no other new firmware.
    const rows = await rowTexts(viewPane(page, 'Cloud'));
    assert.equal(rows.filter((r) => r.startsWith('workspace-esp32dev ')).length, 1, rows.join('\n'));
  });
});
