// The progress of a rollout, kept in the plan file under `state`. The cloud stays the source of truth for task
// states; the file records what the engine decided and did (which devices each wave holds, which jobs it created,
// gate decisions, who was left out by a pause) and a short history of task counts for the dashboard's chart.
import type { Task } from '../model';

export const STATE_VERSION = 1;

/** running: the engine moves it on; paused: a person (or a failed gate, or a wave waiting for approval) stopped it. */
export type RolloutStatus = 'running' | 'paused' | 'aborted' | 'done';
export type PausedBy = 'user' | 'gate' | 'approval';

export type WaveStatus =
  /** Not started. */
  | 'pending'
  /** Its jobs are being created (a crash here is recovered by finding the jobs by their tag). */
  | 'starting'
  | 'running'
  /** The gate passed; waiting for the soak time to end. */
  | 'soaking'
  | 'passed'
  /** Its gate failed. */
  | 'stopped'
  | 'aborted'
  /** It had no devices. */
  | 'skipped';

/** Task states as the dashboard groups them. */
export interface StateCounts {
  queued: number;
  inProgress: number;
  succeeded: number;
  failed: number;
  canceled: number;
}

export interface WaveJob {
  jobId: string;
  /** Written into the job's description, so a job created just before a crash is found again. */
  tag: string;
  devices: number;
  createdAt: string;
}

/** A job the engine is about to create (recorded first, so a crash between the call and the write loses nothing). */
export interface PendingJob {
  tag: string;
  devices: string[];
}

export interface GateDecision {
  result: 'pass' | 'fail';
  at: string;
  reason: string;
}

export interface WaveState {
  index: number;
  label: string;
  devices: string[];
  status: WaveStatus;
  jobs: WaveJob[];
  pendingJobs: PendingJob[];
  /** How many jobs were created for this wave so far (parts and restarts), for unique tags. */
  jobSerial: number;
  startedAt: string | null;
  soakUntil: string | null;
  endedAt: string | null;
  counts: StateCounts;
  /** Devices with a task (the rest were skipped by the service, e.g. already on the version). */
  tasks: number;
  /** Devices whose tasks a pause or gate cancelled, started again on resume. */
  left: string[];
  /** A person resumed the wave after its gate failed: failures no longer stop it. */
  overridden: boolean;
  decision: GateDecision | null;
}

export interface RolloutEvent {
  at: string;
  kind: 'created' | 'wave-started' | 'gate-passed' | 'gate-failed' | 'soaked' | 'paused' | 'resumed' | 'aborted' | 'retried' | 'done';
  wave: number | null;
  text: string;
}

export interface HistorySample extends StateCounts {
  at: string;
}

export interface RolloutState {
  version: number;
  /** Random per created rollout: job tags carry it, so jobs of an older rollout of the same name are never adopted. */
  runId: string;
  status: RolloutStatus;
  pausedBy: PausedBy | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  populationSize: number;
  seed: number;
  waves: WaveState[];
  events: RolloutEvent[];
  history: HistorySample[];
}

export const HISTORY_MAX = 2000;

export function emptyCounts(): StateCounts {
  return { queued: 0, inProgress: 0, succeeded: 0, failed: 0, canceled: 0 };
}

export type Bucket = keyof StateCounts;

export function bucketOf(status: string): Bucket {
  switch (status) {
    case 'IN_PROGRESS':
      return 'inProgress';
    case 'SUCCEEDED':
      return 'succeeded';
    case 'FAILED':
      return 'failed';
    case 'CANCELED':
      return 'canceled';
    default:
      return 'queued';
  }
}

export function isFinal(status: string): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELED';
}

/** One task per device: the one of the wave's latest job that has the device (a restart job replaces the first). */
export function latestTasks(jobsInOrder: readonly Task[][]): Map<string, Task> {
  const out = new Map<string, Task>();
  for (const tasks of jobsInOrder) for (const t of tasks) out.set(t.deviceName, t);
  return out;
}

export function countTasks(tasks: Iterable<Task>): StateCounts {
  const c = emptyCounts();
  for (const t of tasks) c[bucketOf(t.status)]++;
  return c;
}

export function addCounts(a: StateCounts, b: StateCounts): StateCounts {
  return {
    queued: a.queued + b.queued,
    inProgress: a.inProgress + b.inProgress,
    succeeded: a.succeeded + b.succeeded,
    failed: a.failed + b.failed,
    canceled: a.canceled + b.canceled,
  };
}

export function sameCounts(a: StateCounts, b: StateCounts): boolean {
  return a.queued === b.queued && a.inProgress === b.inProgress && a.succeeded === b.succeeded && a.failed === b.failed && a.canceled === b.canceled;
}

/** Appends a sample when the counts changed; thins the oldest half when the history grows past HISTORY_MAX. */
export function recordHistory(state: RolloutState, at: string): void {
  const total = state.waves.reduce((sum, w) => addCounts(sum, w.counts), emptyCounts());
  const last = state.history[state.history.length - 1];
  if (last && sameCounts(last, total)) return;
  state.history.push({ at, ...total });
  if (state.history.length > HISTORY_MAX) {
    const half = Math.floor(state.history.length / 2);
    state.history = [...state.history.slice(0, half).filter((_, i) => i % 2 === 0), ...state.history.slice(half)];
  }
}
