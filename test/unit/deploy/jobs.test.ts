import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import {
  cancelDynamicStrategy,
  cancelTasks,
  confirmTasks,
  createJob,
  deleteFirmware,
  parseCancelStates,
  parseDeviceList,
  resolveJobPlan,
  retryFailedTasks,
} from '../../../src/core/deploy/jobs';
import { uploadFirmware } from '../../../src/core/deploy/upload';
import { names, openDeploySandbox, rejectsWith, type DeploySandbox } from './helpers';

const WX = SANDBOX_DEMO.weather.productKey;
const PLUG = SANDBOX_DEMO.plug.productKey;

describe('deploy: device lists and task states', () => {
  it('reads device names one per line or comma separated, with # comments, without repeats', () => {
    const text = '\uFEFF# beta devices\nplug-0001, plug-0002\r\n  plug-0003  # the one on the desk\n\n#plug-0004\nplug-0001,plug-0005,\n';
    assert.deepEqual(parseDeviceList(text), ['plug-0001', 'plug-0002', 'plug-0003', 'plug-0005']);
  });

  it('merges a device file into a SPECIFIC plan, and refuses an empty or misplaced one', async () => {
    const t = await openDeploySandbox();
    try {
      const file = join(t.tmp, 'devices.txt');
      await writeFile(file, 'wx-0002\nwx-0003 # spare\n');
      const plan = await resolveJobPlan({ target: 'SPECIFIC', deviceNames: ['wx-0001', 'wx-0002'], devicesFile: file });
      assert.deepEqual(plan.deviceNames, ['wx-0001', 'wx-0002', 'wx-0003']);
      assert.equal('devicesFile' in plan, false);
      const empty = join(t.tmp, 'empty.txt');
      await writeFile(empty, '# nobody yet\n');
      await rejectsWith(resolveJobPlan({ target: 'SPECIFIC', devicesFile: empty }), 'invalid-input', /names no devices/);
      await rejectsWith(resolveJobPlan({ target: 'ALL', devicesFile: file }), 'invalid-input', /SPECIFIC jobs only/);
      await rejectsWith(resolveJobPlan({ target: 'SPECIFIC', devicesFile: join(t.tmp, 'missing.txt') }), 'invalid-input', /Cannot read the device list .*ENOENT/);
    } finally {
      await t.dispose();
    }
  });

  it('parses the task states to cancel', () => {
    assert.deepEqual(parseCancelStates('queued,notified'), ['queued', 'notified']);
    assert.deepEqual(parseCancelStates(['IN_PROGRESS', 'CONFIRM']), ['in-progress', 'confirm']);
    assert.deepEqual(parseCancelStates('pending'), ['scheduled', 'confirm', 'queued', 'notified']);
    assert.deepEqual(parseCancelStates('all'), ['scheduled', 'confirm', 'queued', 'notified', 'in-progress']);
    assert.throws(() => parseCancelStates('succeeded'), /"succeeded" is not a task state that can be cancelled/);
  });
});

