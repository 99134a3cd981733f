// An upgrade (or verify) job: status, selection, start time; its children are task groups with counts.
import * as vscode from 'vscode';
import { TASK_STATUSES, type Job } from '../../../core/model';
import type { OtaService } from '../../../core/cloud/provider';
import { fieldsTooltip, formatTime, jobFields, jobIcon, selectionText } from '../format';
import { ErrorNode } from './errorNode';
import { CloudNode, MessageNode, type TreeContext } from './node';
import { TaskGroupNode } from './taskNodes';

const MOVING = new Set(['IN_PROGRESS', 'PLANNED']);

export class JobNode extends CloudNode {
  readonly id: string;
  /** Counts per status from the last load, to tell whether a refresh changed anything. */
  private counts: Record<string, number> | undefined;

  constructor(
    parent: CloudNode,
    private readonly ctx: TreeContext,
    private readonly ota: OtaService,
    readonly accountId: string,
    public job: Job,
  ) {
    super(parent);
    this.id = `${parent.id}/job:${job.id}`;
    if (this.moving) ctx.watchJob(this);
  }

  get moving(): boolean {
    return MOVING.has(this.job.status);
  }

  toTreeItem(): vscode.TreeItem {
    const j = this.job;
    const kind = j.type === 'VERIFY_FIRMWARE' ? 'Verify job' : 'Upgrade job';
    const item = new vscode.TreeItem(`${kind} ${j.id}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const parts = [j.status.toLowerCase().replace(/_/g, ' ')];
    const sel = selectionText(j);
    if (sel) parts.push(sel);
    if (j.startedAt) parts.push(`started ${formatTime(j.startedAt)}`);
    else if (j.createdAt) parts.push(`created ${formatTime(j.createdAt)}`);
    item.description = parts.join(' · ');
    item.iconPath = jobIcon(j.status);
    item.tooltip = fieldsTooltip(`${kind} ${j.id}`, jobFields(j));
    item.contextValue = `job.${j.status}${j.selection === 'DYNAMIC' ? '.dynamic' : ''}`;
    return item;
  }

  override async getChildren(): Promise<CloudNode[]> {
    try {
      const counts = await this.ota.countTasksByStatus(this.job.id);
      this.counts = counts;
      const statuses = [...TASK_STATUSES, ...Object.keys(counts).filter((s) => !TASK_STATUSES.includes(s))];
      const groups = statuses
        .filter((s) => (counts[s] ?? 0) > 0)
        .map((s) => new TaskGroupNode(this, this.ctx, this.ota, this.accountId, this.job.id, s, counts[s] ?? 0));
      return groups.length ? groups : [new MessageNode(this, `${this.id}/empty`, 'No device tasks yet')];
    } catch (e) {
      return [new ErrorNode(this, e, this.accountId, this)];
    }
  }

  /** Reloads the job; true when something a user sees changed. */
  async reload(): Promise<boolean> {
    const before = JSON.stringify([this.job, this.counts]);
    this.job = await this.ota.getJob(this.job.id);
    if (this.counts) this.counts = await this.ota.countTasksByStatus(this.job.id);
    return JSON.stringify([this.job, this.counts]) !== before;
  }
}
