// What Alibaba Cloud IoT accepts in the parameters of its OTA write operations, checked before anything is sent.
// Every check throws an OtaError 'invalid-input' whose message names the value, what is wrong with it and what would
// be accepted.
import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { validateAliyunVersion } from '../versionRules';

export const FIRMWARE_NAME_MAX = 40;
export const FIRMWARE_DESC_MAX = 100;
export const MODULE_NAME_MAX = 64;
export const UDI_MAX = 4096;
export const JOB_DESC_MAX = 1024;
export const VERIFY_DEVICES_MAX = 10;
export const JOB_DEVICES_MAX = 200;
export const SRC_VERSIONS_MAX = 10;
export const TASK_BATCH = 10;
export const CANCEL_BY_DEVICE_MAX = 200;
export const RETRY_INTERVALS: readonly number[] = [0, 10, 30, 60, 1440];
export const RETRY_COUNTS: readonly number[] = [1, 2, 5];
export const TIMEOUT_MINUTES = { min: 1, max: 1440 } as const;
export const PUSH_RATE = { min: 10, max: 10_000 } as const;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** ScheduleTime at most this far ahead; ScheduleFinishTime 60 minutes to 30 days after the start. */
export const SCHEDULE_AHEAD_MAX_MS = 7 * DAY_MS;
export const SCHEDULE_SPAN = { minMs: 60 * MINUTE_MS, maxMs: 30 * DAY_MS } as const;

export function invalid(message: string, hint?: string): OtaError {
  return new OtaError('invalid-input', message, { hint });
}

/** Length in characters (code points), as the service counts. */
function length(value: string): number {
  return [...value].length;
}

/** Refuses a version Alibaba Cloud would refuse; `subject` names it in the message ("The source version"). */
export function checkVersion(version: string, subject?: string): void {
  const problem = validateAliyunVersion(version, subject);
  if (problem) throw invalid(problem);
}

export function checkText(value: string | undefined, what: string, rule: { min?: number; max: number }): void {
  if (value === undefined) return;
  const n = length(value);
  const min = rule.min ?? 0;
  if (n < min || n > rule.max) {
    const range = min > 0 ? `${min}-${rule.max}` : say`at most ${rule.max}`;
    throw invalid(say`The ${what} "${n > 60 ? `${[...value].slice(0, 57).join('')}...` : value}" is ${n} characters long: Alibaba Cloud accepts ${range} characters.`);
  }
}

export function requireId(value: string | undefined, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(say`No ${what} given.`);
  return value.trim();
}

const MODULE_PATTERN = /^[A-Za-z0-9._-]+$/;

export function checkModuleName(name: string | undefined): void {
  if (name === undefined) return;
  checkText(name, say`module name`, { min: 1, max: MODULE_NAME_MAX });
  if (!MODULE_PATTERN.test(name)) {
    throw invalid(say`The module name "${name}" may hold only letters, digits, ".", "_" and "-" (e.g. default or mcu).`);
  }
}

export function checkInteger(value: number | undefined, what: string, rule: { min?: number; max?: number; oneOf?: readonly number[] }): void {
  if (value === undefined) return;
  if (!Number.isInteger(value)) throw invalid(say`The ${what} must be a whole number, not ${value}.`);
  if (rule.oneOf && !rule.oneOf.includes(value)) {
    throw invalid(say`The ${what} ${value} is not accepted: Alibaba Cloud accepts ${rule.oneOf.join(', ')}.`);
  }
  const { min, max } = rule;
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    const range = min !== undefined && max !== undefined ? `${min}-${max}` : min !== undefined ? say`${min} or more` : say`at most ${String(max)}`;
    throw invalid(say`The ${what} ${value} is out of range: Alibaba Cloud accepts ${range}.`);
  }
}

/** Trimmed, without empties and repeats, in the order given. */
export function cleanList(values: readonly string[] | undefined): string[] {
  const seen = new Set<string>();
  for (const v of values ?? []) {
    const t = String(v).trim();
    if (t) seen.add(t);
  }
  return [...seen];
}

