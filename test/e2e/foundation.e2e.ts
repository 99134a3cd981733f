// A user opens the OTA container, sees both views with their welcome content and runs an OTA command.
import * as assert from 'node:assert/strict';
import { screenshotOnFailure } from './support/failureScreenshots';
import { screenshot, startSession, type E2ESession } from './support/session';
import { openOtaContainer, runCommand, viewPane } from './support/workbench';

describe('foundation (UI, real VS Code with the .vsix installed)', function () {
  let session: E2ESession;
  screenshotOnFailure(() => session?.page);

  before(async function () {
    this.timeout(300_000);
    session = await startSession({ settings: { 'ota.sandbox.show': 'never', 'ota.serial.virtualDevices': false } });
  });

  after(async () => {
    await session?.close();
  });

  it('shows the Cloud and Serial views with their welcome content', async () => {
    const { page } = session;
    await openOtaContainer(page);
    const cloud = viewPane(page, 'Cloud');
    const serial = viewPane(page, 'Serial');
    await cloud.locator('.welcome-view-content').waitFor({ state: 'visible', timeout: 30_000 });
    await serial.locator('.welcome-view-content').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await cloud.locator('.welcome-view-content').innerText(), /No cloud OTA account/);
    assert.match(await serial.locator('.welcome-view-content').innerText(), /No serial port found/);
    await screenshot(page, 'foundation-views');
  });

  it('runs "OTA: Show Log" from the command palette', async () => {
    const { page } = session;
    await runCommand(page, 'OTA: Show Log');
    const output = page.locator('.part.panel .view-lines');
    await output.filter({ hasText: 'Firmware OTA' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await output.first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /Firmware OTA \d+\.\d+\.\d+ activated/);
    await screenshot(page, 'foundation-log');
  });
});
