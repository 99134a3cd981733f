// Reading protocol options from the untyped bag the UI and CLI pass, with messages that name the option.

import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { type FlashOptionBag } from './types';

export function intOption(bag: FlashOptionBag, key: string, fallback: number, min: number, max: number): number {
  const value = bag[key];
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new OtaError('invalid-input', say`Option ${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}.`);
  }
  return n;
}

/** Optional positive integer (e.g. a size that defaults to something computed). */
export function optionalIntOption(bag: FlashOptionBag, key: string, min: number, max: number): number | null {
  const value = bag[key];
  if (value === undefined || value === null || value === '') return null;
  return intOption(bag, key, min, min, max);
}

export function boolOption(bag: FlashOptionBag, key: string, fallback: boolean): boolean {
  const value = bag[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new OtaError('invalid-input', say`Option ${key} must be true or false, not ${JSON.stringify(value)}.`);
}

/**
 * A text option. `pattern` limits what is accepted (AT string arguments, for instance, cannot hold quotes, commas
 * or line breaks).
 */
export function stringOption(bag: FlashOptionBag, key: string, fallback: string, pattern?: RegExp, what?: string): string {
  const value = bag[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || (pattern && !pattern.test(value))) {
    throw new OtaError('invalid-input', say`Option ${key} ${what ?? say`is not valid`}: ${JSON.stringify(value)}.`);
  }
  return value;
}

export function choiceOption<T extends string>(bag: FlashOptionBag, key: string, fallback: T, choices: readonly T[]): T {
  const value = bag[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new OtaError('invalid-input', say`Option ${key} must be one of ${choices.join(', ')}, not ${JSON.stringify(value)}.`);
  }
  return value as T;
}

/** Rejects keys the protocol does not know, so that a typo does not silently fall back to a default. */
export function rejectUnknownOptions(bag: FlashOptionBag, known: readonly string[], protocolId: string): void {
  for (const key of Object.keys(bag)) {
    if (bag[key] === undefined) continue;
    if (!known.includes(key)) {
      throw new OtaError('invalid-input', say`The ${protocolId} protocol has no option ${key} (it knows ${known.join(', ')}).`);
    }
  }
}
