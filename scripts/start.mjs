// `npm start`: builds, packages the .vsix, and runs it in the harness VS Code (see test/harness/start.ts).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = (...args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
node(join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.test.json');
node(join(root, 'scripts', 'package.mjs'));
node(join(root, 'out', 'test', 'harness', 'start.js'));
