// A rollout plan as people write it (`.ota/rollouts/<name>.json`): the firmware, the population and the waves with
// their gates. parsePlan checks every field and says which one is wrong and what would be accepted; the engine keeps
// its progress in the same file under `state` (see state.ts).
import { validateSemver } from '../cloud/versionRules';
import { OtaError } from '../errors';
import { say } from '../sentences';

/** What a wave needs before the next one may start. Every field is optional; defaults in DEFAULT_GATES. */
export interface Gates {
  /** Share of the wave's devices that must have finished (succeeded or failed; on IoTaaP: deployed or refused), 0-100. */
  minFinishedPercent?: number;
  /** At least this many of the wave's devices (or all of a smaller wave) must have finished before its rates are judged. */
  minFinished?: number;
  /** The wave stops as soon as more than this share of its finished devices failed (on IoTaaP: deploys refused), 0-100. */
  maxFailurePercent?: number;
  /** Share of the wave's devices that must have succeeded once it has finished, 0-100. Not for IoTaaP, which reports no installs. */
  minSuccessPercent?: number;
  /** Minutes to wait after the gate passed before the next wave starts (failures still stop it meanwhile). */
  soakMinutes?: number;
  /** True: the next wave starts on its own; false: a person resumes the rollout to start it. */
  auto?: boolean;
  /** What a failed gate does: pause (cancel the wave's queued tasks, wait for a person) or abort the rollout. */
  onFailure?: 'pause' | 'abort';
}

export type ResolvedGates = Required<Gates>;

export const DEFAULT_GATES: ResolvedGates = {
  minFinishedPercent: 100,
  minFinished: 10,
  maxFailurePercent: 100,
  minSuccessPercent: 0,
  soakMinutes: 0,
  auto: true,
  onFailure: 'pause',
};

export type WaveSpec =
  | { devices: string[]; gates?: Gates; label?: string }
  | { count: number; gates?: Gates; label?: string }
  | { percent: number; gates?: Gates; label?: string };

export interface Population {
  /**
   * Only devices on these versions. Alibaba: the version the device reports for the firmware's module (at most 10,
   * as SrcVersion takes). IoTaaP: the version IoTaaP last deployed to the device (GET /ota/device), which is not
   * necessarily what it runs; a device with no OTA there is left out.
   */
  sourceVersions?: string[];
  /** Only the devices of this group (Alibaba GroupId). */
  groupId?: string;
  /** A file with one device name (IoTaaP: device id) a line (relative to the plan's folder, or absolute). */
  deviceListFile?: string;
  /** The devices, named here. */
  devices?: string[];
}

/** Settings of every wave's upgrade job. */
export interface JobSettings {
  timeoutInMinutes?: number;
  retryInterval?: number;
  retryCount?: number;
  maximumPerMinute?: number;
}

interface PlanBase {
  name: string;
  population: Population;
  waves: WaveSpec[];
  gates?: Gates;
  seed?: number;
  description?: string;
}

/** Alibaba Cloud IoT (also the sandbox and Alibaba-compatible endpoints): each wave is a SPECIFIC upgrade job. */
export interface AliyunRolloutPlan extends PlanBase {
  provider: 'aliyun';
  firmwareId: string;
  productKey: string;
  job?: JobSettings;
}

/**
 * IoTaaP: each wave is one deploy (POST /ota/device) per device of the image with the version. IoTaaP reports no
 * installs, only whether it accepted a deploy: its devices end "deployed", never "succeeded".
 */
export interface IotaapRolloutPlan extends PlanBase {
  provider: 'iotaap';
  /** The firmware file (relative to the plan's folder, or absolute); its SHA-256 is recorded at create. */
  image: string;
  /** Semantic version, e.g. 1.4.0: a device updates only when it differs from the last one it was given. */
  version: string;
  /** A CSV file of `device,token` lines (relative to the plan's folder, or absolute); the tokens never go in the plan. */
  deviceTokensFile?: string;
}

export type RolloutPlan = AliyunRolloutPlan | IotaapRolloutPlan;

