// How values read in human output: statuses in words, times in UTC, sizes in KiB/MiB, '-' for nothing.
import { formatBytes } from '../../shared/units';

export const NONE = '-';

/** IN_PROGRESS -> "in progress"; unknown values pass through in lower case; empty -> '-'. */
export function words(value: string | null | undefined): string {
  if (value === null || value === undefined || value.trim() === '') return NONE;
  return value.trim().toLowerCase().replace(/[_\s]+/g, ' ');
}

export function text(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return NONE;
  const s = String(value);
  return s.trim() === '' ? NONE : s;
}

/** An ISO-8601 time as "YYYY-MM-DD HH:MM:SS" (UTC); text that is no time passes through. */
export function time(iso: string | null | undefined): string {
  if (!iso) return NONE;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** 512 B, 48.0 KiB, 1.5 MiB. */
export function size(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return NONE;
  return formatBytes(bytes);
}

/** "1 task" / "3 tasks". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}
