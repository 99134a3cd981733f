// The rollout engine against a loopback Alibaba endpoint that records every call (recordingFleet.ts): waves never
// overlap, sizes and sampling are as planned, each gate stops or continues as specified, pause/resume/abort/retry
// make the calls they say, advance is idempotent, and a crash between a job's creation and the file write loses
// nothing.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AliyunRolloutCloud } from '../../../src/core/rollout/aliyunCloud';
import type { RolloutCloud } from '../../../src/core/rollout/cloud';
import {
  EXIT_FOR_STATUS,
  abortRollout,
  advanceRollout,
  createRollout,
  pauseRollout,
  resumeRollout,
  retryRollout,
  rolloutStatus,
  type RolloutContext,
} from '../../../src/core/rollout/engine';
import { rolloutPath } from '../../../src/core/rollout/planFile';
import type { RolloutState } from '../../../src/core/rollout/state';
import { startRecordingFleet, type FleetJob, type RecordingFleet } from './recordingFleet';

const T0 = Date.parse('2026-12-01T08:00:00Z');

function plan(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'plug-1.4',
    firmwareId: 'fw-14',
    productKey: 'pk-plug',
    population: { sourceVersions: ['1.3.0'] },
    waves: [{ devices: ['plug-0001', 'plug-0002'] }, { count: 20 }, { percent: 10 }, { percent: 100 }],
    gates: { minFinishedPercent: 90, maxFailurePercent: 5, soakMinutes: 30, auto: true },
    seed: 7,
    ...extra,
  };
}

function names(job: FleetJob): string[] {
  return [...job.devices].sort();
}

