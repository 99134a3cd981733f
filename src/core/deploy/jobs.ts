// Upgrade jobs and what can be done to them: create static (ALL, SPECIFIC from names or a file, GRAY, GROUP) or
// dynamic jobs; cancel tasks by state, retry failed tasks, confirm tasks, cancel a dynamic strategy, delete firmware
// (refused, with the reason, while one of its jobs runs).
import { readFile } from 'node:fs/promises';
import type { AliyunOtaClient } from '../cloud/aliyun/otaClient';
import {
  AliyunOtaWrites,
  CANCEL_STATES,
  type BatchOptions,
  type CancelState,
  type CreatedJob,
  type DynamicUpgradeJobInput,
  type StaticUpgradeJobInput,
  type StaticTargetSelection,
  type UpgradeJobSettings,
  type WriteOptions,
  dynamicJobParams,
  staticJobParams,
} from '../cloud/aliyun/otaWrites';
import { OtaError } from '../errors';
import { say, sayList } from '../sentences';
import type { Job, TaskStatus } from '../model';
import { throwIfAborted } from '../net/clock';

export interface JobPlan extends UpgradeJobSettings {
  target: StaticTargetSelection;
  /** SPECIFIC: the devices (merged with those of `devicesFile`). */
  deviceNames?: string[];
  /** SPECIFIC: a file of device names, one per line or comma separated, `#` starts a comment. */
  devicesFile?: string;
  /** GRAY: percent of the matching devices, more than 0, at most 100, at most 3 decimals. */
  grayPercent?: string | number;
  /** GROUP. */
  groupId?: string;
  /** A dynamic job (ALL or GROUP): keeps upgrading devices that match, also those that come later. */
  dynamic?: boolean;
  /** Dynamic jobs: 1 (default) devices now and later, 2 only devices that report later. */
  dynamicMode?: 1 | 2;
}

export interface CreatedUpgradeJob extends CreatedJob {
  dynamic: boolean;
}

/** Device names from text: one per line or separated by commas (or spaces); `#` starts a comment. No repeats. */
export function parseDeviceList(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const content = line.replace(/#.*$/, '');
    for (const name of content.split(/[,\s]+/)) if (name) names.add(name);
  }
  return [...names];
}

export async function readDeviceFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new OtaError('invalid-input', say`Cannot read the device list ${path}${typeof code === 'string' ? ` (${code})` : ''}.`, { cause: error });
  }
  const names = parseDeviceList(text);
  if (names.length === 0) {
    throw new OtaError('invalid-input', say`The device list ${path} names no devices.`, {
      hint: say`Put one device name per line (or separate them with commas); lines starting with # are comments.`,
    });
  }
  return names;
}

/** The plan with the device file read into `deviceNames`. */
export async function resolveJobPlan(plan: JobPlan): Promise<JobPlan> {
  if (plan.devicesFile === undefined) return plan;
  if (plan.target !== 'SPECIFIC') throw new OtaError('invalid-input', say`A device list file applies to SPECIFIC jobs only.`);
  const fromFile = await readDeviceFile(plan.devicesFile);
  const { devicesFile: _file, ...rest } = plan;
  return { ...rest, deviceNames: [...new Set([...(plan.deviceNames ?? []), ...fromFile])] };
}

/** Checks a resolved plan as the job request would (before any firmware exists); throws OtaError 'invalid-input'. */
export function checkJobPlan(plan: JobPlan, now: number = Date.now()): void {
  if (plan.devicesFile !== undefined) throw new OtaError('invalid-input', say`Resolve the device list file first (resolveJobPlan).`);
  jobInput(plan, say`(new firmware)`, say`(product)`, now);
}

type JobInput = { dynamic: true; input: DynamicUpgradeJobInput } | { dynamic: false; input: StaticUpgradeJobInput };

/** The request a plan stands for, checked. */
function jobInput(plan: JobPlan, firmwareId: string, productKey: string, now: number): JobInput {
  const { target, deviceNames, grayPercent, groupId, dynamic, dynamicMode, devicesFile: _file, ...settings } = plan;
  if (dynamic) {
    if (target !== 'ALL' && target !== 'GROUP') {
      throw new OtaError('invalid-input', say`A dynamic job targets ALL devices or a GROUP, not ${target}.`, {
        hint: say`Use a static job for named devices (SPECIFIC) or a percentage (GRAY).`,
      });
    }
    const input: DynamicUpgradeJobInput = { ...settings, firmwareId, productKey, targetSelection: target, groupId, dynamicMode };
    dynamicJobParams(input, now);
    return { dynamic: true, input };
  }
  if (dynamicMode !== undefined) throw new OtaError('invalid-input', say`A dynamic mode applies to dynamic jobs only.`);
  const input: StaticUpgradeJobInput = { ...settings, firmwareId, productKey, targetSelection: target, deviceNames, grayPercent, groupId };
  staticJobParams(input, now);
  return { dynamic: false, input };
}

/** Creates the upgrade job the plan describes (the device file read first). */
export async function createJob(
  client: AliyunOtaClient,
  firmwareId: string,
  productKey: string,
  plan: JobPlan,
  options: WriteOptions = {},
): Promise<CreatedUpgradeJob> {
  const resolved = await resolveJobPlan(plan);
  const request = jobInput(resolved, firmwareId, productKey, Date.now());
  throwIfAborted(options.signal);
  const writes = new AliyunOtaWrites(client.rpc);
  // Not abandoned half-way (no signal): afterwards it is known whether the job exists.
  const created = request.dynamic ? await writes.createDynamicUpgradeJob(request.input) : await writes.createStaticUpgradeJob(request.input);
  return { ...created, dynamic: request.dynamic };
}

