// `ota rollout create|status|advance|pause|resume|abort|retry`: staged rollouts followed from a JSON file in the
// workspace (.ota/rollouts/<name>.json), the cloud holding the task states. Each command prints what it did in the
// cloud, then where the rollout stands, and exits with the rollout's status so that a scheduled CI job can tell:
// 0 done, 3 running (run advance again later), 4 paused (a person or a gate stopped it), 5 aborted.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { OtaError } from '../../core/errors';
import { AliyunRolloutCloud } from '../../core/rollout/aliyunCloud';
import {
  EXIT_FOR_STATUS,
  abortRollout,
  advanceRollout,
  collectTasks,
  createRollout,
  pauseRollout,
  resumeRollout,
  retryRollout,
  rolloutStatus,
  type ActionReport,
  type RolloutContext,
} from '../../core/rollout/engine';
import { rolloutPath } from '../../core/rollout/planFile';
import { countTasks } from '../../core/rollout/state';
import type { CommandContext, CommandSpec, OptionSpec } from '../support/command';
import { withAliyun } from '../support/connect';
import { UsageError } from '../support/io';
import { writeJson } from '../support/json';
import { flag, integerOption, nonEmptyOption, positionals } from '../support/options';
import { formatTable } from '../support/table';

const WORKSPACE: Record<string, OptionSpec> = {
  workspace: {
    type: 'string',
    usage: '--workspace DIR',
    description: 'The folder whose .ota/rollouts holds the rollout (default: the current folder).',
  },
};

function workspaceOf(ctx: CommandContext): string {
  return resolve(nonEmptyOption(ctx, 'workspace') ?? process.cwd());
}

async function withRollout<T>(ctx: CommandContext, path: string, baseDir: string, use: (rc: RolloutContext) => Promise<T>): Promise<T> {
  return withAliyun(ctx, async (session) => {
    // A sandbox started just for this command has no clock of its own: let its devices take one step first.
    await session.advance?.();
    return use({ cloud: new AliyunRolloutCloud(session.client.rpc), path, baseDir, signal: ctx.signal });
  });
}

function printReport(ctx: CommandContext, r: ActionReport): number {
  if (flag(ctx, 'json')) writeJson(ctx.io, { ...r, exitCode: EXIT_FOR_STATUS[r.status] });
  else {
    for (const d of r.did) ctx.io.stdout.write(`${d}\n`);
    ctx.io.stdout.write(`${r.summary}\n`);
  }
  return EXIT_FOR_STATUS[r.status];
}

async function create(ctx: CommandContext): Promise<number> {
  const [file] = positionals(ctx, ['PLAN.json']);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code ? `cannot read the plan ${file} (${code}).` : `the plan ${file} is not valid JSON: ${(e as Error).message}.`);
  }
  const name = typeof (json as { name?: unknown }).name === 'string' ? (json as { name: string }).name : '';
  if (!name) throw new OtaError('invalid-input', `The plan ${file} has no "name": add one (it names the rollout and its file).`);
  const path = rolloutPath(workspaceOf(ctx), name);
  const start = !flag(ctx, 'no-start');
  const r = await withRollout(ctx, path, dirname(resolve(file)), (rc) => createRollout(rc, json, { start }));
  if (!flag(ctx, 'json')) ctx.io.stdout.write(`Rollout file: ${path}\n`);
  return printReport(ctx, r);
}

