import assert from 'node:assert/strict';
import { OtaError } from '../../../src/core/errors';
import { RateLimiterRegistry, SlidingWindowLimiter, type Lease } from '../../../src/core/net/rateLimiter';
import { flush, ManualClock } from './manualClock';

/** The most grants that fall in any half-open window [t, t + windowMs). */
function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('net/rateLimiter', () => {
  it('grants at most `limit` in any window, even as requests take time, and serves everyone', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter(10, { windowMs: 1000, marginMs: 0, clock });
    const grants: number[] = [];
    const done = Array.from({ length: 35 }, async () => {
      const lease = await limiter.acquire();
      grants.push(clock.now());
      clock.schedule(30, () => lease.release()); // the request takes 30 ms
    });
    await clock.advance(0);
    assert.equal(grants.length, 10, 'the first 10 go at once');
    for (let i = 0; i < 40 && grants.length < 35; i++) await clock.advance(100);
    await Promise.all(done);
    assert.equal(grants.length, 35);
    assert.ok(maxInAnyWindow(grants, 1000) <= 10, `window held ${maxInAnyWindow(grants, 1000)}`);
    // Each slot is reused one window after its request finished: 30 + 1000 ms per round.
    assert.deepEqual([...new Set(grants)], [0, 1030, 2060, 3090]);
  });

  it('adds the margin to each window', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter(1, { windowMs: 1000, marginMs: 50, clock });
    (await limiter.acquire()).release();
    let granted = false;
    const second = limiter.acquire().then((lease) => {
      granted = true;
      return lease;
    });
    await clock.advance(1049);
    assert.equal(granted, false);
    await clock.advance(1);
    assert.equal(granted, true);
    (await second).release();
  });

  it('serves waiters first come, first served', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter(1, { windowMs: 100, clock });
    const order: number[] = [];
    const all = [0, 1, 2, 3].map(async (i) => {
      const lease = await limiter.acquire();
      order.push(i);
      lease.release();
    });
    for (let i = 0; i < 5; i++) await clock.advance(100);
    await Promise.all(all);
    assert.deepEqual(order, [0, 1, 2, 3]);
  });

  it('a cancelled waiter leaves the queue and rejects as cancelled; the others still get their turn', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter(1, { windowMs: 100, clock });
    const first = await limiter.acquire();
    const controller = new AbortController();
    const cancelled = limiter.acquire(controller.signal);
    const next = limiter.acquire();
    assert.equal(limiter.waiting, 2);
    controller.abort();
    await assert.rejects(cancelled, (e: unknown) => e instanceof OtaError && e.kind === 'cancelled');
    assert.equal(limiter.waiting, 1);
    first.release();
    await clock.advance(100);
    const lease: Lease = await next;
    lease.release();
    assert.equal(limiter.waiting, 0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const limiter = new SlidingWindowLimiter(1, { clock: new ManualClock() });
    await assert.rejects(limiter.acquire(AbortSignal.abort()), (e: unknown) => e instanceof OtaError && e.kind === 'cancelled');
  });

  it('releasing twice frees the slot once', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter(1, { windowMs: 100, clock });
    const lease = await limiter.acquire();
    lease.release();
    await clock.advance(100);
    const again = await limiter.acquire();
    lease.release(); // stale: must not free the slot `again` holds
    let granted = false;
    void limiter.acquire().then((l) => {
      granted = true;
      l.release();
    });
    await clock.advance(500);
    assert.equal(granted, false);
    again.release();
    await clock.advance(100);
    await flush();
    assert.equal(granted, true);
  });

  it('the registry keeps one limiter per operation, at the operation rate', () => {
    const registry = new RateLimiterRegistry((op) => (op === 'Fast' ? 20 : 5), { clock: new ManualClock() });
    assert.equal(registry.limiter('Fast').limit, 20);
    assert.equal(registry.limiter('Slow').limit, 5);
    assert.equal(registry.limiter('Fast'), registry.limiter('Fast'));
  });
});
