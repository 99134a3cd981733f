// The extension speaks the display language: every string it shows goes through vscode.l10n or package.nls, and
// Simplified Chinese has a translation of each, with the same placeholders, in the words of Alibaba's IoT console.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { l10nKeys, placeholders, repo } from './l10nKeys';

const json = (file: string) => JSON.parse(readFileSync(join(repo, file), 'utf8')) as Record<string, unknown>;
const CJK = /[\u4e00-\u9fff]/;

/** Messages that read the same in Chinese (names, numbers, codes). */
const SAME_IN_CHINESE = new Set(['ID', 'AccessKey ID', 'AccessKey secret', '{0} of {1}', 'IotId', 'OTA ID', 'OTA {0}', 'IoTaaP {0}', 'OTA', 'Firmware OTA', 'IoTaaP', 'MTU', 'MCU: {0}', 'ERROR: {0}', '{0} for {1}']);
/** A field of a rollout plan named in its message ("gates.minFinished", "version": …): the name stays as written. */
const FIELD_NAME = /^"?[\w.]+"?(: )?\{\d+\}$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('localization', () => {
  it('every vscode.l10n message has a Simplified Chinese translation with the same placeholders', () => {
    const zh = json('l10n/bundle.l10n.zh-cn.json');
    const problems: string[] = [];
    for (const [key, file] of l10nKeys()) {
      const t = zh[key];
      if (typeof t !== 'string' || !t.trim()) problems.push(`${file}: no translation of ${JSON.stringify(key)}`);
      else if (placeholders(t).join() !== placeholders(key).join()) problems.push(`${file}: placeholders differ in ${JSON.stringify(key)} → ${t}`);
      else if (!CJK.test(t) && !SAME_IN_CHINESE.has(key) && !FIELD_NAME.test(key)) problems.push(`${file}: ${JSON.stringify(key)} is not translated (${t})`);
    }
    assert.deepEqual(problems, []);
  });

  it('package.json shows only %keys%, each in package.nls.json and package.nls.zh-cn.json', () => {
    const pkg = json('package.json') as { l10n?: string; contributes: unknown; displayName: string; description: string };
    assert.equal(pkg.l10n, './l10n');
    const en = json('package.nls.json');
    const zh = json('package.nls.zh-cn.json');
    const raw: string[] = [];
    const used = new Set<string>();
    const visit = (v: unknown, path: string) => {
      if (typeof v === 'string') {
        const m = /^%(.+)%$/.exec(v);
        if (m) used.add(m[1]);
        else if (/(^|\.)(title|name|contextualTitle|contents|description|markdownDescription|label|enumDescriptions\.\d+)$/.test(path) && !/\.category$/.test(path)) raw.push(`${path}: ${v}`);
        return;
      }
      if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}.${i}`));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, path ? `${path}.${k}` : k);
    };
    visit({ displayName: pkg.displayName, description: pkg.description, contributes: pkg.contributes }, '');
    // Titles of the activity bar container and problem matcher names that are identifiers are not text.
    assert.deepEqual(raw.filter((r) => !/^contributes\.(problemMatchers\.\d+\.name|viewsContainers\.activitybar\.\d+\.title): /.test(r)), []);
    for (const k of used) {
      assert.equal(typeof en[k], 'string', `package.nls.json has no ${k}`);
      assert.equal(typeof zh[k], 'string', `package.nls.zh-cn.json has no ${k}`);
      const e = en[k] as string;
      const z = zh[k] as string;
      if (k.endsWith('.media')) {
        // Walkthrough media: a Chinese file of its own.
        assert.ok(CJK.test(readFileSync(join(repo, z), 'utf8')), `${z} (${k}) is not in Chinese`);
        assert.ok(!CJK.test(readFileSync(join(repo, e), 'utf8')), `${e} (${k}) is not in English`);
        continue;
      }
      assert.ok(CJK.test(z) || SAME_IN_CHINESE.has(e), `${k} is not translated: ${z}`);
      // Command links in welcome views and walkthrough steps stay intact.
      assert.deepEqual(z.match(/\(command:[^)]+\)/g) ?? [], e.match(/\(command:[^)]+\)/g) ?? [], k);
    }
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  });

  it('the Chinese uses the console’s OTA words: 升级包, 升级批次, 灰度升级, 验证, 设备, 产品', () => {
    const all = [...Object.values(json('l10n/bundle.l10n.zh-cn.json')), ...Object.values(json('package.nls.zh-cn.json'))].join('\n');
    for (const term of ['升级包', '升级批次', '灰度升级', '验证', '设备', '产品']) assert.ok(all.includes(term), term);
    // Not the words of other consoles for the same things.
    for (const other of ['固件包', '升级作业', '金丝雀']) assert.ok(!all.includes(other), other);
  });

  it('no message reaches the user without vscode.l10n', () => {
    // What a line shows once translated calls, interpolations and icons are taken out.
    const bare = (line: string): string => {
      let out = line.replace(/vscode\.l10n\.t\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/g, 'vscode.l10n.t(KEY');
      for (let before = ''; before !== out; ) {
        before = out;
        out = out.replace(/\$\{[^{}]*\}/g, '');
      }
      return out.replace(/\$\([\w~-]+\)/g, '');
    };
    const text = "['`\"]([^'`\"]*[A-Za-z]{3}[^'`\"]*)['`\"]";
    const sinks = [
      new RegExp(`show(?:Information|Warning|Error)Message\\(\\s*${text}`),
      new RegExp(`\\b(?:title|prompt|placeholder|placeHolder|label|description|detail|tooltip)\\s*[:=]\\s*${text}`),
      new RegExp(`new Error\\(\\s*${text}`),
      new RegExp(`new OtaError\\('[^']*',\\s*${text}`),
      new RegExp(`setStatusBarMessage\\(\\s*${text}`),
      new RegExp(`\\.report\\(\\{[^}]*message:\\s*${text}`),
    ];
    /** Words that are the same in every language. */
    const names = new Set(['ProductKey', 'YMODEM']);
    const offenders: string[] = [];
    // The cloud model runs without VS Code (lint forbids the import there): like the core, it speaks English.
    const withoutVscode = /[\\/]cloud[\\/]model[\\/]/;
    for (const file of sourceFiles(join(repo, 'src', 'extension')).filter((f) => !withoutVscode.test(f))) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        const b = bare(line);
        for (const s of sinks) {
          const m = s.exec(b);
          if (m && !names.has(m[1].trim())) offenders.push(`${file.slice(repo.length + 1)}:${i + 1}: ${line.trim()}`);
        }
      });
    }
    assert.deepEqual(offenders, []);
  });

  it('the .vsix carries the translations and the walkthrough media', function () {
    this.timeout(60_000);
    const listed = execFileSync(process.execPath, [join(repo, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls'], { cwd: repo, encoding: 'utf8' }).split('\n');
    for (const f of ['package.nls.json', 'package.nls.zh-cn.json', 'l10n/bundle.l10n.zh-cn.json', 'media/walkthrough/deploy.md', 'media/walkthrough/zh-cn/deploy.md']) assert.ok(listed.includes(f), `${f} is not packaged`);
  });
});
