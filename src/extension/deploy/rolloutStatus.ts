// A status-bar item while a rollout runs: succeeded / failed / pending devices of the job being followed.
import * as vscode from 'vscode';
import type { RolloutSnapshot } from '../../core/deploy';

export class RolloutStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ota.rollout', vscode.StatusBarAlignment.Left, 49);

  constructor() {
    this.item.name = 'OTA Rollout';
    this.item.command = 'ota.cloud.focus';
  }

  update(s: RolloutSnapshot): void {
    this.item.text = `$(cloud-upload) ${s.succeeded}✓ ${s.failed}✗ ${s.pending} pending`;
    this.item.tooltip = `Job ${s.job.id} ${s.job.status.toLowerCase().replace(/_/g, ' ')}: ${s.succeeded} succeeded, ${s.failed} failed, ${s.pending} pending of ${s.total}`;
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
