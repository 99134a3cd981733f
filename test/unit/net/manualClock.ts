// Virtual time for tests of waits: nothing happens until the test advances the clock.
import type { Clock } from '../../../src/core/net/clock';

interface Timer {
  at: number;
  fn: () => void;
}

/** Let pending promise callbacks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class ManualClock implements Clock {
  private t = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Move time forward by `ms`, firing due timers in order and letting their effects settle. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await flush();
    for (;;) {
      const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
      await flush();
    }
    this.t = target;
    await flush();
  }
}

/** Sleeps return at once but advance virtual time; records every requested wait. */
export class InstantClock implements Clock {
  private t = 0;
  readonly waits: number[] = [];

  now(): number {
    return this.t;
  }

  schedule(ms: number, fn: () => void): () => void {
    this.waits.push(ms);
    let cancelled = false;
    setImmediate(() => {
      if (cancelled) return;
      this.t += ms;
      fn();
    });
    return () => {
      cancelled = true;
    };
  }
}
