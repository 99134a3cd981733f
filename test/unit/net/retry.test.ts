import assert from 'node:assert/strict';
import { OtaError } from '../../../src/core/errors';
import { backoffDelay, parseRetryAfter, retryAfterOf, withRetry, withRetryAfter } from '../../../src/core/net/retry';
import { InstantClock } from './manualClock';

const transient = (): OtaError => new OtaError('service-unavailable', 'down');

describe('net/retry', () => {
  it('retries until success, waiting exponentially longer with jitter', async () => {
    const clock = new InstantClock();
    let calls = 0;
    const result = await withRetry(
      () => {
        calls++;
        return calls < 4 ? Promise.reject(transient()) : Promise.resolve('ok');
      },
      { attempts: 5, baseDelayMs: 100, maxDelayMs: 10_000, clock, random: () => 0.5, shouldRetry: () => true },
    );
    assert.equal(result, 'ok');
    assert.equal(calls, 4);
    assert.deepEqual(clock.waits, [75, 150, 300]);
  });

  it('jitter keeps each delay between half and all of the exponential step, capped at the maximum', () => {
    const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffDelay(1, policy, () => 0), 50);
    assert.equal(backoffDelay(1, policy, () => 0.999999), 100);
    assert.equal(backoffDelay(3, policy, () => 0), 200);
    assert.equal(backoffDelay(8, policy, () => 0.999999), 1000);
    assert.equal(backoffDelay(8, policy, () => 0), 500);
  });

  it('gives up after the configured attempts with the last error', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        () => {
          calls++;
          return Promise.reject(new OtaError('throttled', `try ${calls}`));
        },
        { attempts: 3, clock: new InstantClock(), shouldRetry: () => true },
      ),
      /try 3/,
    );
    assert.equal(calls, 3);
  });

  it('does not retry what shouldRetry refuses', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        () => {
          calls++;
          return Promise.reject(new OtaError('credentials', 'bad key'));
        },
        { attempts: 5, clock: new InstantClock(), shouldRetry: (e) => e instanceof OtaError && e.kind !== 'credentials' },
      ),
      /bad key/,
    );
    assert.equal(calls, 1);
  });

  it('honours Retry-After attached to the error, within the maximum delay', async () => {
    const clock = new InstantClock();
    let calls = 0;
    await withRetry(
      () => {
        calls++;
        if (calls === 1) return Promise.reject(withRetryAfter(transient(), 3000));
        if (calls === 2) return Promise.reject(withRetryAfter(transient(), 60_000));
        return Promise.resolve();
      },
      { attempts: 5, baseDelayMs: 10, maxDelayMs: 5000, clock, shouldRetry: () => true },
    );
    assert.deepEqual(clock.waits, [3000, 5000]);
  });

  it('a cancelled signal stops the wait between attempts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = withRetry(
      () => {
        calls++;
        setImmediate(() => controller.abort());
        return Promise.reject(transient());
      },
      { attempts: 5, baseDelayMs: 60_000, signal: controller.signal, shouldRetry: () => true },
    );
    await assert.rejects(run, (e: unknown) => e instanceof OtaError && e.kind === 'cancelled');
    assert.equal(calls, 1);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter(['1.5']), 1500);
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:04 GMT', now), 4000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(retryAfterOf(withRetryAfter(new Error('x'), 10)), 10);
    assert.equal(retryAfterOf(new Error('x')), undefined);
  });
});
