// "Build, Upload and Deploy" inside VS Code against the embedded sandbox: a fake-pio build, the upload (OSS form and
// MD5 checked by the sandbox), a job on named devices followed to its end; a build with a compile error stops before
// anything reaches the cloud; job actions from the tree.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DeployResult } from '../../../src/core/deploy';
import type { OtaTesting } from '../../../src/extension/testing';
import { ota } from '../support/ota';
import type { CloudNode } from '../../../src/extension/cloud/nodes/node';

const api = ota;

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  return folder.uri.fsPath;
}

/** Runs the simulation while `work` runs (the integration sandbox does not tick on its own). */
async function whileTicking<T>(sandbox: OtaTesting['sandbox'], work: Promise<T>): Promise<T> {
  const sb = await sandbox.get();
  let done = false;
  const ticking = (async () => {
    while (!done) {
      await sb.tick();
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    return await work;
  } finally {
    done = true;
    await ticking;
  }
}

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

describe('build, upload and deploy (sandbox)', function () {
  this.timeout(120_000);
  const version = `1.4.2-it.${Date.now() % 100000}`;

  it('builds, uploads and rolls out to named devices, following the job to its end', async () => {
    const { sandbox, cloud } = await api();
    const result = await whileTicking(
      sandbox,
      Promise.resolve(
        vscode.commands.executeCommand<DeployResult | undefined>('ota.deploy.buildUploadDeploy', {
          accountId: 'sandbox',
          projectDir: join(workspaceDir(), 'blink'),
          env: 'esp32dev',
          version,
          productKey: 'a1PlugEsp32',
          job: { target: 'SPECIFIC', deviceNames: ['plug-0001', 'plug-0002', 'plug-0003'] },
          verify: null,
        }),
      ),
    );
    assert.ok(result, 'the deploy failed (see the OTA log)');
    assert.equal(result.uploaded, true);
    assert.ok(result.jobId);
    assert.ok(result.rollout);
    assert.equal(result.rollout.snapshot.total, 3);
    assert.equal(result.rollout.snapshot.pending, 0);
    assert.ok(['COMPLETED', 'CANCELED'].includes(result.rollout.snapshot.job.status));

    // The tree shows the new firmware under its product.
    const roots = await cloud.provider.getChildren();
    const sandboxNode = roots.find((r) => label(cloud.provider.getTreeItem(r)) === 'Sandbox') as CloudNode;
    const product = (await cloud.provider.getChildren(sandboxNode)).find((n) => label(cloud.provider.getTreeItem(n)) === 'Smart Plug') as CloudNode;
    const firmware = await cloud.provider.getChildren(product);
    assert.ok(firmware.some((f) => label(cloud.provider.getTreeItem(f)).endsWith(` ${version}`)), firmware.map((f) => label(cloud.provider.getTreeItem(f))).join(', '));
  });

  it('stops a broken build before anything is uploaded', async () => {
    const { sandbox } = await api();
    const sb = await sandbox.get();
    const before = sb.stats.rpcRequests;
    const result = await vscode.commands.executeCommand<DeployResult | undefined>('ota.deploy.buildUploadDeploy', {
      accountId: 'sandbox',
      projectDir: join(workspaceDir(), 'broken'),
      env: 'esp32dev',
      version: `${version}-broken`,
      productKey: 'a1PlugEsp32',
      job: { target: 'ALL' },
      verify: null,
    });
    assert.equal(result, undefined);
    assert.equal(sb.stats.rpcRequests, before, 'the sandbox was called although the build failed');
  });

  it('refuses an invalid version before building or uploading', async () => {
    const { sandbox } = await api();
    const sb = await sandbox.get();
    const before = sb.stats.rpcRequests;
    const result = await vscode.commands.executeCommand<DeployResult | undefined>('ota.deploy.buildUploadDeploy', {
      accountId: 'sandbox',
      projectDir: join(workspaceDir(), 'blink'),
      env: 'esp32dev',
      version: 'not a version!',
      productKey: 'a1PlugEsp32',
      job: { target: 'ALL' },
      verify: null,
    });
    assert.equal(result, undefined);
    assert.equal(sb.stats.rpcRequests, before);
  });
});

describe('IoTaaP deploy (sandbox)', function () {
  this.timeout(60_000);

  const version = `2.${Date.now() % 1000}.0`;

  it('sends a built image to a device with its token and a semantic version, then lists the new version', async () => {
    const { cloud } = await api();
    const result = await vscode.commands.executeCommand<{ version: string; willUpdate: boolean; note: string } | undefined>('ota.iotaap.deploy', {
      accountId: 'sandbox',
      device: '5e1b57808711f904f5df4bb1',
      deviceToken: 'Tj9GdL5pVb2X',
      version,
      projectDir: join(workspaceDir(), 'blink'),
      env: 'esp32dev',
    });
    assert.ok(result, 'the deploy failed (see the OTA log)');
    assert.equal(result.version, version);
    assert.equal(result.willUpdate, true);
    assert.match(result.note, /only when the version differs/);
    const session = await cloud.sessions.get('sandbox');
    assert.ok(session.iotaap);
    const otas = await session.iotaap.listAllDeviceOtas();
    assert.equal(otas.find((o) => o.device === '5e1b57808711f904f5df4bb1')?.version, version);
  });

  it('refuses a version that is not semantic before sending anything', async () => {
    const result = await vscode.commands.executeCommand('ota.iotaap.deploy', {
      accountId: 'sandbox',
      device: '5e1b57808711f904f5df4bb1',
      deviceToken: 'Tj9GdL5pVb2X',
      version: 'v2',
      file: join(workspaceDir(), 'README.md'),
    });
    assert.equal(result, undefined);
  });
});

describe('rollout guard (settings)', function () {
  this.timeout(120_000);

  it('stops a job whose failure rate passes the limit, cancelling its pending tasks', async () => {
    const { sandbox } = await api();
    const c = vscode.workspace.getConfiguration('ota.deploy');
    await c.update('abortFailurePercent', 50, vscode.ConfigurationTarget.Global);
    await c.update('abortAfterDevices', 3, vscode.ConfigurationTarget.Global);
    // Every simulated upgrade fails (the sandbox restarts with its state to take the new rate).
    await vscode.workspace.getConfiguration('ota.sandbox').update('failureRate', 1, vscode.ConfigurationTarget.Global);
    try {
      const result = await whileTicking(
        sandbox,
        Promise.resolve(
          vscode.commands.executeCommand<DeployResult | undefined>('ota.deploy.buildUploadDeploy', {
            accountId: 'sandbox',
            file: join(workspaceDir(), 'blink', '.pio', 'build', 'nodemcuv2', 'firmware.bin'),
            version: `3.0.${Date.now() % 100000}`,
            productKey: 'a1PlugEsp32',
            // Pushed slowly (about one device a tick), so the rollout is seen failing before it ends.
            job: { target: 'ALL', maximumPerMinute: 60 },
            verify: null,
          }),
        ),
      );
      assert.ok(result?.rollout, 'the deploy failed (see the OTA log)');
      assert.equal(result.rollout.outcome, 'stopped-by-guard');
      assert.equal(result.rollout.snapshot.job.status, 'CANCELED');
      assert.equal(result.rollout.snapshot.pending, 0);
    } finally {
      await c.update('abortFailurePercent', undefined, vscode.ConfigurationTarget.Global);
      await c.update('abortAfterDevices', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.getConfiguration('ota.sandbox').update('failureRate', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
