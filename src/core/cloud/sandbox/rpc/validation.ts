// Reading and checking the parameters of one RPC request, answering MissingParameter / InvalidParameter the way
// the service does. Repeated parameters use Alibaba's `Name.N` form (N from 1).
import { businessError, invalidParameter, missingParameter } from './apiError';

export const VERSION_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** Says what the pattern allows, for the error message. */
  patternText?: string;
  oneOf?: readonly string[];
}

interface IntRule {
  min?: number;
  max?: number;
  oneOf?: readonly number[];
}

export class Params {
  constructor(private readonly raw: ReadonlyMap<string, string>) {}

  /** The raw value under any of the given spellings (e.g. `FirmwareId` and `FirmwareID`). */
  private lookup(names: readonly string[]): { name: string; value: string } | undefined {
    for (const name of names) {
      const value = this.raw.get(name);
      if (value !== undefined) return { name, value };
    }
    return undefined;
  }

  optionalString(name: string | readonly string[], rule: StringRule = {}): string | undefined {
    const names = typeof name === 'string' ? [name] : name;
    const found = this.lookup(names);
    if (!found || found.value === '') return undefined;
    checkString(found.name, found.value, rule);
    return found.value;
  }

  string(name: string | readonly string[], rule: StringRule = {}): string {
    const value = this.optionalString(name, rule);
    if (value === undefined) throw missingParameter(typeof name === 'string' ? name : (name[0] ?? ''));
    return value;
  }

  optionalInt(name: string, rule: IntRule = {}): number | undefined {
    const value = this.raw.get(name);
    if (value === undefined || value === '') return undefined;
    if (!/^-?\d+$/.test(value.trim())) throw invalidParameter(name, `"${value}" is not an integer.`);
    const n = Number(value.trim());
    if (rule.oneOf && !rule.oneOf.includes(n)) {
      throw invalidParameter(name, `${n} is not one of ${rule.oneOf.join(', ')}.`);
    }
    if (rule.min !== undefined && n < rule.min) throw invalidParameter(name, `${n} is less than ${rule.min}.`);
    if (rule.max !== undefined && n > rule.max) throw invalidParameter(name, `${n} is greater than ${rule.max}.`);
    return n;
  }

  int(name: string, rule: IntRule = {}): number {
    const value = this.optionalInt(name, rule);
    if (value === undefined) throw missingParameter(name);
    return value;
  }

  optionalBool(name: string): boolean | undefined {
    const value = this.raw.get(name);
    if (value === undefined || value === '') return undefined;
    const v = value.toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw invalidParameter(name, `"${value}" is not true or false.`);
  }

  /** `Name.1`, `Name.2`, ... in order of N. */
  list(name: string, rule: StringRule & { maxItems?: number } = {}): string[] {
    const prefix = `${name}.`;
    const entries: [number, string, string][] = [];
    for (const [key, value] of this.raw) {
      if (!key.startsWith(prefix)) continue;
      const index = key.slice(prefix.length);
      if (!/^\d+$/.test(index) || Number(index) < 1) throw invalidParameter(key, 'the list index must start at 1.');
      entries.push([Number(index), key, value]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    if (rule.maxItems !== undefined && entries.length > rule.maxItems) {
      throw invalidParameter(`${name}.N`, `at most ${rule.maxItems} values are allowed, got ${entries.length}.`);
    }
    for (const [, key, value] of entries) checkString(key, value, rule);
    return entries.map((e) => e[2]);
  }
}

function checkString(name: string, value: string, rule: StringRule): void {
  const length = [...value].length;
  if (rule.min !== undefined && length < rule.min) {
    throw invalidParameter(name, `it must be at least ${rule.min} characters long.`);
  }
  if (rule.max !== undefined && length > rule.max) {
    throw invalidParameter(name, `it must be at most ${rule.max} characters long, got ${length}.`);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw invalidParameter(name, `"${value}" ${rule.patternText ?? 'has an invalid format'}.`);
  }
  if (rule.oneOf && !rule.oneOf.includes(value)) {
    throw invalidParameter(name, `"${value}" is not one of ${rule.oneOf.join(', ')}.`);
  }
}

/** Paging: both parameters required, page from 1, size up to `maxPageSize`, page x size up to `maxProduct`. */
export function pageParams(
  params: Params,
  maxPageSize: number,
  maxProduct?: number,
): { currentPage: number; pageSize: number } {
  const currentPage = params.int('CurrentPage');
  const pageSize = params.int('PageSize');
  return checkPage(currentPage, pageSize, maxPageSize, maxProduct);
}

function checkPage(
  currentPage: number,
  pageSize: number,
  maxPageSize: number,
  maxProduct: number | undefined,
): { currentPage: number; pageSize: number } {
  if (currentPage < 1) {
    throw businessError('iot.common.InvalidPageParams', `CurrentPage must be 1 or more, got ${currentPage}.`);
  }
  if (pageSize < 1 || pageSize > maxPageSize) {
    throw businessError(
      'iot.common.InvalidPageParams',
      `PageSize must be between 1 and ${maxPageSize}, got ${pageSize}.`,
    );
  }
  if (maxProduct !== undefined && currentPage * pageSize > maxProduct) {
    throw businessError(
      'iot.common.InvalidPageParams',
      `CurrentPage x PageSize must not exceed ${maxProduct}, got ${currentPage * pageSize}.`,
    );
  }
  return { currentPage, pageSize };
}

/** One page of a list, plus Alibaba's paging fields. */
export function paginate<T>(
  items: readonly T[],
  currentPage: number,
  pageSize: number,
): { slice: T[]; Total: number; PageSize: number; CurrentPage: number; PageCount: number } {
  const start = (currentPage - 1) * pageSize;
  return {
    slice: items.slice(start, start + pageSize),
    Total: items.length,
    PageSize: pageSize,
    CurrentPage: currentPage,
    PageCount: Math.ceil(items.length / pageSize),
  };
}
