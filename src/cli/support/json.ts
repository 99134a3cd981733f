// The `--json` output: the provider-neutral model projected onto the keys the CLI contract names, in its order
// (fields the model gained later stay out, so CI scripts see a stable shape). Missing values are null.
import type { DeviceOta, Firmware, Job, Task } from '../../core/model';
import type { CliIO } from './io';

export const FIRMWARE_KEYS = [
  'id',
  'name',
  'version',
  'srcVersion',
  'size',
  'sign',
  'signMethod',
  'status',
  'type',
  'productKey',
  'productName',
  'moduleName',
  'description',
  'url',
  'createdAt',
  'modifiedAt',
] as const satisfies readonly (keyof Firmware)[];

export const JOB_KEYS = [
  'id',
  'firmwareId',
  'status',
  'type',
  'selection',
  'targetSelection',
  'createdAt',
  'startedAt',
  'endedAt',
] as const satisfies readonly (keyof Job)[];

export const TASK_KEYS = [
  'id',
  'jobId',
  'deviceName',
  'productKey',
  'status',
  'progress',
  'description',
  'srcVersion',
  'destVersion',
  'modifiedAt',
] as const satisfies readonly (keyof Task)[];

export const DEVICE_OTA_KEYS = ['id', 'device', 'owner', 'path', 'version', 'lastUpdated'] as const satisfies readonly (keyof DeviceOta)[];
export const GROUP_OTA_KEYS = ['id', 'group', 'owner', 'path', 'version', 'lastUpdated'] as const satisfies readonly (keyof DeviceOta)[];

export type FirmwareJson = Pick<Firmware, (typeof FIRMWARE_KEYS)[number]>;
export type JobJson = Pick<Job, (typeof JOB_KEYS)[number]>;
export type TaskJson = Pick<Task, (typeof TASK_KEYS)[number]>;

/** A new object with exactly `keys`, in that order; undefined becomes null. */
export function project<T extends object, K extends keyof T>(item: T, keys: readonly K[]): { [P in K]: T[P] | null } {
  const out = {} as { [P in K]: T[P] | null };
  for (const key of keys) out[key] = item[key] === undefined ? null : item[key];
  return out;
}

export const firmwareJson = (f: Firmware): FirmwareJson => project(f, FIRMWARE_KEYS) as FirmwareJson;
export const jobJson = (j: Job): JobJson => project(j, JOB_KEYS) as JobJson;
export const taskJson = (t: Task): TaskJson => ({ ...project(t, TASK_KEYS), progress: progressOf(t.progress) }) as TaskJson;

/** 0-100, whatever the service sent. */
function progressOf(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : 0;
}

export function writeJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
