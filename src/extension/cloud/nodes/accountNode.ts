// An account: Alibaba Cloud (products -> firmware -> jobs -> tasks), IoTaaP (devices, groups) or the local
// sandbox, which emulates both.
import * as vscode from 'vscode';
import type { AccountEntry } from '../model/cloudModels';
import type { ModelChange } from '../model/accountModel';
import { CloudNode } from './node';

export class AccountNode extends CloudNode {
  readonly id: string;

  constructor(readonly account: AccountEntry) {
    super(undefined);
    this.id = `account:${account.id}`;
  }

  override get accountId(): string {
    return this.account.id;
  }
  override get scope(): ModelChange {
    return { kind: 'account' };
  }
  get label(): string {
    return this.account.label;
  }
  get kind(): AccountEntry['kind'] {
    return this.account.kind;
  }
  get detail(): string {
    return this.account.detail;
  }

  toTreeItem(): vscode.TreeItem {
    const sandbox = this.kind === 'sandbox';
    const item = new vscode.TreeItem(this.label, sandbox ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = this.detail;
    item.iconPath = new vscode.ThemeIcon(sandbox ? 'beaker' : 'cloud');
    item.contextValue = sandbox ? 'account.sandbox' : `account.${this.kind}`;
    item.tooltip = `${this.label} (${this.detail})`;
    return item;
  }
}
