// The Cloud tree's nodes. A node holds ids (and the record it shows) and knows how it looks; what is below it comes
// from its account's model (../model/accountModel.ts) through ../treeChildren.ts, so nodes call no API.
import * as vscode from 'vscode';
import type { ModelChange } from '../model/accountModel';

export abstract class CloudNode {
  abstract readonly id: string;
  constructor(readonly parent: CloudNode | undefined) {}
  abstract toTreeItem(): vscode.TreeItem;
  /** The account whose model the node reads, if any. */
  get accountId(): string | undefined {
    return this.parent?.accountId;
  }
  /** The part of the model whose change re-renders this node (and reloads what is below it). */
  get scope(): ModelChange | undefined {
    return undefined;
  }
}

/** A line of text: "No upgrade jobs", "Loading...". */
export class MessageNode extends CloudNode {
  constructor(
    parent: CloudNode | undefined,
    readonly id: string,
    private readonly text: string,
    private readonly icon = 'info',
    private readonly tooltip?: string,
  ) {
    super(parent);
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.text, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.contextValue = 'message';
    if (this.tooltip) item.tooltip = this.tooltip;
    return item;
  }
}