const STATE_ALIASES: Record<string, CancelState[]> = {
  scheduled: ['scheduled'],
  confirm: ['confirm'],
  unconfirmed: ['confirm'],
  queued: ['queued'],
  notified: ['notified'],
  inprogress: ['in-progress'],
  pending: ['scheduled', 'confirm', 'queued', 'notified'],
  all: [...CANCEL_STATES],
};

/** "queued,notified", ["IN_PROGRESS"], "all", "pending" (everything not started) -> the states to cancel. */
export function parseCancelStates(input: string | readonly string[]): CancelState[] {
  const words = (typeof input === 'string' ? [input] : input).flatMap((w) => w.split(/[,\s]+/)).filter(Boolean);
  const states = new Set<CancelState>();
  for (const word of words) {
    const found = STATE_ALIASES[word.toLowerCase().replace(/[-_]/g, '')];
    if (!found) {
      throw new OtaError('invalid-input', say`"${word}" is not a task state that can be cancelled.`, {
        hint: say`Use ${CANCEL_STATES.join(', ')}, pending (all but in-progress) or all.`,
      });
    }
    found.forEach((s) => states.add(s));
  }
  if (states.size === 0) throw new OtaError('invalid-input', say`No task states given: use ${CANCEL_STATES.join(', ')}, pending or all.`);
  return [...states];
}

/** CancelOTATaskByJob for the tasks of the job in these states. */
export async function cancelTasks(client: AliyunOtaClient, jobId: string, states: string | readonly string[], options: WriteOptions = {}): Promise<CancelState[]> {
  const parsed = parseCancelStates(states);
  await new AliyunOtaWrites(client.rpc).cancelTasksByJob(jobId, parsed, options);
  return parsed;
}

export interface RetryTasksOptions extends BatchOptions {
  /** Default: every FAILED task of the job. */
  taskIds?: string[];
  /** With the default selection, CANCELED tasks too. */
  includeCanceled?: boolean;
}

/** ReupgradeOTATask in batches of 10; resolves with the tasks queued again. */
export async function retryFailedTasks(client: AliyunOtaClient, jobId: string, options: RetryTasksOptions = {}): Promise<string[]> {
  let ids = options.taskIds;
  if (!ids) {
    const statuses: TaskStatus[] = options.includeCanceled ? ['FAILED', 'CANCELED'] : ['FAILED'];
    ids = [];
    for (const status of statuses) ids.push(...(await client.listTasks(jobId, { status, signal: options.signal })).map((t) => t.id));
    if (ids.length === 0) return [];
  }
  await new AliyunOtaWrites(client.rpc).reupgradeTasks(jobId, ids, options);
  return [...new Set(ids)];
}

export interface ConfirmTasksOptions extends BatchOptions {
  /** Default: every task of `jobId` waiting for confirmation. */
  taskIds?: string[];
  jobId?: string;
}

/** ConfirmOTATask in batches of 10; resolves with the tasks confirmed. */
export async function confirmTasks(client: AliyunOtaClient, options: ConfirmTasksOptions): Promise<string[]> {
  let ids = options.taskIds;
  if (!ids) {
    if (!options.jobId) throw new OtaError('invalid-input', say`Name the tasks to confirm, or the job whose waiting tasks to confirm.`);
    ids = (await client.listTasks(options.jobId, { status: 'CONFIRM', signal: options.signal })).map((t) => t.id);
    if (ids.length === 0) return [];
  }
  await new AliyunOtaWrites(client.rpc).confirmTasks(ids, options);
  return [...new Set(ids)];
}

/** CancelOTAStrategyByJob: the dynamic job stops taking in devices (its running tasks go on). */
export async function cancelDynamicStrategy(client: AliyunOtaClient, jobId: string, options: WriteOptions = {}): Promise<void> {
  const job = await client.getJob(jobId, options);
  if (job.selection !== null && job.selection !== 'DYNAMIC') {
    throw new OtaError('invalid-input', say`Job ${jobId} is a static job: only dynamic jobs have a strategy to cancel.`, {
      hint: say`To stop a static job, cancel its tasks by state.`,
    });
  }
  await new AliyunOtaWrites(client.rpc).cancelStrategyByJob(jobId, options);
}

export function isRunning(job: Job): boolean {
  return job.status === 'IN_PROGRESS' || job.status === 'PLANNED';
}

/** DeleteOTAFirmware, after checking that none of its jobs runs (the service refuses then). */
export async function deleteFirmware(client: AliyunOtaClient, firmwareId: string, options: WriteOptions = {}): Promise<void> {
  const running = (await client.listJobsByFirmware(firmwareId, options)).filter(isRunning);
  if (running.length > 0) {
    const shown = sayList(running.slice(0, 5).map((j) => (j.type === 'VERIFY_FIRMWARE' ? say`${j.id} (verify, ${j.status})` : `${j.id} (${j.status})`)));
    throw new OtaError(
      'failed',
      running.length === 1
        ? say`Firmware ${firmwareId} cannot be deleted while its job ${shown} runs.`
        : say`Firmware ${firmwareId} cannot be deleted while ${running.length} of its jobs ${shown}${running.length > 5 ? say` and more` : ''} run.`,
      { hint: say`Cancel the job's tasks (all states) or wait until it ends, then delete the firmware.` },
    );
  }
  await new AliyunOtaWrites(client.rpc).deleteFirmware(firmwareId, options);
}
