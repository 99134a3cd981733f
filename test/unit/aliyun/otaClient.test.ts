import assert from 'node:assert/strict';
import { AliyunOtaClient } from '../../../src/core/cloud/aliyun/otaClient';
import { OtaError } from '../../../src/core/errors';
import { TASK_STATUSES } from '../../../src/core/model';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, reply, startFakeAliyun, type FakeAliyun, type RpcCall } from './fakeAliyun';

const STATUSES = [-1, 0, 1, 2, 3, 9];
const FIRMWARE = Array.from({ length: 257 }, (_, i) => ({
  FirmwareId: `fw-${String(i).padStart(3, '0')}`,
  FirmwareName: `Firmware ${i}`,
  DestVersion: `1.0.${i}`,
  ProductKey: i < 150 ? 'PK_A' : 'PK_B',
  Status: STATUSES[i % STATUSES.length],
  Type: i % 2,
  FirmwareSize: 1000 + i,
  UtcCreate: '2024-09-18T09:32:00.937Z',
}));
const JOBS = Array.from({ length: 450 }, (_, i) => ({
  JobId: `job-${i}`,
  JobStatus: i % 3 === 0 ? 'COMPLETE' : 'IN_PROGRESS',
  JobType: 'UPGRADE_FIRMWARE',
  SelectionType: 'STATIC',
  TargetSelection: 'ALL',
  UtcCreate: '2024-09-18T09:32:00.937Z',
}));
const TASKS = Array.from({ length: 1234 }, (_, i) => ({
  TaskId: `task-${i}`,
  JobId: 'job-big',
  DeviceName: `dev-${i}`,
  ProductKey: 'PK_A',
  TaskStatus: TASK_STATUSES[i % TASK_STATUSES.length],
  Progress: (i % 101).toFixed(2),
  TaskDesc: i % 7 === 5 ? 'timeout' : '',
  UtcModified: '2024-09-18T09:32:00.937Z',
}));

function paging(call: RpcCall, maxPageSize: number): { page: number; size: number } | ReturnType<typeof reply> {
  const page = Number(call.params.CurrentPage);
  const size = Number(call.params.PageSize);
  if (!(page >= 1) || !(size >= 1) || size > maxPageSize) {
    return reply(200, { RequestId: 'p', Success: false, Code: 'iot.common.InvalidPageParams', ErrorMessage: 'Invalid page parameters.' });
  }
  return { page, size };
}

function slice<T>(items: T[], page: number, size: number): T[] {
  return items.slice((page - 1) * size, page * size);
}

