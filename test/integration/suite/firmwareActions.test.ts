// Firmware actions on a sandbox firmware: details document with every field, URL copy, download verified against
// the cloud's size and MD5; and in-progress jobs refreshed on their own.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { OtaTesting } from '../../../src/extension/testing';
import { ota } from '../support/ota';
import type { CloudNode } from '../../../src/extension/cloud/nodes/node';
import type { FirmwareNode } from '../../../src/extension/cloud/nodes/firmwareNode';
import { removeTempFolders, tempFolder } from '../support/temp';

const api = ota;

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

async function find(p: OtaTesting['cloud']['provider'], path: RegExp[]): Promise<CloudNode> {
  let node: CloudNode | undefined;
  for (const step of path) {
    const children = await p.getChildren(node);
    const next = children.find((c) => step.test(label(p.getTreeItem(c))));
    assert.ok(next, `no ${String(step)} among ${children.map((c) => label(p.getTreeItem(c))).join(', ')}`);
    node = next;
  }
  assert.ok(node);
  return node;
}

describe('firmware actions and job refresh', function () {
  this.timeout(60_000);
  after(removeTempFolders);

  it('shows every field of a firmware in a read-only JSON document', async () => {
    const { cloud } = await api();
    const node = (await find(cloud.provider, [/^Sandbox$/, /^Smart Plug$/, /^plug-main 1\.2\.0$/])) as FirmwareNode;
    const uri = await vscode.commands.executeCommand<string>('ota.firmware.showDetails', node);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    assert.ok(doc);
    assert.equal(doc.languageId, 'json');
    const shown = JSON.parse(doc.getText()) as Record<string, unknown>;
    for (const key of ['id', 'name', 'version', 'srcVersion', 'size', 'sign', 'signMethod', 'status', 'type', 'productKey', 'productName', 'moduleName', 'description', 'url', 'createdAt', 'modifiedAt']) {
      assert.ok(key in shown, `${key} missing`);
    }
    assert.equal(shown.version, '1.2.0');
    // The pre-signed URL's signature is not put in the document.
    assert.ok(!String(shown.url).includes('Signature='));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('copies the download URL', async () => {
    const { cloud } = await api();
    const node = (await find(cloud.provider, [/^Sandbox$/, /^Smart Plug$/, /^plug-main 1\.2\.0$/])) as FirmwareNode;
    const url = await vscode.commands.executeCommand<string>('ota.firmware.copyUrl', node);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(await vscode.env.clipboard.readText(), url);
  });

  it('downloads a firmware and verifies its size and MD5 before saving it', async () => {
    const { cloud } = await api();
    const node = (await find(cloud.provider, [/^Sandbox$/, /^Smart Plug$/, /^plug-main 1\.2\.0$/])) as FirmwareNode;
    const dest = join(tempFolder('dl'), 'plug-main-1.2.0.bin');
    const result = await vscode.commands.executeCommand<{ size: number; md5: string; verified: string[] }>(
      'ota.firmware.download',
      node,
      vscode.Uri.file(dest),
    );
    assert.ok(result, 'download failed (see the OTA log)');
    assert.deepEqual(result.verified, ['size', 'MD5']);
    const bytes = readFileSync(dest);
    assert.equal(bytes.length, node.firmware.size);
    assert.equal(createHash('md5').update(bytes).digest('hex'), node.firmware.sign?.toLowerCase());
    assert.ok(!existsSync(`${dest}.part`));
  });

  it('refreshes an in-progress job on its own when its devices move', async () => {
    const { cloud, sandbox } = await api();
    await vscode.workspace.getConfiguration('ota.cloud').update('refreshIntervalSeconds', 1, vscode.ConfigurationTarget.Global);
    // Jobs are polled only while the Cloud view is visible.
    await vscode.commands.executeCommand('ota.cloud.focus');
    try {
      const fw = await find(cloud.provider, [/^Sandbox$/, /^Smart Plug$/, /^plug-main 1\.2\.0$/]);
      const job = (await cloud.provider.getChildren(fw)).find((c) => cloud.provider.getTreeItem(c).contextValue === 'job.IN_PROGRESS');
      assert.ok(job, 'no in-progress job');
      await cloud.provider.getChildren(job);
      const refreshed = new Promise<void>((resolve) => {
        const d = cloud.provider.onDidChangeTreeData((n) => {
          if (n?.id === job.id) {
            d.dispose();
            resolve();
          }
        });
      });
      const sb = await sandbox.get();
      for (let i = 0; i < 3; i++) await sb.tick();
      await refreshed;
    } finally {
      await vscode.workspace.getConfiguration('ota.cloud').update('refreshIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
