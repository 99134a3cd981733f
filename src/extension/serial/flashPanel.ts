// The flash progress panel's host side: a webview with a strict CSP (nonce'd script, assets through asWebviewUri
// only), typed messages (src/shared/flashPanelMessages.ts) and a ready handshake, so a panel that was hidden and
// shown again (and so reloaded) gets the whole state again.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isPanelMessage, type HostMessage, type PanelMessage } from '../../shared/flashPanelMessages';

export const FLASH_PANEL_TYPE = 'ota.flashProgress';

export interface PanelSource {
  /** The message that brings a freshly loaded webview up to date. */
  initMessage(): HostMessage;
  onPanelMessage(message: PanelMessage): void;
}

export class FlashPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: PanelSource,
  ) {}

  get visible(): boolean {
    return this.panel?.visible ?? false;
  }

  show(title: string): void {
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(undefined, true);
      this.post(this.source.initMessage());
      return;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel(FLASH_PANEL_TYPE, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [dist, media],
    });
    panel.iconPath = vscode.Uri.joinPath(media, 'ota.svg');
    this.panel = panel;
    this.ready = false;
    panel.webview.html = this.html(panel.webview, dist, media);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isPanelMessage(m)) return;
        if (m.type === 'ready') {
          this.ready = true;
          void panel.webview.postMessage(this.source.initMessage());
        } else this.source.onPanelMessage(m);
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.ready = false;
      }),
    );
  }

  /** Sends a message once the webview has said it is ready; earlier ones are covered by the init message. */
  post(message: HostMessage): void {
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  private html(webview: vscode.Webview, dist: vscode.Uri, media: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'flash.js'));
    const codicons = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'flash-panel.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codicons.toString()}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${css.toString()}">
<title>Flash</title>
</head>
<body data-phase="waiting">
<header><vscode-icon name="circuit-board" size="22"></vscode-icon><h1 id="image"></h1></header>
<div id="target"></div>
<dl id="device" class="facts" aria-label="Device"></dl>
<div class="phase"><vscode-icon id="phase-icon" name="watch"></vscode-icon><span id="phase">Waiting for the device</span><span id="percent">0 %</span></div>
<vscode-progress-bar id="bar" aria-label="Flash progress"></vscode-progress-bar>
<dl class="stats">
<div><dt>Bytes</dt><dd id="bytes">—</dd></div>
<div><dt>Rate</dt><dd id="rate">—</dd></div>
<div><dt>Time left</dt><dd id="eta">—</dd></div>
<div><dt>Elapsed</dt><dd id="elapsed">—</dd></div>
<div><dt>Retries</dt><dd id="retries">0</dd></div>
</dl>
<dl id="live" class="facts" aria-label="Transfer"></dl>
<table id="boards" aria-label="Boards" hidden>
<thead><tr><th>Port</th><th>Chip</th><th>Phase</th><th>Progress</th><th>Rate</th><th>Result</th></tr></thead>
<tbody></tbody>
</table>
<div id="message" role="status"></div>
<div class="actions">
<vscode-button id="cancel" icon="debug-stop">Cancel</vscode-button>
<vscode-button id="retry" icon="debug-restart" secondary disabled>Flash again</vscode-button>
</div>
<h2>Log</h2>
<div id="log" role="log" aria-live="polite"></div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
