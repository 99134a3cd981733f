// Runs the integration suite inside the real VS Code (code-server) with the product installed from its .vsix.
// Prints each test, writes the totals to $OTA_TEST_STATS, exits non-zero on failure.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, openWorkbench } from './browser';
import { ensureCodeServer, installVsix, makeTempDir, repoRoot, startCodeServer } from './codeServer';
import { packageTestExtension } from './testExtensions';
import { vsixPath } from './vsix';

interface Stats {
  passed: number;
  failed: number;
  tests: { title: string; state: string; ms: number }[];
  failures: { title: string; error: string }[];
}

/** The OTA output channel's log file(s) of this run, to explain failures. */
function extensionLog(userDataDir: string): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/OTA\.log$/.test(entry.name)) found.push(readFileSync(p, 'utf8'));
    }
  };
  try {
    walk(join(userDataDir, 'logs'));
  } catch {
    /* no logs */
  }
  return found.join('\n') || '(no log file found)';
}

async function waitForFile(file: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error(`no result after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<number> {
  const statsFile = process.env.OTA_TEST_STATS ?? join(makeTempDir('stats'), 'integration.json');
  const codeServerDir = ensureCodeServer();
  const work = makeTempDir('integration');
  const extensionsDir = join(work, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  installVsix(codeServerDir, extensionsDir, vsixPath());
  installVsix(codeServerDir, extensionsDir, packageTestExtension(work, 'runner-extension'));
  // Microsoft's Serial Monitor cannot be downloaded here: a stand-in implements its public API over a real port.
  installVsix(codeServerDir, extensionsDir, packageTestExtension(work, 'serial-monitor-standin'));
  // Two PlatformIO projects, built with the fake pio of the fixtures (no PlatformIO needed).
  const workspace = join(work, 'workspace');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, 'README.md'), 'integration workspace\n');
  cpSync(join(repoRoot, 'test', 'fixtures', 'pio', 'blink'), join(workspace, 'blink'), { recursive: true });
  cpSync(join(repoRoot, 'test', 'fixtures', 'pio', 'broken'), join(workspace, 'broken'), { recursive: true });
  const done = join(work, 'done.json');
  // The extension host's temporary folder: what the suites leave there (ota-*) fails the run.
  const suiteTemp = join(work, 'tmp');
  mkdirSync(suiteTemp);
  const server = await startCodeServer(codeServerDir, {
    workspace,
    extensionsDir,
    // A still sandbox: the suite compares counts read at different moments.
    settings: {
      'ota.sandbox.simulationIntervalMs': 0,
      'ota.platformio.path': join(repoRoot, 'test', 'fixtures', 'pio', 'fake-pio'),
    },
    env: {
      OTA_INTEGRATION_INDEX: join(repoRoot, 'out', 'test', 'integration', 'index.js'),
      OTA_INTEGRATION_DONE: done,
      // The extension hands its internals to the suite (src/extension/testing.ts).
      OTA_TEST_SEAM: '1',
      OTA_TEST_STATS: statsFile,
      OTA_SERIALPORT_MODULE: join(repoRoot, 'node_modules', 'serialport'),
      TMPDIR: suiteTemp,
      TMP: suiteTemp,
      TEMP: suiteTemp,
    },
  });
  const browser = await launchBrowser();
  try {
    await openWorkbench(browser, server.workspaceUrl);
    await waitForFile(done, 180_000);
    const result = JSON.parse(readFileSync(done, 'utf8')) as { ok: boolean; error?: string };
    if (!existsSync(statsFile)) throw new Error(`the suite did not run: ${result.error ?? 'no stats'}`);
    const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as Stats;
    console.log('\n  integration (inside VS Code 1.100)');
    for (const t of stats.tests) console.log(`    ${t.state === 'passed' ? '✔' : '✘'} ${t.title} (${t.ms} ms)`);
    for (const f of stats.failures) console.log(`\n  FAILED ${f.title}\n${f.error}`);
    if (stats.failed) console.log(`\n--- the extension's log ---\n${extensionLog(server.userDataDir)}`);
    console.log(`\n  ${stats.passed} passing, ${stats.failed} failing`);
    const left = readdirSync(suiteTemp).filter((n) => n.startsWith('ota-'));
    if (left.length) console.log(`\n  FAILED the suites left ${left.length} entries in the temporary folder (each removes what it makes): ${left.sort().join(', ')}`);
    return stats.failed === 0 && stats.passed > 0 && !left.length ? 0 : 1;
  } catch (e) {
    console.error(`integration: ${e instanceof Error ? e.message : String(e)}\n--- code-server log ---\n${server.log()}`);
    writeFileSync(statsFile, JSON.stringify({ passed: 0, failed: 1, tests: [], failures: [{ title: 'integration harness', error: String(e) }] }));
    return 1;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
