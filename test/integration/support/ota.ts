// The extension's test seam (src/extension/testing.ts), from the activation result of the installed extension.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { OtaApi } from '../../../src/extension/extension';
import type { OtaTesting } from '../../../src/extension/testing';

export const EXTENSION_ID = 'otaworks.firmware-ota';

export async function ota(): Promise<OtaTesting> {
  const ext = vscode.extensions.getExtension<OtaApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  const { testing } = await ext.activate();
  assert.ok(testing, 'the extension shows no test seam: run it with OTA_TEST_SEAM=1 or under VS Code tests');
  return testing;
}

export async function publicApi(): Promise<OtaApi> {
  const ext = vscode.extensions.getExtension<OtaApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext.activate();
}
