// How the deploy steps that wait on the cloud (verification, rollouts) poll it. Everything is injectable so that
// tests drive the wait (e.g. one sandbox tick per poll) instead of the wall clock.
import { sleep, throwIfAborted } from '../net/clock';

export interface PollOptions {
  /** Between two polls; default 5000 ms. */
  pollIntervalMs?: number;
  /** How a wait between polls is done; default a timer that the signal cancels. */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Give up after this long (the cloud keeps working); default no limit for rollouts. */
  timeoutMs?: number;
  /** Clock for the time-out, ms; default Date.now. */
  now?: () => number;
}

export const DEFAULT_POLL_INTERVAL_MS = 5000;

export interface Poller {
  /** Waits one interval (throws 'cancelled' when the signal aborts). */
  wait(): Promise<void>;
  /** True once the time-out is reached. */
  expired(): boolean;
}

export function poller(options: PollOptions, signal: AbortSignal | undefined, defaultTimeoutMs?: number): Poller {
  const now = options.now ?? Date.now;
  const interval = Math.max(0, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const deadline = timeoutMs === undefined ? Infinity : now() + timeoutMs;
  const wait = options.wait ?? ((ms: number, s?: AbortSignal) => sleep(ms, s));
  return {
    wait: async () => {
      await wait(interval, signal);
      throwIfAborted(signal);
    },
    expired: () => now() >= deadline,
  };
}
