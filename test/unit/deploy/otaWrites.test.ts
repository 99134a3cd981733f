import assert from 'node:assert/strict';
import { AliyunOtaWrites, staticJobParams, type StaticUpgradeJobInput } from '../../../src/core/cloud/aliyun/otaWrites';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import { OtaError } from '../../../src/core/errors';
import { clientFor, names, openDeploySandbox, rejectsWith, type DeploySandbox } from './helpers';

const PK = SANDBOX_DEMO.weather.productKey;
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('deploy: Alibaba write operations (otaWrites)', () => {
  let t: DeploySandbox;
  let writes: AliyunOtaWrites;
  before(async () => {
    t = await openDeploySandbox();
    writes = new AliyunOtaWrites(t.client.rpc, { now: () => NOW });
  });
  after(async () => {
    await t.dispose();
  });
  beforeEach(() => t.sandbox.resetStats());

  const job = (over: Partial<StaticUpgradeJobInput>): StaticUpgradeJobInput => ({
    firmwareId: 'fw-1',
    productKey: PK,
    targetSelection: 'ALL',
    ...over,
  });

  const refusals: Array<[string, () => Promise<unknown>, RegExp]> = [
    ['a version with a space', () => writes.createFirmware({ version: '1.0 beta', name: 'n', url: 'http://x/' }), /contains a space: Alibaba Cloud accepts only letters, digits/],
    ['a 65-character version', () => writes.createFirmware({ version: 'v'.repeat(65), name: 'n', url: 'http://x/' }), /65 characters long: Alibaba Cloud accepts at most 64/],
    ['a 41-character name', () => writes.createFirmware({ version: '1.0.0', name: 'n'.repeat(41), url: 'http://x/' }), /firmware name .* is 41 characters long: Alibaba Cloud accepts 1-40/],
    ['a 101-character description', () => writes.createFirmware({ version: '1.0.0', name: 'n', url: 'http://x/', description: 'd'.repeat(101) }), /description .* 101 characters long: Alibaba Cloud accepts at most 100/],
    ['a delta without source version', () => writes.createFirmware({ version: '1.0.0', name: 'n', url: 'http://x/', type: 'delta' }), /delta package needs the version it upgrades from/],
    ['a bad source version', () => writes.createFirmware({ version: '1.0.0', name: 'n', url: 'http://x/', type: 'delta', srcVersion: '0.9/1' }), /The source version "0.9\/1" contains "\/"/],
    ['a sign that is no MD5', () => writes.createFirmware({ version: '1.0.0', name: 'n', url: 'http://x/', sign: 'abc' }), /not a MD5 digest: give 32 hex digits/],
    ['11 verify devices', () => writes.createVerifyJob({ firmwareId: 'f', productKey: PK, deviceNames: names('wx-', 1, 11), timeoutInMinutes: 10 }), /names 11 devices: Alibaba Cloud accepts at most 10/],
    ['a verify timeout of 0', () => writes.createVerifyJob({ firmwareId: 'f', productKey: PK, deviceNames: ['wx-0001'], timeoutInMinutes: 0 }), /timeout \(minutes\) 0 is out of range: Alibaba Cloud accepts 1-1440/],
    ['201 job devices', () => writes.createStaticUpgradeJob(job({ targetSelection: 'SPECIFIC', deviceNames: names('wx-', 1, 201) })), /names 201 devices: Alibaba Cloud accepts at most 200/],
    ['11 source versions', () => writes.createStaticUpgradeJob(job({ srcVersions: Array.from({ length: 11 }, (_, i) => `1.${i}`) })), /11 source versions given: Alibaba Cloud accepts at most 10/],
    ['a gray percent with 4 decimals', () => writes.createStaticUpgradeJob(job({ targetSelection: 'GRAY', grayPercent: '12.3456' })), /has 4 decimals: Alibaba Cloud accepts at most 3/],
    ['a gray percent of 0', () => writes.createStaticUpgradeJob(job({ targetSelection: 'GRAY', grayPercent: 0 })), /out of range: it must be more than 0 and at most 100/],
    ['a gray percent of 100.5', () => writes.createStaticUpgradeJob(job({ targetSelection: 'GRAY', grayPercent: '100.5' })), /out of range/],
    ['a GRAY job without percent', () => writes.createStaticUpgradeJob(job({ targetSelection: 'GRAY' })), /GRAY job needs the percentage/],
    ['device names on an ALL job', () => writes.createStaticUpgradeJob(job({ deviceNames: ['wx-0001'] })), /apply to SPECIFIC jobs only/],
    ['a retry interval of 15', () => writes.createStaticUpgradeJob(job({ retryInterval: 15, retryCount: 1 })), /retry interval \(minutes\) 15 is not accepted: Alibaba Cloud accepts 0, 10, 30, 60, 1440/],
    ['a retry count of 3', () => writes.createStaticUpgradeJob(job({ retryInterval: 10, retryCount: 3 })), /retry count 3 is not accepted: Alibaba Cloud accepts 1, 2, 5/],
    ['a retry count alone', () => writes.createStaticUpgradeJob(job({ retryCount: 2 })), /retry count was given without a retry interval/],
    ['a timeout of 1441 minutes', () => writes.createStaticUpgradeJob(job({ timeoutInMinutes: 1441 })), /1441 is out of range: Alibaba Cloud accepts 1-1440/],
    ['a push rate of 5', () => writes.createStaticUpgradeJob(job({ maximumPerMinute: 5 })), /push rate \(devices per minute\) 5 is out of range: Alibaba Cloud accepts 10-10000/],
    ['a schedule time in seconds', () => writes.createStaticUpgradeJob(job({ scheduleTime: Math.floor(NOW / 1000) + 3600 })), /looks like seconds: Alibaba Cloud wants milliseconds/],
    ['a schedule time in the past', () => writes.createStaticUpgradeJob(job({ scheduleTime: NOW - 1000 })), /is in the past/],
    ['a schedule time 8 days ahead', () => writes.createStaticUpgradeJob(job({ scheduleTime: NOW + 8 * 86_400_000 })), /more than 7 days ahead/],
    ['a finish time 30 minutes after the start', () => writes.createStaticUpgradeJob(job({ scheduleTime: NOW + 3_600_000, scheduleFinishTime: NOW + 5_400_000 })), /60 minutes to 30 days after the job starts/],
    ['a dynamic SPECIFIC job', () => writes.createDynamicUpgradeJob({ firmwareId: 'f', productKey: PK, targetSelection: 'SPECIFIC' as 'ALL' }), /dynamic job targets ALL devices or a GROUP/],
    ['a dynamic mode of 3', () => writes.createDynamicUpgradeJob({ firmwareId: 'f', productKey: PK, dynamicMode: 3 as 1 }), /dynamic mode 3 is not accepted: Alibaba Cloud accepts 1, 2/],
    ['no states to cancel', () => writes.cancelTasksByJob('job', []), /No task states to cancel given/],
    ['no task ids to retry', () => writes.reupgradeTasks('job', [' ']), /No task ids given to upgrade again/],
    ['a file suffix of exe', () => writes.generateUploadUrl({ fileSuffix: 'exe' as 'bin' }), /"exe" is not accepted: Alibaba Cloud takes bin, tar, gz/],
  ];
  for (const [what, call, message] of refusals) {
    it(`refuses ${what} before sending anything`, async () => {
      await rejectsWith(call(), 'invalid-input', message);
      assert.equal(t.sandbox.stats.requests, 0, 'no request reached the sandbox');
    });
  }

  it('turns a job into its parameters: percent as text, source versions cleaned, unset options left out', () => {
    const params = staticJobParams(
      job({ targetSelection: 'GRAY', grayPercent: 12.5, srcVersions: ['1.9.3', ' 1.9.3 ', ''], retryInterval: 10, retryCount: 2, needConfirm: true }),
      NOW,
    );
    assert.deepEqual(
      Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)),
      {
        FirmwareId: 'fw-1',
        ProductKey: PK,
        TargetSelection: 'GRAY',
        GrayPercent: '12.5',
        SrcVersion: ['1.9.3'],
        RetryInterval: 10,
        RetryCount: 2,
        NeedConfirm: true,
      },
    );
    assert.equal(staticJobParams(job({ targetSelection: 'GRAY', grayPercent: ' 33.333 %' }), NOW).GrayPercent, '33.333');
  });

  it('sends ConfirmOTATask as POST even when the client uses GET, and maps refusals to what the user can do', async () => {
    const getWrites = new AliyunOtaWrites(clientFor(t.sandbox, { method: 'GET' }).rpc);
    // What the override prevents: the same call with the client's GET is refused.
    await rejectsWith(getWrites.rpc.call('ConfirmOTATask', { TaskId: ['no-such-task'] }), 'failed', /accepts POST requests only/);
    t.sandbox.resetStats();
    // A task id that does not exist: the sandbox checks the method before the task (GET would be UnsupportedHTTPMethod).
    const error = await rejectsWith(getWrites.confirmTasks(['no-such-task']), 'invalid-input', /no task no-such-task/);
    assert.equal(error.code, 'InvalidParameter');
    assert.equal(t.sandbox.stats.errorsByCode.UnsupportedHTTPMethod, undefined);

    const unknown = await rejectsWith(
      writes.createVerifyJob({ firmwareId: 'nope', productKey: PK, deviceNames: ['wx-0001'], timeoutInMinutes: 5 }),
      'not-found',
      /does not exist/,
    );
    assert.ok(unknown instanceof OtaError && unknown.code === 'iot.ota.FirmwareNotFound');
  });
});
