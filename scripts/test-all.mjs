// Runs every test tier and ends with one line "N passed, N failed" summed over all of them.
//   node scripts/test-all.mjs             all tiers: unit, integration (inside VS Code), e2e (UI), load
//   node scripts/test-all.mjs unit e2e    only those tiers
// The load tier runs the unit tests again while stress-ng keeps every core busy: a test that only passes on an idle
// machine (a timeout taken for a speed limit, a race) fails there, not on someone's busy laptop.
// Builds what the tiers need first: the bundles, the compiled tests, and the .vsix that the VS Code tiers install.
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test-output');
const statsDir = join(outDir, 'stats');
rmSync(statsDir, { recursive: true, force: true });
mkdirSync(statsDir, { recursive: true });

const all = ['unit', 'integration', 'e2e', 'load'];
const wanted = process.argv.slice(2).filter((a) => all.includes(a));
const tiers = wanted.length ? wanted : all;
const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const reporter = join(root, 'out', 'test', 'support', 'statsReporter.js');

function step(title, cmd, args, env = {}) {
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

// Compiled tests from files that were moved or deleted would still load (require('./x') finds a stale x.js before
// x/index.js): compile into an empty folder.
rmSync(join(root, 'out'), { recursive: true, force: true });

const prep = [
  ['build bundles', process.execPath, [join(root, 'scripts', 'build.mjs')]],
  ['compile tests', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.test.json']],
];
if (tiers.some((t) => t !== 'unit')) prep.push(['package .vsix', process.execPath, [join(root, 'scripts', 'package.mjs')]]);
for (const [title, cmd, args] of prep) {
  if (step(title, cmd, args) !== 0) {
    console.log(`\n${title} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

// The unit tier ends by itself: its root hooks (test/support/unitTier.ts) fail it, naming the handle, when a test
// leaves one open, and stop a process that would hang; they also run it in a temporary folder of its own and fail it
// when a test leaves something there. The load tier is the same tests with every core busy.
// --exit (e2e): the tier ends when its tests have reported; the stats are written synchronously on 'end', before it.
const unit = [process.execPath, [mocha, '--reporter', reporter, '--timeout', '20000', '--require', join(root, 'out', 'test', 'support', 'unitTier.js'), 'out/test/unit/**/*.test.js']];
const commands = {
  unit,
  load: unit,
  integration: [process.execPath, [join(root, 'out', 'test', 'harness', 'runIntegration.js')]],
  e2e: [process.execPath, [mocha, '--reporter', reporter, '--timeout', '240000', '--bail', '--exit', 'out/test/e2e/**/*.e2e.js']],
};

/** stress-ng busy on every core until stop(); error when it cannot run. */
function startLoad() {
  const cpus = availableParallelism();
  const what = `stress-ng --cpu ${cpus}`;
  const probe = spawnSync('stress-ng', ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    console.log(`\n=== unit tests under load\nstress-ng cannot be run (${probe.error?.message ?? `exit ${probe.status}`}): install it (apt-get install stress-ng).`);
    return { error: true, what, stop() {} };
  }
  // Its own process group, so that stopping it ends its workers too.
  const child = spawn('stress-ng', ['--cpu', String(cpus), '--timeout', '3600s', '--quiet'], { stdio: 'ignore', detached: true });
  return {
    error: false,
    what,
    stop: () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

let passed = 0;
let failed = 0;
const summary = [];
for (const tier of tiers) {
  const statsFile = join(statsDir, `${tier}.json`);
  const [cmd, args] = commands[tier];
  const load = tier === 'load' ? startLoad() : null;
  const code = load?.error ? 1 : step(tier === 'load' ? `unit tests under load (${load.what})` : `${tier} tests`, cmd, args, { OTA_TEST_STATS: statsFile });
  load?.stop();
  let p = 0;
  let f = 0;
  if (existsSync(statsFile)) {
    const s = JSON.parse(readFileSync(statsFile, 'utf8'));
    p = s.passed;
    // Skipped tests and tests a bail left unrun are gaps, counted as failures.
    f = s.failed + (s.pending ?? 0) + (s.notRun ?? 0);
    if (s.pending || s.notRun) console.log(`${tier}: ${s.pending ?? 0} skipped and ${s.notRun ?? 0} not run, counted as failed`);
  }
  // A tier that crashed or ran nothing counts as a failure, never as a silent pass.
  if (code !== 0 && f === 0) f = 1;
  if (p + f === 0) f = 1;
  passed += p;
  failed += f;
  summary.push(`${tier}: ${p} passed, ${f} failed`);
}
console.log(`\n${summary.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
