// `ota rollout create|status|advance|pause|resume|abort|retry`: staged rollouts followed from a JSON file in the
// workspace (.ota/rollouts/<name>.json), the cloud holding the task states. Each command prints what it did in the
// cloud, then where the rollout stands, and exits with the rollout's status so that a scheduled CI job can tell:
// 0 done, 3 running (run advance again later), 4 paused (a person or a gate stopped it), 5 aborted.
// The plan's provider picks the cloud: Alibaba Cloud (SPECIFIC jobs) or IoTaaP (one deploy a device, its device
// tokens from the plan's deviceTokensFile or OTA_IOTAAP_DEVICE_TOKENS_FILE); --provider sandbox plays either.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { OtaError } from '../../core/errors';
import { AliyunRolloutCloud } from '../../core/rollout/aliyunCloud';
import { DEVICE_TOKENS_ENV, fileTokens, firstTokens, planFileTokens, type DeviceTokens } from '../../core/rollout/deviceTokens';
import { IotaapRolloutCloud } from '../../core/rollout/iotaapCloud';
import { confirmedByDevices } from '../../core/rollout/plan';
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
import { readRolloutFile, rolloutPath } from '../../core/rollout/planFile';
import { countTasks, type StateCounts } from '../../core/rollout/state';
import type { CommandContext, CommandSpec, OptionSpec } from '../support/command';
import { withAliyun, withIotaap } from '../support/connect';
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

type PlanProvider = 'aliyun' | 'iotaap';

/**
 * The provider of a rollout: its plan's; a plan without one takes --provider iotaap at create. --provider aliyun or
 * iotaap against a plan of the other is refused; --provider sandbox plays the plan's.
 */
function rolloutProvider(ctx: CommandContext, name: string, written: unknown, creating: boolean): PlanProvider {
  const given = nonEmptyOption(ctx, 'provider');
  if (written === undefined && creating && given === 'iotaap') return 'iotaap';
  const plan: PlanProvider = written === 'iotaap' ? 'iotaap' : 'aliyun';
  if (given === 'iotaap' && plan === 'aliyun') {
    throw new UsageError(
      `the rollout ${name} is for Alibaba Cloud (its plan has no "provider": "iotaap"): use --provider aliyun or sandbox, or give an IoTaaP plan ("provider": "iotaap", "image", "version").`,
    );
  }
  if (given === 'aliyun' && plan === 'iotaap') throw new UsageError(`the rollout ${name} is for IoTaaP (its plan says "provider": "iotaap"): use --provider iotaap or sandbox.`);
  return plan;
}

/** Device tokens for the CLI: the file OTA_IOTAAP_DEVICE_TOKENS_FILE names first, then the plan's deviceTokensFile. */
function cliTokens(ctx: CommandContext): DeviceTokens {
  const named = ctx.io.env[DEVICE_TOKENS_ENV]?.trim();
  return named ? firstTokens(fileTokens(resolve(named), `$${DEVICE_TOKENS_ENV}`), planFileTokens) : planFileTokens;
}

async function withRollout<T>(
  ctx: CommandContext,
  provider: PlanProvider,
  path: string,
  baseDir: string,
  use: (rc: RolloutContext) => Promise<T>,
): Promise<T> {
  if (provider === 'iotaap') {
    return withIotaap(ctx, (client) => use({ cloud: new IotaapRolloutCloud({ client, tokens: cliTokens(ctx) }), path, baseDir, signal: ctx.signal }));
  }
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
  const written = (json as { provider?: unknown }).provider;
  const provider = rolloutProvider(ctx, name, written, true);
  // Recorded in the rollout file, so that the later steps know it without --provider.
  if (written === undefined && provider === 'iotaap') (json as { provider?: string }).provider = 'iotaap';
  const r = await withRollout(ctx, provider, path, dirname(resolve(file)), (rc) => createRollout(rc, json, { start }));
  if (!flag(ctx, 'json')) ctx.io.stdout.write(`Rollout file: ${path}\n`);
  return printReport(ctx, r);
}

/** The provider of an existing rollout, from its file. */
async function fileProvider(ctx: CommandContext, name: string, path: string): Promise<PlanProvider> {
  const file = await readRolloutFile(path);
  return rolloutProvider(ctx, name, file.plan.provider, false);
}

