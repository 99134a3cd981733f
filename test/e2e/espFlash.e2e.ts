// A user flashes the ESP32 build of the demo project (test/fixtures/pio/blink, env esp32dev, built with the fake
// pio: bootloader, partitions, boot_app0 and app) from the Serial view to simulated ESP32 boards (ROM loader + stub,
// each in its own process on a pseudo-terminal): first one board, the panel at Done with the chip shown; then two
// boards selected together, flashed at once, a row each in the panel.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { repoRoot } from '../harness/codeServer';
import { startEspPtyBoard, type EspPtyBoard } from '../sims/espBoard';
import { screenshotOnFailure } from './support/failureScreenshots';
import { screenshot, startSession, type E2ESession } from './support/session';
import { openOtaContainer, pickQuickItem, viewPane, webviewFrame, widenSidebar } from './support/workbench';

const FAKE_PIO = join(repoRoot, 'test', 'fixtures', 'pio', 'fake-pio');

function portRow(pane: Locator, port: string): Locator {
  return pane.locator('.monaco-list-row', { hasText: port }).first();
}

async function clickFlashAction(row: Locator): Promise<void> {
  await row.hover();
  await row.locator('.action-label[aria-label^="Flash Firmware over Serial"]').click();
}

describe('ESP flash from the Serial view (UI, simulated ESP32 boards on pseudo-terminals)', function () {
  let session: E2ESession;
  screenshotOnFailure(() => session?.page);
  let boards: EspPtyBoard[] = [];

  before(async function () {
    this.timeout(300_000);
    boards = [await startEspPtyBoard({ simArgs: ['--mac', '24:0a:c4:00:00:01'] }), await startEspPtyBoard({ simArgs: ['--mac', '24:0a:c4:00:00:02'] })];
    session = await startSession({
      prepareWorkspace: (dir) => {
        cpSync(join(repoRoot, 'test', 'fixtures', 'pio', 'blink'), dir, { recursive: true });
        execFileSync(FAKE_PIO, ['run', '-e', 'esp32dev', '-d', dir], { stdio: 'ignore' });
      },
      settings: {
        'ota.serial.extraPorts': boards.map((b) => b.port),
        'ota.serial.virtualDevices': false,
        'ota.sandbox.show': 'never',
        'ota.platformio.path': FAKE_PIO,
      },
    });
  });

  after(async () => {
    await session?.close();
    for (const b of boards) await b.stop();
  });

  it('flashes the demo project\'s ESP32 build to one board: Done, verified, chip shown', async function () {
    this.timeout(180_000);
    const { page } = session;
    await openOtaContainer(page);
    await widenSidebar(page, 520);
    const serial = viewPane(page, 'Serial');
    const row = portRow(serial, boards[0].port);
    await row.waitFor({ timeout: 60_000 });
    await clickFlashAction(row);
    await pickQuickItem(page, 'esp32dev');
    await pickQuickItem(page, 'ESP ROM loader');
    const panel = await webviewFrame(page, '#percent', 60_000);
    await panel.locator('#phase', { hasText: /^(Done|Failed|Cancelled|Refused)/ }).waitFor({ timeout: 120_000 });
    await screenshot(page, 'esp-flash-done');
    assert.equal(await panel.locator('#phase').innerText(), 'Done, verified by the device', await panel.locator('#message').innerText());
    assert.equal(await panel.locator('#percent').innerText(), '100 %');
    const device = await panel.locator('#device').innerText();
    assert.match(device, /ESP32-D0WD-V3 \(revision 3\)/);
    assert.match(device, /24:0a:c4:00:00:01/);
    assert.match(device, /4MB/);
    const log = await panel.locator('#log').innerText();
    assert.match(log, /bootloader\.bin at 0x00001000: chip MD5 [0-9a-f]{32}/);
    assert.match(log, /firmware\.bin at 0x00010000: chip MD5/);
  });

  it('flashes two boards selected together, at once: a row each, both Done', async function () {
    this.timeout(180_000);
    const { page } = session;
    // The first board runs its new firmware now; a pty cannot reset it, so the user holds BOOT and presses RESET.
    boards[0].pressReset(true);
    const serial = viewPane(page, 'Serial');
    const first = portRow(serial, boards[0].port);
    const second = portRow(serial, boards[1].port);
    await first.click();
    await second.click({ modifiers: ['Control'] });
    await clickFlashAction(second);
    await pickQuickItem(page, 'esp32dev');
    await pickQuickItem(page, 'ESP ROM loader');
    const panel = await webviewFrame(page, '#boards', 60_000);
    await panel.locator('#boards').waitFor({ state: 'visible', timeout: 60_000 });
    await panel.locator('#phase', { hasText: /^(Done|Failed|Cancelled|Refused)/ }).waitFor({ timeout: 120_000 });
    await screenshot(page, 'esp-flash-two-boards');
    assert.equal(await panel.locator('#phase').innerText(), 'Done, verified by the device', await panel.locator('#message').innerText());
    const rows = panel.locator('#boards tbody tr');
    assert.equal(await rows.count(), 2);
    for (const b of boards) {
      const text = await panel.locator(`#boards tbody tr[data-port="${b.port}"]`).innerText();
      assert.match(text, /ESP32-D0WD-V3/);
      assert.match(text, /Done, verified by the device/);
      assert.match(text, /100 %/);
    }
    assert.match(await panel.locator('#target').innerText(), /2 boards/);
  });
});
