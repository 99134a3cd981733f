// The Cloud view's data provider: accounts at the root, what is below each node read from its account's model
// (treeChildren.ts). When a model says part of it changed (a poll, a write, "load more"), only the nodes that show
// that part are re-rendered, so nothing collapses.
import * as vscode from 'vscode';
import type { Log } from '../common/log';
import type { ModelChange } from './model/accountModel';
import type { CloudModels } from './model/cloudModels';
import { AccountNode } from './nodes/accountNode';
import { JobNode } from './nodes/jobNode';
import { type CloudNode, MessageNode } from './nodes/node';
import { childrenOf } from './treeChildren';

function sameScope(a: ModelChange | undefined, b: ModelChange): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

export class CloudTreeProvider implements vscode.TreeDataProvider<CloudNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CloudNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: CloudNode[] | undefined;
  /** The nodes handed out so far, by id: what a change of the model re-renders. */
  private readonly shown = new Map<string, CloudNode>();
  private readonly subscription: { dispose(): void };

  constructor(
    readonly models: CloudModels,
    private readonly log: Log,
  ) {
    this.subscription = models.onDidChange((accountId, change) => this.onModelChange(accountId, change));
  }

  /** Reloads everything (or one node and what is below it). */
  refresh(node?: CloudNode): void {
    if (!node) {
      this.roots = undefined;
      this.shown.clear();
      this.models.clear();
      return;
    }
    const accountId = node.accountId;
    const scope = node.scope;
    if (node instanceof AccountNode) this.models.forget(node.accountId);
    else if (accountId && scope) this.models.get(accountId).invalidate(scope);
    else this.changed.fire(node);
  }

  getTreeItem(element: CloudNode): vscode.TreeItem {
    return element.toTreeItem();
  }

  getParent(element: CloudNode): CloudNode | undefined {
    return element.parent;
  }

  async getChildren(element?: CloudNode): Promise<CloudNode[]> {
    let children: CloudNode[];
    if (!element) {
      this.roots ??= this.buildRoots();
      children = this.roots;
    } else {
      const accountId = element.accountId;
      children = accountId ? await childrenOf(element, this.models.get(accountId)) : [];
    }
    for (const c of children) this.shown.set(c.id, c);
    return children;
  }

  /** The root nodes (accounts); for tests and commands. */
  async accounts(): Promise<AccountNode[]> {
    return (await this.getChildren()).filter((n): n is AccountNode => n instanceof AccountNode);
  }

  private buildRoots(): CloudNode[] {
    const { accounts, problems } = this.models.accounts();
    const roots: CloudNode[] = accounts.map((a) => new AccountNode(a));
    problems.forEach((p, i) => roots.push(new MessageNode(undefined, `settings-problem:${i}`, p, 'warning', p)));
    if (roots.length) this.log.debug(`Cloud view: ${roots.length} root node(s)`);
    return roots;
  }

  private onModelChange(accountId: string | undefined, change: ModelChange): void {
    if (accountId === undefined) {
      this.roots = undefined;
      this.shown.clear();
      this.changed.fire(undefined);
      return;
    }
    for (const node of this.shown.values()) {
      if (node.accountId !== accountId || !sameScope(node.scope, change)) continue;
      if (node instanceof JobNode) node.job = this.models.get(accountId).job(node.job.id) ?? node.job;
      this.changed.fire(node);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
