// What the rollout engine needs from a cloud: the population, jobs for a wave's devices, their tasks, and the task
// actions. Every write says in words what it did in the cloud, so each rollout action can report it.
import type { Task } from '../model';
import type { RolloutPlan } from './plan';

export interface CreateJobInput {
  plan: RolloutPlan;
  devices: string[];
  /** Unique per job; carried in the job's description so that findJob finds it again. */
  tag: string;
  description: string;
}

export interface RolloutCloud {
  /** Most devices one job can take (a wave larger than this becomes several jobs). */
  readonly maxDevicesPerJob: number;
  /** The device names of the plan's population (only those on its source versions, when it names some). */
  listPopulation(plan: RolloutPlan, options: { baseDir: string; signal?: AbortSignal }): Promise<string[]>;
  createJob(input: CreateJobInput, signal?: AbortSignal): Promise<{ jobId: string; did: string }>;
  /** The job created with this tag since `since`, if there is one (a crash may have left it unrecorded). */
  findJob(plan: RolloutPlan, tag: string, since: string, signal?: AbortSignal): Promise<string | null>;
  listTasks(jobId: string, signal?: AbortSignal): Promise<Task[]>;
  /** Cancels the job's tasks that have not reached a device yet (scheduled, waiting for confirmation, queued). */
  cancelQueued(jobId: string, signal?: AbortSignal): Promise<string>;
  /** Cancels every unfinished task of the job, in progress too. */
  cancelUnfinished(jobId: string, signal?: AbortSignal): Promise<string>;
  /** Upgrades these failed or cancelled tasks again. */
  retryTasks(jobId: string, taskIds: string[], signal?: AbortSignal): Promise<string>;
}