export function checkDeviceNames(names: readonly string[], what: string, max: number): string[] {
  const list = cleanList(names);
  if (list.length === 0) throw invalid(say`No device names given for the ${what}.`, say`Name at least one device of the product.`);
  if (list.length > max) {
    throw invalid(say`The ${what} names ${list.length} devices: Alibaba Cloud accepts at most ${max} per request.`,
      max === JOB_DEVICES_MAX ? say`Split the devices over several jobs, or target a device group (GROUP) instead.` : undefined);
  }
  const bad = list.find((n) => /[\s,]/.test(n) || length(n) > 64);
  if (bad !== undefined) throw invalid(say`"${bad}" is not a device name: names have no spaces or commas and at most 64 characters.`);
  return list;
}

export function checkSrcVersions(versions: readonly string[] | undefined): string[] {
  const list = cleanList(versions);
  if (list.length > SRC_VERSIONS_MAX) {
    throw invalid(say`${list.length} source versions given: Alibaba Cloud accepts at most ${SRC_VERSIONS_MAX} per job.`);
  }
  for (const v of list) checkVersion(v, say`The source version`);
  return list;
}

/** GrayPercent as the string Alibaba wants: more than 0, at most 100, at most 3 decimals. */
export function grayPercentText(value: string | number): string {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim().replace(/%$/, '').trim();
  if (!/^\d{1,3}(\.\d+)?$/.test(text)) {
    throw invalid(say`The gray percentage "${String(value)}" is not a number: give a percentage more than 0 and at most 100 with at most 3 decimals, e.g. 12.5.`);
  }
  const decimals = text.includes('.') ? text.split('.')[1].length : 0;
  if (decimals > 3) {
    throw invalid(say`The gray percentage ${text} has ${decimals} decimals: Alibaba Cloud accepts at most 3, e.g. 12.345.`);
  }
  const n = Number(text);
  if (!(n > 0 && n <= 100)) throw invalid(say`The gray percentage ${text} is out of range: it must be more than 0 and at most 100.`);
  return text;
}

export function checkRetry(interval: number | undefined, count: number | undefined): void {
  if ((interval === undefined) !== (count === undefined)) {
    throw invalid(
      interval === undefined ? say`A retry count was given without a retry interval.` : say`A retry interval was given without a retry count.`,
      say`Give both: an interval of ${RETRY_INTERVALS.join(', ')} minutes and a count of ${RETRY_COUNTS.join(', ')}.`,
    );
  }
  checkInteger(interval, say`retry interval (minutes)`, { oneOf: RETRY_INTERVALS });
  checkInteger(count, say`retry count`, { oneOf: RETRY_COUNTS });
}

function showTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/** ScheduleTime / ScheduleFinishTime are milliseconds since 1970. */
export function checkSchedule(start: number | undefined, finish: number | undefined, now: number): void {
  for (const [value, what] of [
    [start, say`schedule time`],
    [finish, say`schedule finish time`],
  ] as const) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) throw invalid(say`The ${what} must be a time in milliseconds since 1970, not ${value}.`);
    if (value < 1e12) {
      throw invalid(say`The ${what} ${value} looks like seconds: Alibaba Cloud wants milliseconds since 1970 (e.g. ${Math.round(now)}).`);
    }
  }
  if (start !== undefined) {
    if (start <= now) throw invalid(say`The schedule time ${showTime(start)} is in the past: it must be in the future.`);
    if (start > now + SCHEDULE_AHEAD_MAX_MS) throw invalid(say`The schedule time ${showTime(start)} is more than 7 days ahead: Alibaba Cloud accepts at most 7 days.`);
  }
  if (finish !== undefined) {
    const from = start ?? now;
    if (finish < from + SCHEDULE_SPAN.minMs || finish > from + SCHEDULE_SPAN.maxMs) {
      throw invalid(
        say`The schedule finish time ${showTime(finish)} must be 60 minutes to 30 days after the job starts (${showTime(from)}).`,
      );
    }
  }
}

export function requireTaskIds(taskIds: readonly string[], what: string): string[] {
  const ids = cleanList(taskIds);
  if (ids.length === 0) throw invalid(say`No task ids given to ${what}.`);
  return ids;
}

/** Splits into batches of at most `size`. */
export function batches<T>(items: readonly T[], size = TASK_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
