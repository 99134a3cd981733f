// Rollouts on IoTaaP. IoTaaP has no jobs and no progress: `POST /ota/device` hands one device an image (with that
// device's token and a semantic version) and `GET /ota/device` lists the last OTA each device was given. So a wave's
// "job" is our own list of its devices, kept in the rollout file (WaveJob.deliveries), and sending it is one deploy
// call per device, each outcome written to the file before the next call:
//   QUEUED    not deployed yet;
//   DEPLOYED  IoTaaP accepted the image for the device. Whether the device installed it is never known: the gates
//             count it as finished, and nothing calls it succeeded;
//   FAILED    IoTaaP refused the deploy (unknown device, bad token...), its message kept as the reason;
//   CANCELED  not deployed: a pause, a failed gate or an abort came first;
//   SKIPPED   IoTaaP's last OTA for the device has the version already: deploying again would not update it.
// Before a wave sends anything, the image must still be the one recorded at create (SHA-256) and every device must
// have a token. A step that died mid-wave is made good by the listing: a queued device whose last OTA has the plan's
// version since its job was made was deployed by that step, and is not deployed again.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { IotaapClient } from '../cloud/iotaap/client';
import { firmwareFileSize } from '../deploy/fileDigest';
import { OtaError } from '../errors';
import { say } from '../sentences';
import { sha256Hex as sha256 } from '../serial/checksums';
import type { DeviceOta, Task } from '../model';
import { throwIfAborted } from '../net/clock';
import type { CreatedJob, CreateJobInput, DispatchRun, RolloutCloud } from './cloud';
import { planPath, readDeviceList, recordedPath, recordedToAbsolute } from './deviceList';
import type { DeviceTokens } from './deviceTokens';
import type { IotaapRolloutPlan, RolloutPlan } from './plan';
import type { DeliveryRecord, DeviceDelivery, WaveJob } from './state';

const DEVICE_ID = /^[0-9a-f]{24}$/i;
/** What a deployed device's task says: the one outcome IoTaaP gives. */
export const DEPLOYED_TEXT = say`deployed, not confirmed by the device`;
/**
 * A last OTA this much older than the job still counts as the job's deploy when a step is made good after an
 * interruption: the clocks of this machine and of IoTaaP may differ. (Deploying the same version again would not
 * update the device anyway.)
 */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** HTTP answers that refuse one device's deploy; others (the account's token, throttling, outages) stop the wave. */
const ACCOUNT_WIDE = new Set([401, 403, 408, 429]);

function iotaapPlan(plan: RolloutPlan): IotaapRolloutPlan {
  if (plan.provider !== 'iotaap') {
    throw new OtaError('invalid-input', say`The rollout ${plan.name} is for Alibaba Cloud, not IoTaaP: follow it with an Alibaba Cloud account (or the sandbox).`);
  }
  return plan;
}

function devicesText(n: number): string {
  return n === 1 ? say`${n} device` : say`${n} devices`;
}

function deploysText(n: number): string {
  return n === 1 ? say`${n} deploy` : say`${n} deploys`;
}

function refusedDevicesText(n: number): string {
  return n === 1 ? say`${n} refused device` : say`${n} refused devices`;
}

function listed(names: readonly string[], max = 5): string {
  return names.length > max ? say`${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}

/** The service refused this one device (as opposed to the account, the network or the service failing). */
function refusedDeploy(e: unknown): e is OtaError {
  return e instanceof OtaError && e.httpStatus !== undefined && e.httpStatus >= 400 && e.httpStatus < 500 && !ACCOUNT_WIDE.has(e.httpStatus);
}

async function readImage(path: string): Promise<Uint8Array> {
  await firmwareFileSize(path);
  try {
    return await readFile(path);
  } catch (e) {
    throw new OtaError('invalid-input', say`Cannot read the firmware image ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
  }
}

export interface IotaapRolloutCloudOptions {
  client: IotaapClient;
  /** Where each device's token comes from. */
  tokens: DeviceTokens;
}

