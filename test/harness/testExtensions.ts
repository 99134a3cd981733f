// Test-only extensions of test/harness, packaged as a .vsix to install next to the product (VS Code ignores
// extension folders that were not installed), and the display languages they provide.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..', '..');

export function packageTestExtension(work: string, name: string): string {
  const dir = join(work, name);
  cpSync(join(repoRoot, 'test', 'harness', name), dir, { recursive: true });
  const out = join(work, `${name}.vsix`);
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--allow-missing-repository', '--skip-license', '--out', out],
    { cwd: dir, stdio: 'ignore' },
  );
  return out;
}

interface Localization {
  languageId: string;
  localizedLanguageName?: string;
  translations: { id: string; path: string }[];
}

/**
 * Writes the language pack index VS Code reads at start (<user-data>/languagepacks.json) for the language packs
 * installed in `extensionsDir`, as VS Code does after installing one; without it the display language falls back to
 * English. Throws when no installed pack provides `locale`.
 */
export function writeLanguagePacks(userDataDir: string, extensionsDir: string, locale: string): void {
  const packs: Record<string, unknown> = {};
  for (const name of readdirSync(extensionsDir)) {
    const manifest = join(extensionsDir, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { publisher: string; name: string; version: string; contributes?: { localizations?: Localization[] } };
    for (const l of pkg.contributes?.localizations ?? []) {
      const translations = Object.fromEntries(l.translations.map((t) => [t.id, join(extensionsDir, name, t.path)]));
      packs[l.languageId] = {
        hash: `${pkg.publisher}.${pkg.name}-${pkg.version}`,
        extensions: [{ extensionIdentifier: { id: `${pkg.publisher}.${pkg.name}` }, version: pkg.version }],
        translations,
        label: l.localizedLanguageName ?? l.languageId,
      };
    }
  }
  if (!packs[locale]) throw new Error(`no installed language pack provides ${locale}`);
  writeFileSync(join(userDataDir, 'languagepacks.json'), JSON.stringify(packs));
}
