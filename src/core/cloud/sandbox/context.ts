// What every handler of one sandbox instance shares. One context per `startSandbox` call: no module-level state.
import type { FaultInjector } from './faults';
import type { QpsLimiter } from './rpc/qps';
import type { Random } from './random';
import type { SandboxStore } from './state/store';

export type SandboxLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type SandboxLog = (level: SandboxLogLevel, message: string) => void;

export interface SandboxStats {
  /** Requests answered, all APIs. */
  requests: number;
  /** Alibaba RPC requests answered. */
  rpcRequests: number;
  /** Requests refused with `Throttling.User` because of the QPS limits (injected throttling not counted). */
  throttled: number;
  throttledByAction: Record<string, number>;
  /** Requests failed on purpose by `injectFaults`. */
  faultsInjected: number;
  /** Error answers by code (all APIs). */
  errorsByCode: Record<string, number>;
}

export function emptyStats(): SandboxStats {
  return { requests: 0, rpcRequests: 0, throttled: 0, throttledByAction: {}, faultsInjected: 0, errorsByCode: {} };
}

export interface SandboxUrls {
  /** `http://host:port` */
  base: string;
  /** `http://host:port/oss/<bucket>`: the PostObject host and the prefix of object URLs. */
  ossHost: string;
}

export interface SandboxContext {
  store: SandboxStore;
  now: () => number;
  /** Simulation randomness (seedable). */
  random: Random;
  /** Id generation (never seeded, so restarts never reuse ids). */
  ids: Random;
  urls: SandboxUrls;
  qps: QpsLimiter | null;
  faults: FaultInjector;
  stats: SandboxStats;
  log: SandboxLog;
  failureRate: number;
  /** Simulated time one tick stands for (push-rate budget). */
  tickSpanMs: number;
  maxUploadBytes: number;
  /** When set, the account's products live in this Enterprise Edition instance and requests must name it. */
  iotInstanceId: string | null;
  /** Nonces seen, with the time they may be forgotten. */
  nonces: Map<string, number>;
}

export function countError(ctx: SandboxContext, code: string): void {
  ctx.stats.errorsByCode[code] = (ctx.stats.errorsByCode[code] ?? 0) + 1;
}