export class IotaapRolloutCloud implements RolloutCloud {
  readonly reports = 'deliveries';
  /** A wave is one list, however large: the deploys go one by one. */
  readonly maxDevicesPerJob = Number.MAX_SAFE_INTEGER;
  private readonly client: IotaapClient;
  private readonly tokens: DeviceTokens;

  constructor(options: IotaapRolloutCloudOptions) {
    this.client = options.client;
    this.tokens = options.tokens;
  }

  async prepare(anyPlan: RolloutPlan, options: { baseDir: string; workspace: string }): Promise<DeliveryRecord> {
    const plan = iotaapPlan(anyPlan);
    const image = planPath(options.baseDir, plan.image);
    const bytes = await readImage(image);
    return {
      image: { path: recordedPath(options.workspace, image), sha256: sha256(bytes), bytes: bytes.length },
      deviceTokensFile: plan.deviceTokensFile ? recordedPath(options.workspace, planPath(options.baseDir, plan.deviceTokensFile)) : null,
    };
  }

  async listPopulation(anyPlan: RolloutPlan, options: { baseDir: string; signal?: AbortSignal }): Promise<string[]> {
    const plan = iotaapPlan(anyPlan);
    const pop = plan.population;
    const ids = pop.devices ?? (pop.deviceListFile ? await readDeviceList(planPath(options.baseDir, pop.deviceListFile)) : []);
    const bad = ids.filter((d) => !DEVICE_ID.test(d));
    if (bad.length) {
      throw new OtaError(
        'invalid-input',
        bad.length === 1
          ? say`The population of ${plan.name} names ${devicesText(bad.length)} that is not an IoTaaP device id: ${listed(bad)}. IoTaaP device ids are 24 hex digits, e.g. 5e1b57808711f904f5df4bad.`
          : say`The population of ${plan.name} names ${devicesText(bad.length)} that are not IoTaaP device ids: ${listed(bad)}. IoTaaP device ids are 24 hex digits, e.g. 5e1b57808711f904f5df4bad.`,
      );
    }
    const wanted = new Set(ids.map((d) => d.toLowerCase()));
    if (wanted.size !== ids.length) throw new OtaError('invalid-input', say`The population of ${plan.name} names a device twice (device ids compare without case): name each once.`);
    if (!pop.sourceVersions?.length) return ids;
    const versions = new Set(pop.sourceVersions);
    const last = await this.lastOtas(options.signal);
    return ids.filter((d) => {
      const v = last.get(d.toLowerCase())?.version;
      return v !== undefined && v !== null && versions.has(v);
    });
  }

  createJob(input: CreateJobInput): Promise<CreatedJob> {
    const plan = iotaapPlan(input.plan);
    const jobId = `iotaap-${sha256(new TextEncoder().encode(input.tag)).slice(0, 12)}`;
    const deliveries: DeviceDelivery[] = input.devices.map((device) => ({ device, status: 'QUEUED', at: null, reason: null }));
    return Promise.resolve({
      jobId,
      deliveries,
      did: say`Listed ${devicesText(deliveries.length)} to deploy ${plan.version} to, one POST /ota/device each, as ${jobId} (IoTaaP has no jobs; the list is kept in the rollout file).`,
    });
  }

  /** Nothing to find at IoTaaP: the list is written to the rollout file before any device is sent. */
  findJob(): Promise<string | null> {
    return Promise.resolve(null);
  }

  listTasks(job: WaveJob): Promise<Task[]> {
    return Promise.resolve(
      (job.deliveries ?? [])
        .filter((d) => d.status !== 'SKIPPED')
        .map((d) => ({
          id: d.device,
          jobId: job.jobId,
          deviceName: d.device,
          productKey: null,
          status: d.status,
          progress: d.status === 'DEPLOYED' ? 100 : 0,
          description: d.reason,
          srcVersion: null,
          destVersion: null,
          modifiedAt: d.at,
        })),
    );
  }

