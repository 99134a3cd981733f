// Rollout dashboards inside the real VS Code: the sandbox's demo rollout (stopped by its failure gate) opens with its
// waves, failure reasons and history; closed and opened again (as after a restart) it shows the same from the
// rollout file and the cloud; a plain job of the Cloud view opens as a one-wave dashboard.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
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
});
