// The Cloud view's account model in plain Node: paging of task rows, what a write makes it reload, and the backoff
// of its polls of moving jobs, against an in-memory OTA service that counts every call, on virtual time.
import assert from 'node:assert/strict';
import type { OtaService, TaskFilter } from '../../../src/core/cloud/provider';
import type { Firmware, Job, Page, Task } from '../../../src/core/model';
import { AccountModel, type ModelChange } from '../../../src/extension/cloud/model/accountModel';
import type { AccountSession } from '../../../src/extension/cloud/model/accountSession';
import { flush, ManualClock } from '../net/manualClock';

function firmware(id: string, createdAt: string): Firmware {
  return {
    id, name: 'app', version: id, srcVersion: null, size: 1024, sign: null, signMethod: null, status: 'VERIFIED', type: 'full',
    productKey: 'pk', productName: 'Plug', moduleName: null, description: null, url: null, createdAt, modifiedAt: null,
  };
}

function job(id: string, status: Job['status'], createdAt = '2026-01-01T00:00:00Z'): Job {
  return { id, firmwareId: 'fw1', status, type: 'UPGRADE_FIRMWARE', selection: 'STATIC', targetSelection: 'ALL', createdAt, startedAt: null, endedAt: null };
}

function task(jobId: string, n: number, status: Task['status']): Task {
  return { id: `t${n}`, jobId, deviceName: `dev-${n}`, productKey: 'pk', status, progress: 0, description: null, srcVersion: null, destVersion: null, modifiedAt: null };
}

/** An OTA service over arrays, counting calls by method. */
class MemoryOta implements OtaService {
  firmwareList: Firmware[] = [firmware('fw1', '2026-01-01T00:00:00Z')];
  jobs: Job[] = [job('j-old', 'COMPLETED', '2026-01-01T00:00:00Z'), job('j-new', 'COMPLETED', '2026-01-02T00:00:00Z')];
  tasks: Task[] = [];
  failGetJob = false;
  readonly calls = new Map<string, number>();

  private count(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }
  called(name: string): number {
    return this.calls.get(name) ?? 0;
  }

  listFirmware(): Promise<Firmware[]> {
    this.count('listFirmware');
    return Promise.resolve([...this.firmwareList]);
  }
  listFirmwarePage(): Promise<Page<Firmware>> {
    throw new Error('not used');
  }
  getFirmware(id: string): Promise<Firmware> {
    this.count('getFirmware');
    const f = this.firmwareList.find((x) => x.id === id);
    return f ? Promise.resolve(f) : Promise.reject(new Error(`no firmware ${id}`));
  }
  listJobsByFirmware(firmwareId: string): Promise<Job[]> {
    this.count('listJobsByFirmware');
    return Promise.resolve(this.jobs.filter((j) => j.firmwareId === firmwareId).map((j) => ({ ...j })));
  }
  getJob(id: string): Promise<Job> {
    this.count('getJob');
    if (this.failGetJob) return Promise.reject(new Error('service unavailable'));
    const j = this.jobs.find((x) => x.id === id);
    return j ? Promise.resolve({ ...j }) : Promise.reject(new Error(`no job ${id}`));
  }
  listTasksPage(jobId: string, page: number, pageSize: number, filter?: TaskFilter): Promise<Page<Task>> {
    this.count('listTasksPage');
    const all = this.tasks.filter((t) => t.jobId === jobId && (!filter?.status || t.status === filter.status));
    return Promise.resolve({ items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, pageSize });
  }
  listTasks(): Promise<Task[]> {
    throw new Error('not used');
  }
  countTasksByStatus(jobId: string): Promise<Record<string, number>> {
    this.count('countTasksByStatus');
    const counts: Record<string, number> = {};
    for (const t of this.tasks) if (t.jobId === jobId) counts[t.status] = (counts[t.status] ?? 0) + 1;
    return Promise.resolve(counts);
  }
}

function modelOf(ota: MemoryOta, clock = new ManualClock(), warnings: string[] = []) {
  const session: AccountSession = { id: 'acc', label: 'Test', kind: 'aliyun', detail: 'memory', ota };
  const changes: ModelChange[] = [];
  const model = new AccountModel('acc', () => Promise.resolve(session), {
    pageSize: 10,
    clock,
    intervals: () => ({ baseMs: 1000, maxMs: 8000 }),
    warn: (m) => warnings.push(m),
  });
  model.onDidChange((c) => changes.push(c));
  return { model, changes, clock, warnings };
}

