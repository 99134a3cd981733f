// Retry with jittered exponential backoff. The caller decides which failures are worth another attempt; a
// server's Retry-After (attached to the error with `withRetryAfter`) overrides the computed delay.
import { sleep, systemClock, type Clock } from './clock';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** Delay before the first retry, doubled for each further one. */
  baseDelayMs: number;
  /** No wait is longer than this, Retry-After included. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = { attempts: 5, baseDelayMs: 250, maxDelayMs: 10_000 };

export interface RetryInfo {
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface RetryOptions extends Partial<RetryPolicy> {
  shouldRetry(error: unknown, attempt: number): boolean;
  signal?: AbortSignal;
  clock?: Clock;
  /** Returns [0, 1); `Math.random` by default. */
  random?: () => number;
  onRetry?(info: RetryInfo): void;
}

/** "Equal jitter": half the exponential step, plus a random share of the other half. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

const retryAfterByError = new WeakMap<object, number>();

/** Remember the wait a server asked for on the error it caused. */
export function withRetryAfter<E extends object>(error: E, ms: number | undefined): E {
  if (ms !== undefined && Number.isFinite(ms) && ms >= 0) retryAfterByError.set(error, ms);
  return error;
}

export function retryAfterOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? retryAfterByError.get(error) : undefined;
}

/** A Retry-After header (delta seconds or an HTTP date) in milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy: RetryPolicy = {
    attempts: Math.max(1, options.attempts ?? DEFAULT_RETRY_POLICY.attempts),
    baseDelayMs: options.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  };
  const clock = options.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || options.signal?.aborted || !options.shouldRetry(error, attempt)) throw error;
      const asked = retryAfterOf(error);
      const delayMs = Math.min(policy.maxDelayMs, asked ?? backoffDelay(attempt, policy, options.random));
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal, clock);
    }
  }
}
