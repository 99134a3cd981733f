// The rollout dashboard's page: a strict CSP (only the nonce'd script runs; styles, fonts and images only from the
// extension through asWebviewUri), the elements the webview fills in, and nothing from the cloud: that arrives as
// messages and is inserted as text. No vscode import, so the benchmark serves the very same page.
import { waveColumns, type WaveColumn } from '../../shared/rolloutDashboardMessages';
import { escapeHtml as esc, strictCsp } from '../common/webviewPage';
import { english, type Translate } from './translate';

export interface DashboardAssets {
  /** The display language (vscode.env.language), for the page's lang attribute. */
  lang?: string;
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  script: string;
  codicons: string;
  uplotCss: string;
  css: string;
}

/** The waves table's headers: a rollout whose cloud only delivers (IoTaaP) counts deploys, not successes. */
function waveHeaders(t: Translate, confirmedByDevices: boolean): string {
  const text: Record<WaveColumn, string> = {
    n: '#',
    label: t('Wave'),
    status: t('Status'),
    devices: t('Devices'),
    succeeded: t('Succeeded'),
    deployed: t('Deployed (not confirmed)'),
    failed: t('Failed'),
    inProgress: t('In progress'),
    queued: t('Queued'),
    canceled: t('Cancelled'),
    success: confirmedByDevices ? t('Success') : t('Deployed share'),
    failure: confirmedByDevices ? t('Failure') : t('Refused share'),
    gate: t('Gate'),
  };
  return waveColumns(confirmedByDevices)
    .map((c) => `<th>${esc(text[c])}</th>`)
    .join('');
}

/**
 * `t` gives the page's words in the display language (English without it); `confirmedByDevices` false for a rollout
 * whose cloud only says it accepted each deploy (IoTaaP).
 */
export function dashboardHtml(a: DashboardAssets, title?: string, t: Translate = english, confirmedByDevices = true): string {
  const csp = strictCsp(a.cspSource, a.nonce);
  return `<!DOCTYPE html>
<html lang="${esc(a.lang ?? 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(a.codicons)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${esc(a.uplotCss)}">
<link rel="stylesheet" href="${esc(a.css)}">
<title>${esc(title ?? t('Rollout'))}</title>
</head>
<body data-status="" data-confirmed="${confirmedByDevices}">
<header>
<vscode-icon name="rocket" size="22"></vscode-icon>
<h1 id="title"></h1>
<span class="status"><vscode-icon id="status-icon" name="info"></vscode-icon><span id="status-text"></span></span>
<span id="updated"></span>
</header>
<div id="subtitle"></div>
<div id="summary" role="status"></div>
<div id="notice" role="note"></div>
<div id="error" role="alert"></div>
<div class="actions">
<vscode-button id="act-advance" icon="debug-continue" disabled>${esc(t('Advance'))}</vscode-button>
<vscode-button id="act-pause" icon="debug-pause" secondary disabled>${esc(t('Pause'))}</vscode-button>
<vscode-button id="act-resume" icon="debug-start" secondary disabled>${esc(t('Resume'))}</vscode-button>
<vscode-button id="act-retry" icon="debug-restart" secondary disabled>${esc(t('Retry failures'))}</vscode-button>
<vscode-button id="act-abort" icon="debug-stop" secondary disabled>${esc(t('Abort'))}</vscode-button>
</div>
<div id="action-result" role="status"></div>
<section class="chart-section">
<h2>${esc(t('Task states over time'))}</h2>
<div id="chart"></div>
<ol id="markers" aria-label="${esc(t('Wave starts and gate decisions'))}"></ol>
</section>
<section>
<h2>${esc(t('Waves'))}</h2>
<div class="scroll">
<table id="waves">
<thead><tr>${waveHeaders(t, confirmedByDevices)}</tr></thead>
<tbody id="waves-body"></tbody>
</table>
</div>
</section>
<div class="split">
<section>
<h2>${esc(t('Failure reasons'))}</h2>
<div id="failures"></div>
</section>
<section>
<h2>${esc(t('Devices'))}</h2>
<vscode-textfield id="search" placeholder="${esc(t('Search devices by name, or type a state (failed, queued...)'))}" aria-label="${esc(t('Search devices'))}"></vscode-textfield>
<div id="search-count"></div>
<div class="scroll devices-scroll">
<table id="devices">
<thead><tr><th>${esc(t('Device'))}</th><th>${esc(t('Wave'))}</th><th>${esc(t('State'))}</th><th>${esc(t('Progress'))}</th><th>${esc(t('Reason'))}</th></tr></thead>
<tbody id="devices-body"></tbody>
</table>
</div>
</section>
</div>
<script nonce="${a.nonce}" src="${esc(a.script)}"></script>
</body>
</html>`;
}
