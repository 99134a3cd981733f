// Rollouts on Alibaba Cloud IoT (and the sandbox, and Alibaba-compatible endpoints): waves are static SPECIFIC jobs.
// Up to 200 devices are named in the call (TargetDeviceName); a larger wave goes into a device-list file
// (GenerateDeviceNameListURL, an OSS PostObject of a CSV of names, then DnListFileUrl), at most 10,000 names a file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AliyunDevices, type DeviceSummary } from '../cloud/aliyun/devices';
import { AliyunOtaClient } from '../cloud/aliyun/otaClient';
import { AliyunOtaWrites, type StaticUpgradeJobInput } from '../cloud/aliyun/otaWrites';
import { JOB_DEVICES_MAX } from '../cloud/aliyun/otaWriteRules';
import type { AliyunRpcClient } from '../cloud/aliyun/rpcClient';
import { postObject } from '../deploy/ossPost';
import { OtaError } from '../errors';
import { say } from '../sentences';
import type { Task } from '../model';
import { mapPool } from '../net/pool';
import type { CreatedJob, CreateJobInput, RolloutCloud } from './cloud';
import { planPath, readDeviceList } from './deviceList';
import type { AliyunRolloutPlan, RolloutPlan } from './plan';
import type { WaveJob } from './state';

/** Names one device-list file may hold. */
export const DEVICE_LIST_MAX = 10_000;

function aliyunPlan(plan: RolloutPlan): AliyunRolloutPlan {
  if (plan.provider !== 'aliyun') {
    throw new OtaError('invalid-input', say`The rollout ${plan.name} is for ${plan.provider}, not Alibaba Cloud: follow it with an account of that provider.`);
  }
  return plan;
}

export class AliyunRolloutCloud implements RolloutCloud {
  readonly reports = 'installs';
  readonly maxDevicesPerJob = DEVICE_LIST_MAX;
  private readonly reads: AliyunOtaClient;
  private readonly writes: AliyunOtaWrites;
  private readonly devices: AliyunDevices;

  constructor(rpc: AliyunRpcClient) {
    this.reads = new AliyunOtaClient(rpc);
    this.writes = new AliyunOtaWrites(rpc);
    this.devices = new AliyunDevices(rpc);
  }

  async listPopulation(anyPlan: RolloutPlan, options: { baseDir: string; signal?: AbortSignal }): Promise<string[]> {
    const plan = aliyunPlan(anyPlan);
    const pop = plan.population;
    let names: string[];
    if (pop.devices) names = pop.devices;
    else if (pop.deviceListFile) names = await readDeviceList(planPath(options.baseDir, pop.deviceListFile));
    else {
      const listed: DeviceSummary[] = pop.groupId
        ? await this.devices.listGroupDevices(pop.groupId, options)
        : await this.devices.listProductDevices(plan.productKey, options);
      names = listed.map((d) => d.deviceName);
    }
    if (!pop.sourceVersions?.length) return names;
    const firmware = await this.reads.getFirmware(plan.firmwareId, options);
    const module = firmware.moduleName ?? 'default';
    const wanted = new Set(pop.sourceVersions);
    if (module === 'default') {
      // The main firmware's version comes with the device details, 100 devices a call.
      const versions = await this.devices.defaultModuleVersions(plan.productKey, names, options);
      return names.filter((n) => wanted.has(versions.get(n) ?? ''));
    }
    // Another module's version only one device at a time (ListOTAModuleVersionsByDevice).
    const versions = await mapPool(names, 8, (n, _i, signal) => this.devices.moduleVersions(plan.productKey, n, { signal }), options.signal);
    return names.filter((_, i) => {
      const v = versions[i][module];
      return v !== undefined && wanted.has(v);
    });
  }

