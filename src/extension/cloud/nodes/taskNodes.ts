// Task groups (one per status, with counts) and device rows, paged with a "load more" node.
import * as vscode from 'vscode';
import type { Task } from '../../../core/model';
import type { ModelChange } from '../model/accountModel';
import { fieldsTooltip, taskFields, taskIcon, taskStatusText } from '../format';
import { CloudNode } from './node';

export class TaskGroupNode extends CloudNode {
  readonly id: string;

  constructor(
    parent: CloudNode,
    readonly jobId: string,
    readonly status: string,
    readonly count: number,
  ) {
    super(parent);
    this.id = `${parent.id}/status:${status}`;
  }

  override get scope(): ModelChange {
    return { kind: 'tasks', jobId: this.jobId, status: this.status };
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(taskStatusText(this.status), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = this.count === 1 ? vscode.l10n.t('1 device') : vscode.l10n.t('{0} devices', this.count);
    item.iconPath = taskIcon(this.status);
    item.contextValue = `taskGroup.${this.status}`;
    item.tooltip = vscode.l10n.t('{0} task(s) of job {1} are {2}', this.count, this.jobId, taskStatusText(this.status));
    return item;
  }
}

export class TaskNode extends CloudNode {
  readonly id: string;
  constructor(
    parent: TaskGroupNode,
    readonly task: Task,
  ) {
    super(parent);
    this.id = `${parent.id}/task:${task.id}`;
  }

  toTreeItem(): vscode.TreeItem {
    const t = this.task;
    const item = new vscode.TreeItem(t.deviceName, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const parts = [`${Math.round(t.progress)} %`];
    if (t.description) parts.push(t.description);
    item.description = parts.join(' · ');
    item.iconPath = taskIcon(t.status);
    item.tooltip = fieldsTooltip(t.deviceName, taskFields(t));
    item.contextValue = `task.${t.status}`;
    item.accessibilityInformation = { label: `${t.deviceName}, ${taskStatusText(t.status)}, ${item.description}` };
    return item;
  }
}

export class LoadMoreNode extends CloudNode {
  readonly id: string;
  constructor(
    readonly group: TaskGroupNode,
    private readonly remaining: number,
  ) {
    super(group);
    this.id = `${group.id}/more`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Load more…'), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = vscode.l10n.t('{0} more', this.remaining);
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.contextValue = 'loadMore';
    item.command = { command: 'ota.cloud.loadMore', title: vscode.l10n.t('Load More'), arguments: [this] };
    return item;
  }
}
