// The progress of a rollout, kept in the plan file under `state`. The cloud stays the source of truth for task
// states; the file records what the engine decided and did (which devices each wave holds, which jobs it created,
// gate decisions, who was left out by a pause) and a short history of task counts for the dashboard's chart. A cloud
// with no job API (IoTaaP) keeps its per-device deploy outcomes here too (WaveJob.deliveries).
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
  /** The device reported the new firmware (Alibaba). */
  succeeded: number;
  /**
   * The service accepted the image for the device, which never says whether it installed it (IoTaaP): finished for
   * the gates, never "succeeded". Absent from files written before IoTaaP rollouts existed (read as 0).
   */
  deployed: number;
  failed: number;
  canceled: number;
}

export interface WaveJob {
  jobId: string;
  /** Written into the job's description, so a job created just before a crash is found again. */
  tag: string;
  devices: number;
  createdAt: string;
  /**
   * Clouds without a job API (IoTaaP) keep the job here instead: one entry per device, its outcome recorded after
   * each deploy call. Absent for Alibaba jobs, whose tasks the cloud keeps.
   */
  deliveries?: DeviceDelivery[];
}

export type DeliveryStatus =
  /** Not deployed yet. */
  | 'QUEUED'
  /** The service accepted the image for the device; whether the device installed it is not known. */
  | 'DEPLOYED'
  /** The service refused the deploy (unknown device, bad token...); `reason` holds its message. */
  | 'FAILED'
  /** Not deployed: a pause, a failed gate or an abort stopped the wave first. */
  | 'CANCELED'
  /** Not deployed: the service's last OTA for the device has the version already, so it would not update. */
  | 'SKIPPED';

export interface DeviceDelivery {
  device: string;
  status: DeliveryStatus;
  /** When the outcome was recorded. */
  at: string | null;
  /** The service's message for a refused deploy, or why the device was skipped, cancelled or found deployed. */
  reason: string | null;
}

/** What the cloud must find again at each step of a rollout that sends an image itself (IoTaaP). */
export interface DeliveryRecord {
  image: {
    /** Relative to the workspace of the rollout file when inside it, else absolute. */
    path: string;
    sha256: string;
    bytes: number;
  };
  /** The plan's device-tokens file as resolved at create (relative to the workspace when inside it), or null. */
  deviceTokensFile: string | null;
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
  /** Rollouts whose cloud takes the image with every deploy (IoTaaP): the image checked at create. */
  delivery?: DeliveryRecord;
}

export const HISTORY_MAX = 2000;

/** A wave that has not started: its devices chosen, nothing sent yet. */
export function pendingWave(index: number, label: string, devices: string[]): WaveState {
  return {
    index,
    label,
    devices,
    status: 'pending',
    jobs: [],
    pendingJobs: [],
    jobSerial: 0,
    startedAt: null,
    soakUntil: null,
    endedAt: null,
    counts: emptyCounts(),
    tasks: 0,
    left: [],
    overridden: false,
    decision: null,
  };
}

export function emptyCounts(): StateCounts {
  return { queued: 0, inProgress: 0, succeeded: 0, deployed: 0, failed: 0, canceled: 0 };
}

export type Bucket = keyof StateCounts;

export function bucketOf(status: string): Bucket {
  switch (status) {
    case 'IN_PROGRESS':
      return 'inProgress';
    case 'SUCCEEDED':
      return 'succeeded';
    case 'DEPLOYED':
      return 'deployed';
    case 'FAILED':
      return 'failed';
    case 'CANCELED':
      return 'canceled';
    default:
      return 'queued';
  }
}

export function isFinal(status: string): boolean {
  return status === 'SUCCEEDED' || status === 'DEPLOYED' || status === 'FAILED' || status === 'CANCELED';
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
    deployed: (a.deployed ?? 0) + (b.deployed ?? 0),
    failed: a.failed + b.failed,
    canceled: a.canceled + b.canceled,
  };
}

export function sameCounts(a: StateCounts, b: StateCounts): boolean {
  return (
    a.queued === b.queued &&
    a.inProgress === b.inProgress &&
    a.succeeded === b.succeeded &&
    (a.deployed ?? 0) === (b.deployed ?? 0) &&
    a.failed === b.failed &&
    a.canceled === b.canceled
  );
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