/** Whether the plan's cloud reports installs (Alibaba's tasks) or only accepted deploys (IoTaaP). */
export function confirmedByDevices(plan: RolloutPlan): boolean {
  return plan.provider !== 'iotaap';
}

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SOURCE_VERSIONS_MAX = 10;

function invalid(message: string): OtaError {
  return new OtaError('invalid-input', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(obj: Record<string, unknown>, key: string, where: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) throw invalid(say`The plan has no "${key}"${where}: add it.`);
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') throw invalid(say`"${key}"${where} must be a non-empty string, not ${JSON.stringify(v)}.`);
  return v.trim();
}

function names(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((n) => typeof n !== 'string' || n.trim() === '')) {
    throw invalid(say`${what} must be a non-empty list of device names.`);
  }
  const list = v.map((n: string) => n.trim());
  const seen = new Set<string>();
  for (const n of list) {
    if (seen.has(n)) throw invalid(say`${what} names the device "${n}" twice: name each device once.`);
    seen.add(n);
  }
  return list;
}

function percent(v: unknown, what: string, { min = 0, max = 100 } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw invalid(say`${what} must be a number from ${min} to ${max}, not ${JSON.stringify(v)}.`);
  }
  return v;
}

function wholeNumber(v: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(
      max === Number.MAX_SAFE_INTEGER
        ? say`${what} must be a whole number from ${min} up, not ${JSON.stringify(v)}.`
        : say`${what} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}.`,
    );
  }
  return v;
}

export function parseGates(v: unknown, where: string): Gates {
  if (v === undefined) return {};
  if (!isObject(v)) throw invalid(say`"gates"${where} must be an object such as {"maxFailurePercent": 5}.`);
  const known = new Set(Object.keys(DEFAULT_GATES));
  for (const key of Object.keys(v)) {
    if (!known.has(key)) throw invalid(say`"gates"${where} has an unknown field "${key}": use ${[...known].join(', ')}.`);
  }
  const g: Gates = {};
  if (v.minFinishedPercent !== undefined) g.minFinishedPercent = percent(v.minFinishedPercent, say`gates.minFinishedPercent${where}`);
  if (v.maxFailurePercent !== undefined) g.maxFailurePercent = percent(v.maxFailurePercent, say`gates.maxFailurePercent${where}`);
  if (v.minSuccessPercent !== undefined) g.minSuccessPercent = percent(v.minSuccessPercent, say`gates.minSuccessPercent${where}`);
  if (v.minFinished !== undefined) g.minFinished = wholeNumber(v.minFinished, say`gates.minFinished${where}`, 0);
  if (v.soakMinutes !== undefined) {
    if (typeof v.soakMinutes !== 'number' || !Number.isFinite(v.soakMinutes) || v.soakMinutes < 0) {
      throw invalid(say`gates.soakMinutes${where} must be 0 or more minutes, not ${JSON.stringify(v.soakMinutes)}.`);
    }
    g.soakMinutes = v.soakMinutes;
  }
  if (v.auto !== undefined) {
    if (typeof v.auto !== 'boolean') throw invalid(say`gates.auto${where} must be true or false.`);
    g.auto = v.auto;
  }
  if (v.onFailure !== undefined) {
    if (v.onFailure !== 'pause' && v.onFailure !== 'abort') throw invalid(say`gates.onFailure${where} must be "pause" or "abort".`);
    g.onFailure = v.onFailure;
  }
  return g;
}

