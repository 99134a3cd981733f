// A Zephyr developer flashes their signed build to a board running MCUboot with an mcumgr SMP server on its
// console: here the simulated SMP device process on one end of a socat pseudo-terminal pair. From the port's row in
// the Serial view: flash (confirming the new image), the panel reaches Done, verified, with the board's running
// version, slots and SMP buffer shown; then the port's "Send SMP Echo" answers.
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { buildMcubootImage } from '../../src/core/serial/protocols/mcuboot/imageFormat';
import { repoRoot } from '../harness/codeServer';
import { startSmpDevice, type SmpDeviceProcess } from '../sims/processes';
import { openPtyPair, type PtyPair } from '../sims/ptyPair';
import { screenshotOnFailure } from './support/failureScreenshots';
import { screenshot, startSession, type E2ESession } from './support/session';
import { openOtaContainer, pickQuickItem, viewPane, webviewFrame, widenSidebar } from './support/workbench';

function signedImage(): Uint8Array {
  const body = new Uint8Array(96 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 8)) & 0xff;
  return buildMcubootImage(body, { version: { major: 2, minor: 1, revision: 0 } });
}

/** Runs an item of a tree row's context menu, as a user does: right-click, point at the item, Enter. */
async function contextMenu(row: Locator, item: string): Promise<void> {
  await row.click({ button: 'right' });
  const entry = row.page().locator('.monaco-menu .action-item', { hasText: item }).first();
  await entry.waitFor({ state: 'visible', timeout: 10_000 });
  await entry.hover();
  await row.page().keyboard.press('Enter');
}

describe('MCUboot flash from the Serial view (UI, simulated SMP device on a pseudo-terminal)', function () {
  let session: E2ESession;
  screenshotOnFailure(() => session?.page);
  let pty: PtyPair;
  let device: SmpDeviceProcess | undefined;

  before(async function () {
    this.timeout(300_000);
    pty = await openPtyPair();
    device = startSmpDevice(pty.b, ['--buf-size', '2048', '--boot-ms', '300', '--write-ms-per-kib', '4']);
    await device.ready;
    session = await startSession({
      prepareWorkspace: (dir) => {
        cpSync(join(repoRoot, 'test', 'fixtures', 'pio', 'blink'), dir, { recursive: true });
        mkdirSync(join(dir, '.pio', 'build', 'nrf52840dk'), { recursive: true });
        writeFileSync(join(dir, '.pio', 'build', 'nrf52840dk', 'firmware.bin'), signedImage());
      },
      settings: { 'ota.serial.extraPorts': [pty.a], 'ota.sandbox.show': 'never' },
    });
  });

  after(async () => {
    await device?.stop();
    await session?.close();
    await pty?.close();
  });

  it('flashes and confirms the signed build: Done, verified, with the board running the new version', async function () {
    this.timeout(180_000);
    const { page } = session;
    await openOtaContainer(page);
    await widenSidebar(page, 460);
    const serial = viewPane(page, 'Serial');
    const row = serial.locator('.monaco-list-row', { hasText: pty.a }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    await contextMenu(row, 'Flash Firmware over Serial');
    await pickQuickItem(page, 'nrf52840dk');
    await pickQuickItem(page, 'MCUboot (SMP)');
    await pickQuickItem(page, 'Confirm the new image');
    const panel = await webviewFrame(page, '#percent');
    await panel.locator('#phase', { hasText: 'Done, verified by the device' }).waitFor({ timeout: 120_000 });
    assert.equal(await panel.locator('#percent').innerText(), '100 %');
    const facts = await panel.locator('#device').innerText();
    assert.match(facts, /SMP buffer\s+2048 bytes × 4/);
    assert.match(facts, /Running version\s+2\.1\.0/);
    assert.match(facts, /slot 0: 2\.1\.0 \(active, confirmed\); slot 1: 1\.0\.0/);
    assert.match(await panel.locator('#log').innerText(), /The device runs version 2\.1\.0 \(SHA-256 [0-9a-f]{16}…\), confirmed: MCUboot keeps it\./);
    await screenshot(page, 'mcuboot-flash-done');

    // The port's context menu in the Serial view also talks SMP: the echo answers.
    await contextMenu(row, 'Send SMP Echo');
    await page.locator('.notifications-toasts', { hasText: 'answered the SMP echo "hello from OTA"' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'mcuboot-echo');
    const report = (await device!.stop()).report!;
    assert.equal(report.runningVersion, '2.1.0');
  });
});
