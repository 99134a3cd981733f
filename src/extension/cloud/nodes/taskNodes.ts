// Task groups (one per status, with counts) and device rows, paged with a "load more" node.
import * as vscode from 'vscode';
import type { Task } from '../../../core/model';
import type { OtaService } from '../../../core/cloud/provider';
import { fieldsTooltip, taskFields, taskIcon, taskStatusText } from '../format';
import { ErrorNode } from './errorNode';
import { CloudNode, type TreeContext } from './node';

export class TaskGroupNode extends CloudNode {
  readonly id: string;
  private tasks: Task[] = [];

  constructor(
    parent: CloudNode,
    private readonly ctx: TreeContext,
    private readonly ota: OtaService,
    readonly accountId: string,
    readonly jobId: string,
    readonly status: string,
    readonly count: number,
  ) {
    super(parent);
    this.id = `${parent.id}/status:${status}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(taskStatusText(this.status), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = `${this.count} device${this.count === 1 ? '' : 's'}`;
    item.iconPath = taskIcon(this.status);
    item.contextValue = `taskGroup.${this.status}`;
    item.tooltip = `${this.count} task(s) of job ${this.jobId} are ${this.status}`;
    return item;
  }

  override async getChildren(): Promise<CloudNode[]> {
    const want = Math.max(this.ctx.loadedCount.get(this.id) ?? this.ctx.pageSize, this.ctx.pageSize);
    try {
      const pages = Math.ceil(want / this.ctx.pageSize);
      const tasks: Task[] = [];
      let total = 0;
      for (let p = 1; p <= pages; p++) {
        const page = await this.ota.listTasksPage(this.jobId, p, this.ctx.pageSize, { status: this.status });
        tasks.push(...page.items);
        total = page.total;
        if (page.items.length < this.ctx.pageSize) break;
      }
      this.tasks = tasks;
      const nodes: CloudNode[] = tasks.map((t) => new TaskNode(this, t));
      if (total > tasks.length) nodes.push(new LoadMoreNode(this, total - tasks.length));
      return nodes;
    } catch (e) {
      return [new ErrorNode(this, e, this.accountId, this)];
    }
  }

  /** Shows one more page of devices. */
  loadMore(): void {
    this.ctx.loadedCount.set(this.id, Math.max(this.tasks.length, this.ctx.pageSize) + this.ctx.pageSize);
    this.ctx.refresh(this);
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
    const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${this.remaining} more`;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.contextValue = 'loadMore';
    item.command = { command: 'ota.cloud.loadMore', title: 'Load More', arguments: [this] };
    return item;
  }
}
