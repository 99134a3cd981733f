// Builds through the `ota` task type with the fixtures' fake pio: a good build gives a fresh firmware.bin; a
// compile error lands in the Problems view (diagnostics API) and no image is returned.
import * as assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BuiltFirmware } from '../../../src/extension/platformio/buildFirmware';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  return folder.uri.fsPath;
}

describe('PlatformIO build task', function () {
  this.timeout(60_000);

  it('builds an environment and returns its fresh firmware.bin', async () => {
    const projectDir = join(workspaceDir(), 'blink');
    const built = await vscode.commands.executeCommand<BuiltFirmware | undefined>('ota.project.build', { projectDir, env: 'nodemcuv2' });
    assert.ok(built, 'the build failed (see the OTA log)');
    assert.equal(built.artifact.path, join(projectDir, '.pio', 'build', 'nodemcuv2', 'firmware.bin'));
    assert.ok(existsSync(built.artifact.path));
    assert.equal(statSync(built.artifact.path).size, built.artifact.size);
    assert.ok(built.artifact.size > 0);
  });

  it('puts compiler errors in the Problems view and returns no image', async () => {
    const projectDir = join(workspaceDir(), 'broken');
    const built = await vscode.commands.executeCommand<BuiltFirmware | undefined>('ota.project.build', { projectDir, env: 'esp32dev' });
    assert.equal(built, undefined);
    // The task's problem matcher publishes the diagnostics as the output goes by; wait for them to arrive.
    const uri = vscode.Uri.file(join(projectDir, 'src', 'main.cpp'));
    let diagnostics = vscode.languages.getDiagnostics(uri);
    for (let i = 0; i < 100 && !diagnostics.some((d) => d.severity === vscode.DiagnosticSeverity.Error); i++) {
      await new Promise((r) => setTimeout(r, 100));
      diagnostics = vscode.languages.getDiagnostics(uri);
    }
    const error = diagnostics.find((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(error, JSON.stringify(diagnostics));
    assert.match(error.message, /'foo' was not declared in this scope/);
    assert.equal(error.range.start.line, 11);
    assert.equal(error.range.start.character, 4);
  });
});
