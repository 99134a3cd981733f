import assert from 'node:assert/strict';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import { createJob } from '../../../src/core/deploy/jobs';
import { checkGuard, followRollout, guardReason, snapshotOf, type GuardTrip, type RolloutSnapshot } from '../../../src/core/deploy/rollout';
import { uploadFirmware } from '../../../src/core/deploy/upload';
import type { Job } from '../../../src/core/model';
import { names, openDeploySandbox, rejectsWith, type DeploySandbox } from './helpers';

const WX = SANDBOX_DEMO.weather.productKey;
const PLUG = SANDBOX_DEMO.plug.productKey;

const JOB: Job = {
  id: 'j',
  firmwareId: 'f',
  status: 'IN_PROGRESS',
  type: 'UPGRADE_FIRMWARE',
  selection: 'STATIC',
  targetSelection: 'ALL',
  createdAt: null,
  startedAt: null,
  endedAt: null,
};

describe('deploy: the rollout guard rule', () => {
  it('judges only once enough devices finished, and only a rate above the limit', () => {
    const guard = { maxFailurePercent: 50, minFinished: 5 };
    const at = (succeeded: number, failed: number): RolloutSnapshot => snapshotOf(JOB, { SUCCEEDED: succeeded, FAILED: failed, QUEUED: 10 });
    assert.equal(guardReason(guard, at(0, 4)), undefined, '4 finished: too few to judge');
    assert.equal(guardReason(guard, at(3, 3)), undefined, 'exactly 50 % is allowed');
    assert.equal(
      guardReason(guard, at(2, 3)),
      '3 of 5 finished devices failed (60 %), more than the 50 % allowed once 5 have finished',
    );
    const s = at(2, 3);
    assert.deepEqual([s.total, s.finished, s.pending, s.failurePercent], [15, 5, 10, 60]);
    assert.throws(() => checkGuard({ maxFailurePercent: 150, minFinished: 5 }), /percentage from 0 to below 100/);
    assert.throws(() => checkGuard({ maxFailurePercent: 10, minFinished: 0 }), /whole number of 1 or more/);
  });
});

