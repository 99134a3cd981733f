// Mocha reporter: the usual spec output, plus the totals written as JSON to $OTA_TEST_STATS (when set) so that
// scripts/test-all.mjs can add up every tier into one "N passed, N failed" line. Tests that never ran (a tier
// stopped by --bail after a failure) are counted as `notRun`, so a stopped tier cannot look smaller than it is.
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';

class StatsReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const failures: { title: string; error: string }[] = [];
    const tests: { title: string; state: 'passed' | 'failed'; ms: number }[] = [];
    runner.on('pass', (test: Mocha.Test) => {
      tests.push({ title: test.fullTitle(), state: 'passed', ms: test.duration ?? 0 });
    });
    runner.on('fail', (test: Mocha.Runnable, err: Error) => {
      failures.push({ title: test.fullTitle(), error: err.stack ?? err.message });
      // A failing hook is a failure, but not one of the tests counted in runner.total.
      if (test instanceof Mocha.Test) tests.push({ title: test.fullTitle(), state: 'failed', ms: test.duration ?? 0 });
    });
    runner.once('end', () => {
      const file = process.env.OTA_TEST_STATS;
      if (!file) return;
      const s = this.stats;
      const ran = tests.length;
      const notRun = Math.max(0, runner.total - ran - s.pending);
      writeFileSync(
        file,
        JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending, notRun, failures, tests }, null, 2),
      );
    });
  }
}

export = StatsReporter;
