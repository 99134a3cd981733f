// A plain upgrade job's dashboard: the job and its tasks, refreshed on a timer while the panel is open, the chart
// from what this panel has seen (plus the finished tasks' times, so a reopened panel still shows how it went), and
// two actions: abort (cancel every unfinished task) and retry the failed devices.
import * as vscode from 'vscode';
import type { AliyunOtaClient } from '../../core/cloud/aliyun';
import { cancelTasks, retryFailedTasks } from '../../core/deploy';
import { spoken, spokenError } from '../common/spoken';
import { historyFromTasks, jobView } from './dashboardView';
import { countTasks, sameCounts, type HistorySample } from '../../core/rollout/state';
import type { DashboardPanelMessage, DashboardView } from '../../shared/rolloutDashboardMessages';
import type { DashboardPanel, DashboardSource } from './dashboardPanel';
import type { RolloutLog } from './rolloutSource';

export class JobSource implements DashboardSource {
  private view: DashboardView | undefined;
  private history: HistorySample[] = [];
  private readonly emitter = new vscode.EventEmitter<DashboardView>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  readonly title: string;

  constructor(
    private readonly client: AliyunOtaClient,
    private readonly jobId: string,
    private readonly log: RolloutLog,
    private readonly intervalMs: () => number,
  ) {
    this.title = vscode.l10n.t('Job {0}', jobId);
  }

  current(): DashboardView | undefined {
    return this.view;
  }

  onDidChange(listener: (view: DashboardView) => void): vscode.Disposable {
    return this.emitter.event(listener);
  }

  async refresh(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    try {
      const [job, tasks] = await Promise.all([this.client.getJob(this.jobId), this.client.listTasks(this.jobId)]);
      if (this.history.length === 0) this.history = historyFromTasks(job, tasks);
      const counts = countTasks(tasks);
      const last = this.history[this.history.length - 1];
      if (!last || !sameCounts(last, counts)) this.history.push({ at: new Date().toISOString(), ...counts });
      this.view = jobView(job, tasks, this.history, { t: vscode.l10n.t, retell: spoken, locale: vscode.env.language });
    } catch (e) {
      const message = spokenError(e);
      this.log.warn(`Job ${this.jobId}: ${message}`);
      if (!this.view) throw e;
      this.view = { ...this.view, error: message };
    }
    if (this.disposed) return;
    this.emitter.fire(this.view);
    this.timer = setTimeout(() => void this.refresh(), this.intervalMs());
  }

  onPanelMessage(message: DashboardPanelMessage, panel: DashboardPanel): void {
    if (message.type !== 'action') return;
    void (async () => {
      try {
        let text: string;
        if (message.action === 'abort') {
          const cancel = vscode.l10n.t('Cancel Tasks');
          const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Cancel every unfinished task of job {0}, in progress too?', this.jobId), { modal: true }, cancel);
          if (ok !== cancel) return;
          await cancelTasks(this.client, this.jobId, ['scheduled', 'confirm', 'queued', 'notified', 'in-progress']);
          text = vscode.l10n.t('Cancelled every unfinished task of job {0} (CancelOTATaskByJob).', this.jobId);
        } else if (message.action === 'retry') {
          const ids = await retryFailedTasks(this.client, this.jobId);
          text = vscode.l10n.t('Queued {0} failed tasks of job {1} again (ReupgradeOTATask).', ids.length, this.jobId);
        } else return;
        this.log.info(text);
        panel.post({ type: 'actionResult', action: message.action, ok: true, text });
      } catch (e) {
        panel.post({ type: 'actionResult', action: message.action, ok: false, text: spokenError(e) });
      }
      await this.refresh();
    })();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.emitter.dispose();
  }
}
