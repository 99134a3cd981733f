// One connected account's cloud data as the extension knows it: firmware, each firmware's jobs, each job's task
// counts and pages of tasks, IoTaaP device OTAs. Loaded on first read, cached until a refresh or a write says it
// changed, and announced through change events that the tree, the poller and the commands all listen to. Jobs that
// move on their own (PLANNED, IN_PROGRESS) are polled while someone watches (the Cloud view is visible), backing off
// when nothing changes. No VS Code import: tested in plain Node (test/unit/cloud/accountModel.test.ts).
import type { DeviceOta, Firmware, Job, Task } from '../../../core/model';
import { errorMessage } from '../../../core/errors';
import { systemClock, type Clock } from '../../../core/net/clock';
import { unhandled } from '../../../shared/exhaustive';
import type { AccountSession } from './accountSession';

/** What changed, so that a listener re-reads only that. */
export type ModelChange =
  | { kind: 'account' }
  | { kind: 'jobs'; firmwareId: string }
  | { kind: 'job'; jobId: string }
  | { kind: 'tasks'; jobId: string; status: string }
  | { kind: 'deviceOtas'; what: 'devices' | 'groups' };

export interface TaskPage {
  tasks: Task[];
  /** How many tasks of this status the job has in all. */
  total: number;
}

export interface PollIntervals {
  baseMs: number;
  maxMs: number;
}

export interface AccountModelOptions {
  pageSize?: number;
  clock?: Clock;
  /** Read at each poll so that a changed setting applies at once. */
  intervals?: () => PollIntervals;
  warn?: (message: string) => void;
}

const MOVING = new Set(['IN_PROGRESS', 'PLANNED']);

export function isMoving(job: Job): boolean {
  return MOVING.has(job.status);
}

interface Watch {
  delayMs: number;
  cancel: (() => void) | undefined;
  lastError: string | undefined;
}

type Listener = (change: ModelChange) => void;

/** A cache entry: the first read loads it, a failed load is forgotten so the next read tries again. */
class Cached<K, V> {
  private readonly map = new Map<K, Promise<V>>();
  get(key: K, load: () => Promise<V>): Promise<V> {
    let p = this.map.get(key);
    if (!p) {
      p = load();
      this.map.set(key, p);
      p.catch(() => {
        if (this.map.get(key) === p) this.map.delete(key);
      });
    }
    return p;
  }
  set(key: K, value: V): void {
    this.map.set(key, Promise.resolve(value));
  }
  delete(key: K): void {
    this.map.delete(key);
  }
  deleteWhere(test: (key: K) => boolean): void {
    for (const key of [...this.map.keys()]) if (test(key)) this.map.delete(key);
  }
  has(key: K): boolean {
    return this.map.has(key);
  }
  clear(): void {
    this.map.clear();
  }
}

export class AccountModel {
  readonly pageSize: number;
  private readonly clock: Clock;
  private readonly intervals: () => PollIntervals;
  private readonly warn: (message: string) => void;
  private readonly listeners = new Set<Listener>();

  private readonly firmwareList = new Cached<'all', Firmware[]>();
  private readonly jobLists = new Cached<string, Job[]>();
  private readonly counts = new Cached<string, Record<string, number>>();
  private readonly taskPages = new Cached<string, TaskPage>();
  private readonly deviceOtaLists = new Cached<'devices' | 'groups', DeviceOta[]>();
  /** The latest record of each job seen, kept fresh by polls. */
  private readonly jobs = new Map<string, Job>();
  /** How many tasks each (job, status) shows, kept across refreshes so that "load more" is not undone. */
  private readonly wanted = new Map<string, number>();
  private readonly watched = new Map<string, Watch>();
  private polling = true;

