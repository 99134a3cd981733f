// The extension's log never holds a secret. An IoTaaP account (email + password) and an Alibaba-compatible account
// (AccessKey secret) point at loopback servers started here, whose error answers echo the secrets in every spelling
// the core redacts (raw, URI- and form-encoded, JSON-escaped, HTML-escaped, nested, reformatted; as JSON and as an
// HTML page with tags around them). The extension hits them through its tree and through commands that fail; then
// the file the "OTA" LogOutputChannel wrote must hold every one of those errors, and no spelling of any secret,
// and neither must the error messages shown or the tree's error nodes.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { OtaTesting } from '../../../src/extension/testing';
import { leakedPieces, spellings, spellingsIn } from '../../support/secretSpellings';
import { startLoopback, type Loopback } from '../../unit/net/loopback';
import { ota } from '../support/ota';
import { removeTempFolders, tempFolder } from '../support/temp';

// Secrets with what gets escaped somewhere: a quote, a backslash, a tab, a tag, &, /, +, a space, %, non-ASCII.
const PASSWORD = 'Zebra"Kiwi\\Mango\t<b>Plum</b>&Figgy/Yuzu+Lime ü\'Date%41Quince';
const ACCESS_KEY_SECRET = 'Walrus"Otter\\Badger\t<b>Ferret</b>&Marten/Weasel+Stoat ü\'Mink%2FSable';
const DEVICE_TOKEN = 'Cobalt"Nickel\\Copper\t<i>Zinc</i>&Iron/Tinny+Leaden ü\'Gold';
/** Sent back in a header, so without a tab or non-ASCII. */
const BEARER = 'Basalt"Granite\\Marble<b>Slate</b>&Shale/Quartz+Micas';
const SECRETS = { password: PASSWORD, 'AccessKey secret': ACCESS_KEY_SECRET, 'device token': DEVICE_TOKEN, 'bearer token': BEARER };

const DEVICE_ID = '5e1b57808711f904f5df4bad';

interface Case {
  /** In the echoed text, so that the log line of each case can be found. */
  marker: string;
  kind: 'json' | 'html';
  spelling: string;
  /** IoTaaP: which request fails. */
  stage: 'login' | 'upload';
}

const CASES: Case[] = [];
for (const stage of ['login', 'upload'] as const) {
  for (const kind of ['json', 'html'] as const) {
    for (const spelling of Object.keys(spellings(PASSWORD))) CASES.push({ marker: `case-${CASES.length + 1}`, kind, spelling, stage });
  }
}

/** An error answer echoing each secret in the case's spelling, as JSON (escaped by the server or not) or a page. */
function echo(res: ServerResponse, status: number, c: Case, secrets: string[], aliyun = false): void {
  const forms = secrets.map((s) => spellings(s)[c.spelling]).join(' and ');
  if (c.kind === 'json') {
    res.writeHead(status, { 'content-type': 'application/json' });
    // As-is: the server did the escaping (or not) itself.
    res.end(
      aliyun
        ? `{"Code":"SignatureDoesNotMatch","Message":"[${c.marker}] Specified signature is not matched with our calculation: ${forms}","RequestId":"E1"}`
        : `{"message":"[${c.marker}] Wrong credentials ${forms}","error":"secret ${forms} refused"}`,
    );
  } else {
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(`<html><body><h1>Error [${c.marker}]</h1><p>secret=<b>${forms}</b></p><pre>\n\t<code>${forms}</code>\n</pre></body></html>`);
  }
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));
const tooltip = (item: vscode.TreeItem) => (typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''));

/** Which secrets show in `text`, in any spelling or by a piece. */
function secretsIn(text: string): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(SECRETS)) {
    const forms = spellingsIn(text, secret);
    const pieces = leakedPieces(text, secret, 4);
    if (forms.length || pieces.length) found.push(`${name} (${[...forms, ...pieces.map((p) => `"${p}"`)].join(', ')})`);
  }
  return found;
}

async function readLog(t: OtaTesting): Promise<string> {
  return Buffer.from(await vscode.workspace.fs.readFile(t.log.file)).toString('utf8');
}

