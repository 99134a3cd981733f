// A newcomer in the demo project `npm start` opens, with nothing else installed (no PlatformIO, no board, no
// account): from the palette, "Build, Upload and Deploy" says PlatformIO is missing and offers to deploy an image
// file ("Deploy a File…"); the demo project's demo image is deployed to three Sandbox devices to the end; then "Flash Firmware over
// Serial" flashes that very firmware, downloaded back from the Sandbox and checked, to the simulated MCU, and the
// demo image file to the simulated YMODEM bootloader. The Getting Started walkthrough marks those steps done.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEMO_IMAGE_SIZE, prepareDemoProject } from '../harness/demoProject';
import { screenshotOnFailure } from './support/failureScreenshots';
import { screenshot, startSession, type E2ESession } from './support/session';
import { collapsePane, expandRow, openOtaContainer, pickQuickItem, rowTexts, runCommand, treeRow, viewPane, webviewFrame, widenSidebar } from './support/workbench';

/** Types `filter` into the open quick pick and clicks the row that has `text` (not merely the first match). */
async function clickQuickRow(page: Page, filter: string, text: string | RegExp): Promise<string> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(filter);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: 60_000 });
  const shown = await row.innerText();
  await row.click();
  return shown;
}

describe('a newcomer tries both main jobs in the demo project (UI, nothing installed)', function () {
  let session: E2ESession;
  screenshotOnFailure(() => session?.page);

  before(async function () {
    this.timeout(300_000);
    session = await startSession({
      prepareWorkspace: prepareDemoProject,
      // Only quicker simulated devices than the default 1 s per step; everything else as a newcomer has it.
      settings: { 'ota.sandbox.simulationIntervalMs': 200 },
    });
  });

  after(async () => {
    await session?.close();
  });

  it('deploys the demo image without PlatformIO, from the palette to the end of the rollout', async () => {
    const { page } = session;
    await openOtaContainer(page);
    const cloud = viewPane(page, 'Cloud');
    await treeRow(cloud, 'Sandbox').waitFor({ state: 'visible', timeout: 60_000 });

    await runCommand(page, 'OTA: Build, Upload and Deploy');
    const missing = page.locator('.notifications-toasts .notification-toast', { hasText: 'PlatformIO was not found' });
    await missing.waitFor({ timeout: 60_000 });
    const deployImage = missing.getByRole('button', { name: 'Deploy a File…' });
    await deployImage.waitFor({ timeout: 30_000 });
    const text = await missing.innerText();
    assert.match(text, /cannot be built here: install PlatformIO IDE, set ota\.platformio\.path, or use an image file you already have\./);
    for (const action of ['Install PlatformIO', 'Set Path…']) {
      assert.ok(await missing.getByRole('button', { name: action }).isVisible(), `no "${action}" in: ${text}`);
    }
    await page.waitForTimeout(600); // the toast slides in
    await screenshot(page, 'newcomer-platformio-missing');
    await deployImage.click();

    // The demo image of the demo project is offered, and says it is a demo.
    const demoRow = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'blink-esp32dev-1.4.2.bin' });
    await demoRow.waitFor({ timeout: 30_000 });
    assert.match(await demoRow.innerText(), /Demo image/);
    await screenshot(page, 'newcomer-choose-image');
    await pickQuickItem(page, 'blink-esp32dev-1.4.2.bin');

    // The version comes from the file name, offered for confirmation.
    const box = page.locator('.quick-input-widget input');
    await box.waitFor({ state: 'visible' });
    await page.waitForFunction(() => {
      const input = (globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document.querySelector('.quick-input-widget input');
      return input?.value === '1.4.2';
    }, undefined, { timeout: 30_000 });
    await page.keyboard.press('Enter');
    await pickQuickItem(page, 'Smart Plug');
    await pickQuickItem(page, 'Specific devices…');
    await box.waitFor({ state: 'visible' });
    await box.fill('plug-0001, plug-0002, plug-0003');
    await page.keyboard.press('Enter');
    await pickQuickItem(page, 'Upload without verification');
    const done = page.locator('.notifications-toasts .notification-toast', { hasText: 'Rollout of 1.4.2 ended' });
    await done.waitFor({ timeout: 180_000 });
    assert.match(await done.innerText(), /of 3/);

    await collapsePane(page, 'Serial');
    await widenSidebar(page, 640);
    await expandRow(cloud, 'Smart Plug');
    await treeRow(cloud, 'blink-esp32dev 1.4.2').waitFor({ timeout: 60_000 });
    const rows = await rowTexts(cloud);
    assert.ok(rows.some((r) => new RegExp(`^blink-esp32dev 1\\.4\\.2 — full · no verification needed · ${DEMO_IMAGE_SIZE / 1024}\\.0 KiB$`).test(r)), rows.join('\n'));
    await screenshot(page, 'newcomer-deployed');
  });

  it('flashes the deployed firmware from the cloud to the simulated MCU: downloaded, checked, verified by the device', async () => {
    const { page } = session;
    await runCommand(page, 'OTA: Flash Firmware over Serial');
    // The Cloud view's firmware is listed after the workspace's images, marked as the sandbox's demo firmware.
    const shown = await clickQuickRow(page, 'blink-esp32dev 1.4.2', /demo firmware of the sandbox/);
    assert.match(shown, /blink-esp32dev 1\.4\.2/);
    assert.match(shown, /Sandbox · Smart Plug/);
    await pickQuickItem(page, 'Virtual MCU (Quectel OTA)');
    // A simulated device speaks one protocol: nothing more is asked.
    const panel = await webviewFrame(page, '#percent', 60_000);
    await panel.locator('#phase', { hasText: /^(Done|Sent|Failed|Cancelled)/ }).waitFor({ timeout: 120_000 });
    assert.equal(await panel.locator('#phase').innerText(), 'Done, verified by the device', await panel.locator('#message').innerText());
    assert.equal(await panel.locator('#percent').innerText(), '100 %');
    assert.match(await panel.locator('#bytes').innerText(), /64\.0 KiB of 64\.0 KiB/);
    assert.match(await panel.locator('#log').innerText(), /AT\+QIOTUPDATE=1/);
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'Flashed blink-esp32dev-1.4.2.bin to virtual:quecthing-mcu' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'newcomer-flash-cloud-firmware');
  });

  it('flashes the demo image file to the simulated YMODEM bootloader', async () => {
    const { page } = session;
    await runCommand(page, 'OTA: Flash Firmware over Serial');
    await clickQuickRow(page, 'blink-esp32dev-1.4.2.bin', /Demo image/);
    await pickQuickItem(page, 'Virtual bootloader (YMODEM)');
    // The panel of the first flash is reused: wait until it shows this one, then until it ends.
    const panel = await webviewFrame(page, '#percent', 60_000);
    await panel.locator('#target', { hasText: 'virtual:ymodem-bootloader' }).waitFor({ timeout: 60_000 });
    await panel.locator('#phase', { hasText: /^(Done|Sent|Failed|Cancelled)/ }).waitFor({ timeout: 120_000 });
    // YMODEM has no end-to-end check: the panel says so rather than "verified".
    assert.equal(await panel.locator('#phase').innerText(), 'Sent, not verified by the device', await panel.locator('#message').innerText());
    assert.match(await panel.locator('#bytes').innerText(), /64\.0 KiB of 64\.0 KiB/);
    assert.match(await panel.locator('#log').innerText(), /blink-esp32dev-1\.4\.2\.bin \(65536 bytes\)/);
    await screenshot(page, 'newcomer-flash-demo-image');
  });

  it('the Getting Started walkthrough shows the Sandbox, deploy and flash steps done, and the account step not', async () => {
    const { page } = session;
    // The flash panel (a webview) may hold the keyboard: give it back to the workbench before using the palette.
    await page.locator('.part.sidebar .composite.title').click();
    await runCommand(page, 'View: Close Primary Side Bar');
    await runCommand(page, 'OTA: Get Started with Firmware OTA');
    const steps = page.locator('.gettingStartedContainer .getting-started-step');
    await steps.first().waitFor({ timeout: 30_000 });
    const state = async (title: string) => (await steps.filter({ hasText: title }).first().getAttribute('aria-checked')) === 'true';
    await page.locator('.getting-started-step[aria-checked="true"]', { hasText: 'Flash a board' }).waitFor({ timeout: 30_000 });
    assert.equal(await state('See the Sandbox'), true);
    assert.equal(await state('Connect a real account'), false);
    assert.equal(await state('Build, upload and deploy'), true);
    assert.equal(await state('Flash a board'), true);
    // The selected step's media (a markdown webview) is shown beside the steps.
    const media = await webviewFrame(page, 'h1:has-text("The Sandbox")', 30_000);
    assert.match(await media.locator('body').innerText(), /four simulated devices/);
    await screenshot(page, 'newcomer-walkthrough');
  });
});
