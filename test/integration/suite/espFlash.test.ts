// Flashing ESP32 boards from VS Code: simulated ESP32s (ROM loader + stub, in their own processes) on
// pseudo-terminals. The PlatformIO build of the workspace's blink project goes out as its four images, the panel's
// view carries the chip, and two boards flashed at once get a row each.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FlashResult } from '../../../src/core/serial/sessionTypes';
import { startEspPtyBoard, type EspPtyBoard } from '../../sims/espBoard';
import { ota as api } from '../support/ota';
import { removeTempFolders, tempFolder } from '../support/temp';

function blinkProject(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'the integration workspace is open');
  return join(folder, 'blink');
}

describe('ESP flash from VS Code (simulated ESP32 on a pseudo-terminal)', function () {
  this.timeout(120_000);
  after(removeTempFolders);
  let boards: EspPtyBoard[] = [];

  afterEach(async () => {
    for (const b of boards) await b.stop();
    boards = [];
  });

  it('flashes the PlatformIO ESP32 build (bootloader, partitions, boot_app0, app) and shows the chip', async () => {
    const { serial } = await api();
    const project = blinkProject();
    const pio = vscode.workspace.getConfiguration('ota.platformio').get<string>('path', '');
    execFileSync(pio, ['run', '-e', 'esp32dev', '-d', project], { stdio: 'ignore' });
    const board = await startEspPtyBoard({ simArgs: ['--mac', '24:0a:c4:00:00:2a'] });
    boards.push(board);
    const result = await vscode.commands.executeCommand<FlashResult | undefined>('ota.serial.flash', {
      image: join(project, '.pio', 'build', 'esp32dev', 'firmware.bin'),
      port: board.port,
      protocol: 'esp',
    });
    assert.ok(result);
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    const regions = result.details.regions as { address: string; verified: boolean }[];
    assert.deepEqual(regions.map((r) => r.address), ['0x00001000', '0x00008000', '0x0000e000', '0x00010000']);
    const view = serial.controller.current;
    assert.equal(view?.phase, 'done');
    assert.equal(view?.verified, true);
    assert.match(view?.device.find((f) => f.label === 'Chip')?.value ?? '', /^ESP32-D0WD-V3/);
    assert.equal(view?.device.find((f) => f.label === 'MAC')?.value, '24:0a:c4:00:00:2a');
  });

  it('flashes two boards at once, a row each; one that never syncs fails without stopping the other', async () => {
    const { serial } = await api();
    const good = await startEspPtyBoard();
    const bad = await startEspPtyBoard({ simArgs: ['--never-sync'] });
    boards.push(good, bad);
    const file = join(tempFolder('esp'), 'app.bin');
    const bytes = Buffer.alloc(60_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 13 + (i >> 7)) & 0xff;
    writeFileSync(file, bytes);
    const results = await vscode.commands.executeCommand<FlashResult[] | undefined>('ota.serial.flash', {
      image: file,
      ports: [good.port, bad.port],
      protocol: 'esp',
      options: { flashBaud: 115200, waitForBootMs: 1000 },
    });
    assert.ok(Array.isArray(results));
    assert.deepEqual(results.map((r) => [r.port, r.result, r.verified]), [
      [good.port, 'ok', true],
      [bad.port, 'failed', false],
    ]);
    const view = serial.controller.current;
    assert.equal(view?.rows.length, 2);
    assert.deepEqual(view?.rows.map((r) => r.phase), ['done', 'failed']);
    assert.equal(view?.phase, 'failed');
    const { flash } = await good.stop();
    assert.ok(flash?.subarray(0x10000, 0x10000 + bytes.length).equals(bytes));
  });
});