describe('deploy: following a rollout', () => {
  let t: DeploySandbox;
  let failing: DeploySandbox;
  before(async () => {
    t = await openDeploySandbox();
    failing = await openDeploySandbox({ failureRate: 1 });
  });
  after(async () => {
    await t.dispose();
    await failing.dispose();
  });

  it('reports snapshots until the job is COMPLETED', async () => {
    const file = await t.image('ok.bin', 1000);
    const { firmwareId } = await uploadFirmware(t.client, { file, version: '2.1.0', productKey: WX, moduleName: 'mcu', needToVerify: false });
    const { jobId } = await createJob(t.client, firmwareId, WX, { target: 'SPECIFIC', deviceNames: names('wx-', 1, 8) });
    const snapshots: RolloutSnapshot[] = [];
    const result = await followRollout(t.client, jobId, { wait: t.tick, onSnapshot: (s) => snapshots.push(s), guard: { maxFailurePercent: 0, minFinished: 1 } });
    assert.equal(result.outcome, 'completed');
    assert.equal(result.guard, null);
    assert.deepEqual([result.snapshot.job.status, result.snapshot.succeeded, result.snapshot.failed, result.snapshot.pending], ['COMPLETED', 8, 0, 0]);
    assert.ok(snapshots.length > 2);
    assert.equal(snapshots[0].counts.QUEUED, 8);
    const finished = snapshots.map((s) => s.finished);
    assert.deepEqual([...finished].sort((a, b) => a - b), finished, 'finished devices never decrease');
    assert.ok(snapshots.some((s) => s.counts.IN_PROGRESS > 0), 'devices were seen in progress');
  });

  it('stops a job whose failure rate exceeds the limit: pending tasks cancelled, job CANCELED, reason given', async () => {
    const file = await failing.image('bad.bin', 1000);
    const { firmwareId } = await uploadFirmware(failing.client, { file, version: '6.6.6', productKey: PLUG, needToVerify: false });
    // 300 plugs, pushed at 10 a minute: one per tick, so most are still queued when the guard judges.
    const { jobId } = await createJob(failing.client, firmwareId, PLUG, { target: 'ALL', maximumPerMinute: 10 });
    let trip: GuardTrip | undefined;
    const result = await followRollout(failing.client, jobId, {
      wait: failing.tick,
      guard: { maxFailurePercent: 50, minFinished: 5 },
      onGuardTrip: (x) => (trip = x),
    });
    assert.equal(result.outcome, 'stopped-by-guard');
    assert.equal(result.guard, trip);
    assert.match(result.guard.reason, /^\d+ of \d+ finished devices failed \(100 %\), more than the 50 % allowed once 5 have finished$/);
    assert.ok(result.guard.snapshot.finished >= 5 && result.guard.snapshot.finished < 10, `judged early: ${result.guard.snapshot.finished}`);
    const job = await failing.client.getJob(jobId);
    assert.equal(job.status, 'CANCELED');
    const counts = await failing.client.countTasksByStatus(jobId);
    assert.equal(counts.QUEUED + counts.NOTIFIED + counts.IN_PROGRESS + counts.CONFIRM, 0, 'nothing left pending');
    assert.ok(counts.CANCELED > 280, `the pending tasks were cancelled: ${JSON.stringify(counts)}`);
    assert.deepEqual(result.snapshot.counts, counts, 'the last snapshot is the final state');
  });

  it('can leave in-progress devices alone', async () => {
    const file = await failing.image('bad2.bin', 1000, 2);
    const { firmwareId } = await uploadFirmware(failing.client, { file, version: '6.6.7', productKey: WX, moduleName: 'mcu', needToVerify: false });
    const { jobId } = await createJob(failing.client, firmwareId, WX, { target: 'ALL', maximumPerMinute: 10 });
    const result = await followRollout(failing.client, jobId, {
      wait: failing.tick,
      guard: { maxFailurePercent: 50, minFinished: 2, cancel: ['queued'] },
    });
    assert.equal(result.outcome, 'stopped-by-guard');
    assert.deepEqual(result.guard!.canceled, ['queued']);
    const at = result.guard!.snapshot.counts;
    const inFlight = at.NOTIFIED + at.IN_PROGRESS;
    assert.ok(inFlight > 0, `devices were on their way when the guard tripped: ${JSON.stringify(at)}`);
    const end = await failing.client.countTasksByStatus(jobId);
    assert.equal(end.FAILED, at.FAILED + inFlight, 'the devices on their way went on (and failed)');
    assert.equal(end.CANCELED, at.QUEUED, 'the queued ones were cancelled');
  });

  it('stops following when cancelled, and when its time is up', async () => {
    const file = await t.image('slow.bin', 1000, 3);
    const { firmwareId } = await uploadFirmware(t.client, { file, version: '2.2.0', productKey: PLUG, needToVerify: false });
    const { jobId } = await createJob(t.client, firmwareId, PLUG, { target: 'ALL', maximumPerMinute: 10 });
    const controller = new AbortController();
    let polls = 0;
    await rejectsWith(
      followRollout(t.client, jobId, { wait: t.tick, signal: controller.signal, onSnapshot: () => ++polls === 3 && controller.abort() }),
      'cancelled',
      /Cancelled/,
    );
    assert.equal(polls, 3);
    let clock = 0;
    await rejectsWith(
      followRollout(t.client, jobId, { wait: t.tick, timeoutMs: 10_000, now: () => (clock += 4000) }),
      'timeout',
      new RegExp(`^Job ${jobId} is still IN_PROGRESS \\(\\d+ of 300 devices finished\\); it keeps running in the cloud\\.$`),
    );
  });
});