describe('aliyun/otaClient', () => {
  let fake: FakeAliyun;
  let client: AliyunOtaClient;

  beforeEach(async () => {
    fake = await startFakeAliyun({
      ListOTAFirmware: (call) => {
        const p = paging(call, 100);
        if ('reply' in p) return p;
        const pk = call.params.ProductKey;
        const list = pk ? FIRMWARE.filter((f) => f.ProductKey === pk) : FIRMWARE;
        return {
          RequestId: `list-${p.page}`,
          Success: true,
          Total: list.length,
          PageSize: p.size,
          CurrentPage: p.page,
          PageCount: Math.ceil(list.length / p.size),
          FirmwareInfo: { SimpleFirmwareInfo: slice(list, p.page, p.size) },
        };
      },
      QueryOTAFirmware: (call) => {
        if (call.params.FirmwareId === '134') {
          // Seed 001: an Alibaba-compatible endpoint answering in lowerCamelCase.
          return {
            code: '',
            firmwareInfo: {
              destVersion: '1.1111',
              firmwareDesc: '',
              firmwareId: '134',
              firmwareName: 'myFirmwareName',
              firmwareSign: '1111111111',
              firmwareSize: 1152925,
              firmwareUrl: 'https://oss.example/ota/firmware.gz?Expires=1732099448',
              moduleName: 'blei',
              productKey: 'k1h9drZ****',
              productName: 'bletest',
              signMethod: 'MD5',
              status: 0,
              type: 0,
              udi: '',
              utcCreate: '2024-09-18T09:32:00.937Z',
              utcModified: '2024-09-18T09:32:00.937Z',
              verifyProgress: 0,
            },
            requestId: '11413537-433a-4d72-97e3-72c2211a163e',
            success: true,
          };
        }
        const fw = FIRMWARE.find((f) => f.FirmwareId === call.params.FirmwareId);
        if (!fw) return { RequestId: 'nf', Success: false, Code: 'iot.ota.FirmwareNotFound', ErrorMessage: 'The firmware does not exist.' };
        return { RequestId: 'q', Success: true, FirmwareInfo: { ...fw, FirmwareUrl: 'https://x/y.bin', VerifyProgress: 50 } };
      },
      ListOTAJobByFirmware: (call) => {
        const p = paging(call, 200);
        if ('reply' in p) return p;
        if (call.params.FirmwareId === 'fw-one') {
          return { Success: true, Total: 1, Data: { SimpleOTAJobInfo: { ...JOBS[0], FirmwareId: 'fw-one' } } };
        }
        if (call.params.FirmwareId === 'fw-none') return { Success: true, Total: 0, Data: {} };
        return { Success: true, Total: JOBS.length, PageSize: p.size, CurrentPage: p.page, Data: { SimpleOTAJobInfo: slice(JOBS, p.page, p.size) } };
      },
      QueryOTAJob: (call) =>
        call.params.JobId === 'job-7'
          ? {
              Success: true,
              Data: { ...JOBS[7], FirmwareId: 'fw-001', SrcVersions: { SrcVersion: ['1.0.0'] }, TimeoutInMinutes: 30, MaximumPerMinute: 1000 },
            }
          : { Success: false, Code: 'iot.ota.OTAJobNotExist', ErrorMessage: 'The job does not exist.' },
      ListOTATaskByJob: (call) => {
        const p = paging(call, 100);
        if ('reply' in p) return p;
        if (p.page * p.size > 100_000) return reply(200, { Success: false, Code: 'iot.common.InvalidPageParams', ErrorMessage: 'too deep' });
        let list = TASKS.filter((t) => !call.params.TaskStatus || t.TaskStatus === call.params.TaskStatus);
        const names = Object.entries(call.params).filter(([k]) => k.startsWith('DeviceNames.')).map(([, v]) => v);
        if (names.length) list = list.filter((t) => names.includes(t.DeviceName));
        return { Success: true, Total: list.length, PageSize: p.size, CurrentPage: p.page, Data: { SimpleOTATaskInfo: slice(list, p.page, p.size) } };
      },
    });
    client = new AliyunOtaClient({
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
      regionId: 'cn-shanghai',
      endpoint: fake.url,
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      rateLimit: { windowMs: 20, marginMs: 0 },
    });
  });
  afterEach(() => fake.close());

  const pagesAsked = (action: string) =>
    fake.calls.filter((c) => c.action === action).map((c) => Number(c.params.CurrentPage)).sort((a, b) => a - b);

  it('lists all 257 firmware over pages of 100, each page asked once, mapped into the model', async () => {
    const all = await client.listFirmware();
    assert.equal(all.length, 257);
    assert.deepEqual(all.map((f) => f.id), FIRMWARE.map((f) => f.FirmwareId));
    assert.deepEqual(pagesAsked('ListOTAFirmware'), [1, 2, 3]);
    assert.ok(fake.calls.every((c) => c.params.PageSize === '100'));
    assert.deepEqual(all.slice(0, 6).map((f) => f.status), ['NO_VERIFICATION_NEEDED', 'UNVERIFIED', 'VERIFIED', 'VERIFYING', 'VERIFICATION_FAILED', '9']);
    assert.deepEqual(all.slice(0, 2).map((f) => f.type), ['full', 'delta']);
    assert.equal(all[3].createdAt, '2024-09-18T09:32:00.937Z');
  });

  it('passes the product filter and serves single pages', async () => {
    assert.equal((await client.listFirmware({ productKey: 'PK_B' })).length, 107);
    assert.ok(fake.calls.every((c) => c.params.ProductKey === 'PK_B'));
    const page = await client.listFirmwarePage(2, 50);
    assert.equal(page.items.length, 50);
    assert.equal(page.items[0].id, 'fw-050');
    assert.deepEqual([page.total, page.page, page.pageSize], [257, 2, 50]);
    await assert.rejects(client.listFirmwarePage(1, 101), (e: unknown) => e instanceof OtaError && e.kind === 'invalid-input');
    await assert.rejects(client.listFirmwarePage(0, 10), (e: unknown) => e instanceof OtaError && e.kind === 'invalid-input');
  });

  it('queries one firmware by FirmwareId, in lowerCamelCase (seed 001) or PascalCase', async () => {
    const camel = await client.getFirmware('134');
    assert.equal(fake.calls[0].params.FirmwareId, '134');
    assert.deepEqual(
      [camel.id, camel.name, camel.version, camel.status, camel.type, camel.size, camel.signMethod, camel.description, camel.productName],
      ['134', 'myFirmwareName', '1.1111', 'UNVERIFIED', 'full', 1152925, 'MD5', null, 'bletest'],
    );
    assert.match(camel.url ?? '', /^https:\/\/oss\.example/);
    const pascal = await client.getFirmware('fw-003');
    assert.deepEqual([pascal.status, pascal.type, pascal.verifyProgress, pascal.url], ['VERIFYING', 'delta', 50, 'https://x/y.bin']);
    await assert.rejects(client.getFirmware('nope'), (e: unknown) => e instanceof OtaError && e.kind === 'not-found' && e.code === 'iot.ota.FirmwareNotFound');
  });

  it('lists every job of a firmware over pages of 200; a single object or no list also work', async () => {
    const jobs = await client.listJobsByFirmware('fw-001');
    assert.equal(jobs.length, 450);
    assert.deepEqual(pagesAsked('ListOTAJobByFirmware'), [1, 2, 3]);
    assert.ok(fake.calls.every((c) => c.params.PageSize === '200' && c.params.FirmwareId === 'fw-001'));
    assert.equal(jobs[0].status, 'COMPLETED');
    assert.equal(jobs[0].firmwareId, 'fw-001');
    assert.equal((await client.listJobsByFirmware('fw-one')).length, 1);
    assert.deepEqual(await client.listJobsByFirmware('fw-none'), []);
  });

  it('queries one job with its details', async () => {
    const job = await client.getJob('job-7');
    assert.deepEqual([job.id, job.firmwareId, job.status, job.timeoutInMinutes, job.maximumPerMinute], ['job-7', 'fw-001', 'IN_PROGRESS', 30, 1000]);
    assert.deepEqual(job.srcVersions, ['1.0.0']);
    await assert.rejects(client.getJob('job-x'), (e: unknown) => e instanceof OtaError && e.kind === 'not-found');
  });

  it('lists tasks over pages of at most 100, with status and device filters', async () => {
    const all = await client.listTasks('job-big');
    assert.equal(all.length, 1234);
    assert.deepEqual(pagesAsked('ListOTATaskByJob'), Array.from({ length: 13 }, (_, i) => i + 1));
    assert.equal(all[12].progress, 12);
    assert.equal(all[5].description, 'timeout');
    fake.calls.length = 0;
    const failed = await client.listTasks('job-big', { status: 'FAILED' });
    assert.ok(failed.length > 100 && failed.every((t) => t.status === 'FAILED'));
    assert.ok(fake.calls.every((c) => c.params.TaskStatus === 'FAILED'));
    const picked = await client.listTasksPage('job-big', 1, 10, { deviceNames: ['dev-3', 'dev-9'] });
    assert.deepEqual(picked.items.map((t) => t.deviceName), ['dev-3', 'dev-9']);
    const last = fake.calls[fake.calls.length - 1];
    assert.deepEqual([last.params['DeviceNames.1'], last.params['DeviceNames.2']], ['dev-3', 'dev-9']);
  });

  it('refuses task pages beyond CurrentPage x PageSize <= 100000 and over 50 device names, without asking', async () => {
    await assert.rejects(client.listTasksPage('job-big', 1001, 100), (e: unknown) => e instanceof OtaError && e.kind === 'invalid-input');
    await assert.rejects(
      client.listTasksPage('job-big', 1, 10, { deviceNames: Array.from({ length: 51 }, (_, i) => `d${i}`) }),
      (e: unknown) => e instanceof OtaError && e.kind === 'invalid-input',
    );
    assert.equal(fake.calls.length, 0);
  });

  it('counts tasks per status with one PageSize=1 request each', async () => {
    const counts = await client.countTasksByStatus('job-big');
    const expected = Object.fromEntries(TASK_STATUSES.map((s) => [s, TASKS.filter((t) => t.TaskStatus === s).length]));
    assert.deepEqual(counts, expected);
    assert.equal(fake.calls.length, TASK_STATUSES.length);
    assert.ok(fake.calls.every((c) => c.params.PageSize === '1'));
  });

  it('a failing page fails the whole listing with its typed error', async () => {
    fake.handlers.ListOTAFirmware = (call) =>
      call.params.CurrentPage === '2'
        ? { Success: false, Code: 'iot.system.InstanceNotFound', ErrorMessage: 'The instance does not exist.' }
        : { Success: true, Total: 257, FirmwareInfo: { SimpleFirmwareInfo: FIRMWARE.slice(0, 100) } };
    await assert.rejects(client.listFirmware(), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'not-found');
      assert.match(e.hint ?? '', /instance id/);
      return true;
    });
  });

  it('bounds paging by what was returned when the Total is a lie (1e15): short page, repeated page, few items', async () => {
    const lie = (items: (page: number) => unknown[]) => (call: RpcCall) => ({
      Success: true,
      Total: 1e15,
      PageSize: 100,
      CurrentPage: Number(call.params.CurrentPage),
      FirmwareInfo: { SimpleFirmwareInfo: items(Number(call.params.CurrentPage)) },
    });
    fake.handlers.ListOTAFirmware = lie((page) => FIRMWARE.slice((page - 1) * 100, page * 100));
    assert.equal((await client.listFirmware()).length, 257);
    assert.ok(pagesAsked('ListOTAFirmware').length < 50, `asked ${pagesAsked('ListOTAFirmware').length} pages`);
    fake.calls.length = 0;
    fake.handlers.ListOTAFirmware = lie(() => FIRMWARE.slice(0, 100));
    assert.equal((await client.listFirmware()).length, 100);
    assert.ok(pagesAsked('ListOTAFirmware').length < 50);
    fake.calls.length = 0;
    fake.handlers.ListOTAFirmware = lie(() => FIRMWARE.slice(0, 5));
    assert.equal((await client.listFirmware()).length, 5);
    assert.deepEqual(pagesAsked('ListOTAFirmware'), [1]);
  });

  it('follows pages one by one when the endpoint gives no Total', async () => {
    fake.handlers.ListOTAFirmware = (call) => {
      const page = Number(call.params.CurrentPage);
      return { success: true, firmwareInfo: { simpleFirmwareInfo: FIRMWARE.slice((page - 1) * 100, page * 100) } };
    };
    assert.equal((await client.listFirmware()).length, 257);
    assert.deepEqual(pagesAsked('ListOTAFirmware'), [1, 2, 3]);
  });
});
