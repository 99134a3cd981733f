// The flash progress panel's host side: a webview with a strict CSP (nonce'd script, assets through asWebviewUri
// only), typed messages (src/shared/flashPanelMessages.ts) and a ready handshake, so a panel that was hidden and
// shown again (and so reloaded) gets the whole state again.
import * as vscode from 'vscode';
import { isPanelMessage, type HostMessage, type PanelMessage } from '../../shared/flashPanelMessages';
import { FLASH_PANEL_STRINGS, type FlashPanelStrings } from '../../shared/flashPanelStrings';
import { escapeHtml as esc, newNonce, strictCsp } from '../common/webviewPage';

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
    const nonce = newNonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'flash.js'));
    const codicons = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'flash-panel.css'));
    const csp = strictCsp(webview.cspSource, nonce);
    return `<!DOCTYPE html>
<html lang="${esc(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codicons.toString()}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${css.toString()}">
<title>${esc(vscode.l10n.t('Flash'))}</title>
</head>
<body data-phase="waiting" data-strings="${esc(JSON.stringify(panelStrings()))}">
<header><vscode-icon name="circuit-board" size="22"></vscode-icon><h1 id="image"></h1></header>
<div id="target"></div>
<dl id="device" class="facts" aria-label="${esc(vscode.l10n.t('Device'))}"></dl>
<div class="phase"><vscode-icon id="phase-icon" name="watch"></vscode-icon><span id="phase">${esc(vscode.l10n.t(FLASH_PANEL_STRINGS.waiting))}</span><span id="percent">0 %</span></div>
<vscode-progress-bar id="bar" aria-label="${esc(vscode.l10n.t('Flash progress'))}"></vscode-progress-bar>
<dl class="stats">
<div><dt>${esc(vscode.l10n.t('Bytes'))}</dt><dd id="bytes">—</dd></div>
<div><dt>${esc(vscode.l10n.t('Rate'))}</dt><dd id="rate">—</dd></div>
<div><dt>${esc(vscode.l10n.t('Time left'))}</dt><dd id="eta">—</dd></div>
<div><dt>${esc(vscode.l10n.t('Elapsed'))}</dt><dd id="elapsed">—</dd></div>
<div><dt>${esc(vscode.l10n.t('Retries'))}</dt><dd id="retries">0</dd></div>
</dl>
<dl id="live" class="facts" aria-label="${esc(vscode.l10n.t('Transfer'))}"></dl>
<table id="boards" aria-label="${esc(vscode.l10n.t('Boards'))}" hidden>
<thead><tr><th>${esc(vscode.l10n.t('Port'))}</th><th>${esc(vscode.l10n.t('Chip'))}</th><th>${esc(vscode.l10n.t('Phase'))}</th><th>${esc(vscode.l10n.t('Progress'))}</th><th>${esc(vscode.l10n.t('Rate'))}</th><th>${esc(vscode.l10n.t('Result'))}</th></tr></thead>
<tbody></tbody>
</table>
<div id="message" role="status"></div>
<div class="actions">
<vscode-button id="cancel" icon="debug-stop">${esc(vscode.l10n.t('Cancel'))}</vscode-button>
<vscode-button id="retry" icon="debug-restart" secondary disabled>${esc(vscode.l10n.t('Flash again'))}</vscode-button>
</div>
<h2>${esc(vscode.l10n.t('Log'))}</h2>
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

/** The webview's words, translated (the webview has no vscode.l10n of its own). */
function panelStrings(): FlashPanelStrings {
  const out = {} as FlashPanelStrings;
  for (const [k, v] of Object.entries(FLASH_PANEL_STRINGS)) out[k as keyof FlashPanelStrings] = vscode.l10n.t(v);
  return out;
}

/** Escapes text for an HTML attribute or element. */
