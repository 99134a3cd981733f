import assert from 'node:assert/strict';
import { QpsLimiter } from '../../../src/core/cloud/sandbox/rpc/qps';
import { fails, ok, openSandbox, rpc, TestClock, type TestSandbox } from './helpers';

describe('sandbox: QPS limits', () => {
  const clock = new TestClock();
  let t: TestSandbox;
  before(async () => {
    t = await openSandbox({ qps: true, now: clock.now });
  });
  after(async () => {
    await t.dispose();
  });

  it('throttles the 11th ListOTAFirmware within one second with Throttling.User, and counts it', async () => {
    t.sandbox.resetStats();
    const results = await Promise.all(
      Array.from({ length: 13 }, () => rpc(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 })),
    );
    const throttled = results.filter((r) => r.body.Code === 'Throttling.User');
    assert.equal(results.filter((r) => r.body.Success === true).length, 10);
    assert.equal(throttled.length, 3);
    assert.equal(throttled[0]?.status, 400);
    assert.match(throttled[0]?.body.Message as string, /flow control/);
    assert.equal(t.sandbox.stats.throttled, 3);
    assert.equal(t.sandbox.stats.throttledByAction.ListOTAFirmware, 3);
  });

  it('keeps limits per operation and lets requests through once the window moved', async () => {
    // Another operation has its own budget (QueryOTAFirmware: 20).
    for (let i = 0; i < 20; i++) await fails(t.sandbox, 'QueryOTAFirmware', { FirmwareId: 'none' }, 'iot.ota.FirmwareNotFound');
    await fails(t.sandbox, 'QueryOTAFirmware', { FirmwareId: 'none' }, 'Throttling.User');
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'Throttling.User');
    clock.advance(1001);
    await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 });
  });

  it('allows CancelOTATaskByJob 5 per second', async () => {
    clock.advance(5000);
    for (let i = 0; i < 5; i++) await fails(t.sandbox, 'CancelOTATaskByJob', { JobId: 'none', CancelQueuedTask: true }, 'iot.ota.JobNotFound');
    await fails(t.sandbox, 'CancelOTATaskByJob', { JobId: 'none', CancelQueuedTask: true }, 'Throttling.User');
  });
});

describe('sandbox: QpsLimiter', () => {
  it('counts a sliding window, not fixed seconds', () => {
    let now = 10_000;
    const limiter = new QpsLimiter(() => now, { A: 2 });
    assert.equal(limiter.tryAcquire('k', 'A'), true);
    now += 600;
    assert.equal(limiter.tryAcquire('k', 'A'), true);
    assert.equal(limiter.tryAcquire('k', 'A'), false);
    assert.equal(limiter.tryAcquire('other-key', 'A'), true, 'per access key');
    now += 401; // the first request left the window, the second has not
    assert.equal(limiter.tryAcquire('k', 'A'), true);
    assert.equal(limiter.tryAcquire('k', 'A'), false);
    assert.equal(limiter.limitOf('Unlisted'), 10);
  });
});

describe('sandbox: without QPS limits, and with injected faults', () => {
  let t: TestSandbox;
  before(async () => {
    t = await openSandbox({ qps: false });
  });
  after(async () => {
    await t.dispose();
  });

  it('never throttles when QPS limits are off', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => rpc(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 })));
    assert.ok(results.every((r) => r.body.Success === true));
    assert.equal(t.sandbox.stats.throttled, 0);
  });

  it('fails the next N requests as asked, then recovers', async () => {
    t.sandbox.injectFaults({ kind: 'unavailable', count: 2 });
    const first = await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'ServiceUnavailable');
    assert.equal(first.status, 503);
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'ServiceUnavailable');
    await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 });

    t.sandbox.injectFaults({ kind: 'success-false', actions: ['QueryOTAJob'] });
    await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 });
    const sf = await fails(t.sandbox, 'QueryOTAJob', { JobId: 'x' }, 'iot.system.SystemException');
    assert.equal(sf.status, 200);
    assert.equal(sf.body.Success, false);

    t.sandbox.injectFaults({ kind: 'internal' });
    assert.equal((await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'InternalError')).status, 500);
    t.sandbox.injectFaults({ kind: 'throttle' });
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'Throttling.User');
    assert.equal(t.sandbox.stats.faultsInjected, 5);
    assert.equal(t.sandbox.stats.throttled, 0, 'injected throttling is not QPS throttling');

    t.sandbox.injectFaults({ kind: 'unavailable', count: 3 });
    t.sandbox.clearFaults();
    await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 });
  });
});