/** The counts --json shows: an IoTaaP rollout's say deployed, and have no succeeded (nothing confirms an install). */
function countsJson(c: StateCounts, confirmed: boolean): Record<string, number> {
  return confirmed
    ? { queued: c.queued, inProgress: c.inProgress, succeeded: c.succeeded, failed: c.failed, canceled: c.canceled }
    : { deployed: c.deployed ?? 0, failed: c.failed, queued: c.queued, canceled: c.canceled };
}

async function status(ctx: CommandContext): Promise<number> {
  const [name] = positionals(ctx, ['NAME']);
  const path = rolloutPath(workspaceOf(ctx), name);
  const provider = await fileProvider(ctx, name, path);
  const { plan, state, report, live } = await withRollout(ctx, provider, path, workspaceOf(ctx), async (rc) => {
    const s = await rolloutStatus(rc);
    return { ...s, live: await collectTasks(rc.cloud, s.state, ctx.signal) };
  });
  const confirmed = confirmedByDevices(plan);
  const waves = state.waves.map((w) => {
    const tasks = live.get(w.index);
    const counts = tasks ? countTasks(tasks.values()) : w.counts;
    return { index: w.index + 1, label: w.label, status: w.status, devices: w.devices.length, counts, decision: w.decision, jobs: w.jobs.map((j) => j.jobId), left: w.left.length };
  });
  if (flag(ctx, 'json')) {
    writeJson(ctx.io, {
      name: plan.name,
      provider: plan.provider,
      confirmedByDevices: confirmed,
      status: state.status,
      pausedBy: state.pausedBy,
      reason: state.reason,
      summary: report.summary,
      populationSize: state.populationSize,
      seed: state.seed,
      waves: waves.map((w) => ({ ...w, counts: countsJson(w.counts, confirmed) })),
      exitCode: EXIT_FOR_STATUS[state.status],
    });
    return EXIT_FOR_STATUS[state.status];
  }
  ctx.io.stdout.write(`${report.summary}\n\n`);
  type Wave = (typeof waves)[number];
  const count = (header: string, cell: (w: Wave) => number | undefined) => ({ header, align: 'right' as const, cell: (w: Wave) => String(cell(w) ?? 0) });
  // A cloud that only delivers (IoTaaP) has deployed devices where the other has succeeded and in-progress ones.
  const outcome = confirmed
    ? [count('SUCCEEDED', (w) => w.counts.succeeded), count('FAILED', (w) => w.counts.failed), count('IN PROGRESS', (w) => w.counts.inProgress)]
    : [count('DEPLOYED', (w) => w.counts.deployed), count('FAILED', (w) => w.counts.failed)];
  const columns = [
    { header: '#', align: 'right' as const, cell: (w: Wave) => String(w.index) },
    { header: 'WAVE', cell: (w: Wave) => w.label },
    { header: 'STATUS', cell: (w: Wave) => w.status + (w.left ? ` (${w.left} left)` : '') },
    count('DEVICES', (w) => w.devices),
    ...outcome,
    count('QUEUED', (w) => w.counts.queued),
    count('CANCELLED', (w) => w.counts.canceled),
    { header: 'GATE', cell: (w: Wave) => (w.decision ? `${w.decision.result}: ${w.decision.reason}` : '') },
  ];
  ctx.io.stdout.write(formatTable(columns, waves.map((w) => columns.map((c) => c.cell(w)))));
  if (!confirmed) ctx.io.stdout.write('DEPLOYED: IoTaaP accepted the image for the device; IoTaaP does not report whether the device installed it.\n');
  return EXIT_FOR_STATUS[state.status];
}

function action(run: (rc: RolloutContext, ctx: CommandContext) => Promise<ActionReport>) {
  return async (ctx: CommandContext): Promise<number> => {
    const [name] = positionals(ctx, ['NAME']);
    const path = rolloutPath(workspaceOf(ctx), name);
    const provider = await fileProvider(ctx, name, path);
    return printReport(ctx, await withRollout(ctx, provider, path, workspaceOf(ctx), (rc) => run(rc, ctx)));
  };
}


export const rolloutCreateCommand: CommandSpec = {
  words: ['rollout', 'create'],
  positionals: 'PLAN.json',
  summary:
    'Start a staged rollout from a plan: sample its waves (recorded in .ota/rollouts/<name>.json) and start the first. An IoTaaP plan ("provider": "iotaap") deploys its image to each device with the token from its deviceTokensFile or $OTA_IOTAAP_DEVICE_TOKENS_FILE.',
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
