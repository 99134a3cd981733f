import assert from 'node:assert/strict';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import {
  allTasks,
  countBy,
  createFirmware,
  fails,
  jobStatus,
  ok,
  openSandbox,
  TestClock,
  tickUntilJob,
  type Json,
  type TestSandbox,
} from './helpers';

const PK = SANDBOX_DEMO.plug.productKey;
const WX = SANDBOX_DEMO.weather.productKey;

function devices(from: number, count: number): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < count; i++) params[`TargetDeviceName.${i + 1}`] = `plug-${String(from + i).padStart(4, '0')}`;
  return params;
}

async function createJob(t: TestSandbox, params: Record<string, string | number | boolean>, action = 'CreateOTAStaticUpgradeJob'): Promise<string> {
  return ((await ok(t.sandbox, action, params)).Data as Json).JobId as string;
}

describe('sandbox: upload -> verify -> upgrade -> completed', () => {
  let t: TestSandbox;
  before(async () => {
    t = await openSandbox({ failureRate: 0.3, randomSeed: 42 });
  });
  after(async () => {
    await t.dispose();
  });

  it('verifies firmware through a verify job, then rolls it out with failures at the configured rate', async () => {
    const firmwareId = await createFirmware(t.sandbox, { ProductKey: PK, DestVersion: '1.5.0', ModuleName: 'default' });
    // Not verified yet: no upgrade job.
    const refused = await fails(
      t.sandbox,
      'CreateOTAStaticUpgradeJob',
      { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'ALL' },
      'iot.ota.FirmwareNotVerified',
    );
    assert.match(refused.body.ErrorMessage as string, /verify job/);

    // The verify job: a handful of devices; with a 30 % failure rate the seed below passes verification.
    const verifyJob = await createJob(
      t,
      { FirmwareId: firmwareId, ProductKey: PK, TimeoutInMinutes: 60, ...devices(1, 2) },
      'CreateOTAVerifyJob',
    );
    const job = (await ok(t.sandbox, 'QueryOTAJob', { JobId: verifyJob })).Data as Json;
    assert.equal(job.JobType, 'VERIFY_FIRMWARE');
    const progress: number[] = [];
    for (let i = 0; i < 100 && (await jobStatus(t.sandbox, verifyJob)) !== 'COMPLETED'; i++) {
      const info = (await ok(t.sandbox, 'QueryOTAFirmware', { FirmwareId: firmwareId })).FirmwareInfo as Json;
      assert.equal(info.Status, 2, 'verifying while the verify job runs');
      progress.push(info.VerifyProgress as number);
      await t.sandbox.tick();
    }
    assert.equal(await jobStatus(t.sandbox, verifyJob), 'COMPLETED');
    assert.ok(progress.some((p) => p > 0 && p < 100), `verify progress rose through ${progress.join(',')}`);
    assert.deepEqual([...progress].sort((a, b) => a - b), progress, 'verify progress never falls');
    // A failed verification can be retried by upgrading the failed verify tasks again.
    for (let round = 0; round < 10; round++) {
      const status = ((await ok(t.sandbox, 'QueryOTAFirmware', { FirmwareId: firmwareId })).FirmwareInfo as Json).Status;
      if (status === 1) break;
      assert.equal(status, 3, 'a verify job with a failed task fails verification');
      const failed = (await allTasks(t.sandbox, verifyJob)).filter((x) => x.TaskStatus === 'FAILED');
      assert.ok(failed.length > 0);
      const ids: Record<string, string> = {};
      failed.forEach((x, i) => (ids[`TaskId.${i + 1}`] = x.TaskId as string));
      await ok(t.sandbox, 'ReupgradeOTATask', { JobId: verifyJob, ...ids });
      assert.equal(((await ok(t.sandbox, 'QueryOTAFirmware', { FirmwareId: firmwareId })).FirmwareInfo as Json).Status, 2);
      await tickUntilJob(t.sandbox, verifyJob, 'COMPLETED');
    }
    const verified = (await ok(t.sandbox, 'QueryOTAFirmware', { FirmwareId: firmwareId })).FirmwareInfo as Json;
    assert.equal(verified.Status, 1);
    assert.equal(verified.VerifyProgress, 100);
    assert.deepEqual(countBy(await allTasks(t.sandbox, verifyJob)), { SUCCEEDED: 2 });

    // The rollout: 60 specific devices.
    const jobId = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'SPECIFIC', MaximumPerMinute: 600, ...devices(11, 60) });
    const seen = new Set<string>();
    for (let i = 0; i < 200 && (await jobStatus(t.sandbox, jobId)) !== 'COMPLETED'; i++) {
      for (const task of await allTasks(t.sandbox, jobId)) seen.add(task.TaskStatus as string);
      await t.sandbox.tick();
    }
    assert.equal(await jobStatus(t.sandbox, jobId), 'COMPLETED');
    for (const s of ['QUEUED', 'NOTIFIED', 'IN_PROGRESS']) assert.ok(seen.has(s), `tasks passed through ${s}`);
    const tasks = await allTasks(t.sandbox, jobId);
    const counts = countBy(tasks);
    assert.equal((counts.SUCCEEDED ?? 0) + (counts.FAILED ?? 0), 60, JSON.stringify(counts));
    assert.ok((counts.FAILED ?? 0) >= 6 && (counts.FAILED ?? 0) <= 36, `about 30 % failed: ${JSON.stringify(counts)}`);
    for (const failed of tasks.filter((x) => x.TaskStatus === 'FAILED')) {
      assert.match(failed.TaskDesc as string, /download failed|timeout|verification failed|flash write failed|upgrade failed/);
    }
    for (const done of tasks.filter((x) => x.TaskStatus === 'SUCCEEDED')) assert.equal(done.Progress, '100.00');
    const info = (await ok(t.sandbox, 'QueryOTAJob', { JobId: jobId })).Data as Json;
    assert.ok(info.UtcEndTime, 'a completed job has an end time');
    assert.equal(info.DestVersion, '1.5.0');

    // Devices that succeeded now run 1.5.0: an ALL job for 1.5.0 leaves them out.
    const allJob = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'ALL' });
    const allTasksOfJob = await allTasks(t.sandbox, allJob);
    assert.equal(allTasksOfJob.length, 300 - (counts.SUCCEEDED ?? 0) - 2);
  });
});

