// The options that describe an upgrade job (`ota job create`, `ota deploy`): exactly one target, the job settings,
// the rollout guard and following; read into the core's job plan and checked before anything is sent.
import { checkGuard, checkJobPlan, parseDeviceList, resolveJobPlan, type JobPlan, type RolloutGuard } from '../../core/deploy';
import type { CommandContext, OptionSpec } from './command';
import { UsageError } from './io';
import { checked, flag, integerOption, nonEmptyOption, numberOption, usedOptions } from './options';

export const TARGET_OPTIONS = ['all', 'devices', 'devices-file', 'gray', 'group'] as const;

export const JOB_OPTIONS: Record<string, OptionSpec> = {
  all: { type: 'boolean', usage: '--all', description: 'Target: every device of the product.' },
  devices: { type: 'string', usage: '--devices a,b', description: 'Target: these devices (names separated by commas).' },
  'devices-file': {
    type: 'string',
    usage: '--devices-file F',
    description: 'Target: the devices named in this file (one per line or separated by commas; # starts a comment).',
  },
  gray: { type: 'string', usage: '--gray PERCENT', description: 'Target: this percentage of the devices (up to 3 decimals).' },
  group: { type: 'string', usage: '--group ID', description: 'Target: the devices of this group.' },
  'src-version': {
    type: 'string',
    multiple: true,
    usage: '--src-version V',
    description: 'Only upgrade devices on this version (repeatable, or separated by commas; at most 10).',
  },
  'retry-interval': { type: 'string', usage: '--retry-interval MIN', description: 'Retry a failed device after 0, 10, 30, 60 or 1440 minutes...' },
  'retry-count': { type: 'string', usage: '--retry-count N', description: '...this many times: 1, 2 or 5.' },
  timeout: { type: 'string', usage: '--timeout MIN', description: 'Minutes each device has to upgrade (1-1440).' },
  rate: { type: 'string', usage: '--rate PER_MIN', description: 'Devices notified per minute (10-10000).' },
  confirm: { type: 'boolean', usage: '--confirm', description: 'Each task waits for confirmation (ota task confirm).' },
  dynamic: { type: 'boolean', usage: '--dynamic', description: 'A dynamic job (with --all or --group): devices that match later are upgraded too.' },
  'abort-failure-rate': {
    type: 'string',
    usage: '--abort-failure-rate PCT',
    description: 'Rollout guard: stop the job (cancel its pending tasks) when more than PCT % of the finished devices failed...',
  },
  'abort-after': { type: 'string', usage: '--abort-after N', description: '...once at least N devices have finished. Implies --follow.' },
  follow: { type: 'boolean', usage: '--follow', description: 'Follow the rollout until the job ends, showing its task counts.' },
};

export interface JobRequest {
  plan: JobPlan;
  guard: RolloutGuard | undefined;
  follow: boolean;
}

/** The job the options describe, its device file read; refused with a usage error before any request. */
export async function jobRequest(ctx: CommandContext, srcVersions: string[]): Promise<JobRequest> {
  const targets = usedOptions(ctx, TARGET_OPTIONS);
  if (targets.length !== 1) {
    const all = TARGET_OPTIONS.map((t) => `--${t}`).join(', ');
    throw new UsageError(
      targets.length === 0 ? `name the devices to upgrade with one of ${all}.` : `give only one of ${all} (got ${targets.join(' and ')}).`,
    );
  }
  const plan: JobPlan = { target: 'ALL' };
  switch (targets[0]) {
    case '--devices': {
      plan.target = 'SPECIFIC';
      plan.deviceNames = parseDeviceList(nonEmptyOption(ctx, 'devices') ?? '');
      break;
    }
    case '--devices-file':
      plan.target = 'SPECIFIC';
      plan.devicesFile = nonEmptyOption(ctx, 'devices-file');
      break;
    case '--gray':
      plan.target = 'GRAY';
      plan.grayPercent = nonEmptyOption(ctx, 'gray');
      break;
    case '--group':
      plan.target = 'GROUP';
      plan.groupId = nonEmptyOption(ctx, 'group');
      break;
    default:
      break;
  }
  if (srcVersions.length > 0) plan.srcVersions = srcVersions;
  const retryInterval = integerOption(ctx, 'retry-interval', 0, 1440);
  const retryCount = integerOption(ctx, 'retry-count', 1, 5);
  if ((retryInterval === undefined) !== (retryCount === undefined)) throw new UsageError('--retry-interval and --retry-count go together: give both.');
  if (retryInterval !== undefined) plan.retryInterval = retryInterval;
  if (retryCount !== undefined) plan.retryCount = retryCount;
  const timeout = integerOption(ctx, 'timeout', 1, 1440);
  if (timeout !== undefined) plan.timeoutInMinutes = timeout;
  const rate = integerOption(ctx, 'rate', 10, 10000);
  if (rate !== undefined) plan.maximumPerMinute = rate;
  if (flag(ctx, 'confirm')) plan.needConfirm = true;
  if (flag(ctx, 'dynamic')) plan.dynamic = true;

  const maxFailurePercent = numberOption(ctx, 'abort-failure-rate', 0, 100);
  const minFinished = integerOption(ctx, 'abort-after', 1, 1_000_000);
  if ((maxFailurePercent === undefined) !== (minFinished === undefined)) {
    throw new UsageError('the rollout guard needs both --abort-failure-rate PCT and --abort-after N.');
  }
  const guard = maxFailurePercent !== undefined && minFinished !== undefined ? { maxFailurePercent, minFinished } : undefined;
  const resolved = await checked(async () => {
    if (guard) checkGuard(guard);
    const read = await resolveJobPlan(plan);
    checkJobPlan(read);
    return read;
  });
  return { plan: resolved, guard, follow: flag(ctx, 'follow') || guard !== undefined };
}
