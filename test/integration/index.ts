// Entry of the integration suite, loaded inside the VS Code extension host: by the harness's runner extension
// (code-server) or by @vscode/test-electron (`extensionTestsPath`). Runs every suite/*.test.js with mocha.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: false,
    reporter: join(__dirname, '..', 'support', 'statsReporter.js'),
  });
  const suiteDir = join(__dirname, 'suite');
  for (const file of readdirSync(suiteDir).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(join(suiteDir, file));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
