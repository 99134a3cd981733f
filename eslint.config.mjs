// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import ota from './eslint-rules/importDirections.mjs';

export default tseslint.config(
  {
    ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-output/**', '.vscode-test/**', 'test/fixtures/**', '**/*.mjs', '**/*.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The core is shared by the extension and the CLI: it must never import vscode.
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/shared/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core, src/cli, src/shared and the webview run without VS Code.' }] }],
    },
  },
  {
    // The Cloud view's model is tested in plain Node (test/unit/cloud/accountModel.test.ts).
    files: ['src/extension/cloud/model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The cloud model runs without VS Code: the tree and commands bring VS Code in.' }] }],
    },
  },
  {
    // Features read a Cloud view node through cloud/targets.ts, never through the tree's node classes.
    files: ['src/extension/**/*.ts'],
    ignores: ['src/extension/cloud/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cloud/nodes/*'], message: 'Use cloud/targets.ts: features do not import the Cloud tree node classes.' }] }],
    },
  },
  {
    // Which folder may import which (eslint-rules/importDirections.mjs, docs/architecture.md).
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    plugins: { ota },
    rules: { 'ota/import-directions': ['error', { root: import.meta.dirname }] },
  },
);
