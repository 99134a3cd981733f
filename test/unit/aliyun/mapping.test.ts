import assert from 'node:assert/strict';
import { kindOfCode } from '../../../src/core/cloud/aliyun/errors';
import { firmwareStatus, firmwareType, isoTime, mapFirmware, mapJob, mapTask, stringList } from '../../../src/core/cloud/aliyun/mapping';
import { listAt, normalizeKeys, type JsonObject } from '../../../src/core/cloud/aliyun/normalize';

describe('aliyun mapping and normalisation', () => {
  it('normalises lowerCamelCase and ...ID keys at every depth; PascalCase wins over a duplicate', () => {
    assert.deepEqual(
      normalizeKeys({ requestId: 'r', firmwareInfo: { firmwareID: 'f', list: [{ taskId: 1 }] }, RequestID: 'R' }),
      { RequestId: 'R', FirmwareInfo: { FirmwareId: 'f', List: [{ TaskId: 1 }] } },
    );
    assert.deepEqual(normalizeKeys({ OSSAccessKeyId: 'x', IotId: 'y' }), { OSSAccessKeyId: 'x', IotId: 'y' });
  });

  it('reads list shapes: Outer.Inner[], a single object, Outer[], or nothing', () => {
    const one = { FirmwareId: 'a' };
    assert.deepEqual(listAt({ FirmwareInfo: { SimpleFirmwareInfo: [one, one] } }, 'FirmwareInfo', 'SimpleFirmwareInfo').length, 2);
    assert.deepEqual(listAt({ FirmwareInfo: { SimpleFirmwareInfo: one } }, 'FirmwareInfo', 'SimpleFirmwareInfo'), [one]);
    assert.deepEqual(listAt({ FirmwareInfo: [one] }, 'FirmwareInfo', 'SimpleFirmwareInfo'), [one]);
    assert.deepEqual(listAt({}, 'FirmwareInfo', 'SimpleFirmwareInfo'), []);
    assert.deepEqual(listAt({ Data: {} }, 'Data', 'SimpleOTATaskInfo'), []);
    assert.deepEqual(listAt({ Data: { SimpleOTATaskInfo: null } }, 'Data', 'SimpleOTATaskInfo'), []);
  });

  it('maps firmware status -1..3 and type 0/1; unknown values pass through as text', () => {
    assert.deepEqual([-1, 0, 1, 2, 3].map(firmwareStatus), [
      'NO_VERIFICATION_NEEDED',
      'UNVERIFIED',
      'VERIFIED',
      'VERIFYING',
      'VERIFICATION_FAILED',
    ]);
    assert.equal(firmwareStatus('2'), 'VERIFYING');
    assert.equal(firmwareStatus(7), '7');
    assert.equal(firmwareStatus('ARCHIVED'), 'ARCHIVED');
    assert.equal(firmwareType(0), 'full');
    assert.equal(firmwareType('1'), 'delta');
    assert.equal(firmwareType(4), '4');
  });

  it('turns times into ISO strings (spaces tolerated, epoch ms), keeps text that is no time', () => {
    assert.equal(isoTime('2019-12-28T02:42:22.000Z'), '2019-12-28T02:42:22.000Z');
    assert.equal(isoTime('2024-11-11 T11:11:11.000Z'), '2024-11-11T11:11:11.000Z');
    assert.equal(isoTime(1577587360000), '2019-12-29T02:42:40.000Z');
    assert.equal(isoTime('1577587360000'), '2019-12-29T02:42:40.000Z');
    assert.equal(isoTime('yesterday-ish'), 'yesterday-ish');
    assert.equal(isoTime(''), null);
    assert.equal(isoTime(undefined), null);
  });

  it('maps a seed 004 firmware record (PascalCase) into the model', () => {
    const fw = mapFirmware({
      SrcVersion: '',
      FirmwareSign: '3d04ab6462633508606e5f3daac8****',
      ProductKey: 'a19mzPZ****',
      Type: 0,
      UtcModified: '2019-12-28T02:42:41.000Z',
      SignMethod: 'MD5',
      UtcCreate: '2019-12-28T02:42:22.000Z',
      FirmwareSize: 924,
      Status: 2,
      FirmwareId: 'UfuxnwygsuSkVE0VCN****0100',
      FirmwareDesc: 'modified-WiFi-module',
      FirmwareUrl: 'https://ota.example/x.bin?Expires=1',
      DestVersion: '4.0.0',
      ProductName: 'MyProduct',
      FirmwareName: 't3q5rkNm',
      ModuleName: 'WifiConfigModify',
      VerifyProgress: 0,
    });
    assert.deepEqual(fw, {
      id: 'UfuxnwygsuSkVE0VCN****0100',
      name: 't3q5rkNm',
      version: '4.0.0',
      srcVersion: null,
      size: 924,
      sign: '3d04ab6462633508606e5f3daac8****',
      signMethod: 'MD5',
      status: 'VERIFYING',
      type: 'full',
      productKey: 'a19mzPZ****',
      productName: 'MyProduct',
      moduleName: 'WifiConfigModify',
      description: 'modified-WiFi-module',
      url: 'https://ota.example/x.bin?Expires=1',
      createdAt: '2019-12-28T02:42:22.000Z',
      modifiedAt: '2019-12-28T02:42:41.000Z',
      verifyProgress: 0,
      udi: null,
    });
  });

  it('maps jobs: COMPLETE -> COMPLETED, list records take the firmware id asked for, details when present', () => {
    const listed = mapJob({ JobId: 'j1', JobStatus: 'COMPLETE', JobType: 'UPGRADE_FIRMWARE', SelectionType: 'STATIC', TargetSelection: 'ALL', UtcCreate: '2020-01-01T00:00:00.000Z' }, 'fw1');
    assert.deepEqual(listed, {
      id: 'j1',
      firmwareId: 'fw1',
      status: 'COMPLETED',
      type: 'UPGRADE_FIRMWARE',
      selection: 'STATIC',
      targetSelection: 'ALL',
      createdAt: '2020-01-01T00:00:00.000Z',
      startedAt: null,
      endedAt: null,
    });
    const detail = mapJob({
      JobId: 'j2',
      FirmwareId: 'fw2',
      JobStatus: 'PAUSED_BY_SOMETHING_NEW',
      SrcVersions: { SrcVersion: ['1.0.0', '1.0.1'] },
      RetryInterval: 60,
      RetryCount: '2',
      NeedConfirm: false,
      GrayPercent: '33.333',
      DestVersion: '2.0.0',
    });
    assert.equal(detail.status, 'PAUSED_BY_SOMETHING_NEW');
    assert.equal(detail.firmwareId, 'fw2');
    assert.deepEqual(detail.srcVersions, ['1.0.0', '1.0.1']);
    assert.equal(detail.retryInterval, 60);
    assert.equal(detail.retryCount, 2);
    assert.equal(detail.needConfirm, false);
    assert.equal(detail.grayPercent, '33.333');
    assert.equal(detail.destVersion, '2.0.0');
    assert.equal('timeoutInMinutes' in detail, false);
    assert.deepEqual(stringList('1.0, 1.1'), ['1.0', '1.1']);
    assert.deepEqual(stringList({ SrcVersion: '0.9' }), ['0.9']);
  });

  it('maps tasks: Progress "12.50" -> 12.5, reasons, unknown status passes through', () => {
    const r: JsonObject = {
      TaskId: 't1',
      DeviceName: 'dev-1',
      ProductKey: 'pk',
      TaskStatus: 'FAILED',
      Progress: '12.50',
      TaskDesc: 'timeout',
      SrcVersion: '1.0',
      DestVersion: '2.0',
      UtcModified: '2024-09-18T09:32:00.937Z',
      IotId: 'iot1',
    };
    const task = mapTask(r, 'job1');
    assert.equal(task.progress, 12.5);
    assert.equal(task.jobId, 'job1');
    assert.equal(task.description, 'timeout');
    assert.equal(task.iotId, 'iot1');
    assert.equal(mapTask({ ...r, TaskStatus: 'ROLLED_BACK', Progress: 'n/a' }).status, 'ROLLED_BACK');
    assert.equal(mapTask({ ...r, Progress: 'n/a' }).progress, 0);
  });

  it('classifies error codes', () => {
    const table: [string | undefined, number, string][] = [
      ['SignatureDoesNotMatch', 400, 'credentials'],
      ['InvalidAccessKeyId.NotFound', 404, 'credentials'],
      ['InvalidAccessKeyId.Inactive', 400, 'credentials'],
      ['Forbidden.RAM', 403, 'credentials'],
      ['IncompleteSignature', 400, 'credentials'],
      ['IllegalTimestamp', 400, 'credentials'],
      ['iot.ota.FirmwareNotFound', 200, 'not-found'],
      ['iot.system.InstanceNotFound', 200, 'not-found'],
      ['iot.ota.OTAJobNotExist', 200, 'not-found'],
      ['MissingParameter', 400, 'invalid-input'],
      ['InvalidParameter', 400, 'invalid-input'],
      ['iot.common.InvalidPageParams', 200, 'invalid-input'],
      ['Throttling', 400, 'throttled'],
      ['Throttling.User', 503, 'throttled'],
      ['ServiceUnavailable', 503, 'service-unavailable'],
      ['InternalError', 500, 'service-unavailable'],
      ['iot.system.SystemException', 200, 'service-unavailable'],
      ['Iot.system.SystemException', 200, 'service-unavailable'],
      ['iot.ota.FirmwareCountExceeded', 200, 'failed'],
      [undefined, 502, 'service-unavailable'],
      [undefined, 401, 'credentials'],
      [undefined, 404, 'not-found'],
      [undefined, 429, 'throttled'],
      [undefined, 400, 'failed'],
    ];
    for (const [code, status, kind] of table) assert.equal(kindOfCode(code, status), kind, `${code} / ${status}`);
  });
});
