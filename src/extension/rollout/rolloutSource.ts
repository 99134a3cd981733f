// What a rollout's dashboard shows, kept fresh: on a timer (and whenever the rollout file changes, e.g. a CI job
// or the CLI advanced it) it advances the rollout (the gates decide; running it again changes nothing when nothing
// moved), lists the tasks of every started wave, and builds the view. The panel's buttons run the same engine
// actions as `ota rollout ...`, and say what each did in the cloud.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { spoken, spokenError } from '../common/spoken';
import type { RolloutCloud } from '../../core/rollout/cloud';
import { rolloutView } from './dashboardView';
import {
  abortRollout,
  advanceRollout,
  collectTasks,
  pauseRollout,
  resumeRollout,
  retryRollout,
  rolloutStatus,
  type ActionReport,
  type RolloutContext,
} from '../../core/rollout/engine';
import type { DashboardPanelMessage, DashboardView, RolloutAction } from '../../shared/rolloutDashboardMessages';
import type { DashboardPanel, DashboardSource } from './dashboardPanel';

export interface RolloutLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

const ACTIONS: Record<RolloutAction, (ctx: RolloutContext) => Promise<ActionReport>> = {
  advance: advanceRollout,
  pause: pauseRollout,
  resume: resumeRollout,
  abort: abortRollout,
  retry: (ctx) => retryRollout(ctx),
};

export class RolloutSource implements DashboardSource {
  private view: DashboardView | undefined;
  private readonly emitter = new vscode.EventEmitter<DashboardView>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private disposed = false;
  readonly title: string;

  constructor(
    readonly name: string,
    private readonly ctx: RolloutContext,
    private readonly log: RolloutLog,
    private readonly intervalMs: () => number,
  ) {
    this.title = vscode.l10n.t('Rollout {0}', name);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(ctx.path)), basename(ctx.path)));
    this.disposables.push(watcher, watcher.onDidChange(() => this.refreshSoon()), this.emitter);
  }

  get cloud(): RolloutCloud {
    return this.ctx.cloud;
  }

  current(): DashboardView | undefined {
    return this.view;
  }

  onDidChange(listener: (view: DashboardView) => void): vscode.Disposable {
    return this.emitter.event(listener);
  }

  /** Refreshes now and then on the timer. */
  start(): Promise<void> {
    return this.refresh();
  }

  refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 250);
  }

  /** One refresh at a time; a request during one runs once more after it. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.refreshOnce().finally(() => {
      this.running = undefined;
      if (this.disposed) return;
      if (this.again) {
        this.again = false;
        void this.refresh();
        return;
      }
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.refresh(), this.intervalMs());
    });
    return this.running;
  }

  private async refreshOnce(): Promise<void> {
    try {
      const before = await rolloutStatus(this.ctx);
      if (before.state.status === 'running') {
        const r = await advanceRollout(this.ctx);
        for (const d of r.did) this.log.info(`Rollout ${this.name}: ${d}`);
      }
      const { plan, state } = await rolloutStatus(this.ctx);
      const tasks = await collectTasks(this.ctx.cloud, state, this.ctx.signal);
      this.view = rolloutView(plan, state, tasks, { t: vscode.l10n.t, retell: spoken, locale: vscode.env.language });
    } catch (e) {
      const message = spokenError(e);
      this.log.warn(`Rollout ${this.name}: ${message}`);
      if (this.view) this.view = { ...this.view, error: message };
      else throw e;
    }
    if (!this.disposed) this.emitter.fire(this.view);
  }

  onPanelMessage(message: DashboardPanelMessage, panel: DashboardPanel): void {
    if (message.type !== 'action') return;
    void this.act(message.action, panel);
  }

  private async act(action: RolloutAction, panel: DashboardPanel): Promise<void> {
    if (action === 'abort') {
      const abort = vscode.l10n.t('Abort');
      const ok = await vscode.window.showWarningMessage(
        vscode.l10n.t('Abort rollout {0}? Every unfinished task of its waves is cancelled, in progress too.', this.name),
        { modal: true },
        abort,
      );
      if (ok !== abort) {
        panel.post({ type: 'actionResult', action, ok: true, text: vscode.l10n.t('Not aborted.') });
        return;
      }
    }
    try {
      // A pause or abort does not wait for a refresh deploying a wave device by device: it asks that one to stop.
      if (action !== 'pause' && action !== 'abort') await this.running;
      const r = await ACTIONS[action](this.ctx);
      for (const d of r.did) this.log.info(`Rollout ${this.name}: ${d}`);
      panel.post({ type: 'actionResult', action, ok: true, text: [...r.did, r.summary].map(spoken).join('\n') });
    } catch (e) {
      const message = spokenError(e);
      this.log.warn(`Rollout ${this.name}: ${action} failed: ${message}`);
      panel.post({ type: 'actionResult', action, ok: false, text: message });
    }
    await this.refresh();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
