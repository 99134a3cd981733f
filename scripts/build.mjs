// Builds the three bundles: the extension (node, cjs), the CLI (node, cjs) and the webview (browser, iife).
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
  define: { __OTA_VERSION__: JSON.stringify(pkg.version) },
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // vscode is provided by the host; serialport loads a native addon and ships as a runtime dependency.
    external: ['vscode', 'serialport', '@serialport/*'],
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external: ['serialport', '@serialport/*'],
  },
  {
    ...common,
    entryPoints: ['webview/flash/main.ts'],
    outfile: 'dist/webview/flash.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  {
    ...common,
    entryPoints: ['webview/rollout/main.ts'],
    outfile: 'dist/webview/rollout.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

function copyAssets() {
  // Codicons font and stylesheet, loaded by the webview through asWebviewUri.
  const codicons = join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  const out = join(dist, 'webview', 'codicons');
  mkdirSync(out, { recursive: true });
  cpSync(join(codicons, 'codicon.css'), join(out, 'codicon.css'));
  cpSync(join(codicons, 'codicon.ttf'), join(out, 'codicon.ttf'));
  // uPlot's stylesheet, for the rollout dashboard's chart.
  cpSync(join(root, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), join(dist, 'webview', 'uPlot.min.css'));
}

if (!watch) rmSync(dist, { recursive: true, force: true });
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  copyAssets();
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyAssets();
}
