// The gate rule and the wave sampling on their own: when a wave stops, passes or waits; cumulative percentages.
import assert from 'node:assert/strict';
import { judgeWave } from '../../../src/core/rollout/gates';
import { DEFAULT_GATES, parsePlan } from '../../../src/core/rollout/plan';
import { assignWaves, cumulativeTarget } from '../../../src/core/rollout/sampling';
import { emptyCounts } from '../../../src/core/rollout/state';

const counts = (succeeded: number, failed: number, queued = 0, canceled = 0) => ({ ...emptyCounts(), succeeded, failed, queued, canceled });

describe('rollout gates', () => {
  const g = { ...DEFAULT_GATES, maxFailurePercent: 5, minFinishedPercent: 90, minFinished: 10 };

  it('judges the failure rate only once enough devices finished, then stops as soon as it is above the limit', () => {
    assert.equal(judgeWave(counts(5, 4, 91), 100, g, false, false).kind, 'wait', '9 finished: too few to judge');
    const v = judgeWave(counts(9, 1, 90), 100, g, false, false);
    assert.equal(v.kind, 'fail', '1 of 10 is 10 %, more than 5 %');
    assert.match(v.reason, /1 of 10 finished devices failed \(10 %\), more than the 5 %/);
    assert.equal(judgeWave(counts(19, 1, 80), 100, g, false, false).kind, 'wait', 'exactly 5 % is allowed; not enough finished yet');
  });

  it('a wave smaller than minFinished is judged once all of it finished; a canary of 2 with one failure stops', () => {
    assert.equal(judgeWave(counts(1, 0, 1), 2, g, false, false).kind, 'wait');
    assert.equal(judgeWave(counts(1, 1), 2, g, false, true).kind, 'fail');
    assert.equal(judgeWave(counts(2, 0), 2, g, false, true).kind, 'pass');
  });

  it('passes at the finished share, fails when every task ended short of it, and ignores failures once overridden', () => {
    assert.equal(judgeWave(counts(90, 0, 10), 100, g, false, false).kind, 'pass');
    assert.equal(judgeWave(counts(80, 0, 0, 20), 100, g, false, true).kind, 'fail');
    assert.match(judgeWave(counts(80, 0, 0, 20), 100, g, false, true).reason, /only 80 of 100 devices finished/);
    assert.equal(judgeWave(counts(60, 30, 10), 100, g, true, false).kind, 'pass', 'resumed past the gate by a person');
    assert.equal(judgeWave(counts(0, 0), 0, g, false, true).kind, 'pass', 'nobody needed the firmware');
  });
});

describe('rollout sampling', () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `d-${String(i).padStart(4, '0')}`);

  it('counts percentages over the whole population, cumulatively', () => {
    assert.equal(cumulativeTarget(375, 10), 38);
    assert.equal(cumulativeTarget(375, 1), 4);
    assert.equal(cumulativeTarget(375, 100), 375);
    const plan = parsePlan({ name: 'p', firmwareId: 'f', productKey: 'k', waves: [{ count: 3 }, { percent: 1 }, { percent: 1 }, { percent: 50 }, { percent: 100 }], seed: 3 });
    const waves = assignWaves(plan, names(1000));
    assert.deepEqual(waves.map((w) => w.length), [3, 7, 0, 490, 500], 'a percentage already reached adds nobody');
    assert.equal(new Set(waves.flat()).size, 1000);
  });

  it('does not depend on the order the cloud listed the devices in', () => {
    const plan = parsePlan({ name: 'p', firmwareId: 'f', productKey: 'k', waves: [{ count: 5 }, { percent: 100 }], seed: 9 });
    const a = assignWaves(plan, names(50));
    const b = assignWaves(plan, names(50).reverse());
    assert.deepEqual(a, b);
  });

  it('keeps named devices out of the sampled waves before them', () => {
    const plan = parsePlan({ name: 'p', firmwareId: 'f', productKey: 'k', waves: [{ count: 9 }, { devices: ['d-0001', 'd-0002'] }, { percent: 100 }], seed: 1 });
    const waves = assignWaves(plan, names(10));
    assert.ok(!waves[0].includes('d-0001') && !waves[0].includes('d-0002'));
    assert.deepEqual(waves[1], ['d-0001', 'd-0002']);
    assert.deepEqual(waves.map((w) => w.length), [8, 2, 0]);
  });
});
