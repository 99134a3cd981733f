// How the sandbox plays a fleet: devices have a profile (hardware revision, slow, offline) and a firmware may carry
// an outcome rule ("fails on 30 % of hardware rev-B with 'flash write failed'"), so that rollouts and their gates
// can be watched working with no account. A rule decides by a hash of the firmware and the device name, not by
// chance: the same device fails the same firmware every time, and "30 %" is 30 % of the devices it names.
// A rule comes from the seed, or from a firmware's Udi: {"sandboxOutcome": {"failures": [{"hardware": "rev-B",
// "percent": 30, "reason": "flash write failed"}]}}.

export interface DeviceProfile {
  /** Hardware revision, e.g. "rev-A". */
  hardware?: string;
  /** Downloads and flashes at a fraction of the usual pace. */
  slow?: boolean;
  /** Never picks up a task: it times out when the job has a timeout, else waits. */
  offline?: boolean;
}

export interface FailureRule {
  /** Only devices of this hardware revision (all when absent). */
  hardware?: string;
  /** Share of those devices that fail, 0-100. */
  percent: number;
  /** The TaskDesc they fail with. */
  reason: string;
}

export interface FirmwareOutcome {
  failures: FailureRule[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The outcome rule in a firmware's Udi, or null when it holds none (or something else). */
export function outcomeFromUdi(udi: string | null | undefined): FirmwareOutcome | null {
  if (!udi || !udi.includes('sandboxOutcome')) return null;
  let json: unknown;
  try {
    json = JSON.parse(udi);
  } catch {
    return null;
  }
  const raw = isObject(json) ? json.sandboxOutcome : undefined;
  if (!isObject(raw) || !Array.isArray(raw.failures)) return null;
  const failures: FailureRule[] = [];
  for (const f of raw.failures) {
    if (!isObject(f) || typeof f.percent !== 'number' || f.percent < 0 || f.percent > 100) continue;
    failures.push({
      percent: f.percent,
      reason: typeof f.reason === 'string' && f.reason ? f.reason : 'upgrade failed',
      ...(typeof f.hardware === 'string' ? { hardware: f.hardware } : {}),
    });
  }
  return { failures };
}

/** A number in [0, 100) from two strings (FNV-1a), the same on every run. */
export function stableShare(a: string, b: string): number {
  let h = 0x811c9dc5;
  const s = `${a}\u0000${b}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995) >>> 0;
  h ^= h >>> 15;
  return ((h >>> 0) % 10_000) / 100;
}

/** Why this device fails this firmware under its rule, or null when it succeeds. */
export function ruledFailure(outcome: FirmwareOutcome, firmwareId: string, deviceName: string, profile: DeviceProfile | undefined): string | null {
  for (const rule of outcome.failures) {
    if (rule.hardware !== undefined && rule.hardware !== profile?.hardware) continue;
    if (stableShare(firmwareId, deviceName) < rule.percent) return rule.reason;
  }
  return null;
}
