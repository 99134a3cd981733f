// `ota job list FIRMWARE_ID` and `ota job show JOB_ID`.
import type { Job } from '../../core/model';
import type { CommandContext, CommandSpec } from '../support/command';
import { plural, text, time, words } from '../support/format';
import { jobJson, writeJson } from '../support/json';
import { flag, positionals } from '../support/options';
import { formatFields, formatTable } from '../support/table';
import { withOtaService } from '../support/connect';
import { countsLine } from '../support/taskCounts';

export function jobTable(jobs: readonly Job[]): string {
  return formatTable(
    [
      { header: 'ID' },
      { header: 'TYPE' },
      { header: 'STATUS' },
      { header: 'SELECTION' },
      { header: 'TARGETS' },
      { header: 'CREATED (UTC)' },
      { header: 'STARTED (UTC)' },
      { header: 'ENDED (UTC)' },
    ],
    jobs.map((j) => [
      j.id,
      words(j.type),
      words(j.status),
      words(j.selection),
      words(j.targetSelection),
      time(j.createdAt),
      time(j.startedAt),
      time(j.endedAt),
    ]),
  );
}

function present<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null && value !== '';
}

/** Every field of the job, then its task counts when known. */
export function jobDetails(j: Job, counts?: Readonly<Record<string, number>>): string {
  const fields: [string, string][] = [
    ['ID', j.id],
    ['Firmware', text(j.firmwareId)],
    ['Type', words(j.type)],
    ['Status', words(j.status)],
    ['Selection', words(j.selection)],
    ['Targets', words(j.targetSelection)],
  ];
  if (present(j.productKey)) fields.push(['Product', j.productKey]);
  if (present(j.destVersion)) fields.push(['Version', j.destVersion]);
  if (j.srcVersions && j.srcVersions.length > 0) fields.push(['From versions', j.srcVersions.join(', ')]);
  if (present(j.grayPercent)) fields.push(['Gray percent', `${j.grayPercent} %`]);
  if (present(j.groupId)) fields.push(['Group', j.groupId]);
  if (present(j.retryInterval)) fields.push(['Retry interval', `${j.retryInterval} min`]);
  if (present(j.retryCount)) fields.push(['Retry count', String(j.retryCount)]);
  if (present(j.timeoutInMinutes)) fields.push(['Timeout', `${j.timeoutInMinutes} min`]);
  if (present(j.maximumPerMinute)) fields.push(['Max per minute', String(j.maximumPerMinute)]);
  if (present(j.needConfirm)) fields.push(['Needs confirm', j.needConfirm ? 'yes' : 'no']);
  if (present(j.dynamicMode)) fields.push(['Dynamic mode', String(j.dynamicMode)]);
  if (present(j.description)) fields.push(['Description', j.description]);
  fields.push(['Created (UTC)', time(j.createdAt)], ['Started (UTC)', time(j.startedAt)], ['Ended (UTC)', time(j.endedAt)]);
  if (counts) fields.push(['Tasks', countsLine(counts)]);
  return formatFields(fields);
}

async function list(ctx: CommandContext): Promise<number> {
  const [firmwareId] = positionals(ctx, ['FIRMWARE_ID']);
  const jobs = await withOtaService(ctx, (ota) => ota.listJobsByFirmware(firmwareId, { signal: ctx.signal }));
  if (flag(ctx, 'json')) writeJson(ctx.io, jobs.map(jobJson));
  else if (jobs.length === 0) ctx.io.stdout.write(`Firmware ${firmwareId} has no jobs.\n`);
  else ctx.io.stdout.write(`${jobTable(jobs)}${plural(jobs.length, 'job')}\n`);
  return 0;
}

async function show(ctx: CommandContext): Promise<number> {
  const [jobId] = positionals(ctx, ['JOB_ID']);
  const json = flag(ctx, 'json');
  const { job, counts } = await withOtaService(ctx, async (ota) => {
    const found = await ota.getJob(jobId, { signal: ctx.signal });
    return { job: found, counts: json ? undefined : await ota.countTasksByStatus(jobId, { signal: ctx.signal }) };
  });
  if (json) writeJson(ctx.io, jobJson(job));
  else ctx.io.stdout.write(jobDetails(job, counts));
  return 0;
}

export const jobListCommand: CommandSpec = {
  words: ['job', 'list'],
  positionals: 'FIRMWARE_ID',
  summary: 'List the upgrade and verification jobs of one firmware package.',
  run: list,
};

export const jobShowCommand: CommandSpec = {
  words: ['job', 'show'],
  positionals: 'JOB_ID',
  summary: 'Show every field of one job and how many of its tasks are in each status.',
  run: show,
};