describe('deploy: upgrade jobs and their actions', () => {
  let t: DeploySandbox;
  let failing: DeploySandbox;
  let wxFirmware: string;
  let plugFirmware: string;
  before(async () => {
    t = await openDeploySandbox();
    failing = await openDeploySandbox({ failureRate: 1 });
    const file = await t.image('jobs.bin', 2000);
    wxFirmware = (await uploadFirmware(t.client, { file, version: '2.0.0', productKey: WX, moduleName: 'mcu', needToVerify: false })).firmwareId;
    plugFirmware = (await uploadFirmware(t.client, { file, version: '2.0.0', productKey: PLUG, needToVerify: false })).firmwareId;
  });
  after(async () => {
    await t.dispose();
    await failing.dispose();
  });

  it('creates SPECIFIC, GRAY and GROUP jobs that reach the right devices', async () => {
    const specific = await createJob(t.client, wxFirmware, WX, { target: 'SPECIFIC', deviceNames: ['wx-0011', 'wx-0012'], timeoutInMinutes: 30 });
    assert.deepEqual((await t.client.listTasks(specific.jobId)).map((x) => x.deviceName).sort(), ['wx-0011', 'wx-0012']);
    const gray = await createJob(t.client, plugFirmware, PLUG, { target: 'GRAY', grayPercent: 10, maximumPerMinute: 100, overwriteMode: 1 });
    assert.equal((await t.client.getJob(gray.jobId)).grayPercent, '10');
    assert.equal((await t.client.listTasks(gray.jobId)).length, 30, '10 % of 300 plugs');
    const group = await createJob(t.client, plugFirmware, PLUG, {
      target: 'GROUP',
      groupId: SANDBOX_DEMO.groups.betaTesters,
      srcVersions: ['1.0.0'],
      retryInterval: 10,
      retryCount: 2,
      overwriteMode: 2,
    });
    const job = await t.client.getJob(group.jobId);
    assert.deepEqual([job.targetSelection, job.srcVersions, job.retryInterval, job.retryCount], ['GROUP', ['1.0.0'], 10, 2]);
    assert.equal((await t.client.listTasks(group.jobId)).length, 20, 'the beta testers group holds 20 plugs');
  });

  it('says which device names are unknown', async () => {
    const error = await rejectsWith(
      createJob(t.client, wxFirmware, WX, { target: 'SPECIFIC', deviceNames: ['wx-0001', 'wx-9998', 'wx-9999'] }),
      'invalid-input',
      /^Unknown device names: These 2 devices do not exist in product a1WthrStm32: wx-9998, wx-9999\.$/,
    );
    assert.match(error.hint ?? '', /belong to product a1WthrStm32/);
  });

  it('schedules a job, and cancels its scheduled tasks', async () => {
    const job = await createJob(t.client, wxFirmware, WX, { target: 'SPECIFIC', deviceNames: ['wx-0020'], scheduleTime: Date.now() + 3_600_000 });
    assert.equal((await t.client.getJob(job.jobId)).status, 'PLANNED');
    assert.deepEqual(await cancelTasks(t.client, job.jobId, 'scheduled'), ['scheduled']);
    assert.equal((await t.client.getJob(job.jobId)).status, 'CANCELED');
    assert.deepEqual((await t.client.listTasks(job.jobId)).map((x) => x.status), ['CANCELED']);
  });

  it('cancels only the tasks in the states asked for', async () => {
    const job = await createJob(t.client, wxFirmware, WX, { target: 'SPECIFIC', deviceNames: names('wx-', 21, 12), needConfirm: true });
    const tasks = await t.client.listTasks(job.jobId);
    await confirmTasks(t.client, { taskIds: tasks.slice(0, 2).map((x) => x.id) });
    await cancelTasks(t.client, job.jobId, ['confirm']);
    const counts = await t.client.countTasksByStatus(job.jobId);
    assert.equal(counts.CANCELED, 10);
    assert.equal(counts.QUEUED, 2);
  });

  it('confirms every waiting task of a needConfirm job in batches of 10', async () => {
    const job = await createJob(t.client, wxFirmware, WX, { target: 'SPECIFIC', deviceNames: names('wx-', 1, 10).concat(['wx-0033', 'wx-0034']), needConfirm: true });
    assert.equal((await t.client.countTasksByStatus(job.jobId)).CONFIRM, 12);
    const batches: number[] = [];
    const confirmed = await confirmTasks(t.client, { jobId: job.jobId, onBatch: (done) => batches.push(done) });
    assert.equal(confirmed.length, 12);
    assert.deepEqual(batches, [10, 12]);
    const counts = await t.client.countTasksByStatus(job.jobId);
    assert.equal(counts.CONFIRM, 0);
    assert.equal(counts.QUEUED, 12);
    assert.deepEqual(await confirmTasks(t.client, { jobId: job.jobId }), [], 'nothing left to confirm');
  });

  it('retries the failed tasks of a job in batches of 10', async () => {
    const file = await failing.image('fails.bin', 1000);
    const { firmwareId } = await uploadFirmware(failing.client, { file, version: '7.0.0', productKey: WX, moduleName: 'mcu', needToVerify: false });
    const job = await createJob(failing.client, firmwareId, WX, { target: 'SPECIFIC', deviceNames: names('wx-', 1, 12) });
    for (let i = 0; i < 50 && (await failing.client.getJob(job.jobId)).status !== 'COMPLETED'; i++) await failing.sandbox.tick();
    assert.equal((await failing.client.countTasksByStatus(job.jobId)).FAILED, 12);
    const batches: number[] = [];
    const retried = await retryFailedTasks(failing.client, job.jobId, { onBatch: (done) => batches.push(done) });
    assert.equal(retried.length, 12);
    assert.deepEqual(batches, [10, 12]);
    const counts = await failing.client.countTasksByStatus(job.jobId);
    assert.deepEqual([counts.FAILED, counts.QUEUED], [0, 12]);
    assert.equal((await failing.client.getJob(job.jobId)).status, 'IN_PROGRESS', 'the job runs again');
    // Tasks that did not fail are refused by the service, which names them.
    await rejectsWith(retryFailedTasks(failing.client, job.jobId, { taskIds: [retried[0]] }), 'invalid-input', /only FAILED or CANCELED tasks can be upgraded again/);
  });

  it('runs a dynamic job and cancels its strategy; a static job has none', async () => {
    const job = await createJob(t.client, wxFirmware, WX, { target: 'GROUP', groupId: SANDBOX_DEMO.groups.rooftop, dynamic: true, dynamicMode: 1 });
    assert.equal(job.dynamic, true);
    const before = await t.client.getJob(job.jobId);
    assert.deepEqual([before.selection, before.dynamicMode], ['DYNAMIC', 1]);
    await cancelDynamicStrategy(t.client, job.jobId);
    for (let i = 0; i < 60 && (await t.client.getJob(job.jobId)).status === 'IN_PROGRESS'; i++) await t.sandbox.tick();
    assert.equal((await t.client.getJob(job.jobId)).status, 'COMPLETED', 'with its strategy cancelled, the job ends when its tasks do');
    const staticJob = await createJob(t.client, wxFirmware, WX, { target: 'SPECIFIC', deviceNames: ['wx-0040'] });
    await rejectsWith(cancelDynamicStrategy(t.client, staticJob.jobId), 'invalid-input', /is a static job: only dynamic jobs have a strategy/);
    await rejectsWith(createJob(t.client, wxFirmware, WX, { target: 'GRAY', grayPercent: 5, dynamic: true }), 'invalid-input', /dynamic job targets ALL devices or a GROUP, not GRAY/);
  });

  it('refuses to delete firmware while a job of it runs, naming the job, and deletes it once it ended', async () => {
    const file = await t.image('delete-me.bin', 1000, 3);
    const { firmwareId } = await uploadFirmware(t.client, { file, version: '8.0.0', productKey: WX, moduleName: 'mcu', needToVerify: false });
    const job = await createJob(t.client, firmwareId, WX, { target: 'SPECIFIC', deviceNames: ['wx-0035', 'wx-0036'] });
    t.sandbox.resetStats();
    await rejectsWith(deleteFirmware(t.client, firmwareId), 'failed', new RegExp(`^Firmware ${firmwareId} cannot be deleted while its job ${job.jobId} \\(IN_PROGRESS\\) runs\\.$`));
    assert.equal(t.sandbox.stats.errorsByCode['iot.ota.FirmwareHasRunningJob'], undefined, 'refused before asking the service');
    await cancelTasks(t.client, job.jobId, 'all');
    assert.equal((await t.client.getJob(job.jobId)).status, 'CANCELED');
    await deleteFirmware(t.client, firmwareId);
    await rejectsWith(t.client.getFirmware(firmwareId), 'not-found', /does not exist/);
  });
});
