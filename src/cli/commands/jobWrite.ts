// `ota job create FIRMWARE_ID ...` (a static or dynamic upgrade job, optionally followed with the rollout guard) and
// `ota job cancel JOB_ID --status ...` (cancel the job's tasks in those states).
import { CANCEL_STATES } from '../../core/cloud/aliyun';
import { DeployError, cancelTasks, createJob, describeRollout, followRollout, parseCancelStates } from '../../core/deploy';
import type { CommandContext, CommandSpec } from '../support/command';
import { writeJson } from '../support/json';
import { checked, flag, listOption, positionals, requiredOption } from '../support/options';
import { withAliyun } from '../support/connect';
import { POLL_OPTIONS, StepReporter, pollOptions, rolloutExit, rolloutJson } from '../support/deployReport';
import { JOB_OPTIONS, jobRequest } from '../support/jobOptions';

async function create(ctx: CommandContext): Promise<number> {
  const [firmwareId] = positionals(ctx, ['FIRMWARE_ID']);
  const productKey = requiredOption(ctx, 'product-key', '--product-key PK');
  const { plan, guard, follow } = await jobRequest(ctx, listOption(ctx, 'src-version'));
  const report = new StepReporter(ctx);
  const { jobId, rollout } = await withAliyun(ctx, async (session) => {
    const poll = pollOptions(ctx, session);
    const created = await createJob(session.client, firmwareId, productKey, plan, { signal: ctx.signal });
    if (!follow) return { jobId: created.jobId, rollout: null };
    report.progress.line(`Job ${created.jobId} created; following it${guard ? ' with the rollout guard' : ''}.`);
    try {
      const followed = await followRollout(session.client, created.jobId, { ...poll, ...report.follow(), signal: ctx.signal, guard });
      return { jobId: created.jobId, rollout: followed };
    } catch (e) {
      throw new DeployError({ stage: 'follow', firmwareId, jobId: created.jobId }, e);
    }
  }).finally(() => report.done());
  if (flag(ctx, 'json')) writeJson(ctx.io, { jobId, rollout: rolloutJson(rollout) });
  else ctx.io.stdout.write(`Job ${jobId} created.\n${rollout?.outcome === 'completed' ? `${describeRollout(rollout)}.\n` : ''}`);
  return rolloutExit(ctx, rollout);
}

async function cancel(ctx: CommandContext): Promise<number> {
  const [jobId] = positionals(ctx, ['JOB_ID']);
  const status = requiredOption(ctx, 'status', '--status queued,notified,...');
  const states = await checked(() => parseCancelStates(status));
  await withAliyun(ctx, (session) => cancelTasks(session.client, jobId, states, { signal: ctx.signal }));
  if (flag(ctx, 'json')) writeJson(ctx.io, { jobId, canceled: states });
  else ctx.io.stdout.write(`Cancelled the ${states.join(', ')} tasks of job ${jobId}.\n`);
  return 0;
}

export const jobCreateCommand: CommandSpec = {
  words: ['job', 'create'],
  positionals: 'FIRMWARE_ID',
  summary: 'Create an upgrade job for a firmware package (exactly one target option); --json prints {jobId}.',
  options: {
    'product-key': { type: 'string', usage: '--product-key PK', description: 'The product of the firmware.' },
    ...JOB_OPTIONS,
    ...POLL_OPTIONS,
  },
  run: create,
};

export const jobCancelCommand: CommandSpec = {
  words: ['job', 'cancel'],
  positionals: 'JOB_ID',
  summary: "Cancel a job's tasks in the given states.",
  options: {
    status: {
      type: 'string',
      usage: '--status queued,notified,...',
      description: `Task states to cancel: ${CANCEL_STATES.join(', ')}, pending (all but in-progress) or all.`,
    },
  },
  run: cancel,
};
