// Following a rollout: poll the job and its task counts until the job ends, reporting snapshots; and the rollout
// guard, which no Alibaba API gives: once at least N devices have finished, a failure rate above X % stops the job
// (its pending tasks are cancelled) and the result says why.
import type { AliyunOtaClient } from '../cloud/aliyun/otaClient';
import { AliyunOtaWrites, CANCEL_STATES, type CancelState } from '../cloud/aliyun/otaWrites';
import { OtaError } from '../errors';
import { say } from '../sentences';
import type { Job } from '../model';
import { throwIfAborted } from '../net/clock';
import { poller, type PollOptions } from './poll';

const PENDING_STATUSES = ['CONFIRM', 'QUEUED', 'NOTIFIED', 'IN_PROGRESS'];

export interface RolloutSnapshot {
  job: Job;
  /** Tasks per status (every documented status, 0 when none). */
  counts: Record<string, number>;
  total: number;
  succeeded: number;
  failed: number;
  canceled: number;
  /** Devices with an outcome: succeeded + failed. */
  finished: number;
  /** Not finished yet: CONFIRM, QUEUED, NOTIFIED, IN_PROGRESS. */
  pending: number;
  /** failed / finished x 100; null before any device finished. */
  failurePercent: number | null;
  /** The job has ended (COMPLETED or CANCELED). */
  ended: boolean;
}

export interface RolloutGuard {
  /** Stop when more than this percentage (0-100) of the finished devices failed... */
  maxFailurePercent: number;
  /** ...once at least this many devices have finished. */
  minFinished: number;
  /** Which tasks to cancel; default all unfinished ones (scheduled, confirm, queued, notified, in-progress). */
  cancel?: CancelState[];
}

export interface GuardTrip {
  /** e.g. "4 of 5 finished devices failed (80 %), more than the 50 % allowed once 5 have finished". */
  reason: string;
  snapshot: RolloutSnapshot;
  canceled: CancelState[];
  /** A dynamic job's strategy was cancelled too. */
  strategyCanceled: boolean;
}

export interface FollowOptions extends PollOptions {
  signal?: AbortSignal;
  guard?: RolloutGuard;
  onSnapshot?: (snapshot: RolloutSnapshot) => void;
  /** Told when the guard stops the job. */
  onGuardTrip?: (trip: GuardTrip) => void;
}

export type RolloutOutcome = 'completed' | 'canceled' | 'stopped-by-guard';

export interface RolloutResult {
  outcome: RolloutOutcome;
  /** The last snapshot, once the job ended. */
  snapshot: RolloutSnapshot;
  guard: GuardTrip | null;
}

export function checkGuard(guard: RolloutGuard): void {
  const { maxFailurePercent: x, minFinished: n } = guard;
  if (!(typeof x === 'number' && x >= 0 && x < 100)) {
    throw new OtaError('invalid-input', say`The abort failure rate must be a percentage from 0 to below 100, not ${String(x)}.`);
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new OtaError('invalid-input', say`The number of finished devices before the guard judges must be a whole number of 1 or more, not ${String(n)}.`);
  }
  for (const state of guard.cancel ?? []) {
    if (!CANCEL_STATES.includes(state)) throw new OtaError('invalid-input', say`"${String(state)}" is not a task state the guard can cancel.`);
  }
  if (guard.cancel && guard.cancel.length === 0) throw new OtaError('invalid-input', say`The guard must cancel at least one task state.`);
}

export function snapshotOf(job: Job, counts: Record<string, number>): RolloutSnapshot {
  const count = (s: string): number => counts[s] ?? 0;
  const succeeded = count('SUCCEEDED');
  const failed = count('FAILED');
  const finished = succeeded + failed;
  return {
    job,
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    succeeded,
    failed,
    canceled: count('CANCELED'),
    finished,
    pending: PENDING_STATUSES.reduce((a, s) => a + count(s), 0),
    failurePercent: finished === 0 ? null : (failed / finished) * 100,
    ended: job.status === 'COMPLETED' || job.status === 'CANCELED',
  };
}

/** The job and its task counts, read in that order (so the counts of an ended job are final). */
export async function takeSnapshot(client: AliyunOtaClient, jobId: string, signal?: AbortSignal): Promise<RolloutSnapshot> {
  const job = await client.getJob(jobId, { signal });
  const counts = await client.countTasksByStatus(jobId, { signal });
  return snapshotOf(job, counts);
}

/** Why the guard trips on this snapshot, or undefined. */
export function guardReason(guard: RolloutGuard, s: RolloutSnapshot): string | undefined {
  if (s.finished < guard.minFinished || s.failurePercent === null || s.failurePercent <= guard.maxFailurePercent) return undefined;
  const pct = Math.round(s.failurePercent * 10) / 10;
  return say`${s.failed} of ${s.finished} finished devices failed (${pct} %), more than the ${guard.maxFailurePercent} % allowed once ${guard.minFinished} have finished`;
}

/** Follows the job until it ends (COMPLETED or CANCELED), applying the guard; rejects 'cancelled' when the signal aborts. */
export async function followRollout(client: AliyunOtaClient, jobId: string, options: FollowOptions = {}): Promise<RolloutResult> {
  const { signal, guard } = options;
  if (guard) checkGuard(guard);
  const poll = poller(options, signal);
  let trip: GuardTrip | null = null;
  for (;;) {
    throwIfAborted(signal);
    const snapshot = await takeSnapshot(client, jobId, signal);
    options.onSnapshot?.(snapshot);
    if (snapshot.ended) {
      const outcome: RolloutOutcome = trip ? 'stopped-by-guard' : snapshot.job.status === 'CANCELED' ? 'canceled' : 'completed';
      return { outcome, snapshot, guard: trip };
    }
    const reason = guard && !trip && snapshot.job.type !== 'VERIFY_FIRMWARE' ? guardReason(guard, snapshot) : undefined;
    if (guard && reason) {
      trip = await stopJob(client, snapshot, guard, reason);
      options.onGuardTrip?.(trip);
      continue; // look at once: cancelling may have ended the job
    }
    if (poll.expired()) {
      throw new OtaError('timeout', say`Job ${jobId} is still ${snapshot.job.status} (${snapshot.finished} of ${snapshot.total} devices finished); it keeps running in the cloud.`, {
        hint: say`Follow it again later.`,
      });
    }
    await poll.wait();
  }
}

async function stopJob(client: AliyunOtaClient, snapshot: RolloutSnapshot, guard: RolloutGuard, reason: string): Promise<GuardTrip> {
  const writes = new AliyunOtaWrites(client.rpc);
  const states = guard.cancel ?? [...CANCEL_STATES];
  // No signal: a stop once decided is carried out.
  let strategyCanceled = false;
  if (snapshot.job.selection === 'DYNAMIC') {
    await writes.cancelStrategyByJob(snapshot.job.id);
    strategyCanceled = true;
  }
  await writes.cancelTasksByJob(snapshot.job.id, states);
  return { reason, snapshot, canceled: states, strategyCanceled };
}
