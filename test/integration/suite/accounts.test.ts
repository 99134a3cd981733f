// Accounts added through the commands: settings hold no secret, SecretStorage does; a wrong secret shows one
// error node with a "fix credentials" action.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { OtaTesting } from '../../../src/extension/testing';
import { ota } from '../support/ota';

const api = ota;

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

async function rootsChanged(p: OtaTesting['cloud']['provider']): Promise<void> {
  await new Promise<void>((resolve) => {
    const d = p.onDidChangeTreeData(() => {
      d.dispose();
      resolve();
    });
  });
}

describe('accounts', function () {
  this.timeout(60_000);

  afterEach(async () => {
    await vscode.workspace.getConfiguration('ota').update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('ota.sandbox').update('show', undefined, vscode.ConfigurationTarget.Global);
  });

  it('adds an Alibaba-compatible account: settings hold no secret and the tree lists its firmware', async () => {
    const { cloud, sandbox } = await api();
    const sb = await sandbox.get();
    const changed = rootsChanged(cloud.provider);
    const id = await vscode.commands.executeCommand<string>('ota.cloud.addAlibabaAccount', {
      label: 'Lab (compatible endpoint)',
      regionId: sb.credentials.regionId,
      endpoint: sb.aliyunEndpoint,
      iotInstanceId: '',
      accessKeyId: sb.credentials.accessKeyId,
      accessKeySecret: sb.credentials.accessKeySecret,
    });
    assert.ok(id);
    await changed;
    const settings = JSON.stringify(vscode.workspace.getConfiguration('ota').get('accounts'));
    assert.ok(settings.includes(sb.credentials.accessKeyId));
    assert.ok(!settings.includes(sb.credentials.accessKeySecret), 'the secret is in the settings');

    const roots = await cloud.provider.getChildren();
    // With an account configured, the sandbox account is no longer shown by default.
    assert.deepEqual(roots.map((r) => label(cloud.provider.getTreeItem(r))), ['Lab (compatible endpoint)']);
    const account = roots[0];
    const item = cloud.provider.getTreeItem(account);
    assert.equal(item.contextValue, 'account.aliyun');
    assert.match(String(item.description), /^Alibaba-compatible · 127\.0\.0\.1:\d+$/);
    const products = (await cloud.provider.getChildren(account)).map((n) => label(cloud.provider.getTreeItem(n)));
    assert.ok(products.includes('Smart Plug'), products.join(', '));
  });

  it('shows one error node with a credentials action when the secret is wrong, and no secret in it', async () => {
    const { cloud, sandbox } = await api();
    const sb = await sandbox.get();
    const wrong = 'definitely-not-the-secret-1234';
    await vscode.commands.executeCommand<string>('ota.cloud.addAlibabaAccount', {
      label: 'Broken',
      regionId: 'cn-shanghai',
      endpoint: sb.aliyunEndpoint,
      iotInstanceId: '',
      accessKeyId: sb.credentials.accessKeyId,
      accessKeySecret: wrong,
    });
    await vscode.workspace.getConfiguration('ota.sandbox').update('show', 'never', vscode.ConfigurationTarget.Global);
    const roots = await cloud.provider.getChildren();
    const broken = roots.find((r) => label(cloud.provider.getTreeItem(r)) === 'Broken');
    assert.ok(broken);
    const children = await cloud.provider.getChildren(broken);
    assert.equal(children.length, 1);
    const err = cloud.provider.getTreeItem(children[0]);
    assert.equal(err.contextValue, 'error.credentials', label(err));
    assert.equal(err.command?.command, 'ota.cloud.retry');
    assert.match(label(err), /AccessKey|signature|credential/i);
    assert.ok(!label(err).includes(wrong));
    const tooltip = typeof err.tooltip === 'string' ? err.tooltip : (err.tooltip?.value ?? '');
    assert.ok(!tooltip.includes(wrong));
  });

  it('keeps unreadable entries of the setting visible as warnings', async () => {
    const { cloud } = await api();
    await vscode.workspace
      .getConfiguration('ota')
      .update('accounts', [{ id: 'x', provider: 'aliyun', label: 'No region', accessKeyId: 'AK' }], vscode.ConfigurationTarget.Global);
    const roots = await cloud.provider.getChildren();
    const texts = roots.map((r) => label(cloud.provider.getTreeItem(r)));
    assert.ok(texts.some((t) => /account "No region" has no "regionId"/.test(t)), texts.join('\n'));
  });
});
