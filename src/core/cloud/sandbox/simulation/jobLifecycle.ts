// Ending a job, and what that means for its firmware when it is a verify job.
import type { SandboxContext } from '../context';
import type { JobRecord } from '../state/records';

/** Average task progress, 0-100, as the verify progress of a firmware. */
export function verifyProgressOf(ctx: SandboxContext, job: JobRecord): number {
  const tasks = ctx.store.tasksOf(job.jobId);
  if (tasks.length === 0) return 0;
  const sum = tasks.reduce((acc, t) => acc + (t.taskStatus === 'SUCCEEDED' ? 100 : t.progress), 0);
  return Math.floor(sum / tasks.length);
}

export function finishJob(ctx: SandboxContext, job: JobRecord, status: 'COMPLETED' | 'CANCELED', now: number): void {
  job.jobStatus = status;
  job.endedAt = now;
  job.modifiedAt = now;
  ctx.store.touchJobs();
  if (job.jobType !== 'VERIFY_FIRMWARE') return;
  const firmware = ctx.store.firmware.get(job.firmwareId);
  if (!firmware || firmware.status !== 2) return;
  const tasks = ctx.store.tasksOf(job.jobId);
  if (status === 'CANCELED') {
    // Verification was abandoned: the firmware may be verified again.
    firmware.status = 0;
    firmware.verifyProgress = 0;
  } else if (tasks.length > 0 && tasks.every((t) => t.taskStatus === 'SUCCEEDED')) {
    firmware.status = 1;
    firmware.verifyProgress = 100;
  } else {
    firmware.status = 3;
    firmware.verifyProgress = verifyProgressOf(ctx, job);
  }
  firmware.modifiedAt = now;
  ctx.store.touchFirmware();
}
