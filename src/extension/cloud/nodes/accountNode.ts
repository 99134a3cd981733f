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
    // The model names the sandbox in English; the tree says it in the display language, and that its data is demo.
    const label = sandbox ? vscode.l10n.t('Sandbox') : this.label;
    const detail = sandbox ? vscode.l10n.t('demo data · local emulation, no account needed') : this.detail;
    const item = new vscode.TreeItem(label, sandbox ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = detail;
    item.iconPath = new vscode.ThemeIcon(sandbox ? 'beaker' : 'cloud');
    item.contextValue = sandbox ? 'account.sandbox' : `account.${this.kind}`;
    item.tooltip = `${label} (${detail})`;
    return item;
  }
}
