// The Cloud tree's nodes. Each node knows how it looks and how to load its children; the data comes from the
// account sessions of the model (../model), so nodes hold no HTTP logic.
import * as vscode from 'vscode';
import type { Log } from '../../common/log';

/** What nodes may ask of the tree they are in. */
export interface TreeContext {
  log: Log;
  /** Re-renders a node (and reloads its children if expanded); undefined re-renders the whole tree. */
  refresh(node: CloudNode | undefined): void;
  /** How many tasks a task-group node has loaded, kept across refreshes so "load more" is not undone. */
  loadedCount: Map<string, number>;
  /** Jobs that move on their own; the tree polls them while visible. */
  watchJob(node: CloudNode & { reload(): Promise<boolean>; readonly moving: boolean }): void;
  pageSize: number;
}

export abstract class CloudNode {
  abstract readonly id: string;
  constructor(readonly parent: CloudNode | undefined) {}
  abstract toTreeItem(): vscode.TreeItem;
  getChildren(): Promise<CloudNode[]> {
    return Promise.resolve([]);
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
