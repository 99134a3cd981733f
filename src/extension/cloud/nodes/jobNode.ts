// An upgrade (or verify) job: status, selection, start time; its children are task groups with counts.
import * as vscode from 'vscode';
import type { Job } from '../../../core/model';
import type { ModelChange } from '../model/accountModel';
import { fieldsTooltip, formatTime, jobFields, jobIcon, selectionText, jobStatusText } from '../format';
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
    const kind = j.type === 'VERIFY_FIRMWARE' ? vscode.l10n.t('Verify job') : vscode.l10n.t('Upgrade job');
    const item = new vscode.TreeItem(`${kind} ${j.id}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const parts = [jobStatusText(j.status)];
    const sel = selectionText(j);
    if (sel) parts.push(sel);
    if (j.startedAt) parts.push(vscode.l10n.t('started {0}', formatTime(j.startedAt)));
    else if (j.createdAt) parts.push(vscode.l10n.t('created {0}', formatTime(j.createdAt)));
    item.description = parts.join(' · ');
    item.iconPath = jobIcon(j.status);
    item.tooltip = fieldsTooltip(`${kind} ${j.id}`, jobFields(j));
    item.contextValue = `job.${j.status}${j.selection === 'DYNAMIC' ? '.dynamic' : ''}`;
    return item;
  }
}
