// A user flashes the image they just built to an STM32 from the Serial view: the board is the simulated STM32
// system bootloader process (test/sims/stm32BootProcess.ts) on one end of a socat pseudo-terminal pair. They click
// the port's flash action, pick the build and the STM32 protocol; the panel shows who the chip is and ends at
// "Done, verified by the device"; the simulator's flash then holds the image.
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../harness/codeServer';
import { openPtyPair, type PtyPair } from '../sims/ptyPair';
import { type Stm32SimProcess, startStm32Sim } from '../sims/stm32Sim';
import { screenshotOnFailure } from './support/failureScreenshots';
import { screenshot, startSession, type E2ESession } from './support/session';
import { openOtaContainer, pickQuickItem, treeRow, viewPane, webviewFrame, widenSidebar } from './support/workbench';

const IMAGE_SIZE = 40 * 1024;

function image(): Buffer {
  const b = Buffer.alloc(IMAGE_SIZE);
  for (let i = 0; i < b.length; i++) b[i] = (i * 13 + (i >> 7)) & 0xff;
  return b;
}

describe('STM32 flash from the Serial view (UI, simulated bootloader on a pseudo-terminal)', function () {
  let session: E2ESession;
  screenshotOnFailure(() => session?.page);
  let pty: PtyPair;
  let sim: Stm32SimProcess | undefined;
  let dir: string;

  before(async function () {
    this.timeout(300_000);
    pty = await openPtyPair();
    dir = mkdtempSync(join(tmpdir(), 'ota-e2e-stm32-'));
    session = await startSession({
      prepareWorkspace: (ws) => {
        cpSync(join(repoRoot, 'test', 'fixtures', 'pio', 'blink'), ws, { recursive: true });
        mkdirSync(join(ws, '.pio', 'build', 'bluepill_f411'), { recursive: true });
        writeFileSync(join(ws, '.pio', 'build', 'bluepill_f411', 'firmware.bin'), image());
      },
      settings: { 'ota.serial.extraPorts': [pty.a], 'ota.sandbox.show': 'never', 'ota.serial.virtualDevices': false },
    });
  });

  after(async () => {
    await sim?.stop();
    await session?.close();
    await pty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flashes the build to the STM32: the panel names the chip and ends at Done, verified', async () => {
    const { page } = session;
    const dump = join(dir, 'flash.bin');
    sim = startStm32Sim(pty.b, ['--model', 'f411', '--dump', dump, '--write-ms-per-256', '1']);
    await sim.ready;
    await openOtaContainer(page);
    await widenSidebar(page, 420);
    const serial = viewPane(page, 'Serial');
    const row = treeRow(serial, 'Pseudo-terminal');
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    await row.hover();
    await row.locator('.action-label[aria-label^="Flash Firmware over Serial"]').click();
    await pickQuickItem(page, 'bluepill_f411');
    await pickQuickItem(page, 'STM32 system bootloader');

    const panel = await webviewFrame(page, '#percent', 60_000);
    await panel.locator('#phase', { hasText: 'Done, verified by the device' }).waitFor({ timeout: 120_000 });
    assert.equal(await panel.locator('#percent').innerText(), '100 %');
    const device = await panel.locator('#device').innerText();
    assert.match(device, /Chip\s+STM32F411 \(F4\)/);
    assert.match(device, /Product ID\s+0x431/);
    assert.match(device, /Bootloader\s+v3\.1/);
    assert.match(device, /Extended Erase/);
    assert.match(await panel.locator('#log').innerText(), /read them back: the flash matches the image\. Started it at 0x08000000/);
    await screenshot(page, 'stm32-flash-done');

    const result = await sim.done;
    assert.equal(result.report?.outcome, 'went');
    assert.ok(readFileSync(dump).subarray(0, IMAGE_SIZE).equals(image()), 'the simulated flash does not hold the image');
  });
});
