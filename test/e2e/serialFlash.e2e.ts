// A user flashes the image they just built to an MCU on a serial port: here a simulated MCU process (speaking the
// Quectel MCU OTA flow from the MCU side) on one end of a socat pseudo-terminal pair. The panel reaches 100 % and
// "Done"; a second flash, cancelled midway, shows "Cancelled" and frees the port.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { repoRoot } from '../harness/codeServer';
import { startMcuProcess, type McuProcessResult, type PartnerProcess } from '../sims/processes';
import { openPtyPair, type PtyPair } from '../sims/ptyPair';
import { screenshotOnFailure } from './support/failureScreenshots';
import { screenshot, startSession, type E2ESession } from './support/session';
import { pickQuickItem, runCommand, webviewFrame } from './support/workbench';

const IMAGE_SIZE = 48 * 1024;

function image(): Buffer {
  const b = Buffer.alloc(IMAGE_SIZE);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}

async function canOpen(path: string): Promise<void> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

describe('serial flash (UI, simulated MCU on a pseudo-terminal)', function () {
  let session: E2ESession;
  screenshotOnFailure(() => session?.page);
  let pty: PtyPair;
  let mcu: PartnerProcess<McuProcessResult> | undefined;

  before(async function () {
    this.timeout(300_000);
    pty = await openPtyPair();
    session = await startSession({
      prepareWorkspace: (dir) => {
        cpSync(join(repoRoot, 'test', 'fixtures', 'pio', 'blink'), dir, { recursive: true });
        mkdirSync(join(dir, '.pio', 'build', 'esp32dev'), { recursive: true });
        writeFileSync(join(dir, '.pio', 'build', 'esp32dev', 'firmware.bin'), image());
      },
      settings: { 'ota.serial.extraPorts': [pty.a], 'ota.sandbox.show': 'never' },
    });
  });

  after(async () => {
    await mcu?.stop();
    await session?.close();
    await pty?.close();
  });

  async function startFlash(): Promise<void> {
    const { page } = session;
    await runCommand(page, 'OTA: Flash Firmware over Serial');
    await pickQuickItem(page, 'esp32dev');
    await pickQuickItem(page, pty.a);
    await pickQuickItem(page, 'Quectel MCU OTA (AT)');
  }

  it('flashes the PlatformIO build to the MCU: the panel reaches 100 % and Done', async () => {
    mcu = startMcuProcess(pty.b, ['--version', 'V1_0', '--read-size', '4096']);
    await startFlash();
    const panel = await webviewFrame(session.page, '#percent');
    await panel.locator('#phase', { hasText: 'Done, verified by the device' }).waitFor({ timeout: 60_000 });
    assert.equal(await panel.locator('#percent').innerText(), '100 %');
    assert.match(await panel.locator('#bytes').innerText(), /48\.0 KiB of 48\.0 KiB/);
    const log = await panel.locator('#log').innerText();
    assert.match(log, /AT\+QIOTUPDATE=1/);
    assert.match(log, /\+QIOTEVT: 7,10705/);
    assert.match(log, /now runs V2_0/);
    await screenshot(session.page, 'serial-flash-done');

    // Hidden behind another editor and shown again, the panel (reloaded by VS Code) shows the same state.
    await runCommand(session.page, 'File: New Untitled Text File');
    await session.page.locator('.tabs-container .tab', { hasText: 'Flash firmware.bin' }).click();
    const again = await webviewFrame(session.page, '#phase');
    await again.locator('#phase', { hasText: 'Done' }).waitFor({ timeout: 30_000 });
    assert.equal(await again.locator('#percent').innerText(), '100 %');
    assert.match(await again.locator('#log').innerText(), /now runs V2_0/);
    const result = await mcu.done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.report?.size, IMAGE_SIZE);
    assert.equal(result.report?.md5Ok, true);
    assert.equal(result.report?.sha256Ok, true);
  });

  it('cancels a second flash midway: the panel shows Cancelled and the port is free again', async () => {
    // A slow MCU: 1 KiB reads and 150 ms of "flash writing" per read.
    mcu = startMcuProcess(pty.b, ['--version', 'V1_0', '--read-size', '1024', '--flash-delay-ms', '150']);
    await startFlash();
    const panel = await webviewFrame(session.page, '#percent');
    await panel.locator('#phase', { hasText: 'Transferring' }).waitFor({ timeout: 60_000 });
    // Midway: between 10 % and 90 %.
    for (let i = 0; ; i++) {
      const n = parseInt(await panel.locator('#percent').innerText(), 10);
      if (n >= 10 && n < 90) break;
      assert.ok(i < 600 && n < 90, `the flash did not stop midway (at ${n} %)`);
      await session.page.waitForTimeout(100);
    }
    await panel.locator('#cancel').click();
    await panel.locator('#phase', { hasText: 'Cancelled' }).waitFor({ timeout: 30_000 });
    await screenshot(session.page, 'serial-flash-cancelled');
    await mcu.stop();
    await canOpen(pty.a);
  });
});
