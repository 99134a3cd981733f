// The sandbox's state, in memory and in its data folder. Each collection lives in its own JSON file (tasks one file
// per job, devices one file per product) so a change rewrites only what changed; every write is atomic. Callers
// mark what they changed and `flush()` before they acknowledge a change, so nothing acknowledged is ever lost.
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, removeStaleTempFiles, writeFileAtomic } from './fsAtomic';
import {
  TERMINAL_TASK_STATUSES,
  type DeviceRecord,
  type FirmwareRecord,
  type GroupRecord,
  type IotaapState,
  type JobRecord,
  type ObjectRecord,
  type ProductRecord,
  type TaskRecord,
} from './records';

const FORMAT_VERSION = 1;

interface MetaFile {
  formatVersion: number;
  createdAt: string;
}

interface CatalogFile {
  products: ProductRecord[];
  groups: GroupRecord[];
}

/** A task is finished when it is terminal and no retry is pending. */
export function taskFinished(task: TaskRecord): boolean {
  return TERMINAL_TASK_STATUSES.has(task.taskStatus) && task.retryAt === null;
}

export class SandboxStore {
  readonly products = new Map<string, ProductRecord>();
  readonly groups = new Map<string, GroupRecord>();
  /** productKey -> deviceName -> device. */
  readonly devices = new Map<string, Map<string, DeviceRecord>>();
  readonly firmware = new Map<string, FirmwareRecord>();
  readonly jobs = new Map<string, JobRecord>();
  readonly tasksByJob = new Map<string, TaskRecord[]>();
  readonly tasksById = new Map<string, TaskRecord>();
  /** `bucket/key` -> object. */
  readonly objects = new Map<string, ObjectRecord>();
  iotaap: IotaapState = { users: [], sessions: [], devices: [], groups: [], otas: [] };

  /** Relative path -> the value to write (null: delete the file). Computed at flush time. */
  private readonly dirty = new Map<string, (() => unknown) | null>();
  private flushChain: Promise<void> = Promise.resolve();

  private constructor(readonly dir: string) {}

  get objectsDir(): string {
    return join(this.dir, 'objects');
  }

  /** Opens the data folder; `initialized` is false when it holds no sandbox state yet (seed it, then flush). */
  static async open(dir: string): Promise<{ store: SandboxStore; initialized: boolean }> {
    const store = new SandboxStore(dir);
    await mkdir(join(dir, 'devices'), { recursive: true });
    await mkdir(join(dir, 'tasks'), { recursive: true });
    await mkdir(store.objectsDir, { recursive: true });
    for (const sub of ['', 'devices', 'tasks', 'objects']) await removeStaleTempFiles(join(dir, sub));
    const meta = await readJsonFile<MetaFile>(join(dir, 'meta.json'));
    if (!meta) return { store, initialized: false };
    if (meta.formatVersion !== FORMAT_VERSION) {
      throw new Error(
        `The sandbox data folder ${dir} has format ${meta.formatVersion}; this version reads format ${FORMAT_VERSION}.`,
      );
    }
    await store.load();
    return { store, initialized: true };
  }

  private async load(): Promise<void> {
    const catalog = (await readJsonFile<CatalogFile>(join(this.dir, 'catalog.json'))) ?? { products: [], groups: [] };
    for (const p of catalog.products) this.products.set(p.productKey, p);
    for (const g of catalog.groups) this.groups.set(g.groupId, g);
    for (const productKey of this.products.keys()) {
      const list = (await readJsonFile<DeviceRecord[]>(join(this.dir, 'devices', `${productKey}.json`))) ?? [];
      this.devices.set(productKey, new Map(list.map((d) => [d.deviceName, d])));
    }
    for (const f of (await readJsonFile<FirmwareRecord[]>(join(this.dir, 'firmware.json'))) ?? []) {
      this.firmware.set(f.firmwareId, f);
    }
    for (const j of (await readJsonFile<JobRecord[]>(join(this.dir, 'jobs.json'))) ?? []) this.jobs.set(j.jobId, j);
    for (const jobId of this.jobs.keys()) {
      const tasks = (await readJsonFile<TaskRecord[]>(join(this.dir, 'tasks', `${jobId}.json`))) ?? [];
      this.tasksByJob.set(jobId, tasks);
      for (const t of tasks) this.tasksById.set(t.taskId, t);
    }
    for (const o of (await readJsonFile<ObjectRecord[]>(join(this.dir, 'objects.json'))) ?? []) {
      this.objects.set(`${o.bucket}/${o.key}`, o);
    }
    this.iotaap = (await readJsonFile<IotaapState>(join(this.dir, 'iotaap.json'))) ?? this.iotaap;
    // Task files of deleted jobs may survive a crash between the two writes; they are unreachable, drop them.
    const taskFiles = await readdir(join(this.dir, 'tasks'));
    for (const name of taskFiles) {
      if (name.endsWith('.json') && !this.jobs.has(name.slice(0, -5))) await rm(join(this.dir, 'tasks', name));
    }
  }

