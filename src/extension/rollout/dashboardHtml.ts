// The rollout dashboard's page: a strict CSP (only the nonce'd script runs; styles, fonts and images only from the
// extension through asWebviewUri), the elements the webview fills in, and nothing from the cloud: that arrives as
// messages and is inserted as text. No vscode import, so the benchmark serves the very same page.

export interface DashboardAssets {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  script: string;
  codicons: string;
  uplotCss: string;
  css: string;
}

export function dashboardHtml(a: DashboardAssets, title = 'Rollout'): string {
  const csp = [
    "default-src 'none'",
    `style-src ${a.cspSource}`,
    `font-src ${a.cspSource}`,
    `img-src ${a.cspSource}`,
    `script-src 'nonce-${a.nonce}'`,
  ].join('; ');
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(a.codicons)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${esc(a.uplotCss)}">
<link rel="stylesheet" href="${esc(a.css)}">
<title>${esc(title)}</title>
</head>
<body data-status="">
<header>
<vscode-icon name="rocket" size="22"></vscode-icon>
<h1 id="title"></h1>
<span class="status"><vscode-icon id="status-icon" name="info"></vscode-icon><span id="status-text"></span></span>
<span id="updated"></span>
</header>
<div id="subtitle"></div>
<div id="summary" role="status"></div>
<div id="error" role="alert"></div>
<div class="actions">
<vscode-button id="act-advance" icon="debug-continue" disabled>Advance</vscode-button>
<vscode-button id="act-pause" icon="debug-pause" secondary disabled>Pause</vscode-button>
<vscode-button id="act-resume" icon="debug-start" secondary disabled>Resume</vscode-button>
<vscode-button id="act-retry" icon="debug-restart" secondary disabled>Retry failures</vscode-button>
<vscode-button id="act-abort" icon="debug-stop" secondary disabled>Abort</vscode-button>
</div>
<div id="action-result" role="status"></div>
<section class="chart-section">
<h2>Task states over time</h2>
<div id="chart"></div>
<ol id="markers" aria-label="Wave starts and gate decisions"></ol>
</section>
<section>
<h2>Waves</h2>
<div class="scroll">
<table id="waves">
<thead><tr><th>#</th><th>Wave</th><th>Status</th><th>Devices</th><th>Succeeded</th><th>Failed</th><th>In progress</th><th>Queued</th><th>Cancelled</th><th>Success</th><th>Failure</th><th>Gate</th></tr></thead>
<tbody id="waves-body"></tbody>
</table>
</div>
</section>
<div class="split">
<section>
<h2>Failure reasons</h2>
<div id="failures"></div>
</section>
<section>
<h2>Devices</h2>
<vscode-textfield id="search" placeholder="Search devices by name, or type a state (failed, queued...)" aria-label="Search devices"></vscode-textfield>
<div id="search-count"></div>
<div class="scroll devices-scroll">
<table id="devices">
<thead><tr><th>Device</th><th>Wave</th><th>State</th><th>Progress</th><th>Reason</th></tr></thead>
<tbody id="devices-body"></tbody>
</table>
</div>
</section>
</div>
<script nonce="${a.nonce}" src="${esc(a.script)}"></script>
</body>
</html>`;
}
