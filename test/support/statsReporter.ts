// Mocha reporter: the usual spec output, plus the totals written as JSON to $OTA_TEST_STATS (when set) so that
// scripts/test-all.mjs can add up every tier into one "N passed, N failed" line.
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
      tests.push({ title: test.fullTitle(), state: 'failed', ms: test.duration ?? 0 });
    });
    runner.once('end', () => {
      const file = process.env.OTA_TEST_STATS;
      if (!file) return;
      const s = this.stats;
      writeFileSync(
        file,
        JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending, failures, tests }, null, 2),
      );
    });
  }
}

export = StatsReporter;
