// The Cloud view's tree, read through the tree-data-provider API inside the real VS Code: with no account
// configured it shows the embedded sandbox, down to device rows.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { OtaTesting } from '../../../src/extension/testing';
import { ota } from '../support/ota';
import type { CloudNode } from '../../../src/extension/cloud/nodes/node';

const api = ota;

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

async function childByLabel(provider: OtaTesting['cloud']['provider'], parent: CloudNode | undefined, pattern: RegExp): Promise<CloudNode> {
  const children = await provider.getChildren(parent);
  const found = children.find((c) => pattern.test(label(provider.getTreeItem(c))));
  assert.ok(found, `no child matching ${String(pattern)} among: ${children.map((c) => label(provider.getTreeItem(c))).join(', ')}`);
  return found;
}

describe('Cloud tree (sandbox account)', function () {
  this.timeout(60_000);

  it('shows the sandbox as the only account when none is configured', async () => {
    const { cloud } = await api();
    const roots = await cloud.provider.getChildren();
    assert.equal(roots.length, 1);
    const item = cloud.provider.getTreeItem(roots[0]);
    assert.equal(label(item), 'Sandbox');
    assert.equal(item.contextValue, 'account.sandbox');
  });

  it('lists products, firmware with status and size, jobs, task groups with counts and device rows', async () => {
    const { cloud } = await api();
    const p = cloud.provider;
    const account = await childByLabel(p, undefined, /^Sandbox$/);
    const products = await p.getChildren(account);
    const productLabels = products.map((n) => label(p.getTreeItem(n)));
    assert.ok(productLabels.includes('Smart Plug'), productLabels.join(', '));
    assert.ok(productLabels.includes('Weather Station'), productLabels.join(', '));
    assert.ok(productLabels.includes('IoTaaP devices'));

    const plug = await childByLabel(p, account, /^Smart Plug$/);
    const firmware = await p.getChildren(plug);
    assert.ok(firmware.length >= 3);
    for (const f of firmware) {
      const item = p.getTreeItem(f);
      assert.equal(item.contextValue, 'firmware');
      assert.match(String(item.description), /^(full|delta from \S+) · .+ · \d/, String(item.description));
      assert.ok(item.tooltip instanceof vscode.MarkdownString);
    }
    // The job with the most device tasks under the product's firmware.
    let groups: CloudNode[] = [];
    let total = 0;
    for (const f of firmware) {
      for (const job of await p.getChildren(f)) {
        const jobItem = p.getTreeItem(job);
        if (!String(jobItem.contextValue).startsWith('job.')) continue;
        assert.match(String(jobItem.description), /^(planned|in progress|completed|canceled)/);
        const children = await p.getChildren(job);
        let sum = 0;
        for (const g of children) {
          const m = /^(\d+) devices?$/.exec(String(p.getTreeItem(g).description));
          if (m) sum += Number(m[1]);
        }
        if (sum > total) {
          total = sum;
          groups = children;
        }
      }
    }
    assert.ok(groups.length > 1, 'no job with tasks in several states');
    assert.ok(total >= 100, `only ${total} tasks`);
    const biggest = groups
      .map((g) => ({ g, n: Number(/^(\d+)/.exec(String(p.getTreeItem(g).description))?.[1]) }))
      .sort((a, b) => b.n - a.n)[0];
    assert.ok(biggest);
    const rows = await p.getChildren(biggest.g);
    const devices = rows.filter((r) => String(p.getTreeItem(r).contextValue).startsWith('task.'));
    assert.equal(devices.length, Math.min(50, biggest.n));
    assert.match(String(p.getTreeItem(devices[0]).description), /^\d+ %/);
    if (biggest.n > 50) {
      const more = rows[rows.length - 1];
      const moreItem = p.getTreeItem(more);
      assert.equal(moreItem.contextValue, 'loadMore');
      assert.equal(moreItem.description, `${biggest.n - 50} more`);
      // "Load more…" asks the account's model for the next page and re-renders only that group.
      const regrouped = new Promise<void>((resolve) => {
        const d = p.onDidChangeTreeData((n) => {
          if (n?.id === biggest.g.id) {
            d.dispose();
            resolve();
          }
        });
      });
      await vscode.commands.executeCommand(moreItem.command?.command ?? '', ...((moreItem.command?.arguments ?? []) as unknown[]));
      await regrouped;
      const paged = (await p.getChildren(biggest.g)).filter((r) => String(p.getTreeItem(r).contextValue).startsWith('task.'));
      assert.equal(paged.length, Math.min(100, biggest.n));
      assert.deepEqual(paged.slice(0, 50).map((r) => r.id), devices.map((r) => r.id), 'the first page stays as it was');
    }
  });

  it('lists IoTaaP device OTAs with version and date', async () => {
    const { cloud } = await api();
    const p = cloud.provider;
    const account = await childByLabel(p, undefined, /^Sandbox$/);
    const devicesNode = await childByLabel(p, account, /^IoTaaP devices$/);
    const devices = await p.getChildren(devicesNode);
    assert.ok(devices.length >= 2);
    for (const d of devices) {
      assert.match(String(p.getTreeItem(d).description), /^(\d+\.\d+\.\d+|no version) · /);
    }
  });
});
