// The C agent's own checks, run by `npm test`: its unit tests (make -C agent test, under AddressSanitizer and
// UBSan), and the Cortex-M cross-compile, whose footprint must be the one agent/README.md states.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AGENT_DIR } from '../../sims/streamAgent';

function make(target: string): string {
  const r = spawnSync('make', ['-C', AGENT_DIR, target], { encoding: 'utf8' });
  assert.ok(!r.error, `make could not run: ${r.error?.message}`);
  assert.equal(r.status, 0, `make -C agent ${target} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('the C agent (agent/)', function () {
  this.timeout(240_000);

  it('passes its C unit tests under the sanitizers (make -C agent test)', () => {
    const out = make('test');
    const m = /C tests: (\d+) passed, (\d+) failed/.exec(out);
    assert.ok(m, `no summary line in:\n${out}`);
    assert.equal(Number(m[2]), 0);
    assert.ok(Number(m[1]) >= 150, `only ${m[1]} checks ran`);
  });

  it('cross-compiles for a Cortex-M4 with the flash and RAM footprint agent/README.md states', () => {
    const out = make('cortex-m');
    const readme = readFileSync(path.join(AGENT_DIR, 'README.md'), 'utf8');
    for (const config of ['default', 'small']) {
      const built = new RegExp(`footprint ${config}: flash (\\d+) bytes, RAM (\\d+) bytes`).exec(out);
      assert.ok(built, `no ${config} footprint in:\n${out}`);
      const stated = new RegExp(`\\|\\s*${config}\\s*\\|[^|]*\\|\\s*([\\d ]+) B\\s*\\|\\s*([\\d ]+) B\\s*\\|`).exec(readme);
      assert.ok(stated, `agent/README.md has no footprint row for ${config}`);
      const [flash, ram] = [Number(built[1]), Number(built[2])];
      const [saysFlash, saysRam] = [Number(stated[1].replace(/ /g, '')), Number(stated[2].replace(/ /g, ''))];
      // The same compiler gives the same sizes; another gcc release may differ a little.
      assert.ok(Math.abs(flash - saysFlash) <= saysFlash * 0.05, `${config}: flash ${flash} B, the README says ${saysFlash} B`);
      assert.ok(Math.abs(ram - saysRam) <= saysRam * 0.05, `${config}: RAM ${ram} B, the README says ${saysRam} B`);
    }
  });
});
