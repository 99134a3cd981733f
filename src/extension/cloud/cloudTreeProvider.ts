// The Cloud view's data provider: accounts at the root, children loaded lazily by the nodes, in-progress jobs
// polled while the view is visible (with backoff when nothing changes), re-rendering only the nodes that changed
// so that nothing collapses.
import * as vscode from 'vscode';
import { SANDBOX_ACCOUNT_ID } from '../accounts/accountTypes';
import type { AccountStore } from '../accounts/accountStore';
import type { Log } from '../common/log';
import { describeAccount, type Sessions } from './model/sessions';
import { AccountNode } from './nodes/accountNode';
import { type CloudNode, MessageNode, type TreeContext } from './nodes/node';
import { JobPoller } from './jobPoller';

export type SandboxMode = 'whenNoAccount' | 'always' | 'never';

export class CloudTreeProvider implements vscode.TreeDataProvider<CloudNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CloudNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly poller: JobPoller;
  private readonly ctx: TreeContext;
  private roots: CloudNode[] | undefined;

  constructor(
    private readonly store: AccountStore,
    private readonly sessions: Sessions,
    private readonly log: Log,
  ) {
    this.poller = new JobPoller(
      (node) => this.changed.fire(node),
      () => {
        const c = vscode.workspace.getConfiguration('ota.cloud');
        return { baseMs: c.get<number>('refreshIntervalSeconds', 5) * 1000, maxMs: c.get<number>('maxRefreshIntervalSeconds', 60) * 1000 };
      },
      log,
    );
    this.ctx = {
      log,
      refresh: (node) => this.changed.fire(node),
      loadedCount: new Map(),
      watchJob: (node) => this.poller.watch(node),
      pageSize: 50,
    };
  }

  /** Reloads everything (or one node and what is below it). */
  refresh(node?: CloudNode): void {
    if (!node) {
      this.roots = undefined;
      this.sessions.clear();
      this.poller.clear();
    }
    this.changed.fire(node);
  }

  getTreeItem(element: CloudNode): vscode.TreeItem {
    return element.toTreeItem();
  }

  getParent(element: CloudNode): CloudNode | undefined {
    return element.parent;
  }

  async getChildren(element?: CloudNode): Promise<CloudNode[]> {
    if (element) return element.getChildren();
    this.roots ??= this.buildRoots();
    return this.roots;
  }

  /** The root nodes (accounts); for tests and commands. */
  async accounts(): Promise<AccountNode[]> {
    return (await this.getChildren()).filter((n): n is AccountNode => n instanceof AccountNode);
  }

  private buildRoots(): CloudNode[] {
    const { accounts, problems } = this.store.list();
    const mode = vscode.workspace.getConfiguration('ota.sandbox').get<SandboxMode>('show', 'whenNoAccount');
    const roots: CloudNode[] = [];
    if (mode === 'always' || (mode === 'whenNoAccount' && accounts.length === 0)) {
      roots.push(
        new AccountNode(this.ctx, SANDBOX_ACCOUNT_ID, 'Sandbox', 'sandbox', 'local emulation, no account needed', () =>
          this.sessions.get(SANDBOX_ACCOUNT_ID),
        ),
      );
    }
    for (const a of accounts) {
      roots.push(new AccountNode(this.ctx, a.id, a.label, a.provider, describeAccount(a), () => this.sessions.get(a.id)));
    }
    problems.forEach((p, i) => roots.push(new MessageNode(undefined, `settings-problem:${i}`, p, 'warning', p)));
    if (roots.length) this.log.debug(`Cloud view: ${roots.length} root node(s)`);
    return roots;
  }

  dispose(): void {
    this.poller.dispose();
    this.changed.dispose();
  }
}
