// A flash to a port that the Serial Monitor holds: the monitor (here a stand-in implementing its public API over a
// real pseudo-terminal) is stopped for the flash and started again afterwards; when that is not allowed, the flash
// fails with a message that says the port is busy and what to do, never a bare error.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FlashResult } from '../../../src/core/serial/sessionTypes';
import { startMcuProcess } from '../../sims/processes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { removeTempFolders, tempFolder } from '../support/temp';

interface StandIn {
  getApi(version: 0): {
    startMonitoringPort(s: { port: string; baudRate: number; lineEnding: string; dataBits: number; stopBits: string; parity: string }): Promise<unknown>;
    stopMonitoringPort(port: string): Promise<void>;
  };
  testEvents: { type: string; port: string; baudRate?: number }[];
}

function image(): string {
  const file = join(tempFolder('img'), 'app.bin');
  writeFileSync(file, Buffer.alloc(8192, 0x5a));
  return file;
}

describe('a port held by the Serial Monitor', function () {
  this.timeout(60_000);
  after(removeTempFolders);
  let pty: PtyPair;
  let monitor: StandIn;

  beforeEach(async () => {
    pty = await openPtyPair();
    const ext = vscode.extensions.getExtension<StandIn>('ms-vscode.vscode-serial-monitor');
    assert.ok(ext, 'the Serial Monitor stand-in is not installed');
    monitor = await ext.activate();
    monitor.testEvents.length = 0;
    await monitor.getApi(0).startMonitoringPort({ port: pty.a, baudRate: 9600, lineEnding: 'none', dataBits: 8, stopBits: 'one', parity: 'none' });
  });

  afterEach(async () => {
    await monitor.getApi(0).stopMonitoringPort(pty.a);
    await pty.close();
    await vscode.workspace.getConfiguration('ota.serial').update('stopSerialMonitor', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('ota.serial').update('monitorBaud', undefined, vscode.ConfigurationTarget.Global);
  });

  it('stops the monitor, flashes, and starts the monitor again at the monitor baud rate', async () => {
    await vscode.workspace.getConfiguration('ota.serial').update('stopSerialMonitor', 'always', vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('ota.serial').update('monitorBaud', 9600, vscode.ConfigurationTarget.Global);
    const mcu = startMcuProcess(pty.b, ['--version', 'V1_0']);
    try {
      const result = await vscode.commands.executeCommand<FlashResult>('ota.serial.flash', { image: image(), port: pty.a, protocol: 'quecthing', baud: 115200 });
      // ok: the MCU read the whole image, checked its MD5 and SHA-256 and reported the new version.
      assert.equal(result.result, 'ok', result.message);
      assert.deepEqual(
        monitor.testEvents.map((e) => [e.type, e.port, e.baudRate]),
        [
          ['start', pty.a, 9600],
          ['stop', pty.a, undefined],
          ['start', pty.a, 9600],
        ],
      );
    } finally {
      await mcu.stop();
    }
  });

  it('fails with a port-busy message naming the port and what to do when stopping the monitor is not allowed', async () => {
    await vscode.workspace.getConfiguration('ota.serial').update('stopSerialMonitor', 'never', vscode.ConfigurationTarget.Global);
    const result = await vscode.commands.executeCommand<FlashResult>('ota.serial.flash', { image: image(), port: pty.a, protocol: 'quecthing' });
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'port-busy');
    assert.ok(result.message.includes(pty.a), result.message);
    assert.match(result.message, /busy|in use/i);
    assert.match(result.message, /monitor|close/i);
    assert.deepEqual(monitor.testEvents.map((e) => e.type), ['start']);
  });
});
