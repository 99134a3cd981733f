// Task operations: ListOTATaskByJob, CancelOTATaskByJob, CancelOTAStrategyByJob, ReupgradeOTATask, ConfirmOTATask,
// CancelOTATaskByDevice.
import { businessError, invalidParameter, missingParameter, productNotFound } from './apiError';
import { FIRMWARE_ID, findFirmware, type OperationResult } from './firmwareOps';
import { findJob } from './jobOps';
import { simpleTaskInfo } from './shapes';
import type { SandboxContext } from '../context';
import { finishJob } from '../simulation/jobLifecycle';
import { setTaskStatus } from '../simulation/jobTargets';
import type { JobRecord, TaskRecord, TaskStatusValue } from '../state/records';
import { taskFinished } from '../state/store';
import { paginate, pageParams, type Params } from './validation';

const TASK_STATUSES: readonly TaskStatusValue[] = ['CONFIRM', 'QUEUED', 'NOTIFIED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'CANCELED'];
const UNFINISHED: ReadonlySet<TaskStatusValue> = new Set(['CONFIRM', 'QUEUED', 'NOTIFIED', 'IN_PROGRESS']);

export function listOTATaskByJob(ctx: SandboxContext, p: Params): OperationResult {
  const job = findJob(ctx, p.string('JobId'));
  const { currentPage, pageSize } = pageParams(p, 100, 100_000);
  const status = p.optionalString('TaskStatus', { oneOf: TASK_STATUSES });
  const deviceNames = p.list('DeviceNames', { min: 1, max: 64, maxItems: 50 });
  const names = deviceNames.length ? new Set(deviceNames) : null;
  const tasks = ctx.store
    .tasksOf(job.jobId)
    .filter((t) => (status === undefined || t.taskStatus === status) && (names === null || names.has(t.deviceName)));
  const { slice, ...paging } = paginate(tasks, currentPage, pageSize);
  return { ...paging, Data: { SimpleOTATaskInfo: slice.map(simpleTaskInfo) } };
}

/** Ends a static job (or a dynamic one whose strategy is cancelled) at once when cancelling left nothing to do. */
function endIfNothingLeft(ctx: SandboxContext, job: JobRecord, canceled: number, now: number): void {
  if (canceled === 0 || (job.selectionType === 'DYNAMIC' && !job.strategyCanceled)) return;
  if (job.jobStatus !== 'IN_PROGRESS' && job.jobStatus !== 'PLANNED') return;
  if (!ctx.store.tasksOf(job.jobId).every(taskFinished)) return;
  finishJob(ctx, job, 'CANCELED', now);
}

export async function cancelOTATaskByJob(ctx: SandboxContext, p: Params): Promise<OperationResult> {
  const job = findJob(ctx, p.string('JobId'));
  const flags = {
    scheduled: p.optionalBool('CancelScheduledTask') ?? false,
    queued: p.optionalBool('CancelQueuedTask') ?? false,
    inProgress: p.optionalBool('CancelInProgressTask') ?? false,
    notified: p.optionalBool('CancelNotifiedTask') ?? false,
    unconfirmed: p.optionalBool('CancelUnconfirmedTask') ?? false,
  };
  if (!Object.values(flags).some(Boolean)) {
    throw invalidParameter(
      'CancelQueuedTask',
      'set at least one of CancelScheduledTask, CancelQueuedTask, CancelInProgressTask, CancelNotifiedTask, CancelUnconfirmedTask to true.',
    );
  }
  const now = ctx.now();
  const planned = job.jobStatus === 'PLANNED';
  let canceled = 0;
  for (const task of ctx.store.tasksOf(job.jobId)) {
    const s = task.taskStatus;
    const hit =
      (planned && flags.scheduled && UNFINISHED.has(s)) ||
      (s === 'QUEUED' && flags.queued) ||
      (s === 'NOTIFIED' && flags.notified) ||
      (s === 'IN_PROGRESS' && flags.inProgress) ||
      (s === 'CONFIRM' && flags.unconfirmed);
    if (hit) {
      setTaskStatus(task, 'CANCELED', 'Canceled by the user', now);
      canceled++;
    } else if (s === 'FAILED' && task.retryAt !== null && flags.queued) {
      // A failed task waiting for its retry is queued in all but name: cancelling the queue stops the retry.
      task.retryAt = null;
      task.modifiedAt = now;
      canceled++;
    }
  }
  if (canceled) ctx.store.touchTasks(job.jobId);
  endIfNothingLeft(ctx, job, canceled, now);
  await ctx.store.flush();
  return {};
}

export async function cancelOTAStrategyByJob(ctx: SandboxContext, p: Params): Promise<OperationResult> {
  const job = findJob(ctx, p.string('JobId'));
  if (job.selectionType !== 'DYNAMIC') {
    throw businessError('iot.ota.NotDynamicJob', `The job ${job.jobId} is a static job; only dynamic jobs have a strategy to cancel.`);
  }
  if (!job.strategyCanceled) {
    job.strategyCanceled = true;
    job.modifiedAt = ctx.now();
    ctx.store.touchJobs();
    await ctx.store.flush();
  }
  return {};
}

function taskIds(p: Params, max: number): string[] {
  const ids = p.list('TaskId', { min: 1, max: 64, maxItems: max });
  if (ids.length === 0) throw missingParameter('TaskId.1');
  return [...new Set(ids)];
}

function describeTasks(tasks: TaskRecord[]): string {
  return tasks.map((t) => `${t.taskId} (${t.deviceName}, ${t.taskStatus})`).join(', ');
}

export async function reupgradeOTATask(ctx: SandboxContext, p: Params): Promise<OperationResult> {
  const job = findJob(ctx, p.string('JobId'));
  const ids = taskIds(p, 10);
  const tasks: TaskRecord[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const task = ctx.store.tasksById.get(id);
    if (task && task.jobId === job.jobId) tasks.push(task);
    else missing.push(id);
  }
  if (missing.length) throw invalidParameter('TaskId.N', `no task ${missing.join(', ')} in job ${job.jobId}.`);
  const wrong = tasks.filter((t) => t.taskStatus !== 'FAILED' && t.taskStatus !== 'CANCELED');
  if (wrong.length) {
    throw invalidParameter('TaskId.N', `only FAILED or CANCELED tasks can be upgraded again: ${describeTasks(wrong)}.`);
  }
  const now = ctx.now();
  for (const task of tasks) {
    setTaskStatus(task, 'QUEUED', null, now);
    task.progress = 0;
    task.attempts = 0;
    task.retryAt = null;
    task.startedAt = null;
    task.failAt = null;
    task.failDesc = null;
  }
  if (job.jobStatus === 'COMPLETED' || job.jobStatus === 'CANCELED') {
    job.jobStatus = 'IN_PROGRESS';
    job.endedAt = null;
    job.startedAt ??= now;
    const firmware = ctx.store.firmware.get(job.firmwareId);
    if (job.jobType === 'VERIFY_FIRMWARE' && firmware) {
      firmware.status = 2;
      firmware.modifiedAt = now;
      ctx.store.touchFirmware();
    }
  }
  job.modifiedAt = now;
  ctx.store.touchJobs();
  ctx.store.touchTasks(job.jobId);
  await ctx.store.flush();
  return {};
}

export async function confirmOTATask(ctx: SandboxContext, p: Params): Promise<OperationResult> {
  const ids = taskIds(p, 10);
  const missing = ids.filter((id) => !ctx.store.tasksById.has(id));
  if (missing.length) throw invalidParameter('TaskId.N', `no task ${missing.join(', ')}.`);
  const tasks = ids.map((id) => ctx.store.tasksById.get(id) as TaskRecord);
  const wrong = tasks.filter((t) => t.taskStatus !== 'CONFIRM');
  if (wrong.length) {
    throw invalidParameter('TaskId.N', `only tasks waiting for confirmation (CONFIRM) can be confirmed: ${describeTasks(wrong)}.`);
  }
  const now = ctx.now();
  for (const task of tasks) {
    setTaskStatus(task, 'QUEUED', null, now);
    ctx.store.touchTasks(task.jobId);
  }
  await ctx.store.flush();
  return {};
}

export async function cancelOTATaskByDevice(ctx: SandboxContext, p: Params): Promise<OperationResult> {
  const productKey = p.string('ProductKey');
  if (!ctx.store.products.has(productKey)) throw productNotFound(productKey);
  const firmware = findFirmware(ctx, p.string(FIRMWARE_ID));
  const names = p.list('DeviceName', { min: 1, max: 64, maxItems: 200 });
  if (names.length === 0) throw missingParameter('DeviceName.1');
  const jobId = p.optionalString('JobId');
  if (jobId !== undefined) findJob(ctx, jobId);
  const unknown = names.filter((n) => !ctx.store.device(productKey, n));
  if (unknown.length) {
    throw businessError('iot.device.NotExistedDevice', `These devices do not exist in product ${productKey}: ${unknown.join(', ')}.`);
  }
  const wanted = new Set(names);
  const now = ctx.now();
  for (const job of ctx.store.jobs.values()) {
    if (job.firmwareId !== firmware.firmwareId || (jobId !== undefined && job.jobId !== jobId)) continue;
    let canceled = 0;
    for (const task of ctx.store.tasksOf(job.jobId)) {
      if (wanted.has(task.deviceName) && task.productKey === productKey && UNFINISHED.has(task.taskStatus)) {
        setTaskStatus(task, 'CANCELED', 'Canceled by the user', now);
        canceled++;
      }
    }
    if (canceled) ctx.store.touchTasks(job.jobId);
    endIfNothingLeft(ctx, job, canceled, now);
  }
  await ctx.store.flush();
  return {};
}
