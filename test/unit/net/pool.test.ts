import assert from 'node:assert/strict';
import { OtaError } from '../../../src/core/errors';
import { mapPool } from '../../../src/core/net/pool';

const tick = () => new Promise((r) => setImmediate(r));

describe('net/pool', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapPool([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0, 60]);
    assert.equal(peak, 3);
  });

  it('the first failure aborts the others and is what rejects', async () => {
    const aborted: number[] = [];
    let started = 0;
    await assert.rejects(
      mapPool([0, 1, 2, 3, 4, 5], 2, async (n, _i, signal) => {
        started++;
        if (n === 1) throw new Error('page 1 failed');
        await new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted.push(n);
            resolve();
          });
        });
        throw new OtaError('cancelled', 'Cancelled.');
      }),
      /page 1 failed/,
    );
    assert.deepEqual(aborted, [0]);
    assert.equal(started, 2, 'nothing new starts after a failure');
  });

  it("rejects as cancelled when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const run = mapPool([1, 2, 3], 1, async (_n, _i, signal) => {
      controller.abort();
      await tick();
      if (signal.aborted) throw new Error('inner saw the abort');
      return 1;
    }, controller.signal);
    await assert.rejects(run, (e: unknown) => e instanceof OtaError && e.kind === 'cancelled');
  });
});
