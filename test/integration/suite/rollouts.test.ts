// Rollout dashboards inside the real VS Code: the sandbox's demo rollout (stopped by its failure gate) opens with its
// waves, failure reasons and history; closed and opened again (as after a restart) it shows the same from the
// rollout file and the cloud; a plain job of the Cloud view opens as a one-wave dashboard; an IoTaaP plan file runs
// on the sandbox's IoTaaP, its device tokens from SecretStorage and from the plan's tokens file.
import * as assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { SANDBOX_IOTAAP_DEVICES } from '../../../src/core/cloud/sandbox/constants';
import { rolloutPath } from '../../../src/core/rollout/planFile';
import type { CloudNode } from '../../../src/extension/cloud/nodes/node';
import type { DashboardPanel } from '../../../src/extension/rollout/dashboardPanel';
import type { OtaTesting } from '../../../src/extension/testing';
import { ota } from '../support/ota';

const api = ota;

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

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

describe('rollout dashboards', function () {
  this.timeout(90_000);

  it('opens the demo rollout a gate stopped, and shows the same after it was closed and opened again', async () => {
    const { rollouts, sandbox } = await api();
    const path = rolloutPath((await sandbox.get()).dataDir, 'fleet-2.1.9-beta');
    const first = await rollouts.openRollout(path);
    const view = first.source.current();
    assert.ok(view);
    assert.equal(view.status, 'paused');
    assert.deepEqual(view.waves.map((w) => w.status), ['passed', 'stopped', 'pending', 'pending']);
    assert.equal(view.waves[1].decision?.result, 'fail');
    assert.equal(view.failures[0].reason, 'watchdog reset after flash');
    assert.equal(view.tasks.devices.length, 240, 'the canary and wave 2');
    assert.deepEqual(view.actions, { advance: false, pause: false, resume: true, abort: true, retry: true });
    const samples = view.chart.t.length;
    first.dispose();
    assert.equal(rollouts.panels.size, 0);

    const again = await vscode.commands.executeCommand<DashboardPanel | undefined>('ota.rollout.open', path);
    assert.ok(again, 'the command opened a panel');
    const reopened = again.source.current();
    assert.ok(reopened);
    assert.deepEqual(reopened.waves.map((w) => [w.status, w.counts.succeeded, w.counts.failed, w.counts.canceled]), view.waves.map((w) => [w.status, w.counts.succeeded, w.counts.failed, w.counts.canceled]));
    assert.ok(reopened.chart.t.length >= samples, 'the history came back from the file');
    assert.deepEqual(reopened.markers.map((m) => m.label), view.markers.map((m) => m.label));
    again.dispose();
  });

  it('opens a plain job of the Cloud view as a one-wave dashboard', async () => {
    const { cloud, rollouts } = await api();
    const job = await find(cloud.provider, [/^Sandbox$/, /^Smart Plug$/, /^plug-main 1\.2\.0$/, /^Upgrade job /]);
    const panel = await vscode.commands.executeCommand<DashboardPanel | undefined>('ota.job.openDashboard', job);
    assert.ok(panel, 'the command opened a panel');
    const view = panel.source.current();
    assert.ok(view);
    assert.equal(view.kind, 'job');
    assert.equal(view.waves.length, 1);
    assert.equal(view.tasks.devices.length, 300);
    assert.ok(view.failures.length > 0, 'the 1.2.0 rollout has failed devices, grouped by reason');
    assert.equal(rollouts.panels.size, 1);
    panel.dispose();
  });

  it('starts an IoTaaP plan file on the sandbox: one deploy a device, tokens from SecretStorage or the plan\'s file; the dashboard says deployed', async () => {
    const { cloud } = await api();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the suite opens a workspace');
    const spare = SANDBOX_IOTAAP_DEVICES.find((d) => d.name === 'spare-board');
    const garage = SANDBOX_IOTAAP_DEVICES.find((d) => d.name === 'garage-door');
    assert.ok(spare && garage);
    // Deploying once to the spare board keeps its token in SecretStorage; the garage door's is in the plan's file.
    const first = await vscode.commands.executeCommand('ota.iotaap.deploy', { accountId: 'sandbox', device: spare.id, deviceToken: spare.token, version: '0.1.0', file: join(folder, 'README.md') });
    assert.ok(first, 'the first deploy failed (see the OTA log)');
    const dir = join(folder, 'iotaap-rollout');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'firmware.bin'), Buffer.from('garage and spare 4.0.0 '.repeat(100)));
    await writeFile(join(dir, 'tokens.csv'), `device,token\n${garage.id},${garage.token}\n`);
    const plan = join(dir, 'plan.json');
    await writeFile(
      plan,
      JSON.stringify({
        name: 'iotaap-4.0',
        provider: 'iotaap',
        account: 'sandbox',
        image: 'firmware.bin',
        version: '4.0.0',
        deviceTokensFile: 'tokens.csv',
        population: { devices: [spare.id, garage.id] },
        waves: [{ devices: [spare.id] }, { percent: 100 }],
        gates: { soakMinutes: 0 },
      }),
    );
    const panel = await vscode.commands.executeCommand<DashboardPanel | undefined>('ota.rollout.start', plan);
    assert.ok(panel, 'the command opened a panel');
    const view = panel.source.current();
    assert.ok(view);
    assert.equal(view.error, null);
    assert.equal(view.status, 'done');
    assert.equal(view.confirmedByDevices, false);
    assert.deepEqual(view.states, ['deployed', 'failed', 'canceled', 'queued']);
    assert.deepEqual(view.waves.map((w) => [w.counts.deployed, w.counts.succeeded, w.counts.failed]), [
      [1, 0, 0],
      [1, 0, 0],
    ]);
    assert.ok(view.notice, 'the dashboard says deployed is not installed');
    const session = await cloud.sessions.get('sandbox');
    assert.ok(session.iotaap);
    const otas = await session.iotaap.listAllDeviceOtas();
    for (const d of [spare, garage]) assert.equal(otas.find((o) => o.device === d.id)?.version, '4.0.0', d.name);
    const file = await readFile(join(folder, '.ota', 'rollouts', 'iotaap-4.0.json'), 'utf8');
    for (const d of SANDBOX_IOTAAP_DEVICES) assert.ok(!file.includes(d.token), `the token of ${d.name} is in the rollout file`);
    panel.dispose();
  });
});
