// An upgrade (or verify) job: status, selection, start time; its children are task groups with counts.
import * as vscode from 'vscode';
import type { Job } from '../../../core/model';
import type { ModelChange } from '../model/accountModel';
import { fieldsTooltip, formatTime, jobFields, jobIcon, selectionText } from '../format';
import { CloudNode } from './node';

export class JobNode extends CloudNode {
  readonly id: string;

  constructor(
    parent: CloudNode,
    /** Replaced by the tree when the model has a newer record of the job. */
    public job: Job,
  ) {
    super(parent);
    this.id = `${parent.id}/job:${job.id}`;
  }

  override get scope(): ModelChange {
    return { kind: 'job', jobId: this.job.id };
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
}
