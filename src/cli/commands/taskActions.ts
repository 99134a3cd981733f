// `ota task retry JOB_ID [TASK_ID...]` (ReupgradeOTATask, in batches of 10; every failed task when none is named)
// and `ota task confirm TASK_ID...` (ConfirmOTATask; or every waiting task of --job).
import { confirmTasks, retryFailedTasks } from '../../core/deploy';
import type { CommandContext, CommandSpec } from '../support/command';
import { plural } from '../support/format';
import { UsageError } from '../support/io';
import { writeJson } from '../support/json';
import { flag, nonEmptyOption } from '../support/options';
import { withAliyun } from '../support/connect';

/** The positional arguments, none of them empty, repeats dropped. */
function ids(ctx: CommandContext, what: string): string[] {
  for (const a of ctx.args) if (a.trim() === '') throw new UsageError(`${what} must not be empty.`);
  return [...new Set(ctx.args.map((a) => a.trim()))];
}

async function retry(ctx: CommandContext): Promise<number> {
  const [jobId, ...taskIds] = ids(ctx, 'JOB_ID and TASK_ID');
  if (!jobId) throw new UsageError("'ota task retry' needs JOB_ID (then the TASK_IDs to retry, or none for every failed task).");
  const retried = await withAliyun(ctx, (session) =>
    retryFailedTasks(session.client, jobId, { signal: ctx.signal, ...(taskIds.length ? { taskIds } : {}) }),
  );
  if (flag(ctx, 'json')) writeJson(ctx.io, { jobId, taskIds: retried });
  else if (retried.length === 0) ctx.io.stdout.write(`Job ${jobId} has no failed tasks to retry.\n`);
  else ctx.io.stdout.write(`Queued ${plural(retried.length, 'task')} of job ${jobId} again.\n`);
  return 0;
}

async function confirm(ctx: CommandContext): Promise<number> {
  const taskIds = ids(ctx, 'TASK_ID');
  const jobId = nonEmptyOption(ctx, 'job');
  if (taskIds.length === 0 && !jobId) throw new UsageError("'ota task confirm' needs the TASK_IDs to confirm (or --job JOB_ID for all its waiting tasks).");
  if (taskIds.length > 0 && jobId) throw new UsageError('give either TASK_IDs or --job JOB_ID, not both.');
  const confirmed = await withAliyun(ctx, (session) =>
    confirmTasks(session.client, taskIds.length ? { taskIds, signal: ctx.signal } : { jobId, signal: ctx.signal }),
  );
  if (flag(ctx, 'json')) writeJson(ctx.io, { taskIds: confirmed });
  else if (confirmed.length === 0) ctx.io.stdout.write(`Job ${jobId ?? ''} has no tasks waiting for confirmation.\n`);
  else ctx.io.stdout.write(`Confirmed ${plural(confirmed.length, 'task')}.\n`);
  return 0;
}

export const taskRetryCommand: CommandSpec = {
  words: ['task', 'retry'],
  positionals: 'JOB_ID [TASK_ID...]',
  summary: 'Upgrade failed tasks of a job again (the ones named, else every failed one).',
  run: retry,
};

export const taskConfirmCommand: CommandSpec = {
  words: ['task', 'confirm'],
  positionals: 'TASK_ID...',
  summary: 'Confirm tasks that wait for confirmation (jobs created with --confirm).',
  options: { job: { type: 'string', usage: '--job JOB_ID', description: 'Instead of TASK_IDs: every waiting task of this job.' } },
  run: confirm,
};