/** The log once it holds `count` lines with `needle` (the channel's file is written asynchronously). */
async function logWith(t: OtaTesting, needle: RegExp, count: number): Promise<string> {
  const end = Date.now() + 15_000;
  for (;;) {
    const text = await readLog(t).catch(() => '');
    const found = text.split('\n').filter((l) => needle.test(l)).length;
    if (found >= count || Date.now() > end) return text;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('no secret in the log', function () {
  this.timeout(180_000);

  let iotaap: Loopback;
  let aliyun: Loopback;
  let current: Case = CASES[0];
  const passwordsReceived: string[] = [];
  let image: string;
  let iotaapId: string;
  let aliyunId: string;

  before(async () => {
    image = join(tempFolder('secrets'), 'app-1.2.3.bin');
    writeFileSync(image, Buffer.alloc(4096, 0x5a));
    iotaap = await startLoopback((req, res) => {
      if (req.url.pathname === '/v1/auth/login') {
        const sent = (JSON.parse(req.body.toString('utf8')) as { password: string }).password;
        passwordsReceived.push(sent);
        if (current.stage === 'login') echo(res, 401, current, [sent]);
        else sendJson(res, { token: BEARER, user: { id: 'u1', role: 'user' } });
      } else if (req.method === 'GET') {
        sendJson(res, { otas: [], recordsTotal: 0, recordsFiltered: 0, draw: '' });
      } else {
        // The upload: refused, echoing everything the client sent that is secret.
        echo(res, 500, current, [PASSWORD, DEVICE_TOKEN, BEARER]);
      }
    });
    aliyun = await startLoopback((_req, res) => echo(res, 400, current, [ACCESS_KEY_SECRET], true));
    iotaapId = (await vscode.commands.executeCommand<string>('ota.cloud.addIotaapAccount', {
      label: 'Echo IoTaaP',
      baseUrl: `${iotaap.url}v1`,
      email: 'dev@example.com',
      password: PASSWORD,
    }))!;
    aliyunId = (await vscode.commands.executeCommand<string>('ota.cloud.addAlibabaAccount', {
      label: 'Echo Alibaba',
      regionId: 'cn-shanghai',
      endpoint: aliyun.url,
      iotInstanceId: '',
      accessKeyId: 'LTAIechoEchoEcho',
      accessKeySecret: ACCESS_KEY_SECRET,
    }))!;
    assert.ok(iotaapId && aliyunId, 'the accounts were not added');
  });

  after(async () => {
    await vscode.workspace.getConfiguration('ota').update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await iotaap?.close();
    await aliyun?.close();
    removeTempFolders();
  });

  it('the tree shows each account\'s error without the secret', async () => {
    const { cloud } = await ota();
    // JSON the server escaped itself: both clients read the service's message (and see a credentials error).
    current = CASES.find((c) => c.stage === 'login' && c.kind === 'json' && c.spelling === 'json')!;
    const roots = await cloud.provider.getChildren();
    const byLabel = (name: string) => roots.find((r) => label(cloud.provider.getTreeItem(r)) === name);
    const iotaapNode = byLabel('Echo IoTaaP');
    const aliyunNode = byLabel('Echo Alibaba');
    assert.ok(iotaapNode && aliyunNode, roots.map((r) => label(cloud.provider.getTreeItem(r))).join(', '));
    const lists = await cloud.provider.getChildren(iotaapNode);
    const errors = [...(await cloud.provider.getChildren(lists[0])), ...(await cloud.provider.getChildren(aliyunNode))].map((n) =>
      cloud.provider.getTreeItem(n),
    );
    assert.deepEqual(errors.map((e) => e.contextValue), ['error.credentials', 'error.credentials'], errors.map(label).join('\n'));
    for (const e of errors) {
      assert.ok(label(e).includes(`[${current.marker}]`), `the error node does not show the server's message: ${label(e)}`);
      assert.deepEqual(secretsIn(`${label(e)}\n${tooltip(e)}`), [], `${label(e)}\n${tooltip(e)}`);
    }
  });

  it('logs every failing command, and no spelling of any secret, in the log or the messages shown', async () => {
    const t = await ota();
    const shownBefore = t.log.errorsShown.length;
    for (const c of CASES) {
      current = c;
      await vscode.commands.executeCommand('ota.iotaap.deploy', { accountId: iotaapId, device: DEVICE_ID, deviceToken: DEVICE_TOKEN, version: '1.2.3', file: image });
      if (c.stage === 'login') {
        await vscode.commands.executeCommand('ota.firmware.upload', { accountId: aliyunId, file: image, version: '1.2.3', productKey: 'a1EchoProduct', verify: null });
      }
    }
    // The password went to the server as it is, awkward characters and all.
    assert.ok(passwordsReceived.length > 0 && passwordsReceived.every((p) => p === PASSWORD), JSON.stringify(passwordsReceived));

    const logins = CASES.filter((c) => c.stage === 'login').length;
    const shown = t.log.errorsShown.slice(shownBefore);
    assert.equal(shown.length, CASES.length + logins, shown.map((s) => `${s.command}: ${s.message}`).join('\n'));
    const log = await logWith(t, /\[error\] ota\.(iotaap\.deploy|firmware\.upload): /, CASES.length + logins);
    assert.match(log, /Firmware OTA .* activated/, `not the OTA channel's file: ${t.log.file.toString()}`);
    for (const c of CASES) {
      const lines = log.split('\n').filter((l) => l.includes(`[${c.marker}]`) && /\[error\] ota\./.test(l));
      assert.equal(lines.length, c.stage === 'login' ? 2 : 1, `the error of ${c.marker} (${c.stage}, ${c.kind}, ${c.spelling}) is not in the log:\n${log}`);
      assert.ok(lines.every((l) => l.includes('***')), `the echoed secret of ${c.marker} was not redacted but dropped:\n${lines.join('\n')}`);
    }
    assert.deepEqual(secretsIn(log), [], 'a secret is in the log');
    assert.deepEqual(secretsIn(shown.map((s) => s.message).join('\n')), [], 'a secret is in an error message shown');
  });
});
