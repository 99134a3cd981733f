// Per-account, per-operation QPS limits over a sliding one-second window, as Alibaba enforces them. Only accepted
// requests count, so a client that backs off gets through as soon as the window allows.
import { DEFAULT_QPS_LIMIT, QPS_LIMITS } from '../constants';

export class QpsLimiter {
  /** `accessKeyId action` -> accept times (ms), oldest first. */
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    private readonly limits: Readonly<Record<string, number>> = QPS_LIMITS,
    private readonly windowMs = 1000,
  ) {}

  limitOf(action: string): number {
    return this.limits[action] ?? DEFAULT_QPS_LIMIT;
  }

  /** True when the request may run (and is counted); false when it must be throttled. */
  tryAcquire(accessKeyId: string, action: string): boolean {
    const key = `${accessKeyId} ${action}`;
    const now = this.now();
    let times = this.windows.get(key);
    if (!times) {
      times = [];
      this.windows.set(key, times);
    }
    let drop = 0;
    while (drop < times.length && (times[drop]) <= now - this.windowMs) drop++;
    if (drop) times.splice(0, drop);
    if (times.length >= this.limitOf(action)) return false;
    times.push(now);
    return true;
  }
}