describe('sandbox: job options', () => {
  let t: TestSandbox;
  let firmwareId: string;
  const clock = new TestClock();
  beforeEach(async () => {
    t = await openSandbox({ failureRate: 0, now: clock.now });
    firmwareId = await createFirmware(t.sandbox, { ProductKey: PK, DestVersion: '2.0.0', NeedToVerify: false });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('keeps need-confirm tasks in CONFIRM until ConfirmOTATask', async () => {
    const jobId = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'SPECIFIC', NeedConfirm: true, ...devices(1, 3) });
    for (let i = 0; i < 5; i++) await t.sandbox.tick();
    let tasks = await allTasks(t.sandbox, jobId);
    assert.deepEqual(countBy(tasks), { CONFIRM: 3 });
    const first = tasks[0]?.TaskId as string;
    await ok(t.sandbox, 'ConfirmOTATask', { 'TaskId.1': first }, { method: 'POST' });
    const again = await fails(t.sandbox, 'ConfirmOTATask', { 'TaskId.1': first }, 'InvalidParameter', { method: 'POST' });
    assert.match(again.body.Message as string, /CONFIRM/);
    await fails(t.sandbox, 'ConfirmOTATask', devicesToTaskIds(tasks, 11), 'InvalidParameter', { method: 'POST' });
    for (let i = 0; i < 20; i++) await t.sandbox.tick();
    tasks = await allTasks(t.sandbox, jobId);
    assert.deepEqual(countBy(tasks), { SUCCEEDED: 1, CONFIRM: 2 });
    assert.equal(await jobStatus(t.sandbox, jobId), 'IN_PROGRESS');
    const rest = tasks.filter((x) => x.TaskStatus === 'CONFIRM');
    await ok(t.sandbox, 'ConfirmOTATask', { 'TaskId.1': rest[0]?.TaskId as string, 'TaskId.2': rest[1]?.TaskId as string }, { method: 'POST' });
    await tickUntilJob(t.sandbox, jobId, 'COMPLETED');
  });

  it('re-upgrades FAILED or CANCELED tasks only, up to 10 at once', async () => {
    const jobId = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'SPECIFIC', ...devices(1, 12) });
    await ok(t.sandbox, 'CancelOTATaskByJob', { JobId: jobId, CancelQueuedTask: true });
    assert.equal(await jobStatus(t.sandbox, jobId), 'CANCELED');
    const tasks = await allTasks(t.sandbox, jobId);
    assert.deepEqual(countBy(tasks), { CANCELED: 12 });
    await fails(t.sandbox, 'ReupgradeOTATask', { JobId: jobId, ...devicesToTaskIds(tasks, 11) }, 'InvalidParameter');
    await fails(t.sandbox, 'ReupgradeOTATask', { JobId: jobId }, 'MissingParameter');
    await fails(t.sandbox, 'ReupgradeOTATask', { JobId: jobId, 'TaskId.1': 'NotATask' }, 'InvalidParameter');
    await ok(t.sandbox, 'ReupgradeOTATask', { JobId: jobId, ...devicesToTaskIds(tasks, 10) });
    assert.equal(await jobStatus(t.sandbox, jobId), 'IN_PROGRESS');
    await tickUntilJob(t.sandbox, jobId, 'COMPLETED');
    const after = await allTasks(t.sandbox, jobId);
    assert.deepEqual(countBy(after), { SUCCEEDED: 10, CANCELED: 2 });
    const { body } = await fails(t.sandbox, 'ReupgradeOTATask', { JobId: jobId, 'TaskId.1': after[0]?.TaskId as string }, 'InvalidParameter');
    assert.match(body.Message as string, /only FAILED or CANCELED/);
  });

  it('cancels tasks by state only', async () => {
    const jobId = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'SPECIFIC', MaximumPerMinute: 10, ...devices(1, 20) });
    await t.sandbox.tick(); // one notified per tick at 10 a minute
    await t.sandbox.tick();
    const before = countBy(await allTasks(t.sandbox, jobId));
    assert.ok((before.QUEUED ?? 0) > 0 && (before.QUEUED ?? 0) < 20, JSON.stringify(before));
    await fails(t.sandbox, 'CancelOTATaskByJob', { JobId: jobId }, 'InvalidParameter');
    await ok(t.sandbox, 'CancelOTATaskByJob', { JobId: jobId, CancelQueuedTask: true });
    const after = countBy(await allTasks(t.sandbox, jobId));
    assert.equal(after.CANCELED, before.QUEUED);
    assert.equal(after.QUEUED, undefined);
    assert.equal((after.NOTIFIED ?? 0) + (after.IN_PROGRESS ?? 0), (before.NOTIFIED ?? 0) + (before.IN_PROGRESS ?? 0));
    await tickUntilJob(t.sandbox, jobId, 'COMPLETED');
  });

  it('refuses to delete firmware while a job runs, and deletes it afterwards', async () => {
    const jobId = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'SPECIFIC', ...devices(1, 2) });
    const { body } = await fails(t.sandbox, 'DeleteOTAFirmware', { FirmwareId: firmwareId }, 'iot.ota.FirmwareHasRunningJob');
    assert.ok((body.ErrorMessage as string).includes(jobId));
    await tickUntilJob(t.sandbox, jobId, 'COMPLETED');
    await ok(t.sandbox, 'DeleteOTAFirmware', { FirmwareId: firmwareId });
    await fails(t.sandbox, 'QueryOTAJob', { JobId: jobId }, 'iot.ota.JobNotFound');
  });

  it('refuses unknown device names and names them', async () => {
    const { body } = await fails(
      t.sandbox,
      'CreateOTAStaticUpgradeJob',
      { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'SPECIFIC', 'TargetDeviceName.1': 'plug-0001', 'TargetDeviceName.2': 'ghost-1', 'TargetDeviceName.3': 'ghost-2' },
      'iot.device.NotExistedDevice',
    );
    assert.match(body.ErrorMessage as string, /ghost-1, ghost-2/);
    assert.doesNotMatch(body.ErrorMessage as string, /plug-0001/);
  });

  it('validates the job parameters', async () => {
    const base = { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'ALL' };
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, TargetSelection: 'SOME' }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, TargetSelection: 'SPECIFIC', ...devices(1, 201) }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, TargetSelection: 'SPECIFIC' }, 'MissingParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, TargetSelection: 'GRAY' }, 'MissingParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, TargetSelection: 'GRAY', GrayPercent: '10.1234' }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, TargetSelection: 'GRAY', GrayPercent: '0' }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, TargetSelection: 'GROUP', GroupId: 'nope' }, 'iot.group.NotExistedGroup');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, RetryInterval: 15, RetryCount: 1 }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, RetryInterval: 10, RetryCount: 3 }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, RetryInterval: 10 }, 'MissingParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, TimeoutInMinutes: 0 }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, TimeoutInMinutes: 1441 }, 'InvalidParameter');
    const src: Record<string, string> = {};
    for (let i = 1; i <= 11; i++) src[`SrcVersion.${i}`] = `0.${i}.0`;
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, ...src }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, ScheduleTime: clock.ms - 1 }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, ProductKey: WX }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAVerifyJob', { FirmwareId: firmwareId, ProductKey: PK, TimeoutInMinutes: 10, ...devices(1, 1) }, 'iot.ota.FirmwareVerifyNotAllowed');
    await ok(t.sandbox, 'CreateOTAStaticUpgradeJob', { ...base, RetryInterval: 1440, RetryCount: 5, TimeoutInMinutes: 1440 });
  });

  it('picks devices by GRAY percent, GROUP and source version', async () => {
    const gray = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'GRAY', GrayPercent: '50', OverwriteMode: 2 });
    assert.equal((await allTasks(t.sandbox, gray)).length, 150);
    const group = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'GROUP', GroupId: SANDBOX_DEMO.groups.betaTesters, OverwriteMode: 2 });
    const groupTasks = await allTasks(t.sandbox, group);
    assert.deepEqual(groupTasks.map((x) => x.DeviceName), Array.from({ length: 20 }, (_, i) => `plug-${String(i + 1).padStart(4, '0')}`));
    const none = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'ALL', 'SrcVersion.1': '0.0.1' });
    assert.equal((await allTasks(t.sandbox, none)).length, 0);
    const data = (await ok(t.sandbox, 'QueryOTAJob', { JobId: group })).Data as Json;
    assert.equal(data.TargetSelection, 'GROUP');
    assert.equal(data.GroupName, 'beta-testers');
    assert.equal(data.OverwriteMode, 2);
    const overwritten = countBy(await allTasks(t.sandbox, gray));
    assert.ok((overwritten.CANCELED ?? 0) > 0, 'overwrite mode 2 cancelled the gray job\'s tasks of the group\'s devices');
  });

  it('keeps a scheduled job PLANNED until its time, then runs it', async () => {
    const jobId = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'SPECIFIC', ScheduleTime: clock.ms + 3_600_000, ...devices(1, 2) });
    assert.equal(await jobStatus(t.sandbox, jobId), 'PLANNED');
    for (let i = 0; i < 5; i++) await t.sandbox.tick();
    assert.equal(await jobStatus(t.sandbox, jobId), 'PLANNED');
    assert.deepEqual(countBy(await allTasks(t.sandbox, jobId)), { QUEUED: 2 });
    clock.advance(3_600_000);
    await tickUntilJob(t.sandbox, jobId, 'COMPLETED');
    const data = (await ok(t.sandbox, 'QueryOTAJob', { JobId: jobId })).Data as Json;
    assert.ok(data.UtcScheduleTime);
    assert.ok(data.UtcStartTime);
  });

  it('cancels the tasks of a scheduled job', async () => {
    const jobId = await createJob(t, { FirmwareId: firmwareId, ProductKey: PK, TargetSelection: 'SPECIFIC', ScheduleTime: clock.ms + 3_600_000, ...devices(1, 2) });
    await ok(t.sandbox, 'CancelOTATaskByJob', { JobId: jobId, CancelScheduledTask: true });
    assert.equal(await jobStatus(t.sandbox, jobId), 'CANCELED');
  });
});

