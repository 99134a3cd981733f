// Client-side rate limiting: at most `limit` requests in any window of `windowMs`, per operation.
//
// Each of the `limit` slots is held while its request is in flight and becomes free again `windowMs + marginMs`
// after the request *finished* (the moment its response arrived). The server necessarily saw the request before we
// saw its answer, so the next request on that slot reaches the server more than one window after the previous one:
// no window the server counts can hold more than `limit` requests, whatever the network latency or event-loop
// stalls. With a fast server this runs at the full rate; waiters are served first come, first served.
import { cancelledError, systemClock, type Clock } from './clock';

export interface RateLimitOptions {
  /** Length of the window the limit applies to; 1000 ms for a QPS limit. */
  windowMs?: number;
  /** Extra wait added to each window, for safety. */
  marginMs?: number;
  clock?: Clock;
}

export interface Lease {
  /** Call when the response has arrived (or the request failed); idempotent. */
  release(): void;
}

interface Waiter {
  resolve(lease: Lease): void;
  reject(error: unknown): void;
  detach(): void;
}

export class SlidingWindowLimiter {
  readonly limit: number;
  private readonly windowMs: number;
  private readonly marginMs: number;
  private readonly clock: Clock;
  /** Per slot: when it may be used again; Infinity while its request is in flight. */
  private readonly freeAt: number[];
  private readonly queue: Waiter[] = [];
  private timerAt = Infinity;
  private cancelTimer: (() => void) | undefined;

  constructor(limit: number, options: RateLimitOptions = {}) {
    this.limit = Math.max(1, Math.floor(limit));
    this.windowMs = options.windowMs ?? 1000;
    this.marginMs = options.marginMs ?? 0;
    this.clock = options.clock ?? systemClock;
    this.freeAt = new Array<number>(this.limit).fill(-Infinity);
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  acquire(signal?: AbortSignal): Promise<Lease> {
    if (signal?.aborted) return Promise.reject(cancelledError());
    return new Promise<Lease>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(cancelledError());
        this.pump();
      };
      const waiter: Waiter = {
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  private pump(): void {
    const now = this.clock.now();
    while (this.queue.length > 0) {
      const slot = this.readySlot(now);
      if (slot < 0) break;
      const waiter = this.queue.shift()!;
      waiter.detach();
      this.freeAt[slot] = Infinity;
      waiter.resolve(this.lease(slot));
    }
    this.arm(now);
  }

  private readySlot(now: number): number {
    let best = -1;
    for (let i = 0; i < this.freeAt.length; i++) {
      const t = this.freeAt[i];
      if (t <= now && (best < 0 || t < this.freeAt[best])) best = i;
    }
    return best;
  }

  /** Keep one timer for the earliest slot that frees up while someone waits. */
  private arm(now: number): void {
    const next = this.queue.length > 0 ? Math.min(...this.freeAt) : Infinity;
    if (next === this.timerAt) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = next;
    if (Number.isFinite(next)) {
      this.cancelTimer = this.clock.schedule(next - now, () => {
        this.cancelTimer = undefined;
        this.timerAt = Infinity;
        this.pump();
      });
    }
  }

  private lease(slot: number): Lease {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.freeAt[slot] = this.clock.now() + this.windowMs + this.marginMs;
        this.pump();
      },
    };
  }
}

/** One limiter per operation name, created on first use with the rate `rateFor(operation)` returns. */
export class RateLimiterRegistry {
  private readonly limiters = new Map<string, SlidingWindowLimiter>();

  constructor(
    private readonly rateFor: (operation: string) => number,
    private readonly options: RateLimitOptions = {},
  ) {}

  limiter(operation: string): SlidingWindowLimiter {
    let limiter = this.limiters.get(operation);
    if (!limiter) {
      limiter = new SlidingWindowLimiter(this.rateFor(operation), this.options);
      this.limiters.set(operation, limiter);
    }
    return limiter;
  }

  acquire(operation: string, signal?: AbortSignal): Promise<Lease> {
    return this.limiter(operation).acquire(signal);
  }
}
