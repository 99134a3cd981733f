// What the rollout engine needs from a cloud: the population, jobs for a wave's devices, their tasks, and the task
// actions. Every write says in words what it did in the cloud, so each rollout action can report it.
//
// Two kinds of cloud: one whose jobs move on their own and whose tasks say whether each device installed the image
// (Alibaba: `reports: 'installs'`), and one that only takes an image for one device at a time and never hears back
// (IoTaaP: `reports: 'deliveries'`). The second keeps its "job" in the rollout file (WaveJob.deliveries), and the
// engine has it send the job's devices (`dispatch`) at each step; its tasks end DEPLOYED, never SUCCEEDED.
import type { Task } from '../model';
import type { RolloutPlan } from './plan';
import type { DeliveryRecord, WaveJob } from './state';

export interface CreateJobInput {
  plan: RolloutPlan;
  devices: string[];
  /** Unique per job; carried in the job's description so that findJob finds it again. */
  tag: string;
  description: string;
}

export interface CreatedJob {
  jobId: string;
  did: string;
  /** A cloud without a job API: the job's devices, all QUEUED, kept in the rollout file from now on. */
  deliveries?: WaveJob['deliveries'];
}

/** What `dispatch` works with: the rollout, and the engine's hooks to keep each outcome. */
export interface DispatchRun {
  plan: RolloutPlan;
  /** The image recorded at create (prepare's answer). */
  delivery: DeliveryRecord | undefined;
  /** The folder of the rollout file's workspace: the recorded paths are relative to it. */
  workspace: string;
  /** 1-based wave number, for messages. */
  wave: number;
  signal?: AbortSignal;
  /** The engine's clock, ISO-8601, for the outcomes' times. */
  now(): string;
  /**
   * Called after each outcome is written into the job: the engine saves the rollout file, judges the wave's gate and
   * looks for a pause or abort waiting. null: go on; else why to stop sending (the rest stay QUEUED).
   */
  recorded(): Promise<string | null>;
}

export interface RolloutCloud {
  /**
   * installs: a task ends SUCCEEDED only when the device reported the new firmware. deliveries: the cloud only
   * accepts an image for a device and never learns whether the device installed it; tasks end DEPLOYED, counted
   * as finished by the gates and never called succeeded.
   */
  readonly reports: 'installs' | 'deliveries';
  /** Most devices one job can take (a wave larger than this becomes several jobs). */
  readonly maxDevicesPerJob: number;
  /**
   * At create, before anything else: checks what the later steps send and records it (IoTaaP: the image's path,
   * size and SHA-256, and where the device tokens are), kept in the rollout file.
   */
  prepare?(plan: RolloutPlan, options: { baseDir: string; workspace: string; signal?: AbortSignal }): Promise<DeliveryRecord>;
  /** The device names of the plan's population (only those on its source versions, when it names some). */
  listPopulation(plan: RolloutPlan, options: { baseDir: string; signal?: AbortSignal }): Promise<string[]>;
  createJob(input: CreateJobInput, signal?: AbortSignal): Promise<CreatedJob>;
  /** The job created with this tag since `since`, if there is one (a crash may have left it unrecorded). */
  findJob(plan: RolloutPlan, tag: string, since: string, signal?: AbortSignal): Promise<string | null>;
  listTasks(job: WaveJob, signal?: AbortSignal): Promise<Task[]>;
  /**
   * Clouds that deliver per device: sends the job's QUEUED devices, writing each outcome into `job.deliveries` and
   * calling `run.recorded()` after each. Returns what it did, one sentence each.
   */
  dispatch?(job: WaveJob, run: DispatchRun): Promise<string[]>;
  /** Cancels the job's tasks that have not reached a device yet (scheduled, waiting for confirmation, queued). */
  cancelQueued(job: WaveJob, signal?: AbortSignal): Promise<string>;
  /** Cancels every unfinished task of the job, in progress too. */
  cancelUnfinished(job: WaveJob, signal?: AbortSignal): Promise<string>;
  /** Upgrades these failed or cancelled tasks again (a delivering cloud queues them; the engine dispatches them). */
  retryTasks(job: WaveJob, taskIds: string[], signal?: AbortSignal): Promise<string>;
}
