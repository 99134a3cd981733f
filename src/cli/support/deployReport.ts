// How the cloud write commands report on stderr while they work: each step as a line, bytes and percentages as
// progress, a followed rollout as task counts; how long they wait between polls; and the rollout in --json output.
import {
  describeRollout,
  type DeployProgress,
  type DeployStep,
  type FollowOptions,
  type GuardTrip,
  type PollOptions,
  type RolloutResult,
  type RolloutSnapshot,
} from '../../core/deploy';
import { formatBytes } from '../../shared/units';
import { sleep } from '../../core/net/clock';
import type { CommandContext, OptionSpec } from './command';
import { words } from './format';
import { numberOption } from './options';
import { ProgressLine } from './progress';
import type { AliyunSession } from './connect';
import { countsLine } from './taskCounts';

export const POLL_OPTIONS: Record<string, OptionSpec> = {
  'poll-interval': {
    type: 'string',
    usage: '--poll-interval S',
    description: 'Seconds between two looks at a verification or a followed rollout (default 5; 1 for a sandbox started for the command).',
  },
};

/** How to wait between polls: the interval asked for; a sandbox started for the command moves one step per poll. */
export function pollOptions(ctx: CommandContext, session: AliyunSession): PollOptions {
  const seconds = numberOption(ctx, 'poll-interval', 0, 3600) ?? (session.advance ? 1 : 5);
  const advance = session.advance;
  return {
    pollIntervalMs: Math.round(seconds * 1000),
    wait: async (ms, signal) => {
      await sleep(ms, signal);
      await advance?.();
    },
  };
}

/** Step lines and progress on stderr. */
export class StepReporter {
  readonly progress: ProgressLine;

  constructor(ctx: CommandContext) {
    this.progress = new ProgressLine(ctx.io.stderr);
  }

  readonly onStep = (step: DeployStep): void => {
    this.progress.line(step.state === 'retrying' ? `warning: ${step.message}` : step.message);
  };

  readonly onProgress = (p: DeployProgress): void => {
    if (p.stage === 'hash' || p.total <= 0) return;
    const fraction = p.done / p.total;
    const pct = `${Math.floor(fraction * 100)} %`;
    if (p.unit === 'bytes') this.progress.update(p.stage, fraction, `Uploaded ${pct} (${formatBytes(p.done)} of ${formatBytes(p.total)})`);
    else this.progress.update(p.stage, fraction, `Verifying: ${pct}`);
  };

  readonly onSnapshot = (s: RolloutSnapshot): void => {
    const done = s.finished + s.canceled;
    this.progress.update(`rollout ${s.job.id}`, s.total ? done / s.total : 0, `Job ${s.job.id} ${words(s.job.status)}: ${countsLine(s.counts)}`);
  };

  readonly onGuardTrip = (trip: GuardTrip): void => {
    this.progress.line(`Rollout guard: ${trip.reason}; cancelling the job's ${trip.canceled.join(', ')} tasks.`);
  };

  follow(): Pick<FollowOptions, 'onSnapshot' | 'onGuardTrip'> {
    return { onSnapshot: this.onSnapshot, onGuardTrip: this.onGuardTrip };
  }

  done(): void {
    this.progress.commit();
  }
}

export interface RolloutJson {
  outcome: RolloutResult['outcome'];
  jobStatus: string;
  total: number;
  succeeded: number;
  failed: number;
  canceled: number;
  pending: number;
  /** Why the guard stopped the job; null when it did not. */
  stoppedBecause: string | null;
}

export function rolloutJson(r: RolloutResult | null): RolloutJson | null {
  if (!r) return null;
  const s = r.snapshot;
  return {
    outcome: r.outcome,
    jobStatus: s.job.status,
    total: s.total,
    succeeded: s.succeeded,
    failed: s.failed,
    canceled: s.canceled,
    pending: s.pending,
    stoppedBecause: r.guard?.reason ?? null,
  };
}

/** Exit code and stderr line for how a followed rollout ended: 0 when the job completed, else 1 with why. */
export function rolloutExit(ctx: CommandContext, rollout: RolloutResult | null): number {
  if (!rollout || rollout.outcome === 'completed') return 0;
  ctx.io.stderr.write(`ota: ${describeRollout(rollout)}.\n`);
  return 1;
}
