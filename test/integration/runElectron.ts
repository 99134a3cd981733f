// Runs the same integration suite under @vscode/test-electron, on machines that can download VS Code.
// (Offline machines use the code-server harness: test/harness/runIntegration.ts.)
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = join(__dirname, '..', '..', '..');
  await runTests({
    version: process.env.OTA_VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(__dirname, 'index.js'),
    extensionTestsEnv: { OTA_TEST_SEAM: '1' },
    launchArgs: ['--disable-extensions', '--disable-workspace-trust', join(root, 'test', 'fixtures', 'workspace')],
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
