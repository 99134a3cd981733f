import assert from 'node:assert/strict';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import { allTasks, countBy, fails, ok, openSandbox, type Json, type TestSandbox } from './helpers';

describe('sandbox: listings and page limits', () => {
  let t: TestSandbox;
  let bigJobId: string;
  let benchFirmwareId: string;
  before(async () => {
    t = await openSandbox({ seed: true, bulk: { firmware: 260, tasks: 1200 } });
    const plug = await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 100, ProductKey: SANDBOX_DEMO.plug.productKey, DestVersion: '1.2.0' });
    const fw = (plug.FirmwareInfo as Json).SimpleFirmwareInfo as Json[];
    assert.equal(fw.length, 1);
    const jobs = await ok(t.sandbox, 'ListOTAJobByFirmware', { FirmwareId: fw[0]?.FirmwareId as string, CurrentPage: 1, PageSize: 10 });
    bigJobId = ((jobs.Data as Json).SimpleOTAJobInfo as Json[])[0]?.JobId as string;
    const bench = await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10, ProductKey: SANDBOX_DEMO.bench.productKey, DestVersion: '0.1.1' });
    benchFirmwareId = ((bench.FirmwareInfo as Json).SimpleFirmwareInfo as Json[])[0]?.FirmwareId as string;
  });
  after(async () => {
    await t.dispose();
  });

  it('pages through 260 firmware, 100 at most per page, each once', async () => {
    const seen = new Set<string>();
    let pageCount: number;
    for (let page = 1; ; page++) {
      const body = await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: page, PageSize: 100 });
      assert.equal(body.Total, 260);
      assert.equal(body.PageSize, 100);
      assert.equal(body.CurrentPage, page);
      pageCount = body.PageCount as number;
      for (const f of (body.FirmwareInfo as Json).SimpleFirmwareInfo as Json[]) seen.add(f.FirmwareId as string);
      if (page >= pageCount) break;
    }
    assert.equal(pageCount, 3);
    assert.equal(seen.size, 260);
  });

  it('refuses page sizes above the documented maximum with iot.common.InvalidPageParams', async () => {
    const { status, body } = await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 101 }, 'iot.common.InvalidPageParams');
    assert.equal(status, 200);
    assert.equal(body.Success, false);
    assert.match(body.ErrorMessage as string, /100/);
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 0, PageSize: 10 }, 'iot.common.InvalidPageParams');
    await fails(t.sandbox, 'ListOTAFirmware', { PageSize: 10 }, 'MissingParameter');
    await fails(t.sandbox, 'ListOTAJobByFirmware', { FirmwareId: benchFirmwareId, CurrentPage: 1, PageSize: 201 }, 'iot.common.InvalidPageParams');
    await ok(t.sandbox, 'ListOTAJobByFirmware', { FirmwareId: benchFirmwareId, CurrentPage: 1, PageSize: 200 });
    await fails(t.sandbox, 'ListOTATaskByJob', { JobId: bigJobId, CurrentPage: 1, PageSize: 101 }, 'iot.common.InvalidPageParams');
    const { body: product } = await fails(t.sandbox, 'ListOTATaskByJob', { JobId: bigJobId, CurrentPage: 1001, PageSize: 100 }, 'iot.common.InvalidPageParams');
    assert.match(product.ErrorMessage as string, /100000/);
    await ok(t.sandbox, 'ListOTATaskByJob', { JobId: bigJobId, CurrentPage: 1000, PageSize: 100 });
  });

  it('lists the demo job of 300 tasks in every state, filterable by status and device', async () => {
    const tasks = await allTasks(t.sandbox, bigJobId);
    assert.equal(tasks.length, 300);
    assert.equal(new Set(tasks.map((x) => x.TaskId)).size, 300);
    const counts = countBy(tasks);
    for (const status of ['CONFIRM', 'QUEUED', 'NOTIFIED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'CANCELED']) {
      assert.ok((counts[status] ?? 0) > 0, `no ${status} task`);
      const body = await ok(t.sandbox, 'ListOTATaskByJob', { JobId: bigJobId, CurrentPage: 1, PageSize: 1, TaskStatus: status });
      assert.equal(body.Total, counts[status], status);
    }
    const one = tasks[0];
    assert.match(one.Progress as string, /^\d{1,3}\.\d{2}$/);
    for (const key of ['TaskId', 'JobId', 'FirmwareId', 'IotId', 'ProductKey', 'DeviceName', 'DestVersion', 'TaskStatus', 'UtcCreate', 'UtcModified']) {
      assert.ok(key in one, `task has no ${key}`);
    }
    const byDevice = await ok(t.sandbox, 'ListOTATaskByJob', {
      JobId: bigJobId,
      CurrentPage: 1,
      PageSize: 10,
      'DeviceNames.1': 'plug-0007',
      'DeviceNames.2': 'plug-0300',
    });
    assert.deepEqual((((byDevice.Data as Json).SimpleOTATaskInfo as Json[]).map((x) => x.DeviceName) as string[]).sort(), ['plug-0007', 'plug-0300']);
    await fails(t.sandbox, 'ListOTATaskByJob', { JobId: bigJobId, CurrentPage: 1, PageSize: 10, TaskStatus: 'DONE' }, 'InvalidParameter');
    await fails(t.sandbox, 'ListOTATaskByJob', { JobId: 'nope', CurrentPage: 1, PageSize: 10 }, 'iot.ota.JobNotFound');
  });

  it('lists the bench job of 1200 tasks', async () => {
    const jobs = await ok(t.sandbox, 'ListOTAJobByFirmware', { FirmwareId: benchFirmwareId, CurrentPage: 1, PageSize: 10 });
    const job = ((jobs.Data as Json).SimpleOTAJobInfo as Json[])[0];
    assert.equal(job.JobStatus, 'COMPLETED');
    const body = await ok(t.sandbox, 'ListOTATaskByJob', { JobId: job.JobId as string, CurrentPage: 12, PageSize: 100 });
    assert.equal(body.Total, 1200);
    assert.equal(((body.Data as Json).SimpleOTATaskInfo as Json[]).length, 100);
  });
});