  constructor(
    readonly accountId: string,
    private readonly connect: () => Promise<AccountSession>,
    options: AccountModelOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 50;
    this.clock = options.clock ?? systemClock;
    this.intervals = options.intervals ?? (() => ({ baseMs: 5000, maxMs: 60_000 }));
    this.warn = options.warn ?? (() => undefined);
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(change: ModelChange): void {
    for (const l of [...this.listeners]) l(change);
  }

  /** The connected clients (the sessions keep one per account and rebuild it after a failure or a reconnect). */
  session(): Promise<AccountSession> {
    return this.connect();
  }

  private async ota() {
    const s = await this.session();
    if (!s.ota) throw new Error(s.problem ?? `${s.label} has no firmware packages.`);
    return s.ota;
  }

  private async iotaap() {
    const s = await this.session();
    if (!s.iotaap) throw new Error(s.problem ?? `${s.label} has no IoTaaP devices.`);
    return s.iotaap;
  }

  // ---- reads -------------------------------------------------------------------------------------------------

  firmware(): Promise<Firmware[]> {
    return this.firmwareList.get('all', async () => (await this.ota()).listFirmware());
  }

  /** The jobs of one firmware, newest first. Moving jobs are watched. */
  jobsOf(firmwareId: string): Promise<Job[]> {
    return this.jobLists.get(firmwareId, async () => {
      const list = await (await this.ota()).listJobsByFirmware(firmwareId);
      list.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
      for (const j of list) this.remember(j);
      return list;
    });
  }

  /** One firmware with every field, asked afresh (its pre-signed download URL expires). */
  async firmwareDetails(firmwareId: string, options: { signal?: AbortSignal } = {}): Promise<Firmware> {
    return (await this.ota()).getFirmware(firmwareId, options);
  }

  /** The latest record of a job this model has seen. */
  job(jobId: string): Job | undefined {
    return this.jobs.get(jobId);
  }

  taskCounts(jobId: string): Promise<Record<string, number>> {
    return this.counts.get(jobId, async () => (await this.ota()).countTasksByStatus(jobId));
  }

  /** The tasks of one status, as many pages as were asked for (one at first, one more per loadMore). */
  tasks(jobId: string, status: string): Promise<TaskPage> {
    const key = taskKey(jobId, status);
    return this.taskPages.get(key, async () => {
      const ota = await this.ota();
      const want = Math.max(this.wanted.get(key) ?? this.pageSize, this.pageSize);
      const pages = Math.ceil(want / this.pageSize);
      const tasks: Task[] = [];
      let total = 0;
      for (let p = 1; p <= pages; p++) {
        const page = await ota.listTasksPage(jobId, p, this.pageSize, { status });
        tasks.push(...page.items);
        total = page.total;
        if (page.items.length < this.pageSize) break;
      }
      return { tasks, total };
    });
  }

  /** Shows one more page of tasks of that status. */
  async loadMore(jobId: string, status: string): Promise<void> {
    const key = taskKey(jobId, status);
    const shown = this.taskPages.has(key) ? (await this.tasks(jobId, status)).tasks.length : 0;
    this.wanted.set(key, Math.max(shown, this.pageSize) + this.pageSize);
    this.taskPages.delete(key);
    this.fire({ kind: 'tasks', jobId, status });
  }

  deviceOtas(what: 'devices' | 'groups'): Promise<DeviceOta[]> {
    return this.deviceOtaLists.get(what, async () => {
      const client = await this.iotaap();
      return what === 'devices' ? client.listAllDeviceOtas() : client.listAllGroupOtas();
    });
  }

  // ---- what writes and refreshes say -------------------------------------------------------------------------

  /** Forgets everything loaded and says the whole account changed. */
  refresh(): void {
    this.firmwareList.clear();
    this.jobLists.clear();
    this.counts.clear();
    this.taskPages.clear();
    this.deviceOtaLists.clear();
    this.stopWatching();
    this.fire({ kind: 'account' });
  }

  /** Forgets what one part of the tree shows (a retry, a refresh of one node) and says it changed. */
  invalidate(scope: ModelChange): void {
    switch (scope.kind) {
      case 'account':
        this.refresh();
        return;
      case 'jobs':
        this.jobsChanged(scope.firmwareId);
        return;
      case 'job':
        this.forgetTasksOf(scope.jobId);
        break;
      case 'tasks':
        this.taskPages.delete(taskKey(scope.jobId, scope.status));
        break;
      case 'deviceOtas':
        this.deviceOtaLists.delete(scope.what);
        break;
      default:
        unhandled(scope, 'change');
    }
    this.fire(scope);
  }

  /** A firmware was uploaded or deleted. */
  firmwareChanged(): void {
    this.firmwareList.clear();
    this.fire({ kind: 'account' });
  }

  /** A job was created for this firmware. */
  jobsChanged(firmwareId: string): void {
    this.jobLists.delete(firmwareId);
    this.fire({ kind: 'jobs', firmwareId });
  }

  /** A job's tasks were canceled, retried or confirmed: reload the job, its counts and its task pages. */
  async jobChanged(jobId: string): Promise<void> {
    this.forgetTasksOf(jobId);
    try {
      this.remember(await (await this.ota()).getJob(jobId));
    } catch (e) {
      this.warn(`Reloading job ${jobId} failed: ${errorMessage(e)}`);
    }
    this.fire({ kind: 'job', jobId });
  }

  private forgetTasksOf(jobId: string, options: { counts: boolean } = { counts: true }): void {
    if (options.counts) this.counts.delete(jobId);
    this.taskPages.deleteWhere((key) => key.startsWith(`${jobId}\n`));
  }

  private remember(job: Job): void {
    this.jobs.set(job.id, job);
    if (isMoving(job)) this.watch(job.id);
  }

  // ---- polling of moving jobs --------------------------------------------------------------------------------

  /** How many jobs are being followed. */
  get watchedJobs(): number {
    return this.watched.size;
  }

  /** Polls while true (the view is visible); a false pauses every poll, a true starts them again, fast. */
  setPolling(on: boolean): void {
    this.polling = on;
    for (const [jobId, w] of this.watched) {
      if (on && !w.cancel) {
        w.delayMs = this.intervals().baseMs;
        this.schedule(jobId, w);
      } else if (!on && w.cancel) {
        w.cancel();
        w.cancel = undefined;
      }
    }
  }

  private watch(jobId: string): void {
    if (this.watched.has(jobId)) return;
    const w: Watch = { delayMs: this.intervals().baseMs, cancel: undefined, lastError: undefined };
    this.watched.set(jobId, w);
    this.schedule(jobId, w);
  }

  private schedule(jobId: string, w: Watch): void {
    if (!this.polling) return;
    w.cancel = this.clock.schedule(w.delayMs, () => void this.poll(jobId, w));
  }

  /** The delay before the next poll of this job (for tests and the log). */
  pollDelay(jobId: string): number | undefined {
    return this.watched.get(jobId)?.delayMs;
  }

  private async poll(jobId: string, w: Watch): Promise<void> {
    w.cancel = undefined;
    const { baseMs, maxMs } = this.intervals();
    let changed = false;
    try {
      const ota = await this.ota();
      const before = JSON.stringify([this.jobs.get(jobId), this.counts.has(jobId) ? await this.taskCounts(jobId) : null]);
      const job = await ota.getJob(jobId);
      const counts = this.counts.has(jobId) ? await ota.countTasksByStatus(jobId) : null;
      if (this.watched.get(jobId) !== w) return;
      changed = JSON.stringify([job, counts]) !== before;
      this.jobs.set(jobId, job);
      if (changed) {
        this.forgetTasksOf(jobId, { counts: false });
        if (counts) this.counts.set(jobId, counts);
      }
      w.lastError = undefined;
      w.delayMs = changed ? baseMs : Math.min(maxMs, Math.round(w.delayMs * 1.5));
    } catch (e) {
      const message = errorMessage(e);
      if (message !== w.lastError) this.warn(`Refreshing job ${jobId} failed: ${message}`);
      w.lastError = message;
      w.delayMs = Math.min(maxMs, w.delayMs * 2);
    }
    if (this.watched.get(jobId) !== w) return;
    const job = this.jobs.get(jobId);
    if (job && !isMoving(job)) {
      // Finished: one last change shows its final state; no more polling.
      this.watched.delete(jobId);
      this.fire({ kind: 'job', jobId });
      return;
    }
    if (changed) this.fire({ kind: 'job', jobId });
    this.schedule(jobId, w);
  }

  private stopWatching(): void {
    for (const w of this.watched.values()) w.cancel?.();
    this.watched.clear();
  }

  dispose(): void {
    this.stopWatching();
    this.listeners.clear();
  }
}

function taskKey(jobId: string, status: string): string {
  return `${jobId}\n${status}`;
}
