// The strings the extension shows through vscode.l10n: the first argument of every `vscode.l10n.t('…')` in
// src/extension, the rollout dashboard's `t('…')` (vscode.l10n.t passed in), plus the flash panel's words (translated
// by the host for the webview).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FLASH_PANEL_STRINGS } from '../../../src/shared/flashPanelStrings';

export const repo = join(__dirname, '..', '..', '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function unescape(body: string): string {
  return body.replace(/\\(u\{?[0-9a-fA-F]+\}?|.)/g, (_, c: string) => {
    if (c === 'n') return '\n';
    if (c === 't') return '\t';
    if (c.startsWith('u')) return String.fromCodePoint(parseInt(c.replace(/[u{}]/g, ''), 16));
    return c;
  });
}

/** Every key, with the file it is used in. */
export function l10nKeys(): Map<string, string> {
  const keys = new Map<string, string>();
  for (const file of files(join(repo, 'src', 'extension'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/vscode\.l10n\.t\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)")/g)) {
      keys.set(unescape(m[1] ?? m[2] ?? ''), file.slice(repo.length + 1));
    }
    // The rollout dashboard's page and view are built without VS Code: they take vscode.l10n.t as `t`.
    if (/[\\/]rollout[\\/]dashboard(View|Html)\.ts$/.test(file)) {
      for (const m of text.matchAll(/(?<![\w.])t\(\s*'((?:[^'\\\n]|\\.)*)'/g)) keys.set(unescape(m[1]), file.slice(repo.length + 1));
    }
  }
  for (const v of Object.values(FLASH_PANEL_STRINGS)) keys.set(v, 'src/shared/flashPanelStrings.ts');
  return keys;
}

/** The {0}, {1}… a message uses, sorted. */
export function placeholders(text: string): string[] {
  return [...new Set(text.match(/\{\d+\}/g) ?? [])].sort();
}