async function status(ctx: CommandContext): Promise<number> {
  const [name] = positionals(ctx, ['NAME']);
  const path = rolloutPath(workspaceOf(ctx), name);
  const { plan, state, report, live } = await withRollout(ctx, path, workspaceOf(ctx), async (rc) => {
    const s = await rolloutStatus(rc);
    return { ...s, live: await collectTasks(rc.cloud, s.state, ctx.signal) };
  });
  const waves = state.waves.map((w) => {
    const tasks = live.get(w.index);
    const counts = tasks ? countTasks(tasks.values()) : w.counts;
    return { index: w.index + 1, label: w.label, status: w.status, devices: w.devices.length, counts, decision: w.decision, jobs: w.jobs.map((j) => j.jobId), left: w.left.length };
  });
  if (flag(ctx, 'json')) {
    writeJson(ctx.io, {
      name: plan.name,
      status: state.status,
      pausedBy: state.pausedBy,
      reason: state.reason,
      summary: report.summary,
      populationSize: state.populationSize,
      seed: state.seed,
      waves,
      exitCode: EXIT_FOR_STATUS[state.status],
    });
    return EXIT_FOR_STATUS[state.status];
  }
  ctx.io.stdout.write(`${report.summary}\n\n`);
  ctx.io.stdout.write(
    formatTable(
      [
        { header: '#', align: 'right' },
        { header: 'WAVE' },
        { header: 'STATUS' },
        { header: 'DEVICES', align: 'right' },
        { header: 'SUCCEEDED', align: 'right' },
        { header: 'FAILED', align: 'right' },
        { header: 'IN PROGRESS', align: 'right' },
        { header: 'QUEUED', align: 'right' },
        { header: 'CANCELLED', align: 'right' },
        { header: 'GATE' },
      ],
      waves.map((w) => [
        String(w.index),
        w.label,
        w.status + (w.left ? ` (${w.left} left)` : ''),
        String(w.devices),
        String(w.counts.succeeded),
        String(w.counts.failed),
        String(w.counts.inProgress),
        String(w.counts.queued),
        String(w.counts.canceled),
        w.decision ? `${w.decision.result}: ${w.decision.reason}` : '',
      ]),
    ),
  );
  return EXIT_FOR_STATUS[state.status];
}

function action(run: (rc: RolloutContext, ctx: CommandContext) => Promise<ActionReport>) {
  return async (ctx: CommandContext): Promise<number> => {
    const [name] = positionals(ctx, ['NAME']);
    const path = rolloutPath(workspaceOf(ctx), name);
    return printReport(ctx, await withRollout(ctx, path, workspaceOf(ctx), (rc) => run(rc, ctx)));
  };
}


export const rolloutCreateCommand: CommandSpec = {
  words: ['rollout', 'create'],
  positionals: 'PLAN.json',
  summary: 'Start a staged rollout from a plan: sample its waves (recorded in .ota/rollouts/<name>.json) and start the first.',
  options: {
    ...WORKSPACE,
    'no-start': { type: 'boolean', usage: '--no-start', description: 'Record the plan and its waves, but start no wave yet.' },
  },
  run: create,
};

export const rolloutStatusCommand: CommandSpec = {
  words: ['rollout', 'status'],
  positionals: 'NAME',
  summary: "Show a rollout's waves, their task counts from the cloud and their gate decisions; changes nothing.",
  options: WORKSPACE,
  run: status,
};

export const rolloutAdvanceCommand: CommandSpec = {
  words: ['rollout', 'advance'],
  positionals: 'NAME',
  summary: 'Look at the cloud, apply the gates, start the next wave, pause or abort as they say; running it again changes nothing.',
  options: WORKSPACE,
  run: action((rc) => advanceRollout(rc)),
};

export const rolloutPauseCommand: CommandSpec = {
  words: ['rollout', 'pause'],
  positionals: 'NAME',
  summary: 'Pause a rollout: cancel the queued and scheduled tasks of its running wave; resume starts them again.',
  options: WORKSPACE,
  run: action((rc) => pauseRollout(rc)),
};

export const rolloutResumeCommand: CommandSpec = {
  words: ['rollout', 'resume'],
  positionals: 'NAME',
  summary: 'Resume a paused rollout (past a failed gate, too): restart the devices a pause left, then advance.',
  options: WORKSPACE,
  run: action((rc) => resumeRollout(rc)),
};

export const rolloutAbortCommand: CommandSpec = {
  words: ['rollout', 'abort'],
  positionals: 'NAME',
  summary: 'Abort a rollout: cancel every unfinished task of its waves, in progress too.',
  options: WORKSPACE,
  run: action((rc) => abortRollout(rc)),
};

export const rolloutRetryCommand: CommandSpec = {
  words: ['rollout', 'retry'],
  positionals: 'NAME',
  summary: 'Upgrade the failed devices of the current wave (or --wave N) again, and the devices its gate left out.',
  options: {
    ...WORKSPACE,
    wave: { type: 'string', usage: '--wave N', description: 'The wave to retry (1-based; default the current one).' },
  },
  run: action((rc, ctx) => retryRollout(rc, integerOption(ctx, 'wave', 1, 1000))),
};
