// The rollout dashboard's page: one strict CSP (the same as the flash panel's, from one function), only the nonce'd
// script, assets only from the URLs given (asWebviewUri's), and text escaped.
import * as assert from 'node:assert/strict';
import { newNonce, strictCsp } from '../../../src/extension/common/webviewPage';
import { dashboardHtml } from '../../../src/extension/rollout/dashboardHtml';
import { waveColumns } from '../../../src/shared/rolloutDashboardMessages';

describe('rollout dashboard page', () => {
  const assets = {
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce: newNonce(),
    lang: 'zh-cn',
    script: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/rollout.js',
    codicons: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/codicons/codicon.css',
    uplotCss: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/uPlot.min.css',
    css: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/rollout-dashboard.css',
  };

  it('allows nothing but its own assets and the nonce’d script', () => {
    const html = dashboardHtml(assets, 'plug <1.4> & "more"');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.equal(csp, strictCsp(assets.cspSource, assets.nonce));
    assert.match(csp ?? '', /^default-src 'none'; /);
    assert.doesNotMatch(csp ?? '', /unsafe-inline|unsafe-eval|\*/);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0].includes(`nonce="${assets.nonce}"`), scripts[0]);
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(urls.sort(), [assets.script, assets.codicons, assets.uplotCss, assets.css].sort());
    assert.ok(html.includes('<title>plug &lt;1.4&gt; &amp; &quot;more&quot;</title>'));
    assert.ok(html.includes('<html lang="zh-cn">'));
  });

  it('heads the waves table with the columns the webview fills: deployed, not succeeded, for a rollout that is not confirmed by its devices', () => {
    const headers = (html: string): string[] => [...(/<table id="waves">\s*<thead><tr>(.*?)<\/tr>/s.exec(html)?.[1] ?? '').matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]);
    const aliyun = headers(dashboardHtml(assets));
    assert.deepEqual(aliyun, ['#', 'Wave', 'Status', 'Devices', 'Succeeded', 'Failed', 'In progress', 'Queued', 'Cancelled', 'Success', 'Failure', 'Gate']);
    assert.equal(aliyun.length, waveColumns(true).length);
    const iotaap = headers(dashboardHtml(assets, 'r', undefined, false));
    assert.deepEqual(iotaap, ['#', 'Wave', 'Status', 'Devices', 'Deployed (not confirmed)', 'Failed', 'Queued', 'Cancelled', 'Deployed share', 'Refused share', 'Gate']);
    assert.equal(iotaap.length, waveColumns(false).length);
    assert.ok(!iotaap.includes('Succeeded'));
  });

  it('a new nonce each page', () => {
    assert.notEqual(newNonce(), newNonce());
    assert.match(newNonce(), /^[A-Za-z0-9+/]{22}==$/);
  });
});