describe('cloud: account model', () => {
  it('caches what it loaded: a second read of firmware, jobs and counts asks the service nothing', async () => {
    const ota = new MemoryOta();
    const { model } = modelOf(ota);
    await model.firmware();
    await model.firmware();
    const jobs = await model.jobsOf('fw1');
    await model.jobsOf('fw1');
    await model.taskCounts('j-new');
    await model.taskCounts('j-new');
    assert.deepEqual(jobs.map((j) => j.id), ['j-new', 'j-old'], 'newest job first');
    assert.equal(ota.called('listFirmware'), 1);
    assert.equal(ota.called('listJobsByFirmware'), 1);
    assert.equal(ota.called('countTasksByStatus'), 1);
  });

  describe('paging', () => {
    it('shows one page of tasks, then one more per loadMore, and keeps that many across a reload of the job', async () => {
      const ota = new MemoryOta();
      for (let i = 0; i < 25; i++) ota.tasks.push(task('j-new', i, 'QUEUED'));
      const { model, changes } = modelOf(ota);

      let page = await model.tasks('j-new', 'QUEUED');
      assert.equal(page.tasks.length, 10);
      assert.equal(page.total, 25);

      await model.loadMore('j-new', 'QUEUED');
      assert.deepEqual(changes.at(-1), { kind: 'tasks', jobId: 'j-new', status: 'QUEUED' });
      page = await model.tasks('j-new', 'QUEUED');
      assert.deepEqual(page.tasks.map((t) => t.id), Array.from({ length: 20 }, (_, i) => `t${i}`));

      await model.loadMore('j-new', 'QUEUED');
      page = await model.tasks('j-new', 'QUEUED');
      assert.equal(page.tasks.length, 25, 'the last, short page ends the listing');

      // A write reloads the job: the rows come again, as many as were shown.
      const before = ota.called('listTasksPage');
      await model.jobChanged('j-new');
      page = await model.tasks('j-new', 'QUEUED');
      assert.equal(page.tasks.length, 25);
      assert.equal(ota.called('listTasksPage') - before, 3);
    });

    it('keeps the pages of each status apart', async () => {
      const ota = new MemoryOta();
      for (let i = 0; i < 15; i++) ota.tasks.push(task('j-new', i, i < 12 ? 'FAILED' : 'SUCCEEDED'));
      const { model } = modelOf(ota);
      await model.loadMore('j-new', 'FAILED');
      assert.equal((await model.tasks('j-new', 'FAILED')).tasks.length, 12);
      assert.equal((await model.tasks('j-new', 'SUCCEEDED')).tasks.length, 3);
    });
  });

  describe('refresh after a write', () => {
    it('a deleted firmware is gone on the next read, and the account says it changed', async () => {
      const ota = new MemoryOta();
      ota.firmwareList.push(firmware('fw2', '2026-02-01T00:00:00Z'));
      const { model, changes } = modelOf(ota);
      assert.equal((await model.firmware()).length, 2);
      ota.firmwareList = ota.firmwareList.filter((f) => f.id !== 'fw2');
      assert.equal((await model.firmware()).length, 2, 'cached until told');
      model.firmwareChanged();
      assert.deepEqual(changes, [{ kind: 'account' }]);
      assert.deepEqual((await model.firmware()).map((f) => f.id), ['fw1']);
      assert.equal(ota.called('listFirmware'), 2);
    });

    it('a new job shows under its firmware once jobsChanged says so; other firmware keep their jobs', async () => {
      const ota = new MemoryOta();
      const { model, changes } = modelOf(ota);
      await model.jobsOf('fw1');
      ota.jobs.push(job('j-3', 'COMPLETED', '2026-03-01T00:00:00Z'));
      model.jobsChanged('fw1');
      assert.deepEqual(changes, [{ kind: 'jobs', firmwareId: 'fw1' }]);
      assert.equal((await model.jobsOf('fw1'))[0].id, 'j-3');
      assert.equal(ota.called('listJobsByFirmware'), 2);
    });

    it('a write on a job reloads its record, its counts and its rows, and says the job changed', async () => {
      const ota = new MemoryOta();
      ota.tasks.push(task('j-new', 1, 'FAILED'));
      const { model, changes } = modelOf(ota);
      await model.jobsOf('fw1');
      assert.deepEqual(await model.taskCounts('j-new'), { FAILED: 1 });
      await model.tasks('j-new', 'FAILED');
      // Retried: the task is queued again.
      ota.tasks[0] = { ...ota.tasks[0], status: 'QUEUED' };
      await model.jobChanged('j-new');
      assert.deepEqual(changes, [{ kind: 'job', jobId: 'j-new' }]);
      assert.deepEqual(await model.taskCounts('j-new'), { QUEUED: 1 });
      assert.equal((await model.tasks('j-new', 'FAILED')).tasks.length, 0);
      assert.equal(ota.called('getJob'), 1);
    });

    it('a failed load is not cached: the next read asks again', async () => {
      const ota = new MemoryOta();
      const { model } = modelOf(ota);
      await assert.rejects(model.firmwareDetails('nope'), /no firmware nope/);
      let fail = true;
      const original = ota.listFirmware.bind(ota);
      ota.listFirmware = () => (fail ? Promise.reject(new Error('network down')) : original());
      await assert.rejects(model.firmware(), /network down/);
      await flush();
      fail = false;
      assert.equal((await model.firmware()).length, 1);
    });
  });

  describe('polling moving jobs, with backoff', () => {
    it('polls an in-progress job, backs off 1.5x while nothing changes, starts over fast on a change, and stops when it ends', async () => {
      const ota = new MemoryOta();
      ota.jobs = [job('j-run', 'IN_PROGRESS')];
      ota.tasks = [task('j-run', 1, 'IN_PROGRESS')];
      const { model, changes, clock } = modelOf(ota);
      await model.jobsOf('fw1');
      await model.taskCounts('j-run');
      assert.equal(model.watchedJobs, 1);
      assert.equal(model.pollDelay('j-run'), 1000);

      await clock.advance(1000);
      assert.equal(ota.called('getJob'), 1);
      assert.equal(model.pollDelay('j-run'), 1500);
      await clock.advance(1500);
      assert.equal(model.pollDelay('j-run'), 2250);
      assert.deepEqual(changes, [], 'nothing changed, nothing said');

      ota.tasks[0] = { ...ota.tasks[0], status: 'SUCCEEDED' };
      await clock.advance(2250);
      assert.deepEqual(changes, [{ kind: 'job', jobId: 'j-run' }]);
      assert.equal(model.pollDelay('j-run'), 1000, 'a change starts over at the base interval');
      assert.deepEqual(await model.taskCounts('j-run'), { SUCCEEDED: 1 }, 'the poll refreshed the cached counts');

      ota.jobs[0] = { ...ota.jobs[0], status: 'COMPLETED' };
      await clock.advance(1000);
      assert.equal(model.job('j-run')?.status, 'COMPLETED');
      assert.equal(model.watchedJobs, 0);
      assert.equal(clock.pendingTimers, 0, 'no more polls');
      assert.deepEqual(changes.at(-1), { kind: 'job', jobId: 'j-run' });
    });

    it('never waits longer than the maximum', async () => {
      const ota = new MemoryOta();
      ota.jobs = [job('j-run', 'PLANNED')];
      const { model, clock } = modelOf(ota);
      await model.jobsOf('fw1');
      for (const expected of [1500, 2250, 3375, 5063, 7595, 8000, 8000]) {
        await clock.advance(model.pollDelay('j-run') ?? 0);
        assert.equal(model.pollDelay('j-run'), expected);
      }
    });

    it('doubles the delay after a failed poll and logs the same failure once', async () => {
      const ota = new MemoryOta();
      ota.jobs = [job('j-run', 'IN_PROGRESS')];
      const { model, clock, warnings } = modelOf(ota);
      await model.jobsOf('fw1');
      ota.failGetJob = true;
      await clock.advance(1000);
      assert.equal(model.pollDelay('j-run'), 2000);
      await clock.advance(2000);
      assert.equal(model.pollDelay('j-run'), 4000);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /Refreshing job j-run failed: service unavailable/);
      ota.failGetJob = false;
      await clock.advance(4000);
      assert.equal(model.pollDelay('j-run'), 6000, 'back to the 1.5x of an unchanged poll');
    });

    it('pauses while the view is hidden and starts again at the base interval when shown', async () => {
      const ota = new MemoryOta();
      ota.jobs = [job('j-run', 'IN_PROGRESS')];
      const { model, clock } = modelOf(ota);
      await model.jobsOf('fw1');
      await clock.advance(1000);
      model.setPolling(false);
      await clock.advance(60_000);
      assert.equal(ota.called('getJob'), 1, 'no poll while hidden');
      model.setPolling(true);
      assert.equal(model.pollDelay('j-run'), 1000);
      await clock.advance(1000);
      assert.equal(ota.called('getJob'), 2);
    });

    it('a refresh forgets the followed jobs until they are read again', async () => {
      const ota = new MemoryOta();
      ota.jobs = [job('j-run', 'IN_PROGRESS')];
      const { model, clock } = modelOf(ota);
      await model.jobsOf('fw1');
      model.refresh();
      assert.equal(model.watchedJobs, 0);
      assert.equal(clock.pendingTimers, 0);
      await model.jobsOf('fw1');
      assert.equal(model.watchedJobs, 1);
    });
  });
});
