// The strings the extension shows through vscode.l10n: the first argument of every `vscode.l10n.t('…')` in
// src/extension, the rollout dashboard's `t('…')` (vscode.l10n.t passed in), the flash panel's and the dashboard
// page's words (translated by the host for the webview), and the template of every sentence the core says through
// say`…` (retold by the host, extension/common/spoken.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FLASH_PANEL_STRINGS } from '../../../src/shared/flashPanelStrings';
import { PAGE_WORDS, STATUS_WORDS } from '../../../src/shared/rolloutDashboardMessages';
import { templateOf } from '../../../src/core/sentences';

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
  for (const v of [...Object.values(PAGE_WORDS), ...Object.values(STATUS_WORDS)]) keys.set(v, 'src/shared/rolloutDashboardMessages.ts');
  for (const [template, file] of sayTemplates()) keys.set(template, file);
  return keys;
}

/**
 * The template of every say`…` in src/core, as the tag builds it: the literal parts, cooked, joined by {0}, {1}…
 * Templates with no words of their own ('{0}: {1}', '{0}, {1}') need no translation: the host fills the English
 * template with the translated values.
 */
export function sayTemplates(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files(join(repo, 'src', 'core')).filter((f) => !f.endsWith('sentences.ts'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?<![\w$.])say`/g)) {
      const template = templateOf(templateParts(text, m.index + m[0].length));
      if (/\p{L}/u.test(template.replace(/\{\d+\}/g, ''))) out.set(template, file.slice(repo.length + 1));
    }
  }
  return out;
}

/** The cooked literal parts of the template literal whose body starts at `at` (just after its backtick). */
function templateParts(text: string, at: number): string[] {
  const parts: string[] = [];
  let part = '';
  let i = at;
  for (;;) {
    const c = text[i];
    if (c === undefined) throw new Error(`an unterminated say\`…\` at ${at}`);
    if (c === '`') break;
    if (c === '\\') {
      part += unescape(text.slice(i, i + 2));
      i += 2;
    } else if (c === '$' && text[i + 1] === '{') {
      parts.push(part);
      part = '';
      i = skipExpression(text, i + 2);
    } else {
      part += c;
      i++;
    }
  }
  parts.push(part);
  return parts;
}

/** The index just past the `}` that closes the expression starting at `at`, stepping over strings and templates. */
function skipExpression(text: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      i++;
      while (text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      i = skipTemplate(text, i + 1);
    } else if (c === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      if (depth === 0) return i + 1;
      depth--;
      i++;
    } else i++;
  }
  throw new Error(`an unterminated \${…} at ${at}`);
}

function skipTemplate(text: string, at: number): number {
  let i = at;
  while (text[i] !== '`') {
    if (text[i] === '\\') i += 2;
    else if (text[i] === '$' && text[i + 1] === '{') i = skipExpression(text, i + 2);
    else i++;
  }
  return i + 1;
}

/** The {0}, {1}… a message uses, sorted. */
export function placeholders(text: string): string[] {
  return [...new Set(text.match(/\{\d+\}/g) ?? [])].sort();
}