  async dispatch(job: WaveJob, run: DispatchRun): Promise<string[]> {
    const plan = iotaapPlan(run.plan);
    const queued = () => (job.deliveries ?? []).filter((d) => d.status === 'QUEUED');
    if (queued().length === 0) return [];
    const did: string[] = [];
    const record = run.delivery;
    if (!record) throw new OtaError('invalid-input', say`The rollout ${plan.name} has no record of its image: create it again.`);
    // The image the rollout was created with, byte for byte.
    const imagePath = recordedToAbsolute(run.workspace, record.image.path);
    const bytes = await readImage(imagePath);
    const now = sha256(bytes);
    if (now !== record.image.sha256) {
      throw new OtaError(
        'invalid-input',
        say`The image ${imagePath} changed since rollout ${plan.name} was created (SHA-256 ${record.image.sha256.slice(0, 12)}…, ${record.image.bytes} bytes; now ${now.slice(0, 12)}…, ${bytes.length} bytes): wave ${run.wave} deployed nothing.`,
        { hint: say`Put the image the rollout was created with back, or create a new rollout (with a new version) for the new image.` },
      );
    }
    // A token for every device of the wave still to deploy, or nothing is sent.
    const from = { planFile: record.deviceTokensFile ? recordedToAbsolute(run.workspace, record.deviceTokensFile) : null, signal: run.signal };
    const devices = queued().map((d) => d.device);
    const tokens = await this.tokens.lookup(devices, from);
    const missing = devices.filter((d) => !tokens.get(d));
    if (missing.length) {
      throw new OtaError(
        'invalid-input',
        missing.length === 1
          ? say`Wave ${run.wave} of ${plan.name} deployed nothing: ${missing.length} of its ${devices.length} devices to deploy has no device token: ${listed(missing, 10)}.`
          : say`Wave ${run.wave} of ${plan.name} deployed nothing: ${missing.length} of its ${devices.length} devices to deploy have no device token: ${listed(missing, 10)}.`,
        { hint: say`Add each one's token (${this.tokens.where(from)}), then advance the rollout again.` },
      );
    }
    // What IoTaaP lists now: devices a step that died deployed already, and devices that have the version anyway.
    const last = await this.lastOtas(run.signal);
    const since = Date.parse(job.createdAt) - CLOCK_SKEW_MS;
    const found: string[] = [];
    const skipped: string[] = [];
    for (const d of queued()) {
      const ota = last.get(d.device.toLowerCase());
      if (!ota || ota.version !== plan.version) continue;
      const at = ota.lastUpdated ? Date.parse(ota.lastUpdated) : NaN;
      if (at >= since) {
        Object.assign(d, { status: 'DEPLOYED', at: ota.lastUpdated, reason: say`deployed, not confirmed by the device (found deployed after an interruption)` });
        found.push(d.device);
      } else {
        const reason = ota.lastUpdated
          ? say`IoTaaP last gave it ${plan.version} already (${ota.lastUpdated}): deploying it again would not update it`
          : say`IoTaaP last gave it ${plan.version} already: deploying it again would not update it`;
        Object.assign(d, { status: 'SKIPPED', at: run.now(), reason });
        skipped.push(d.device);
      }
    }
    if (found.length) {
      did.push(
        found.length === 1
          ? say`Found ${devicesText(found.length)} of wave ${run.wave} deployed before an interruption (GET /ota/device lists ${plan.version} for it since the wave's list was made): not deployed again.`
          : say`Found ${devicesText(found.length)} of wave ${run.wave} deployed before an interruption (GET /ota/device lists ${plan.version} for them since the wave's list was made): not deployed again.`,
      );
    }
    if (skipped.length) {
      did.push(
        skipped.length === 1
          ? say`Skipped ${devicesText(skipped.length)} of wave ${run.wave} whose last OTA at IoTaaP is ${plan.version} already (GET /ota/device): deploying it again would not update it.`
          : say`Skipped ${devicesText(skipped.length)} of wave ${run.wave} whose last OTA at IoTaaP is ${plan.version} already (GET /ota/device): deploying it again would not update them.`,
      );
    }
    let stop = found.length + skipped.length === 0 ? null : await run.recorded();
    let deployed = 0;
    const refused = new Map<string, string[]>();
    const fileName = basename(imagePath);
    for (const d of queued()) {
      if (stop) break;
      throwIfAborted(run.signal);
      try {
        await this.client.deployToDevice({ file: bytes, fileName, version: plan.version, device: d.device, deviceToken: tokens.get(d.device) as string, signal: run.signal });
        Object.assign(d, { status: 'DEPLOYED', at: run.now(), reason: DEPLOYED_TEXT });
        deployed++;
      } catch (e) {
        // Not this device's fault (the account, throttling, the network): the outcome so far is in the file, and
        // the next step starts from what IoTaaP lists.
        if (!refusedDeploy(e)) throw e;
        const reason = e.serviceMessage ?? e.message;
        Object.assign(d, { status: 'FAILED', at: run.now(), reason });
        refused.set(reason, [...(refused.get(reason) ?? []), d.device]);
      }
      stop = await run.recorded();
    }
    const tried = deployed + [...refused.values()].reduce((n, l) => n + l.length, 0);
    if (tried > 0) did.push(this.deployedText(plan, run.wave, deployed, refused));
    const rest = queued().length;
    if (rest > 0 && stop) did.push(say`Stopped with ${devicesText(rest)} of the list not deployed: ${stop}.`);
    return did;
  }

