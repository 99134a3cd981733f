// Simulated devices: each tick moves upgrade tasks along QUEUED -> NOTIFIED -> IN_PROGRESS -> SUCCEEDED/FAILED the
// way devices would, starts scheduled jobs, retries failed tasks, times out slow ones, lets dynamic jobs pick up
// devices, ends jobs whose tasks are all done, and turns finished verify jobs into a firmware status.
import type { SandboxContext } from '../context';
import { ruledFailure, type DeviceProfile } from './fleetRules';
import { finishJob, verifyProgressOf } from './jobLifecycle';
import { initialTaskStatus, newTask, pendingTasksOfDevice, productDevices, setTaskStatus, versionMatches } from './jobTargets';
import type { FirmwareRecord, JobRecord, TaskRecord } from '../state/records';
import { taskFinished } from '../state/store';

/** Why a simulated device fails, as devices report it (progress codes -1..-4, or no answer). */
export const FAILURE_REASONS = ['download failed', 'timeout', 'verification failed', 'flash write failed', 'upgrade failed'] as const;

/** Push rate when the job sets none (devices per minute). */
const DEFAULT_PUSH_RATE = 1000;
/** Chance per tick that a notified device starts, and that a device pulls a job that does not push. */
const START_CHANCE = 0.6;
const PULL_CHANCE = 0.3;
/** Chance per tick that a matching device shows up for a dynamic job. */
const DYNAMIC_JOIN_CHANCE = 0.1;

export class Simulator {
  constructor(private readonly ctx: SandboxContext) {}

  /** One step of every active job. Marks what changed; the caller flushes. */
  step(): void {
    const now = this.ctx.now();
    for (const job of [...this.ctx.store.jobs.values()]) {
      if (job.jobStatus === 'PLANNED') {
        if (job.scheduleTime === null || job.scheduleTime > now) continue;
        job.jobStatus = 'IN_PROGRESS';
        job.startedAt = now;
        job.modifiedAt = now;
        this.ctx.store.touchJobs();
      }
      if (job.jobStatus === 'IN_PROGRESS') this.stepJob(job, now);
    }
  }

  private stepJob(job: JobRecord, now: number): void {
    const store = this.ctx.store;
    const firmware = store.firmware.get(job.firmwareId);
    if (!firmware) return;
    let changed = false;
    const tasks = store.tasksOf(job.jobId);
    if (job.scheduleFinishTime !== null && now >= job.scheduleFinishTime) {
      for (const t of tasks) {
        if (t.taskStatus === 'CONFIRM' || t.taskStatus === 'QUEUED' || t.taskStatus === 'NOTIFIED') {
          setTaskStatus(t, 'CANCELED', "The job's finish time was reached", now);
          changed = true;
        } else if (t.retryAt !== null) {
          t.retryAt = null;
          changed = true;
        }
      }
    }
    if (job.selectionType === 'DYNAMIC' && !job.strategyCanceled) changed = this.joinDynamic(job, firmware, now) || changed;
    let budget = Math.max(1, Math.ceil(((job.maximumPerMinute ?? DEFAULT_PUSH_RATE) * this.ctx.tickSpanMs) / 60_000));
    for (const task of tasks) {
      const before = `${task.taskStatus} ${task.progress} ${task.retryAt}`;
      if (this.timedOut(job, task, now)) {
        this.fail(job, task, 'timeout', now);
      } else {
        switch (task.taskStatus) {
          case 'FAILED':
            if (task.retryAt !== null && task.retryAt <= now) {
              task.attempts++;
              task.retryAt = null;
              task.progress = 0;
              task.startedAt = null;
              setTaskStatus(task, 'QUEUED', `Retry ${task.attempts} of ${job.retryCount ?? 0}`, now);
            }
            break;
          case 'QUEUED':
            if (job.needPush) {
              if (budget > 0) {
                budget--;
                task.startedAt = now;
                setTaskStatus(task, 'NOTIFIED', null, now);
              }
            } else if (!this.offline(task) && this.ctx.random.chance(PULL_CHANCE)) {
              this.start(task, firmware, now);
            }
            break;
          case 'NOTIFIED':
            // An offline device never answers: its task waits for the job's timeout.
            if (!this.offline(task) && this.ctx.random.chance(START_CHANCE)) this.start(task, firmware, now);
            break;
          case 'IN_PROGRESS':
            this.advance(job, firmware, task, now);
            break;
          default:
            break;
        }
      }
      if (`${task.taskStatus} ${task.progress} ${task.retryAt}` !== before) changed = true;
    }
    if (changed) store.touchTasks(job.jobId);
    if (job.jobType === 'VERIFY_FIRMWARE' && firmware.status === 2) {
      const progress = verifyProgressOf(this.ctx, job);
      if (progress !== firmware.verifyProgress) {
        firmware.verifyProgress = progress;
        firmware.modifiedAt = now;
        store.touchFirmware();
      }
    }
    const open = job.selectionType === 'DYNAMIC' && !job.strategyCanceled;
    if (!open && tasks.every(taskFinished)) finishJob(this.ctx, job, 'COMPLETED', now);
  }

