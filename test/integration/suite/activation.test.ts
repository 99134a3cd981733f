// The extension, installed from its .vsix into the real VS Code, activates and registers what it contributes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'otaworks.firmware-ota';

interface Contributes {
  contributes: { commands: { command: string; title: string; category: string }[] };
}

describe('activation', () => {
  it('is installed and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers every command it contributes, each in the OTA category', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    const contributed = (ext.packageJSON as Contributes).contributes.commands;
    assert.ok(contributed.length >= 3);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of contributed) {
      assert.ok(registered.has(c.command), `${c.command} is contributed but not registered`);
      assert.equal(c.category, 'OTA', `${c.command} has category ${c.category}`);
      assert.match(c.command, /^ota\.[a-z]+\.[a-zA-Z]+$/, `${c.command} is not named ota.<area>.<verb>`);
    }
  });

  it('runs its commands through the command API', async () => {
    await vscode.commands.executeCommand('ota.log.show');
    await vscode.commands.executeCommand('ota.serial.refresh');
    await vscode.commands.executeCommand('ota.cloud.refresh');
  });
});
