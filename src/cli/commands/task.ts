// `ota task list JOB_ID [--status S]`: every device task of a job, then how many are in each status.
import { TASK_STATUSES, type Task, type TaskStatus } from '../../core/model';
import type { CommandContext, CommandSpec } from '../support/command';
import { text, time, words } from '../support/format';
import { taskJson, writeJson } from '../support/json';
import { UsageError } from '../support/io';
import { flag, nonEmptyOption, positionals } from '../support/options';
import { formatTable } from '../support/table';
import { withOtaService } from '../support/connect';
import { countByStatus, countsLine } from '../support/taskCounts';

/** "failed", "in-progress", "In Progress" -> the documented status; anything else is a usage error. */
export function parseTaskStatus(value: string): TaskStatus {
  const status = value.trim().toUpperCase().replace(/[-\s]+/g, '_');
  if (!TASK_STATUSES.includes(status)) {
    throw new UsageError(`unknown task status '${value}': use one of ${TASK_STATUSES.join(', ')}.`);
  }
  return status;
}

export function taskTable(tasks: readonly Task[]): string {
  return formatTable(
    [
      { header: 'DEVICE' },
      { header: 'PRODUCT' },
      { header: 'STATUS' },
      { header: 'PROGRESS', align: 'right' },
      { header: 'FROM' },
      { header: 'TO' },
      { header: 'MODIFIED (UTC)' },
      { header: 'REASON' },
    ],
    tasks.map((t) => [
      t.deviceName,
      text(t.productKey),
      words(t.status),
      `${t.progress} %`,
      text(t.srcVersion),
      text(t.destVersion),
      time(t.modifiedAt),
      text(t.description),
    ]),
  );
}

async function list(ctx: CommandContext): Promise<number> {
  const [jobId] = positionals(ctx, ['JOB_ID']);
  const given = nonEmptyOption(ctx, 'status');
  const status = given === undefined ? undefined : parseTaskStatus(given);
  const tasks = await withOtaService(ctx, (ota) => ota.listTasks(jobId, { status, signal: ctx.signal }));
  if (flag(ctx, 'json')) {
    writeJson(ctx.io, tasks.map(taskJson));
    return 0;
  }
  const table = tasks.length > 0 ? taskTable(tasks) : `Job ${jobId} has no ${status ? `${words(status)} ` : ''}tasks.\n`;
  ctx.io.stdout.write(`${table}${countsLine(countByStatus(tasks))}\n`);
  return 0;
}

export const taskListCommand: CommandSpec = {
  words: ['task', 'list'],
  positionals: 'JOB_ID',
  summary: 'List the device tasks of one job (all pages), then the count in each status.',
  options: {
    status: {
      type: 'string',
      usage: '--status S',
      description: `Only tasks in this status: ${TASK_STATUSES.join(', ')} (any case).`,
    },
  },
  run: list,
};
