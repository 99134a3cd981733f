// Flashing from VS Code with no board: the Serial view offers the simulated devices, and a flash to each of them
// (Quectel MCU OTA flow, YMODEM bootloader) ends with the device holding the whole image.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FlashResult } from '../../../src/core/serial/sessionTypes';
import { ota } from '../support/ota';
import { removeTempFolders, tempFolder } from '../support/temp';

const api = ota;

function image(size: number): string {
  const file = join(tempFolder('img'), 'app.bin');
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) & 0xff;
  writeFileSync(file, bytes);
  return file;
}

describe('serial flash to the simulated devices', function () {
  this.timeout(60_000);
  after(removeTempFolders);

  it('lists the simulated devices in the Serial view', async () => {
    const { serial } = await api();
    const items = await serial.provider.getChildren();
    const paths = items.map((i) => i.port.path);
    assert.ok(paths.includes('virtual:quecthing-mcu'), paths.join(', '));
    assert.ok(paths.includes('virtual:ymodem-bootloader'), paths.join(', '));
    assert.ok(paths.includes('virtual:stm32-bootloader'), paths.join(', '));
    assert.equal(serial.provider.getTreeItem(items.find((i) => i.port.path === 'virtual:quecthing-mcu')!).contextValue, 'serialPort.virtual');
  });

  for (const [protocol, port] of [
    ['quecthing', 'virtual:quecthing-mcu'],
    ['ymodem', 'virtual:ymodem-bootloader'],
    ['stm32', 'virtual:stm32-bootloader'],
  ] as const) {
    it(`flashes with ${protocol} to ${port}`, async () => {
      const { serial } = await api();
      const result = await vscode.commands.executeCommand<FlashResult | undefined>('ota.serial.flash', {
        image: image(20_000),
        port,
        protocol,
        baud: 921600,
      });
      assert.ok(result);
      assert.equal(result.result, 'ok', result.message);
      assert.equal(result.bytes, 20_000);
      assert.equal(serial.controller.current?.phase, 'done');
      assert.equal(serial.controller.running, false);
    });
  }

  it('refuses an empty image before opening any port', async () => {
    const file = join(tempFolder('img'), 'empty.bin');
    writeFileSync(file, Buffer.alloc(0));
    const result = await vscode.commands.executeCommand('ota.serial.flash', { image: file, port: 'virtual:quecthing-mcu', protocol: 'quecthing' });
    assert.equal(result, undefined);
  });
});