describe('rollout engine (loopback Alibaba endpoint)', function () {
  this.timeout(60_000);
  let fleet: RecordingFleet;
  let dir: string;
  let clock: number;
  let ctx: RolloutContext;

  async function state(): Promise<RolloutState> {
    return (await rolloutStatus(ctx)).state;
  }

  beforeEach(async () => {
    // 375 devices on 1.3.0 and 25 on 1.2.0: the population is the 375.
    fleet = await startRecordingFleet({ devices: 400, versionOf: (i) => (i % 16 === 15 ? '1.2.0' : '1.3.0') });
    dir = await mkdtemp(join(tmpdir(), 'ota-rollout-'));
    clock = T0;
    ctx = { cloud: new AliyunRolloutCloud(fleet.rpc), path: rolloutPath(dir, 'plug-1.4'), baseDir: dir, now: () => clock };
  });

  afterEach(async () => {
    await fleet.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('samples waves of the planned sizes from the population on the source versions, the same devices for the same seed', async () => {
    const report = await createRollout(ctx, plan());
    const st = await state();
    assert.equal(st.populationSize, 375);
    assert.deepEqual(
      st.waves.map((w) => w.devices.length),
      [2, 20, 16, 337],
      'canary 2, then 20, then 10 % of 375 = 38 minus 22, then the rest',
    );
    const all = st.waves.flatMap((w) => w.devices);
    assert.equal(new Set(all).size, all.length, 'no device is in two waves');
    assert.ok(all.every((d) => fleet.versions.get(d) === '1.3.0'), 'only devices on 1.3.0');
    // The default module's versions came with the device details, 100 devices a call, not one call per device.
    assert.equal(fleet.calls('BatchQueryDeviceDetail').length, 4);
    assert.equal(fleet.calls('ListOTAModuleVersionsByDevice').length, 0);
    assert.deepEqual(st.waves[0].devices, ['plug-0001', 'plug-0002']);
    // Only the canary started, as one SPECIFIC job naming its two devices, with the source version.
    assert.equal(report.status, 'running');
    const creates = fleet.calls('CreateOTAStaticUpgradeJob');
    assert.equal(creates.length, 1);
    assert.equal(creates[0].params.TargetSelection, 'SPECIFIC');
    assert.deepEqual([creates[0].params['TargetDeviceName.1'], creates[0].params['TargetDeviceName.2']], ['plug-0001', 'plug-0002']);
    assert.equal(creates[0].params['SrcVersion.1'], '1.3.0');
    assert.match(creates[0].params.JobDesc, /\[ota-rollout plug-1\.4 [0-9a-f]{8} w1 j1\]/);

    // A second rollout of the same plan elsewhere picks exactly the same devices; another seed picks others.
    const again = { ...ctx, path: rolloutPath(join(dir, 'b'), 'plug-1.4') };
    await createRollout(again, plan(), { start: false });
    const st2 = (await rolloutStatus(again)).state;
    assert.deepEqual(st2.waves.map((w) => w.devices), st.waves.map((w) => w.devices));
    const other = { ...ctx, path: rolloutPath(join(dir, 'c'), 'plug-1.4') };
    await createRollout(other, plan({ seed: 8 }), { start: false });
    const st3 = (await rolloutStatus(other)).state;
    assert.notDeepEqual(st3.waves[1].devices, st.waves[1].devices);
    assert.equal(st3.waves[1].devices.length, 20);
  });

  it('for a firmware of another OTA module, asks each device for that module’s version', async () => {
    await fleet.close();
    fleet = await startRecordingFleet({ devices: 40, module: 'wifi', versionOf: (i) => (i % 4 === 3 ? '1.2.0' : '1.3.0') });
    ctx = { ...ctx, cloud: new AliyunRolloutCloud(fleet.rpc) };
    await createRollout(ctx, plan(), { start: false });
    const st = await state();
    assert.equal(st.populationSize, 30, 'the 30 devices whose wifi module is on 1.3.0');
    assert.equal(fleet.calls('ListOTAModuleVersionsByDevice').length, 40);
    assert.equal(fleet.calls('BatchQueryDeviceDetail').length, 0, 'FirmwareVersion is the default module only');
  });

  it('runs every wave to the end; the big wave goes through a device-list file; waves never overlap', async () => {
    await createRollout(ctx, plan({ gates: { minFinishedPercent: 100, maxFailurePercent: 5, soakMinutes: 0 } }));
    for (let i = 0; i < 10; i++) {
      fleet.settle(() => 'SUCCEEDED');
      const r = await advanceRollout(ctx);
      if (r.status === 'done') break;
    }
    const st = await state();
    assert.equal(st.status, 'done');
    assert.deepEqual(st.waves.map((w) => w.status), ['passed', 'passed', 'passed', 'passed']);
    assert.equal(fleet.jobs.length, 4);
    st.waves.forEach((w, i) => assert.deepEqual(names(fleet.jobs[i]), [...w.devices].sort(), `job ${i + 1} holds exactly wave ${i + 1}`));
    assert.deepEqual(fleet.jobs.map((j) => j.viaFile), [false, false, false, true], 'only the 337-device wave needs a device-list file');
    assert.equal(fleet.calls('GenerateDeviceNameListURL').length, 1);
    assert.equal(fleet.oss.requests.length, 1, 'the list was posted to OSS once');
    assert.deepEqual(fleet.overlaps, [], 'no device ever had two open tasks');
    // Each job was created only once the wave before it had passed.
    const order = fleet.writes().map((c) => c.action);
    assert.deepEqual(order, ['CreateOTAStaticUpgradeJob', 'CreateOTAStaticUpgradeJob', 'CreateOTAStaticUpgradeJob', 'GenerateDeviceNameListURL', 'CreateOTAStaticUpgradeJob']);
    assert.equal(EXIT_FOR_STATUS[st.status], 0);
  });

  it('advance is idempotent: a second run makes no write call and leaves the file byte for byte', async () => {
    await createRollout(ctx, plan());
    fleet.settle((t) => (t.device === 'plug-0001' ? 'SUCCEEDED' : null));
    await advanceRollout(ctx);
    const before = await readFile(ctx.path, 'utf8');
    const writes = fleet.writes().length;
    const r = await advanceRollout(ctx);
    assert.equal(await readFile(ctx.path, 'utf8'), before);
    assert.equal(fleet.writes().length, writes);
    assert.deepEqual(r.did, []);
    assert.equal(r.status, 'running');
  });

  it('the failure gate stops a wave: its queued tasks are cancelled, the rollout pauses and the next wave never starts', async () => {
    await createRollout(ctx, plan({ gates: { minFinishedPercent: 90, maxFailurePercent: 5, minFinished: 5, soakMinutes: 0 } }));
    fleet.settle(() => 'SUCCEEDED');
    await advanceRollout(ctx); // canary passed: wave 2 started
    fleet.settle(() => 'SUCCEEDED');
    await advanceRollout(ctx); // wave 2 passed: wave 3 (16 devices) started
    const wave3 = fleet.jobs[2];
    // 6 of its devices finish, 3 of them failing (50 %); the other 10 are still queued.
    let n = 0;
    fleet.settle((_t, job) => {
      if (job !== wave3 || n >= 6) return null;
      n++;
      return n % 2 ? { status: 'FAILED', desc: 'flash write failed' } : 'SUCCEEDED';
    });
    const r = await advanceRollout(ctx);
    assert.equal(r.status, 'paused');
    assert.equal(r.pausedBy, 'gate');
    assert.match(r.reason ?? '', /gate of wave 3 failed: 3 of 6 finished devices failed \(50 %\), more than the 5 %/);
    const cancel = fleet.calls('CancelOTATaskByJob');
    assert.equal(cancel.length, 1);
    assert.equal(cancel[0].params.JobId, wave3.id);
    assert.equal(cancel[0].params.CancelQueuedTask, 'true');
    assert.equal(cancel[0].params.CancelInProgressTask, undefined, 'devices already upgrading are left to finish');
    assert.ok(r.did.some((d) => d.includes(wave3.id) && d.includes('CancelOTATaskByJob')));
    const st = await state();
    assert.equal(st.waves[2].status, 'stopped');
    assert.equal(st.waves[2].left.length, 10, 'the plan remembers the 10 devices the gate left out');
    assert.equal(st.waves[3].status, 'pending');
    assert.equal(fleet.jobs.length, 3, 'wave 4 was never created');
    assert.equal(EXIT_FOR_STATUS[st.status], 4);
    // Advancing again changes nothing while it is paused.
    const writes = fleet.writes().length;
    await advanceRollout(ctx);
    assert.equal(fleet.writes().length, writes);

    // Retry: the 3 failed tasks are upgraded again and the 10 left out get a job of their own.
    const retried = await retryRollout(ctx);
    const reup = fleet.calls('ReupgradeOTATask');
    assert.equal(reup.length, 1);
    assert.equal(reup[0].params.JobId, wave3.id);
    assert.equal(Object.keys(reup[0].params).filter((k) => k.startsWith('TaskId.')).length, 3);
    assert.equal(fleet.jobs.length, 4);
    assert.deepEqual(names(fleet.jobs[3]), [...st.waves[2].left].sort());
    assert.equal(retried.status, 'running');
    assert.deepEqual(fleet.overlaps, []);
  });

  it('the minimum success rate stops a wave that finished with too few successes', async () => {
    await createRollout(ctx, plan({ waves: [{ count: 10 }, { percent: 100 }], gates: { minFinishedPercent: 100, minSuccessPercent: 80, soakMinutes: 0 } }));
    let n = 0;
    fleet.settle(() => (n++ < 3 ? 'FAILED' : 'SUCCEEDED'));
    const r = await advanceRollout(ctx);
    assert.equal(r.status, 'paused');
    assert.match(r.reason ?? '', /Only 7 of 10 devices succeeded \(70 %\), less than the 80 %/);
  });

  it('a passing gate waits for the soak time, then starts the next wave on its own', async () => {
    await createRollout(ctx, plan());
    fleet.settle(() => 'SUCCEEDED');
    let r = await advanceRollout(ctx);
    assert.match(r.summary, /soaking until 2026-12-01T08:30:00.000Z/);
    assert.equal(fleet.jobs.length, 1);
    clock += 29 * 60_000;
    await advanceRollout(ctx);
    assert.equal(fleet.jobs.length, 1, 'still soaking after 29 minutes');
    clock += 60_000;
    r = await advanceRollout(ctx);
    assert.match(r.summary, /wave 2 of 4/);
    assert.equal(fleet.jobs.length, 2, 'wave 2 starts once the 30 minutes are over');
    assert.equal(fleet.jobs[1].devices.length, 20);
    const st = await state();
    assert.deepEqual(st.events.map((e) => e.kind), ['created', 'wave-started', 'gate-passed', 'soaked', 'wave-started']);
  });

  it('with auto false the rollout waits for a person after each gate; resume starts the next wave', async () => {
    await createRollout(ctx, plan({ gates: { minFinishedPercent: 100, soakMinutes: 0, auto: false } }));
    fleet.settle(() => 'SUCCEEDED');
    let r = await advanceRollout(ctx);
    assert.equal(r.status, 'paused');
    assert.equal(r.pausedBy, 'approval');
    assert.equal(fleet.jobs.length, 1);
    r = await resumeRollout(ctx);
    assert.equal(r.status, 'running');
    assert.equal(fleet.jobs.length, 2);
    assert.ok(r.did.some((d) => d.includes('for 20 named devices')));
  });

  it('pause cancels only the queued tasks of the running wave; resume restarts exactly who was left; abort cancels everything', async () => {
    await createRollout(ctx, plan({ gates: { minFinishedPercent: 100, soakMinutes: 0 } }));
    fleet.settle(() => 'SUCCEEDED');
    await advanceRollout(ctx); // wave 2: 20 devices
    const wave2 = fleet.jobs[1];
    let n = 0;
    fleet.settle((_t, job) => (job === wave2 && n++ < 5 ? 'IN_PROGRESS' : null));
    const paused = await pauseRollout(ctx);
    assert.equal(paused.status, 'paused');
    const cancel = fleet.calls('CancelOTATaskByJob');
    assert.equal(cancel.length, 1);
    assert.equal(cancel[0].params.JobId, wave2.id);
    assert.deepEqual(
      [cancel[0].params.CancelScheduledTask, cancel[0].params.CancelUnconfirmedTask, cancel[0].params.CancelQueuedTask, cancel[0].params.CancelInProgressTask],
      ['true', 'true', 'true', undefined],
    );
    assert.match(paused.did.join(' '), new RegExp(`Cancelled the scheduled, unconfirmed and queued tasks of job ${wave2.id}`));
    const st = await state();
    assert.equal(st.waves[1].left.length, 15);
    assert.equal(wave2.tasks.filter((t) => t.status === 'IN_PROGRESS').length, 5, 'devices upgrading go on');

    // Pausing twice does nothing more.
    const again = await pauseRollout(ctx);
    assert.equal(fleet.calls('CancelOTATaskByJob').length, 1);
    assert.match(again.summary, /Nothing to pause/);

    const resumed = await resumeRollout(ctx);
    assert.equal(resumed.status, 'running');
    assert.equal(fleet.jobs.length, 3);
    assert.deepEqual(names(fleet.jobs[2]), [...st.waves[1].left].sort(), 'the restart job holds exactly the 15 left out');
    assert.deepEqual(fleet.overlaps, []);

    const aborted = await abortRollout(ctx);
    assert.equal(aborted.status, 'aborted');
    const cancels = fleet.calls('CancelOTATaskByJob').slice(1);
    assert.deepEqual(cancels.map((c) => c.params.JobId).sort(), [wave2.id, fleet.jobs[2].id].sort());
    assert.ok(cancels.every((c) => c.params.CancelInProgressTask === 'true'));
    assert.ok(wave2.tasks.every((t) => t.status !== 'IN_PROGRESS' && t.status !== 'QUEUED'));
    assert.equal(EXIT_FOR_STATUS.aborted, 5);
    const end = await state();
    assert.deepEqual(end.waves.map((w) => w.status), ['passed', 'aborted', 'aborted', 'aborted']);
  });

  it('a crash right after a job was created loses nothing: the next advance finds the job by its tag', async () => {
    await createRollout(ctx, plan({ gates: { minFinishedPercent: 100, soakMinutes: 0 } }));
    fleet.settle(() => 'SUCCEEDED');
    const real = ctx.cloud;
    const crashing: RolloutCloud = {
      reports: real.reports,
      maxDevicesPerJob: real.maxDevicesPerJob,
      listPopulation: (p, o) => real.listPopulation(p, o),
      findJob: (p, t, s, sig) => real.findJob(p, t, s, sig),
      listTasks: (j, sig) => real.listTasks(j, sig),
      cancelQueued: (j, sig) => real.cancelQueued(j, sig),
      cancelUnfinished: (j, sig) => real.cancelUnfinished(j, sig),
      retryTasks: (j, ids, sig) => real.retryTasks(j, ids, sig),
      createJob: async (input, sig) => {
        await real.createJob(input, sig);
        throw new Error('the process died here');
      },
    };
    await assert.rejects(advanceRollout({ ...ctx, cloud: crashing }), /the process died here/);
    assert.equal(fleet.jobs.length, 2, 'the cloud has the wave 2 job');
    const mid = await state();
    assert.equal(mid.waves[1].status, 'starting');
    assert.equal(mid.waves[1].jobs.length, 0, 'the file never heard of it');
    assert.equal(mid.waves[1].pendingJobs.length, 1);

    const r = await advanceRollout(ctx);
    assert.equal(fleet.calls('CreateOTAStaticUpgradeJob').length, 2, 'no second job for the same devices');
    assert.ok(r.did.some((d) => d.includes(`Found job ${fleet.jobs[1].id}`)));
    const st = await state();
    assert.equal(st.waves[1].status, 'running');
    assert.deepEqual(st.waves[1].jobs.map((j) => j.jobId), [fleet.jobs[1].id]);
    assert.deepEqual(fleet.overlaps, []);
  });

  it('refuses plans it cannot follow with a message naming the field', async () => {
    await assert.rejects(createRollout(ctx, plan({ waves: [{ percent: 50 }, { percent: 10 }] })), /"percent" of wave 2 is 10, less than the 50 before it/);
    await assert.rejects(createRollout(ctx, plan({ waves: [{ count: 5, percent: 5 }] })), /exactly one of "devices", "count" or "percent"/);
    await assert.rejects(createRollout(ctx, plan({ gates: { maxFailure: 5 } })), /unknown field "maxFailure"/);
    await assert.rejects(createRollout(ctx, plan({ waves: [{ devices: ['nope-1'] }] })), /Wave 1 names a device not in the population: nope-1/);
    await assert.rejects(createRollout(ctx, plan({ name: 'a b' })), /may hold only letters/);
    await createRollout(ctx, plan(), { start: false });
    await assert.rejects(createRollout(ctx, plan()), /exists already/);
  });
});