  async createJob(input: CreateJobInput, signal?: AbortSignal): Promise<CreatedJob> {
    const { devices } = input;
    const plan = aliyunPlan(input.plan);
    const base: StaticUpgradeJobInput = {
      firmwareId: plan.firmwareId,
      productKey: plan.productKey,
      targetSelection: 'SPECIFIC',
      srcVersions: plan.population.sourceVersions,
      timeoutInMinutes: plan.job?.timeoutInMinutes,
      retryInterval: plan.job?.retryInterval,
      retryCount: plan.job?.retryCount,
      maximumPerMinute: plan.job?.maximumPerMinute,
      description: input.description,
    };
    if (devices.length <= JOB_DEVICES_MAX) {
      const { jobId } = await this.writes.createStaticUpgradeJob({ ...base, deviceNames: devices }, { signal });
      return { jobId, did: say`Created job ${jobId} for ${devices.length} named devices (CreateOTAStaticUpgradeJob, SPECIFIC).` };
    }
    if (devices.length > DEVICE_LIST_MAX) {
      throw new OtaError('invalid-input', say`A device-list file holds at most ${DEVICE_LIST_MAX} names, not ${devices.length}.`);
    }
    const ticket = await this.writes.generateDeviceListUrl({ signal });
    const dir = await mkdtemp(join(tmpdir(), 'ota-devices-'));
    try {
      const file = join(dir, 'devices.csv');
      const body = `${devices.join('\n')}\n`;
      await writeFile(file, body, 'utf8');
      await postObject(ticket, { path: file, size: Buffer.byteLength(body) }, { signal, fileName: 'devices.csv' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const { jobId } = await this.writes.createStaticUpgradeJob({ ...base, deviceListFileUrl: ticket.firmwareUrl }, { signal });
    return {
      jobId,
      did: say`Uploaded a device-list file of ${devices.length} devices (GenerateDeviceNameListURL) and created job ${jobId} from it (CreateOTAStaticUpgradeJob, SPECIFIC, DnListFileUrl).`,
    };
  }

  async findJob(anyPlan: RolloutPlan, tag: string, since: string, signal?: AbortSignal): Promise<string | null> {
    const plan = aliyunPlan(anyPlan);
    const from = Date.parse(since) - 10 * 60_000;
    const jobs = await this.reads.listJobsByFirmware(plan.firmwareId, { signal });
    const recent = jobs.filter((j) => j.type !== 'VERIFY_FIRMWARE' && (j.createdAt === null || Date.parse(j.createdAt) >= from));
    for (const job of recent) {
      const detail = await this.reads.getJob(job.id, { signal });
      if (detail.description?.includes(tag)) return job.id;
    }
    return null;
  }

  listTasks(job: WaveJob, signal?: AbortSignal): Promise<Task[]> {
    return this.reads.listTasks(job.jobId, { signal });
  }

  async cancelQueued({ jobId }: WaveJob, signal?: AbortSignal): Promise<string> {
    await this.writes.cancelTasksByJob(jobId, ['scheduled', 'confirm', 'queued'], { signal });
    return say`Cancelled the scheduled, unconfirmed and queued tasks of job ${jobId} (CancelOTATaskByJob).`;
  }

  async cancelUnfinished({ jobId }: WaveJob, signal?: AbortSignal): Promise<string> {
    await this.writes.cancelTasksByJob(jobId, ['scheduled', 'confirm', 'queued', 'notified', 'in-progress'], { signal });
    return say`Cancelled every unfinished task of job ${jobId}, in progress too (CancelOTATaskByJob).`;
  }

  async retryTasks({ jobId }: WaveJob, taskIds: string[], signal?: AbortSignal): Promise<string> {
    await this.writes.reupgradeTasks(jobId, taskIds, { signal });
    const n = taskIds.length;
    const calls = Math.ceil(n / 10);
    const tasks = n === 1 ? say`${n} task` : say`${n} tasks`;
    return say`Queued ${tasks} of job ${jobId} again (ReupgradeOTATask, ${n > 10 ? say`${calls} calls` : say`${calls} call`}).`;
  }
}