function parseWave(v: unknown, i: number, previousPercent: number): WaveSpec {
  const where = say` of wave ${i + 1}`;
  if (!isObject(v)) throw invalid(say`Wave ${i + 1} must be an object: {"devices": [...]}, {"count": N} or {"percent": P}.`);
  const kinds = ['devices', 'count', 'percent'].filter((k) => v[k] !== undefined);
  if (kinds.length !== 1) {
    throw invalid(
      kinds.length
        ? say`Wave ${i + 1} must have exactly one of "devices", "count" or "percent", not ${kinds.join(' and ')}.`
        : say`Wave ${i + 1} must have exactly one of "devices", "count" or "percent".`,
    );
  }
  for (const key of Object.keys(v)) {
    if (!['devices', 'count', 'percent', 'gates', 'label'].includes(key)) {
      throw invalid(say`Wave ${i + 1} has an unknown field "${key}": use devices, count, percent, gates or label.`);
    }
  }
  const gates = parseGates(v.gates, where);
  const label = v.label === undefined ? undefined : text(v, 'label', where, true);
  const extra = { ...(v.gates !== undefined ? { gates } : {}), ...(label ? { label } : {}) };
  if (v.devices !== undefined) return { devices: names(v.devices, say`"devices"${where}`), ...extra };
  if (v.count !== undefined) return { count: wholeNumber(v.count, say`"count"${where}`, 1), ...extra };
  const p = percent(v.percent, say`"percent"${where}`, { min: 0.001 });
  if (p < previousPercent) {
    throw invalid(say`"percent"${where} is ${p}, less than the ${previousPercent} before it: percentages are cumulative, so each must be at least the one before.`);
  }
  return { percent: p, ...extra };
}

function refuseSuccessGate(g: Gates, where: string): void {
  if ((g.minSuccessPercent ?? 0) > 0) throw invalid(
      say`gates.minSuccessPercent${where} cannot be used with "provider": "iotaap". IoTaaP never reports whether a device installed an image, so no device of an iotaap rollout ever "succeeds": gate on refused deploys with maxFailurePercent, watch the devices for soakMinutes, and set "auto": false to start each next wave only when a person says so.`,
    );
}

