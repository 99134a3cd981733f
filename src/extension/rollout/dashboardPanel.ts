// The rollout dashboard's host side: one webview panel per rollout (or plain job), strict CSP with a nonce, assets
// through asWebviewUri only, typed messages (src/shared/rolloutDashboardMessages.ts) and a ready handshake, so a
// panel that was hidden and shown again (and so reloaded) gets the whole state again.
import * as vscode from 'vscode';
import {
  isDashboardPanelMessage,
  type DashboardHostMessage,
  type DashboardPanelMessage,
  type DashboardView,
} from '../../shared/rolloutDashboardMessages';
import { newNonce } from '../common/webviewPage';
import { dashboardHtml } from './dashboardHtml';

export const DASHBOARD_PANEL_TYPE = 'ota.rolloutDashboard';

export interface DashboardSource extends vscode.Disposable {
  readonly title: string;
  /** The latest view, or undefined before the first refresh. */
  current(): DashboardView | undefined;
  onPanelMessage(message: DashboardPanelMessage, panel: DashboardPanel): void;
  /** Told when the view changed (the panel posts it). */
  onDidChange(listener: (view: DashboardView) => void): vscode.Disposable;
}

export class DashboardPanel implements vscode.Disposable {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  /** How long the webview took to draw the last views (the log shows them at debug level). */
  readonly renderTimes: { phase: 'init' | 'update'; ms: number }[] = [];
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  readonly panel: vscode.WebviewPanel;

  constructor(
    extensionUri: vscode.Uri,
    readonly source: DashboardSource,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel(DASHBOARD_PANEL_TYPE, source.title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [dist, media],
    });
    this.panel.iconPath = vscode.Uri.joinPath(media, 'ota.svg');
    const webview = this.panel.webview;
    webview.html = dashboardHtml(
      {
        cspSource: webview.cspSource,
        lang: vscode.env.language,
        nonce: newNonce(),
        script: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'rollout.js')).toString(),
        codicons: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css')).toString(),
        uplotCss: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'uPlot.min.css')).toString(),
        css: webview.asWebviewUri(vscode.Uri.joinPath(media, 'rollout-dashboard.css')).toString(),
      },
      source.title,
      vscode.l10n.t,
      source.current()?.confirmedByDevices ?? true,
    );
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => {
        if (!isDashboardPanelMessage(m)) return;
        if (m.type === 'ready') {
          this.ready = true;
          const view = source.current();
          if (view) this.post({ type: 'init', view });
        } else if (m.type === 'rendered') {
          this.renderTimes.push({ phase: m.phase, ms: m.ms });
          if (this.renderTimes.length > 50) this.renderTimes.shift();
        } else source.onPanelMessage(m, this);
      }),
      source.onDidChange((view) => this.post({ type: 'update', view })),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  post(message: DashboardHostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
    this.source.dispose();
    this.panel.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}