  private deployedText(plan: IotaapRolloutPlan, wave: number, deployed: number, refused: ReadonlyMap<string, string[]>): string {
    const failed = [...refused.values()].reduce((n, l) => n + l.length, 0);
    const groups = [...refused.entries()].sort((a, b) => b[1].length - a[1].length).map(([reason, ids]) => `${reason} (${listed(ids, 3)})`);
    const refusals = failed ? say`; ${failed} refused: ${groups.join('; ')}` : '';
    const unconfirmed = deployed ? say` Not confirmed by the devices: IoTaaP does not report installs.` : '';
    return say`Deployed ${plan.version} to ${deployed} of ${devicesText(deployed + failed)} of wave ${wave} (POST /ota/device)${refusals}.${unconfirmed}`;
  }

  cancelQueued(job: WaveJob): Promise<string> {
    const n = this.drop(job, say`not deployed: the wave was stopped before its turn`);
    return Promise.resolve(
      n === 1
        ? say`Stopped deploying ${job.jobId}: ${devicesText(n)} not deployed yet is left out (IoTaaP keeps no queue, so nothing was cancelled there).`
        : say`Stopped deploying ${job.jobId}: ${devicesText(n)} not deployed yet are left out (IoTaaP keeps no queue, so nothing was cancelled there).`,
    );
  }

  cancelUnfinished(job: WaveJob): Promise<string> {
    const n = this.drop(job, say`not deployed: the rollout was aborted`);
    const kept = (job.deliveries ?? []).filter((d) => d.status === 'DEPLOYED').length;
    const dropped = n ? say`Dropped the ${devicesText(n)} of ${job.jobId} not deployed yet` : say`Nothing left to deploy in ${job.jobId}`;
    return Promise.resolve(say`${dropped}; the ${deploysText(kept)} IoTaaP accepted stay (IoTaaP cannot take a deploy back).`);
  }

  retryTasks(job: WaveJob, taskIds: string[]): Promise<string> {
    const ids = new Set(taskIds);
    let n = 0;
    for (const d of job.deliveries ?? []) {
      if (!ids.has(d.device) || (d.status !== 'FAILED' && d.status !== 'CANCELED')) continue;
      Object.assign(d, { status: 'QUEUED', at: null, reason: null });
      n++;
    }
    return Promise.resolve(say`Queued ${refusedDevicesText(n)} of ${job.jobId} to deploy again.`);
  }

  private drop(job: WaveJob, reason: string): number {
    let n = 0;
    for (const d of job.deliveries ?? []) {
      if (d.status !== 'QUEUED') continue;
      Object.assign(d, { status: 'CANCELED', reason });
      n++;
    }
    return n;
  }

  /** The last OTA of each device IoTaaP lists (all pages), by lower-case device id. */
  private async lastOtas(signal?: AbortSignal): Promise<Map<string, DeviceOta>> {
    const out = new Map<string, DeviceOta>();
    for (const ota of await this.client.listAllDeviceOtas(undefined, { signal })) out.set(ota.device.toLowerCase(), ota);
    return out;
  }
}