  /** Marks everything dirty and writes `meta.json` last, so a crash mid-seed leaves an uninitialized folder. */
  async initialize(now: number): Promise<void> {
    this.touchCatalog();
    for (const productKey of this.devices.keys()) this.touchDevices(productKey);
    this.touchFirmware();
    this.touchJobs();
    for (const jobId of this.tasksByJob.keys()) this.touchTasks(jobId);
    this.touchObjects();
    this.touchIotaap();
    await this.flush();
    const meta: MetaFile = { formatVersion: FORMAT_VERSION, createdAt: new Date(now).toISOString() };
    await writeFileAtomic(join(this.dir, 'meta.json'), JSON.stringify(meta, null, 2));
  }

  // --- change tracking -------------------------------------------------------------------------------------------

  touchCatalog(): void {
    this.dirty.set('catalog.json', () => ({
      products: [...this.products.values()],
      groups: [...this.groups.values()],
    }));
  }

  touchDevices(productKey: string): void {
    this.dirty.set(join('devices', `${productKey}.json`), () => [...(this.devices.get(productKey)?.values() ?? [])]);
  }

  touchFirmware(): void {
    this.dirty.set('firmware.json', () => [...this.firmware.values()]);
  }

  touchJobs(): void {
    this.dirty.set('jobs.json', () => [...this.jobs.values()]);
  }

  touchTasks(jobId: string): void {
    this.dirty.set(join('tasks', `${jobId}.json`), () => this.tasksByJob.get(jobId) ?? []);
  }

  touchObjects(): void {
    this.dirty.set('objects.json', () => [...this.objects.values()]);
  }

  touchIotaap(): void {
    this.dirty.set('iotaap.json', () => this.iotaap);
  }

  // --- mutations that keep the indexes right ---------------------------------------------------------------------

  addJob(job: JobRecord, tasks: TaskRecord[]): void {
    this.jobs.set(job.jobId, job);
    this.tasksByJob.set(job.jobId, tasks);
    for (const t of tasks) this.tasksById.set(t.taskId, t);
    this.touchJobs();
    this.touchTasks(job.jobId);
  }

  addTasks(jobId: string, tasks: TaskRecord[]): void {
    const list = this.tasksByJob.get(jobId);
    if (!list) throw new Error(`no job ${jobId}`);
    for (const t of tasks) {
      list.push(t);
      this.tasksById.set(t.taskId, t);
    }
    this.touchTasks(jobId);
  }

  deleteFirmware(firmwareId: string): void {
    for (const job of [...this.jobs.values()]) {
      if (job.firmwareId !== firmwareId) continue;
      for (const t of this.tasksByJob.get(job.jobId) ?? []) this.tasksById.delete(t.taskId);
      this.tasksByJob.delete(job.jobId);
      this.jobs.delete(job.jobId);
      this.dirty.set(join('tasks', `${job.jobId}.json`), null);
    }
    this.firmware.delete(firmwareId);
    this.touchFirmware();
    this.touchJobs();
  }

  tasksOf(jobId: string): TaskRecord[] {
    return this.tasksByJob.get(jobId) ?? [];
  }

  device(productKey: string, deviceName: string): DeviceRecord | undefined {
    return this.devices.get(productKey)?.get(deviceName);
  }

  objectFile(bucket: string, key: string): string {
    const name = createHash('sha1').update(`${bucket}/${key}`).digest('hex');
    return join(this.objectsDir, `${name}.bin`);
  }

  // --- persistence -----------------------------------------------------------------------------------------------

  /** Writes every changed file. Calls are serialized; each one covers all changes made before it was called. */
  flush(): Promise<void> {
    const run = this.flushChain.then(() => this.writeDirty());
    this.flushChain = run.catch(() => undefined);
    return run;
  }

  private async writeDirty(): Promise<void> {
    const batch = [...this.dirty];
    this.dirty.clear();
    try {
      for (const [rel, produce] of batch) {
        const file = join(this.dir, rel);
        if (produce === null) await rm(file, { force: true });
        else await writeFileAtomic(file, JSON.stringify(produce()));
      }
    } catch (e) {
      // Keep what did not get written dirty, so the next flush tries again.
      for (const [rel, produce] of batch) if (!this.dirty.has(rel)) this.dirty.set(rel, produce);
      throw e;
    }
  }
}
