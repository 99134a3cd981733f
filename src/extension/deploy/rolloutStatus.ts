// A status-bar item while a rollout runs: succeeded / failed / pending devices of the job being followed.
import * as vscode from 'vscode';
import { jobStatusText } from '../cloud/format';
import type { RolloutSnapshot } from '../../core/deploy';

export class RolloutStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ota.rollout', vscode.StatusBarAlignment.Left, 49);

  constructor() {
    this.item.name = vscode.l10n.t('OTA Rollout');
    this.item.command = 'ota.cloud.focus';
  }

  update(s: RolloutSnapshot): void {
    this.item.text = `$(cloud-upload) ${s.succeeded}✓ ${s.failed}✗ ${vscode.l10n.t('{0} pending', s.pending)}`;
    this.item.tooltip = vscode.l10n.t('Job {0} {1}: {2} succeeded, {3} failed, {4} pending of {5}', s.job.id, jobStatusText(s.job.status), s.succeeded, s.failed, s.pending, s.total);
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
