// MCUboot in VS Code with no board: the Serial view's virtual MCUboot board takes a signed image through the flash
// command, and the port's SMP commands (image state, echo, reset) answer from the same board.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { buildMcubootImage } from '../../../src/core/serial/protocols/mcuboot/imageFormat';
import type { SmpCommandResult } from '../../../src/core/serial/protocols/mcuboot/smpCommands';
import type { FlashResult } from '../../../src/core/serial/sessionTypes';
import type { OtaApi } from '../../../src/extension/extension';
import { removeTempFolders, tempFolder } from '../support/temp';

const PORT = 'virtual:mcuboot-board';

describe('MCUboot flash and SMP commands on the virtual board', function () {
  this.timeout(60_000);
  after(removeTempFolders);

  before(async () => {
    const ext = vscode.extensions.getExtension<OtaApi>('otaworks.firmware-ota');
    assert.ok(ext);
    await ext.activate();
  });

  it('flashes and confirms a signed image, then the board lists it as running and confirmed', async () => {
    const file = join(tempFolder('mcuboot'), 'zephyr.signed.bin');
    writeFileSync(file, buildMcubootImage(new Uint8Array(24_000).fill(9), { version: { major: 4, minor: 2, revision: 0 } }));
    const result = await vscode.commands.executeCommand<FlashResult | undefined>('ota.serial.flash', {
      image: file,
      port: PORT,
      protocol: 'mcuboot',
      baud: 921600,
      options: { confirm: true },
    });
    assert.ok(result);
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    assert.equal(result.details.activeVersion, '4.2.0');
    const state = await vscode.commands.executeCommand<SmpCommandResult | undefined>('ota.mcuboot.imageState', PORT);
    assert.equal(state?.message, `${PORT}: slot 0: 4.2.0 (active, confirmed); slot 1: 1.0.0.`);
  });

  it('answers Send SMP Echo and Reset over SMP', async () => {
    const echo = await vscode.commands.executeCommand<SmpCommandResult | undefined>('ota.mcuboot.echo', PORT);
    assert.equal(echo?.ok, true, echo?.message);
    assert.match(echo.message, /answered the SMP echo "hello from OTA"/);
    const reset = await vscode.commands.executeCommand<SmpCommandResult | undefined>('ota.mcuboot.reset', PORT);
    assert.equal(reset?.ok, true, reset?.message);
    assert.match(reset.message, /reset and now runs version 4\.2\.0/);
  });
});
