// The lint rule that keeps imports in their directions (eslint-rules/importDirections.mjs) refuses a forbidden
// import and lets the allowed ones through: each fixture of test/fixtures/lint is linted as if it stood at the path
// its `lint-as:` line names, with the rule exactly as eslint.config.mjs configures it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ESLint as ESLintClass, Linter } from 'eslint';

const root = join(__dirname, '..', '..', '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'lint');

async function linter(): Promise<ESLintClass> {
  const { ESLint } = await import('eslint');
  const tseslint = (await import('typescript-eslint')).default;
  const ota = (await import(join(root, 'eslint-rules', 'importDirections.mjs'))) as { default: NonNullable<Linter.Config['plugins']>[string] };
  return new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { ota: ota.default },
        rules: { 'ota/import-directions': ['error', { root }] },
      },
    ],
  });
}

function header(text: string, key: string): string | undefined {
  return new RegExp(`^// ${key}: (.+)$`, 'm').exec(text)?.[1].trim();
}

describe('lint: import directions', function () {
  this.timeout(60_000);
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.ts'));

  it('has refused and allowed fixtures', () => {
    assert.ok(files.filter((f) => f.startsWith('refused-')).length >= 5);
    assert.ok(files.some((f) => f.startsWith('allowed-')));
  });

  for (const name of files) {
    it(`${name.startsWith('refused-') ? 'refuses' : 'allows'} ${name.replace(/^(refused|allowed)-|\.ts$/g, '')}`, async () => {
      const text = readFileSync(join(fixtures, name), 'utf8');
      const as = header(text, 'lint-as');
      assert.ok(as, `${name} has no lint-as line`);
      const [result] = await (await linter()).lintText(text, { filePath: join(root, as) });
      const messages = result.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
      if (name.startsWith('refused-')) {
        const expected = header(text, 'expect');
        assert.ok(expected, `${name} has no expect line`);
        assert.equal(messages.length, 1, messages.join('\n'));
        assert.ok(messages[0].startsWith(`ota/import-directions: ${expected}`), messages[0]);
      } else {
        assert.deepEqual(messages, []);
      }
    });
  }
});
