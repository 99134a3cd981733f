// Documented QPS limits of the OTA operations (per account), and one limiter registry per account shared by every
// client of that account in this process, so that two views loading at once still stay under the limits.
// The sandbox enforces the same table (sandbox/constants.ts re-exports it).
import { RateLimiterRegistry, type RateLimitOptions } from '../../net/rateLimiter';

/**
 * Per-operation QPS of Alibaba Cloud IoT, per Alibaba Cloud account (RAM users share it). Source: the "QPS limits"
 * section of each operation's API reference, https://www.alibabacloud.com/help/en/iot-platform/latest/<operation>
 * (e.g. .../createotaverifyjob: 10). Every operation the client calls is listed.
 */
export const OTA_QPS: Readonly<Record<string, number>> = {
  ListOTAFirmware: 10,
  QueryOTAFirmware: 20,
  GenerateOTAUploadURL: 10,
  CreateOTAFirmware: 10,
  DeleteOTAFirmware: 10,
  CreateOTAVerifyJob: 10,
  CreateOTAStaticUpgradeJob: 20,
  CreateOTADynamicUpgradeJob: 20,
  ListOTAJobByFirmware: 10,
  QueryOTAJob: 10,
  ListOTATaskByJob: 10,
  CancelOTATaskByJob: 5,
  CancelOTAStrategyByJob: 10,
  ReupgradeOTATask: 20,
  ConfirmOTATask: 20,
  CancelOTATaskByDevice: 10,
  GenerateDeviceNameListURL: 10,
  QueryDevice: 50,
  QueryDeviceListByDeviceGroup: 5,
  ListOTAModuleVersionsByDevice: 10,
  BatchQueryDeviceDetail: 5,
};

/** For operations without a documented limit. */
export const DEFAULT_QPS = 5;

export function qpsFor(action: string, overrides?: Readonly<Record<string, number>>): number {
  return overrides?.[action] ?? OTA_QPS[action] ?? DEFAULT_QPS;
}

export interface AliyunRateLimitOptions {
  /** Extra milliseconds added to each one-second window (default 20). */
  marginMs?: number;
  /** Default 1000; tests shorten it. */
  windowMs?: number;
  /** Per-operation QPS replacing the documented ones. */
  qps?: Readonly<Record<string, number>>;
}

const shared = new Map<string, RateLimiterRegistry>();

/** The registry for one account: endpoint + AccessKey id (+ the options, which only tests change). */
export function sharedRateLimiters(
  endpoint: string,
  accessKeyId: string,
  options: AliyunRateLimitOptions & Pick<RateLimitOptions, 'clock'> = {},
): RateLimiterRegistry {
  const key = JSON.stringify([endpoint, accessKeyId, options.marginMs, options.windowMs, options.qps ?? null]);
  let registry = options.clock ? undefined : shared.get(key);
  if (!registry) {
    registry = new RateLimiterRegistry((action) => qpsFor(action, options.qps), {
      marginMs: options.marginMs ?? 20,
      windowMs: options.windowMs ?? 1000,
      clock: options.clock,
    });
    if (!options.clock) shared.set(key, registry);
  }
  return registry;
}