describe('sandbox: failures, retries, timeouts and dynamic jobs', () => {
  let t: TestSandbox;
  const clock = new TestClock();
  beforeEach(async () => {
    t = await openSandbox({ failureRate: 1, now: clock.now });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('retries failed tasks RetryCount times, then leaves them FAILED; verification fails', async () => {
    const fw = await createFirmware(t.sandbox, { ProductKey: PK, DestVersion: '3.0.0' });
    const verify = await createJob(t, { FirmwareId: fw, ProductKey: PK, TimeoutInMinutes: 5, ...devices(1, 1) }, 'CreateOTAVerifyJob');
    await tickUntilJob(t.sandbox, verify, 'COMPLETED');
    assert.equal(((await ok(t.sandbox, 'QueryOTAFirmware', { FirmwareId: fw })).FirmwareInfo as Json).Status, 3);

    const ok2 = await createFirmware(t.sandbox, { ProductKey: PK, DestVersion: '3.0.1', NeedToVerify: false });
    const jobId = await createJob(t, { FirmwareId: ok2, ProductKey: PK, TargetSelection: 'SPECIFIC', RetryInterval: 0, RetryCount: 2, ...devices(1, 3) });
    const descs = new Set<string>();
    for (let i = 0; i < 200 && (await jobStatus(t.sandbox, jobId)) !== 'COMPLETED'; i++) {
      for (const task of await allTasks(t.sandbox, jobId)) if (task.TaskDesc) descs.add(task.TaskDesc as string);
      await t.sandbox.tick();
    }
    assert.equal(await jobStatus(t.sandbox, jobId), 'COMPLETED');
    assert.ok(descs.has('Retry 1 of 2') && descs.has('Retry 2 of 2'), [...descs].join('; '));
    assert.deepEqual(countBy(await allTasks(t.sandbox, jobId)), { FAILED: 3 });
  });

  it('fails tasks that outlive TimeoutInMinutes with "timeout"', async () => {
    await t.dispose();
    t = await openSandbox({ failureRate: 0, now: clock.now });
    const fw = await createFirmware(t.sandbox, { ProductKey: PK, DestVersion: '3.1.0', NeedToVerify: false });
    const jobId = await createJob(t, { FirmwareId: fw, ProductKey: PK, TargetSelection: 'SPECIFIC', TimeoutInMinutes: 1, ...devices(1, 4) });
    await t.sandbox.tick();
    clock.advance(61_000);
    await t.sandbox.tick();
    const tasks = await allTasks(t.sandbox, jobId);
    assert.deepEqual(countBy(tasks), { FAILED: 4 });
    assert.ok(tasks.every((x) => x.TaskDesc === 'timeout'));
    await tickUntilJob(t.sandbox, jobId, 'COMPLETED');
  });

  it('lets devices join a dynamic job until its strategy is cancelled', async () => {
    await t.dispose();
    t = await openSandbox({ failureRate: 0, now: clock.now });
    const fw = await createFirmware(t.sandbox, { ProductKey: WX, DestVersion: '2.5.0', ModuleName: 'mcu', NeedToVerify: false });
    const jobId = await createJob(t, { FirmwareId: fw, ProductKey: WX, DynamicMode: 2, 'SrcVersion.1': '1.9.3' }, 'CreateOTADynamicUpgradeJob');
    assert.equal((await allTasks(t.sandbox, jobId)).length, 0, 'mode 2 waits for devices to report');
    for (let i = 0; i < 10; i++) await t.sandbox.tick();
    const joined = (await allTasks(t.sandbox, jobId)).length;
    assert.ok(joined > 0 && joined < 40, `${joined} devices joined`);
    await fails(t.sandbox, 'CancelOTAStrategyByJob', { JobId: 'nope' }, 'iot.ota.JobNotFound');
    await ok(t.sandbox, 'CancelOTAStrategyByJob', { JobId: jobId });
    await tickUntilJob(t.sandbox, jobId, 'COMPLETED');
    const tasks = await allTasks(t.sandbox, jobId);
    assert.ok(tasks.every((x) => x.TaskStatus === 'SUCCEEDED'));
    const data = (await ok(t.sandbox, 'QueryOTAJob', { JobId: jobId })).Data as Json;
    assert.equal(data.SelectionType, 'DYNAMIC');
    assert.equal(data.DynamicMode, 2);
    assert.deepEqual(data.SrcVersions, { SrcVersion: ['1.9.3'] });
    const staticJob = await createJob(t, { FirmwareId: fw, ProductKey: WX, TargetSelection: 'SPECIFIC', 'TargetDeviceName.1': 'wx-0001' });
    await fails(t.sandbox, 'CancelOTAStrategyByJob', { JobId: staticJob }, 'iot.ota.NotDynamicJob');
  });

  it('cancels a device\'s tasks with CancelOTATaskByDevice', async () => {
    const fw = await createFirmware(t.sandbox, { ProductKey: PK, DestVersion: '3.2.0', NeedToVerify: false });
    const jobId = await createJob(t, { FirmwareId: fw, ProductKey: PK, TargetSelection: 'SPECIFIC', ...devices(1, 3) });
    await fails(t.sandbox, 'CancelOTATaskByDevice', { ProductKey: PK, FirmwareId: fw, 'DeviceName.1': 'ghost' }, 'iot.device.NotExistedDevice');
    await ok(t.sandbox, 'CancelOTATaskByDevice', { ProductKey: PK, FirmwareId: fw, JobId: jobId, 'DeviceName.1': 'plug-0002' });
    const tasks = await allTasks(t.sandbox, jobId);
    assert.deepEqual(tasks.map((x) => `${x.DeviceName as string}:${x.TaskStatus as string}`), ['plug-0001:QUEUED', 'plug-0002:CANCELED', 'plug-0003:QUEUED']);
  });
});

function devicesToTaskIds(tasks: Json[], count: number): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < count; i++) params[`TaskId.${i + 1}`] = (tasks[i % tasks.length]?.TaskId as string) + (i >= tasks.length ? `-${i}` : '');
  return params;
}