  private timedOut(job: JobRecord, task: TaskRecord, now: number): boolean {
    if (job.timeoutInMinutes === null || task.startedAt === null) return false;
    if (task.taskStatus !== 'NOTIFIED' && task.taskStatus !== 'IN_PROGRESS') return false;
    return now - task.startedAt >= job.timeoutInMinutes * 60_000;
  }

  private profileOf(task: TaskRecord): DeviceProfile | undefined {
    return this.ctx.store.device(task.productKey, task.deviceName)?.profile;
  }

  private offline(task: TaskRecord): boolean {
    return this.profileOf(task)?.offline === true;
  }

  /**
   * The device starts downloading; whether this attempt will fail is decided now: by the firmware's outcome rule
   * when it has one (the same devices every time), else at the failure rate.
   */
  private start(task: TaskRecord, firmware: FirmwareRecord, now: number): void {
    const random = this.ctx.random;
    task.startedAt ??= now;
    task.progress = random.int(1, 10);
    if (firmware.outcome) {
      const reason = ruledFailure(firmware.outcome, firmware.firmwareId, task.deviceName, this.profileOf(task));
      task.failAt = reason === null ? null : random.int(20, 90);
      task.failDesc = reason;
    } else if (random.chance(this.ctx.failureRate)) {
      task.failAt = random.int(5, 95);
      task.failDesc = random.pick(FAILURE_REASONS);
    } else {
      task.failAt = null;
      task.failDesc = null;
    }
    setTaskStatus(task, 'IN_PROGRESS', null, now);
  }

  private advance(job: JobRecord, firmware: FirmwareRecord, task: TaskRecord, now: number): void {
    const slow = this.profileOf(task)?.slow === true;
    task.progress = Math.min(100, task.progress + (slow ? this.ctx.random.int(2, 6) : this.ctx.random.int(12, 35)));
    task.modifiedAt = now;
    if (task.failAt !== null && task.progress >= task.failAt) {
      task.progress = task.failAt;
      this.fail(job, task, task.failDesc ?? 'upgrade failed', now);
      return;
    }
    if (task.progress < 100) return;
    setTaskStatus(task, 'SUCCEEDED', null, now);
    const device = this.ctx.store.device(task.productKey, task.deviceName);
    if (device) {
      device.versions[firmware.moduleName] = firmware.destVersion;
      this.ctx.store.touchDevices(device.productKey);
    }
  }

  private fail(job: JobRecord, task: TaskRecord, desc: string, now: number): void {
    setTaskStatus(task, 'FAILED', desc, now);
    task.failAt = null;
    task.failDesc = null;
    const retries = job.retryCount ?? 0;
    task.retryAt = job.retryInterval !== null && task.attempts < retries ? now + job.retryInterval * 60_000 : null;
  }

  /** Matching devices without a task in this dynamic job show up now and then. */
  private joinDynamic(job: JobRecord, firmware: FirmwareRecord, now: number): boolean {
    const store = this.ctx.store;
    const have = new Set(store.tasksOf(job.jobId).map((t) => t.deviceName));
    const joining: TaskRecord[] = [];
    for (const device of productDevices(store, job.productKey)) {
      if (have.has(device.deviceName) || !versionMatches(job, firmware, device)) continue;
      if (job.groupId !== null && !device.groupIds.includes(job.groupId)) continue;
      if (!this.ctx.random.chance(DYNAMIC_JOIN_CHANCE)) continue;
      const pending = pendingTasksOfDevice(store, device, firmware.moduleName, job.jobId);
      if (pending.length && job.overwriteMode === 1) continue;
      for (const old of pending) {
        setTaskStatus(old, 'CANCELED', `Overwritten by job ${job.jobId}`, now);
        store.touchTasks(old.jobId);
      }
      joining.push(newTask(this.ctx.ids, job, firmware, device, initialTaskStatus(job), now));
    }
    if (joining.length) store.addTasks(job.jobId, joining);
    return joining.length > 0;
  }
}