/** Checks a plan as read from JSON; the `state` the engine adds is ignored here. */
export function parsePlan(raw: unknown): RolloutPlan {
  if (!isObject(raw)) throw invalid(say`A rollout plan must be a JSON object with name, firmwareId, productKey, population and waves.`);
  const name = text(raw, 'name', '', true) as string;
  if (!NAME_PATTERN.test(name)) {
    throw invalid(say`The rollout name "${name}" may hold only letters, digits, ".", "_" and "-" (at most 64, starting with a letter or digit).`);
  }
  const provider = raw.provider ?? 'aliyun';
  if (provider !== 'aliyun' && provider !== 'iotaap') throw invalid(say`"provider" must be "aliyun" or "iotaap", not ${JSON.stringify(provider)}.`);
  const iotaap = provider === 'iotaap';
  if (iotaap) {
    for (const [key, why] of [
      ['firmwareId', () => say`IoTaaP has no firmware packages: name the file with "image" and its "version"`],
      ['productKey', () => say`IoTaaP has no products: name the devices in "population"`],
      ['job', () => say`IoTaaP has no upgrade jobs, so no job settings`],
    ] as const) {
      if (raw[key] !== undefined) throw invalid(say`"${key}" is an Alibaba Cloud field and does not apply to "provider": "iotaap": ${why()}.`);
    }
  } else {
    for (const key of ['image', 'version', 'deviceTokensFile']) {
      if (raw[key] !== undefined) {
        throw invalid(say`"${key}" belongs to IoTaaP plans: add "provider": "iotaap" (with "image" and "version"), or use "firmwareId" and "productKey" for Alibaba Cloud.`);
      }
    }
  }
  const popRaw = raw.population ?? {};
  if (!isObject(popRaw)) throw invalid(say`"population" must be an object, e.g. {"sourceVersions": ["1.3.0"]}.`);
  const population: Population = {};
  if (popRaw.sourceVersions !== undefined) {
    const list = names(popRaw.sourceVersions, '"population.sourceVersions"');
    if (!iotaap && list.length > SOURCE_VERSIONS_MAX) throw invalid(say`"population.sourceVersions" lists ${list.length} versions: Alibaba Cloud takes at most ${SOURCE_VERSIONS_MAX}.`);
    population.sourceVersions = list;
  }
  if (popRaw.groupId !== undefined) {
    if (iotaap) {
      throw invalid(
        say`"population.groupId" does not apply to "provider": "iotaap": its API cannot list the devices of a group. Name the devices in "population.devices" or a "population.deviceListFile".`,
      );
    }
    population.groupId = text(popRaw, 'groupId', say` in population`, true);
  }
  if (popRaw.deviceListFile !== undefined) population.deviceListFile = text(popRaw, 'deviceListFile', say` in population`, true);
  if (popRaw.devices !== undefined) population.devices = names(popRaw.devices, '"population.devices"');
  const sources = ['groupId', 'deviceListFile', 'devices'].filter((k) => population[k as keyof Population] !== undefined);
  if (sources.length > 1) throw invalid(say`"population" takes one of groupId, deviceListFile or devices, not ${sources.join(' and ')}.`);
  if (iotaap && sources.length === 0) {
    throw invalid(
      say`An iotaap plan names its devices: add "population.devices" (device ids) or "population.deviceListFile" (one device id a line). IoTaaP cannot list an account's devices.`,
    );
  }
  if (!Array.isArray(raw.waves) || raw.waves.length === 0) {
    throw invalid(say`The plan has no "waves": add at least one, e.g. [{"count": 5}, {"percent": 100}].`);
  }
  const waves: WaveSpec[] = [];
  let lastPercent = 0;
  raw.waves.forEach((w: unknown, i: number) => {
    const wave = parseWave(w, i, lastPercent);
    if ('percent' in wave) lastPercent = wave.percent;
    if (iotaap && wave.gates) refuseSuccessGate(wave.gates, say` of wave ${i + 1}`);
    waves.push(wave);
  });
  const base: PlanBase = { name, population, waves };
  if (raw.gates !== undefined) {
    base.gates = parseGates(raw.gates, say` of the plan`);
    if (iotaap) refuseSuccessGate(base.gates, say` of the plan`);
  }
  if (raw.seed !== undefined) base.seed = wholeNumber(raw.seed, '"seed"', 0, 0xffffffff);
  if (raw.description !== undefined) base.description = text(raw, 'description', '', true);
  if (iotaap) {
    const image = text(raw, 'image', '', true) as string;
    const version = text(raw, 'version', '', true) as string;
    const problem = validateSemver(version);
    if (problem) throw invalid(say`"version": ${problem}`);
    const plan: IotaapRolloutPlan = { ...base, provider: 'iotaap', image, version };
    if (raw.deviceTokensFile !== undefined) plan.deviceTokensFile = text(raw, 'deviceTokensFile', '', true);
    return plan;
  }
  const firmwareId = text(raw, 'firmwareId', '', true) as string;
  const productKey = text(raw, 'productKey', '', true) as string;
  const plan: AliyunRolloutPlan = { ...base, provider: 'aliyun', firmwareId, productKey };
  if (raw.job !== undefined) {
    if (!isObject(raw.job)) throw invalid(say`"job" must be an object, e.g. {"timeoutInMinutes": 30}.`);
    const job: JobSettings = {};
    for (const key of Object.keys(raw.job)) {
      if (!['timeoutInMinutes', 'retryInterval', 'retryCount', 'maximumPerMinute'].includes(key)) {
        throw invalid(say`"job" has an unknown field "${key}": use timeoutInMinutes, retryInterval, retryCount or maximumPerMinute.`);
      }
      job[key as keyof JobSettings] = wholeNumber(raw.job[key], `job.${key}`, 0);
    }
    plan.job = job;
  }
  return plan;
}

/** A wave's gates: the plan's, overridden field by field by the wave's own, over the defaults. */
export function gatesOf(plan: RolloutPlan, waveIndex: number): ResolvedGates {
  return { ...DEFAULT_GATES, ...(plan.gates ?? {}), ...(plan.waves[waveIndex]?.gates ?? {}) };
}

/** What a wave is, in a few words ("canary: 2 named devices", "to 10 %"). */
export function waveLabel(plan: RolloutPlan, index: number): string {
  const w = plan.waves[index];
  if (w.label) return w.label;
  if ('devices' in w) return index === 0 ? say`canary (${w.devices.length} named)` : say`${w.devices.length} named devices`;
  if ('count' in w) return index === 0 ? say`canary (${w.count} sampled)` : say`${w.count} more devices`;
  return say`to ${w.percent} %`;
}
