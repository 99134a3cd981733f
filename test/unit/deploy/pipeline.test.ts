import assert from 'node:assert/strict';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import { DeployError } from '../../../src/core/deploy/errors';
import type { DeployStep } from '../../../src/core/deploy/events';
import { deploy } from '../../../src/core/deploy/pipeline';
import type { RolloutSnapshot } from '../../../src/core/deploy/rollout';
import { FAKE_PIO, fakePioEnv, TempDirs } from '../platformio/helpers';
import { names, openDeploySandbox, rejectsWith, type DeploySandbox } from './helpers';

const WX = SANDBOX_DEMO.weather.productKey;
const PLUG = SANDBOX_DEMO.plug.productKey;

async function deployError(promise: Promise<unknown>): Promise<DeployError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DeployError, `expected a DeployError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a DeployError');
}

describe('deploy: the pipeline (build -> upload -> verify -> job -> follow)', () => {
  const temp = new TempDirs();
  let t: DeploySandbox;
  before(async () => {
    t = await openDeploySandbox();
  });
  after(async () => {
    await t.dispose();
    temp.cleanup();
  });
  beforeEach(() => t.sandbox.resetStats());

  it('builds with PlatformIO, uploads, verifies, creates the job and follows it to COMPLETED', async () => {
    const project = temp.project('blink');
    const steps: DeployStep[] = [];
    const snapshots: RolloutSnapshot[] = [];
    const uploaded: number[] = [];
    const result = await deploy(
      t.client,
      {
        build: { pio: FAKE_PIO, projectDir: project, env: 'esp32dev', processEnv: fakePioEnv() },
        upload: { version: '1.4.2', productKey: WX, moduleName: 'mcu', description: 'blink' },
        verify: { deviceNames: ['wx-0001', 'wx-0002'], timeoutInMinutes: 30 },
        job: { target: 'SPECIFIC', deviceNames: names('wx-', 1, 6), timeoutInMinutes: 60 },
        guard: { maxFailurePercent: 50, minFinished: 3 },
      },
      {
        wait: t.tick,
        onStep: (s) => steps.push(s),
        onSnapshot: (s) => snapshots.push(s),
        onProgress: (p) => p.stage === 'upload' && uploaded.push(p.done),
      },
    );
    assert.ok(result.builtImage?.endsWith('.pio/build/esp32dev/firmware.bin'), result.builtImage ?? '');
    assert.equal(result.uploaded, true);
    assert.ok(result.verifyJobId && result.jobId);
    assert.equal(result.rollout?.outcome, 'completed');
    assert.equal(result.rollout?.snapshot.succeeded, 6);
    assert.equal(result.summary, `Firmware 1.4.2 uploaded as ID ${result.firmwareId}; job ${result.jobId} created; Job ${result.jobId} COMPLETED: 6 succeeded, 0 failed of 6.`);
    assert.deepEqual(
      [...new Set(steps.filter((s) => s.state === 'started').map((s) => s.stage))],
      ['build', 'hash', 'upload', 'create-firmware', 'verify', 'create-job', 'follow'],
    );
    assert.ok(uploaded.length > 0);
    assert.ok(snapshots.length > 1);
    assert.equal((await t.client.getFirmware(result.firmwareId)).status, 'VERIFIED');
    const tasks = await t.client.listTasks(result.jobId);
    assert.deepEqual(tasks.map((x) => x.status), Array(6).fill('SUCCEEDED'));
  });

  it('stops at a failing build, with its compiler error, before anything is uploaded', async () => {
    const project = temp.project('broken');
    const error = await deployError(
      deploy(t.client, {
        build: { pio: FAKE_PIO, projectDir: project, env: 'esp32dev', processEnv: fakePioEnv() },
        upload: { version: '0.0.2', productKey: WX, needToVerify: false },
      }),
    );
    assert.equal(error.stage, 'build');
    assert.match(error.message, /^Deploy stopped while building: The build of environment "esp32dev" failed: pio exited with code 1\. .*error.*Nothing was created in the cloud\.$/);
    assert.equal(t.sandbox.stats.requests, 0);
  });

  it('refuses an invalid version before building or sending anything', async () => {
    const project = temp.project('blink');
    const error = await deployError(
      deploy(t.client, {
        build: { pio: FAKE_PIO, projectDir: project, env: 'esp32dev', processEnv: fakePioEnv() },
        upload: { version: '1.4.2 (beta)', productKey: WX, needToVerify: false },
      }),
    );
    assert.equal(error.kind, 'invalid-input');
    assert.equal(error.stage, 'validate');
    assert.match(error.message, /The version "1\.4\.2 \(beta\)" contains a space: Alibaba Cloud accepts only letters, digits, "\.", "_" and "-"/);
    assert.equal(t.sandbox.stats.requests, 0);
  });

  it('refuses a job on firmware that must be verified when no devices to verify on are given', async () => {
    const file = await t.image('needs-verify.bin', 1000);
    const error = await deployError(deploy(t.client, { upload: { file, version: '1.5.0', productKey: WX }, job: { target: 'ALL' } }));
    assert.match(error.message, /must be verified before an upgrade job can use it, and no devices to verify on were given/);
    assert.equal(t.sandbox.stats.requests, 0);
  });

  it('cancelled during the upload: says nothing was created', async () => {
    const file = await t.image('big.bin', 2 * 1024 * 1024);
    const controller = new AbortController();
    const error = await deployError(
      deploy(
        t.client,
        { upload: { file, version: '1.6.0', productKey: WX, needToVerify: false } },
        { signal: controller.signal, onProgress: (p) => p.stage === 'upload' && p.done >= 128 * 1024 && controller.abort() },
      ),
    );
    assert.equal(error.kind, 'cancelled');
    assert.equal(error.stage, 'upload');
    assert.equal(error.message, 'Deploy stopped while uploading: cancelled. Nothing was created in the cloud.');
    assert.equal(error.firmwareId, undefined);
    assert.deepEqual(await t.client.listFirmware({ destVersion: '1.6.0' }), []);
  });

  it('cancelled after the upload: names the firmware, says no job exists, and a deploy of that firmware continues', async () => {
    const file = await t.image('half.bin', 3000);
    const controller = new AbortController();
    const error = await deployError(
      deploy(
        t.client,
        { upload: { file, version: '1.7.0', productKey: WX, moduleName: 'mcu', needToVerify: false }, job: { target: 'SPECIFIC', deviceNames: ['wx-0030'] } },
        { signal: controller.signal, onStep: (s) => s.stage === 'create-firmware' && s.state === 'done' && controller.abort() },
      ),
    );
    assert.equal(error.stage, 'create-job');
    assert.ok(error.firmwareId);
    assert.equal(error.jobId, undefined);
    assert.equal(error.message, `Firmware 1.7.0 uploaded as ID ${error.firmwareId}, job not created: cancelled; run Deploy on it to continue.`);
    assert.deepEqual(await t.client.listJobsByFirmware(error.firmwareId), []);

    const resumed = await deploy(t.client, { upload: { firmwareId: error.firmwareId }, job: { target: 'SPECIFIC', deviceNames: ['wx-0030'] }, follow: true }, { wait: t.tick });
    assert.equal(resumed.uploaded, false);
    assert.equal(resumed.version, '1.7.0');
    assert.equal(resumed.rollout?.outcome, 'completed');
    assert.equal(resumed.summary.startsWith(`Firmware 1.7.0 is ID ${error.firmwareId}; job ${resumed.jobId} created;`), true);
  });

  it('a job the service refuses after the upload: the message names the firmware and the reason', async () => {
    const file = await t.image('typo.bin', 3000, 4);
    const error = await deployError(
      deploy(t.client, {
        upload: { file, version: '1.8.0', productKey: WX, moduleName: 'mcu', needToVerify: false },
        job: { target: 'SPECIFIC', deviceNames: ['wx-0001', 'wx-00O2'] },
      }),
    );
    assert.equal(error.kind, 'invalid-input');
    assert.equal(
      error.message,
      `Firmware 1.8.0 uploaded as ID ${error.firmwareId}, job not created: Unknown device names: This device does not exist in product ${WX}: wx-00O2; run Deploy on it to continue.`,
    );
  });

  it('cancelled while following: the job keeps running and the message says so', async () => {
    const file = await t.image('follow.bin', 1000, 5);
    const controller = new AbortController();
    const error = await deployError(
      deploy(
        t.client,
        { upload: { file, version: '1.9.0', productKey: PLUG, needToVerify: false }, job: { target: 'ALL', maximumPerMinute: 10 }, follow: true },
        { wait: t.tick, signal: controller.signal, onSnapshot: (s) => s.finished >= 1 && controller.abort() },
      ),
    );
    assert.equal(error.stage, 'follow');
    assert.equal(error.kind, 'cancelled');
    assert.equal(error.message, `Firmware 1.9.0 (ID ${error.firmwareId}) is rolling out in job ${error.jobId}, which keeps running in the cloud; following it stopped: cancelled.`);
    assert.equal((await t.client.getJob(error.jobId!)).status, 'IN_PROGRESS');
  });

  it('cancelled during the build: the build ends and nothing is sent', async () => {
    const project = temp.project('blink');
    const controller = new AbortController();
    const promise = deploy(
      t.client,
      {
        build: { pio: FAKE_PIO, projectDir: project, env: 'esp32dev', processEnv: fakePioEnv({ FAKE_PIO_DELAY_MS: '5000' }), killGraceMs: 500 },
        upload: { version: '2.0.0', productKey: WX, needToVerify: false },
      },
      { signal: controller.signal, onStep: (s) => s.stage === 'build' && s.state === 'started' && setTimeout(() => controller.abort(), 100) },
    );
    const error = await deployError(promise);
    assert.equal(error.kind, 'cancelled');
    assert.equal(error.message, 'Deploy stopped while building: cancelled. Nothing was created in the cloud.');
    assert.equal(t.sandbox.stats.requests, 0);
  });

  it('checks a rollout guard before starting', async () => {
    const file = await t.image('guard.bin', 1000, 6);
    await rejectsWith(
      deploy(t.client, { upload: { file, version: '2.1.0', productKey: WX, needToVerify: false }, guard: { maxFailurePercent: 10, minFinished: 3 } }),
      'invalid-input',
      /A rollout guard needs an upgrade job to watch/,
    );
    assert.equal(t.sandbox.stats.requests, 0);
  });
});
