// Fault injection for tests: the next N matching requests fail the way the real services fail when they are
// having a bad day.

export type FaultKind =
  /** Alibaba: HTTP 503 `ServiceUnavailable`; IoTaaP: HTTP 500 `{message, error}`; OSS: HTTP 503 XML. */
  | 'unavailable'
  /** Alibaba: HTTP 500 `InternalError`. */
  | 'internal'
  /** Alibaba: HTTP 200 with `Success: false` and `iot.system.SystemException`. */
  | 'success-false'
  /** Alibaba: HTTP 400 `Throttling.User`, whatever the QPS. */
  | 'throttle';

export type FaultTarget = 'aliyun' | 'oss' | 'iotaap';

export interface FaultSpec {
  kind: FaultKind;
  /** How many requests fail (default 1). */
  count?: number;
  /** Which API (default aliyun). */
  target?: FaultTarget;
  /** Only these Alibaba actions (default: any). */
  actions?: string[];
}

interface PendingFault {
  kind: FaultKind;
  remaining: number;
  target: FaultTarget;
  actions: Set<string> | null;
}

export class FaultInjector {
  private readonly pending: PendingFault[] = [];

  add(spec: FaultSpec): void {
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error(`fault count must be a positive integer, got ${count}`);
    this.pending.push({
      kind: spec.kind,
      remaining: count,
      target: spec.target ?? 'aliyun',
      actions: spec.actions ? new Set(spec.actions) : null,
    });
  }

  clear(): void {
    this.pending.length = 0;
  }

  /** Consumes and returns the fault for this request, if one is pending. */
  take(target: FaultTarget, action?: string): FaultKind | undefined {
    const index = this.pending.findIndex(
      (f) => f.target === target && (f.actions === null || (action !== undefined && f.actions.has(action))),
    );
    if (index < 0) return undefined;
    const fault = this.pending[index];
    if (--fault.remaining === 0) this.pending.splice(index, 1);
    return fault.kind;
  }
}
