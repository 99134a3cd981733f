// Builds production bundles and packages them with @vscode/vsce into <name>-<version>.vsix at the repository root.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = `${pkg.name}-${pkg.version}.vsix`;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production']);
// The README shows docs/screenshot.png relative to the repository; the package has no public repository URL.
run(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-update-package-json', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out]);
console.log(`packaged ${out}`);
