// Alibaba OTA records (keys already normalised to PascalCase) -> the provider-neutral model.
import type { Firmware, FirmwareStatus, FirmwareType, Job, JobStatus, Page, Task } from '../../model';
import { bool, isObject, num, text, type Json, type JsonObject } from './normalize';

const FIRMWARE_STATUS: Record<string, FirmwareStatus> = {
  '-1': 'NO_VERIFICATION_NEEDED',
  '0': 'UNVERIFIED',
  '1': 'VERIFIED',
  '2': 'VERIFYING',
  '3': 'VERIFICATION_FAILED',
};

/** A scalar as trimmed text; null for missing values, objects and lists. */
function scalar(value: Json | undefined): string | null {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** -1..3 -> names; anything else passes through as its text ('' when absent). */
export function firmwareStatus(value: Json | undefined): FirmwareStatus {
  const key = scalar(value);
  if (key === null) return '';
  return FIRMWARE_STATUS[key] ?? key;
}

export function firmwareType(value: Json | undefined): FirmwareType {
  const key = scalar(value);
  if (key === null) return 'full';
  return key === '0' ? 'full' : key === '1' ? 'delta' : key;
}

export function jobStatus(value: string | null): JobStatus {
  if (value === null) return '';
  return value === 'COMPLETE' ? 'COMPLETED' : value;
}

/**
 * A time as an ISO-8601 string: ISO text (spaces tolerated, as some documents print "2024-11-11 T11:11:11.000Z"),
 * or epoch milliseconds. Text that is no time passes through unchanged; missing is null.
 */
export function isoTime(value: Json | undefined): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value).toISOString() : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const raw = value.trim();
  if (/^\d{10,}$/.test(raw)) return new Date(Number(raw)).toISOString();
  const ms = Date.parse(raw.replace(/\s+T/, 'T'));
  return Number.isNaN(ms) ? raw : new Date(ms).toISOString();
}

/** A list of strings given as an array, `{Inner: [...]}` / `{Inner: "x"}`, a comma-separated string, or nothing. */
export function stringList(value: Json | undefined): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.flatMap((v) => scalar(v) ?? []);
  if (isObject(value)) {
    const inner = Object.values(value)[0];
    return inner === undefined ? [] : stringList(inner);
  }
  return (scalar(value) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function mapFirmware(r: JsonObject): Firmware {
  return {
    id: text(r, 'FirmwareId') ?? '',
    name: text(r, 'FirmwareName') ?? '',
    version: text(r, 'DestVersion') ?? '',
    srcVersion: text(r, 'SrcVersion'),
    size: num(r, 'FirmwareSize'),
    sign: text(r, 'FirmwareSign'),
    signMethod: text(r, 'SignMethod'),
    status: firmwareStatus(r.Status),
    type: firmwareType(r.Type),
    productKey: text(r, 'ProductKey'),
    productName: text(r, 'ProductName'),
    moduleName: text(r, 'ModuleName'),
    description: text(r, 'FirmwareDesc'),
    url: text(r, 'FirmwareUrl'),
    createdAt: isoTime(r.UtcCreate),
    modifiedAt: isoTime(r.UtcModified),
    verifyProgress: num(r, 'VerifyProgress'),
    udi: text(r, 'Udi'),
  };
}

/** `firmwareId` fills in for list records that do not repeat it. */
export function mapJob(r: JsonObject, firmwareId?: string): Job {
  const job: Job = {
    id: text(r, 'JobId') ?? '',
    firmwareId: text(r, 'FirmwareId') ?? firmwareId ?? '',
    status: jobStatus(text(r, 'JobStatus')),
    type: text(r, 'JobType') ?? '',
    selection: text(r, 'SelectionType'),
    targetSelection: text(r, 'TargetSelection'),
    createdAt: isoTime(r.UtcCreate),
    startedAt: isoTime(r.UtcStartTime),
    endedAt: isoTime(r.UtcEndTime),
  };
  // Detail fields, only when the record carries them (QueryOTAJob).
  const optional: Partial<Job> = {
    productKey: text(r, 'ProductKey'),
    destVersion: text(r, 'DestVersion'),
    grayPercent: text(r, 'GrayPercent'),
    groupId: text(r, 'GroupId'),
    retryInterval: num(r, 'RetryInterval'),
    retryCount: num(r, 'RetryCount'),
    timeoutInMinutes: num(r, 'TimeoutInMinutes'),
    maximumPerMinute: num(r, 'MaximumPerMinute'),
    needConfirm: bool(r, 'NeedConfirm'),
    dynamicMode: num(r, 'DynamicMode'),
    description: text(r, 'JobDesc'),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== null) (job as unknown as Record<string, unknown>)[key] = value;
  }
  if ('SrcVersions' in r) job.srcVersions = stringList(r.SrcVersions);
  return job;
}

export function mapTask(r: JsonObject, jobId?: string): Task {
  const progress = num(r, 'Progress');
  return {
    id: text(r, 'TaskId') ?? '',
    jobId: text(r, 'JobId') ?? jobId ?? '',
    deviceName: text(r, 'DeviceName') ?? '',
    productKey: text(r, 'ProductKey'),
    status: text(r, 'TaskStatus') ?? '',
    progress: progress === null ? 0 : Math.min(100, Math.max(0, progress)),
    description: text(r, 'TaskDesc'),
    srcVersion: text(r, 'SrcVersion'),
    destVersion: text(r, 'DestVersion'),
    modifiedAt: isoTime(r.UtcModified),
    createdAt: isoTime(r.UtcCreate),
    iotId: text(r, 'IotId'),
    firmwareId: text(r, 'FirmwareId'),
  };
}

/** Page bookkeeping of a list answer; the requested values fill in for missing ones. */
export function pageOf<T>(root: JsonObject, items: T[], page: number, pageSize: number): Page<T> {
  const total = totalOf(root);
  return {
    items,
    total: total ?? (page - 1) * pageSize + items.length,
    page: num(root, 'CurrentPage') ?? page,
    pageSize: num(root, 'PageSize') ?? pageSize,
  };
}

/** `Total` of a list answer (at the top, or inside `Data`); null when the answer does not say. */
export function totalOf(root: JsonObject): number | null {
  const data = isObject(root.Data) ? root.Data : undefined;
  return num(root, 'Total') ?? (data ? num(data, 'Total') : null);
}
