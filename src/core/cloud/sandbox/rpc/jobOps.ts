// Job operations: CreateOTAVerifyJob, CreateOTAStaticUpgradeJob, CreateOTADynamicUpgradeJob, ListOTAJobByFirmware,
// QueryOTAJob.
import { businessError, invalidParameter, jobNotFound, missingParameter, productNotFound } from './apiError';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEVICE_LIST_PREFIX } from './deviceOps';
import { FIRMWARE_ID, findFirmware, objectOfUrl, type OperationResult } from './firmwareOps';
import { getObject } from '../oss/objects';
import { jobInfo, simpleJobInfo } from './shapes';
import type { SandboxContext } from '../context';
import {
  initialTaskStatus,
  newTask,
  pendingTasksOfDevice,
  productDevices,
  setTaskStatus,
  versionMatches,
} from '../simulation/jobTargets';
import { alibabaId } from '../random';
import { jobSettingDefaults, type DeviceRecord, type FirmwareRecord, type JobRecord, type TaskRecord } from '../state/records';
import { VERSION_PATTERN, paginate, pageParams, type Params } from './validation';

const DAY_MS = 24 * 3_600_000;
/** Names one device-list file may hold. */
const DEVICE_LIST_MAX = 10_000;
const VERSION_RULE = { pattern: VERSION_PATTERN, patternText: 'must be 1-64 letters, digits, dots, underscores or hyphens' };

export function findJob(ctx: SandboxContext, jobId: string): JobRecord {
  const job = ctx.store.jobs.get(jobId);
  if (!job) throw jobNotFound(jobId);
  return job;
}

function productOf(ctx: SandboxContext, p: Params, firmware: FirmwareRecord): string {
  const productKey = p.string('ProductKey');
  if (!ctx.store.products.has(productKey)) throw productNotFound(productKey);
  if (firmware.productKey !== null && firmware.productKey !== productKey) {
    throw invalidParameter('ProductKey', `the firmware ${firmware.firmwareId} belongs to product ${firmware.productKey}, not ${productKey}.`);
  }
  return productKey;
}

/** The named devices of a product; unknown names are refused, all of them named in the message. */
function namedDevices(ctx: SandboxContext, productKey: string, names: string[]): DeviceRecord[] {
  const unique = [...new Set(names)];
  const unknown = unique.filter((n) => !ctx.store.device(productKey, n));
  if (unknown.length) {
    const shown = unknown.slice(0, 20).join(', ') + (unknown.length > 20 ? ` and ${unknown.length - 20} more` : '');
    throw businessError(
      'iot.device.NotExistedDevice',
      `${unknown.length === 1 ? 'This device does' : `These ${unknown.length} devices do`} not exist in product ${productKey}: ${shown}.`,
    );
  }
  return unique.map((n) => ctx.store.device(productKey, n) as DeviceRecord);
}

function newJobBase(ctx: SandboxContext, firmware: FirmwareRecord, productKey: string): JobRecord {
  const now = ctx.now();
  return {
    jobId: alibabaId(ctx.ids, '0200'),
    firmwareId: firmware.firmwareId,
    productKey,
    jobType: 'UPGRADE_FIRMWARE',
    selectionType: 'STATIC',
    targetSelection: 'ALL',
    jobStatus: 'IN_PROGRESS',
    destVersion: firmware.destVersion,
    srcVersions: firmware.type === 1 && firmware.srcVersion !== null ? [firmware.srcVersion] : [],
    ...jobSettingDefaults(),
    createdAt: now,
    modifiedAt: now,
    startedAt: now,
    endedAt: null,
  };
}

export async function createOTAVerifyJob(ctx: SandboxContext, p: Params): Promise<OperationResult> {
  const firmware = findFirmware(ctx, p.string(FIRMWARE_ID));
  const productKey = productOf(ctx, p, firmware);
  const names = p.list('TargetDeviceName', { min: 1, max: 64, maxItems: 10 });
  if (names.length === 0) throw missingParameter('TargetDeviceName.1');
  const timeout = p.int('TimeoutInMinutes', { min: 1, max: 1440 });
  if (firmware.status === -1 || firmware.status === 1 || firmware.status === 2) {
    const why =
      firmware.status === -1
        ? 'was created with NeedToVerify=false and needs no verification'
        : firmware.status === 1
          ? 'is already verified'
          : 'is being verified right now';
    throw businessError('iot.ota.FirmwareVerifyNotAllowed', `The firmware ${firmware.firmwareId} ${why}.`);
  }
  const devices = namedDevices(ctx, productKey, names);
  const job: JobRecord = {
    ...newJobBase(ctx, firmware, productKey),
    jobType: 'VERIFY_FIRMWARE',
    targetSelection: 'SPECIFIC',
    targetDeviceNames: devices.map((d) => d.deviceName),
    timeoutInMinutes: timeout,
  };
  const tasks = devices.map((d) => newTask(ctx.ids, job, firmware, d, 'QUEUED', job.createdAt));
  ctx.store.addJob(job, tasks);
  firmware.status = 2;
  firmware.verifyProgress = 0;
  firmware.modifiedAt = job.createdAt;
  ctx.store.touchFirmware();
  await ctx.store.flush();
  return { Data: { JobId: job.jobId, UtcCreate: new Date(job.createdAt).toISOString() } };
}

function requireDeployable(firmware: FirmwareRecord): void {
  if (firmware.status === 1 || firmware.status === -1) return;
  const why =
    firmware.status === 0
      ? 'has not been verified: run a verify job (CreateOTAVerifyJob) first, or create it with NeedToVerify=false'
      : firmware.status === 2
        ? 'is still being verified: wait for its verify job to finish'
        : 'failed verification: fix it and upload a new version';
  throw businessError('iot.ota.FirmwareNotVerified', `The firmware ${firmware.firmwareId} ${why}.`);
}

/** The device names of a device-list file uploaded with GenerateDeviceNameListURL: one a line, at most 10,000. */
async function deviceListFile(ctx: SandboxContext, url: string): Promise<string[]> {
  const location = objectOfUrl(url);
  const object = location && location.key.startsWith(DEVICE_LIST_PREFIX) ? getObject(ctx.store, location.bucket, location.key) : undefined;
  if (!object) throw businessError('iot.ota.DeviceListFileNotFound', `No device-list file was uploaded at ${url}: upload it with the policy of GenerateDeviceNameListURL first.`);
  const names = (await readFile(join(ctx.store.objectsDir, object.file), 'utf8'))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (names.length > DEVICE_LIST_MAX) throw invalidParameter('DnListFileUrl', `the file names ${names.length} devices; at most ${DEVICE_LIST_MAX} are allowed.`);
  return names;
}

/** Parses the parameters static and dynamic upgrade jobs share into a job record (no tasks yet). */
async function upgradeJobFromParams(ctx: SandboxContext, p: Params, dynamic: boolean): Promise<{ job: JobRecord; firmware: FirmwareRecord }> {
  const firmware = findFirmware(ctx, p.string(FIRMWARE_ID));
  const productKey = productOf(ctx, p, firmware);
  const job = newJobBase(ctx, firmware, productKey);
  const now = job.createdAt;
  job.selectionType = dynamic ? 'DYNAMIC' : 'STATIC';
  job.targetSelection = dynamic
    ? ((p.optionalString('TargetSelection', { oneOf: ['ALL', 'GROUP'] }) ?? 'ALL') as JobRecord['targetSelection'])
    : (p.string('TargetSelection', { oneOf: ['ALL', 'SPECIFIC', 'GRAY', 'GROUP'] }) as JobRecord['targetSelection']);
  if (job.targetSelection === 'SPECIFIC') {
    job.targetDeviceNames = p.list('TargetDeviceName', { min: 1, max: 64, maxItems: 200 });
    const listUrl = p.optionalString('DnListFileUrl');
    if (listUrl !== undefined) {
      if (job.targetDeviceNames.length) throw invalidParameter('DnListFileUrl', 'give the devices as TargetDeviceName.N or as a device-list file, not both.');
      job.targetDeviceNames = await deviceListFile(ctx, listUrl);
    }
    if (job.targetDeviceNames.length === 0) throw missingParameter('TargetDeviceName.1');
  }
  if (job.targetSelection === 'GRAY') {
    const gray = p.string('GrayPercent', { pattern: /^\d{1,3}(\.\d{1,3})?$/, patternText: 'must be a percentage with at most 3 decimals' });
    if (Number(gray) <= 0 || Number(gray) > 100) throw invalidParameter('GrayPercent', 'it must be more than 0 and at most 100.');
    job.grayPercent = gray;
  }
  if (job.targetSelection === 'GROUP') {
    const groupId = p.string('GroupId');
    const group = ctx.store.groups.get(groupId);
    if (!group || group.productKey !== productKey) {
      throw businessError('iot.group.NotExistedGroup', `The device group ${groupId} does not exist in product ${productKey}.`);
    }
    job.groupId = groupId;
  }
  const srcVersions = p.list('SrcVersion', { ...VERSION_RULE, maxItems: 10 });
  if (firmware.type === 1) {
    const wrong = srcVersions.filter((v) => v !== firmware.srcVersion);
    if (wrong.length) {
      throw invalidParameter('SrcVersion.N', `the delta package upgrades from ${firmware.srcVersion} only, not ${wrong.join(', ')}.`);
    }
  } else {
    job.srcVersions = [...new Set(srcVersions)];
  }
  const retryInterval = p.optionalInt('RetryInterval', { oneOf: [0, 10, 30, 60, 1440] });
  const retryCount = p.optionalInt('RetryCount', { oneOf: [1, 2, 5] });
  if (retryInterval !== undefined && retryCount === undefined) throw missingParameter('RetryCount');
  if (retryCount !== undefined && retryInterval === undefined) throw missingParameter('RetryInterval');
  job.retryInterval = retryInterval ?? null;
  job.retryCount = retryCount ?? null;
  job.timeoutInMinutes = p.optionalInt('TimeoutInMinutes', { min: 1, max: 1440 }) ?? null;
  job.maximumPerMinute = p.optionalInt('MaximumPerMinute', { min: 10, max: 10000 }) ?? null;
  job.overwriteMode = (p.optionalInt('OverwriteMode', { oneOf: [1, 2] }) ?? 1) as 1 | 2;
  job.needPush = p.optionalBool('NeedPush') ?? true;
  job.needConfirm = p.optionalBool('NeedConfirm') ?? false;
  job.downloadProtocol = p.optionalString('DownloadProtocol', { oneOf: ['HTTPS', 'MQTT'] }) ?? 'HTTPS';
  job.jobDesc = p.optionalString('JobDesc', { max: 1024 }) ?? null;
  if (dynamic) job.dynamicMode = (p.optionalInt('DynamicMode', { oneOf: [1, 2] }) ?? 1) as 1 | 2;
  const scheduleTime = p.optionalInt('ScheduleTime', { min: 0 });
  const finishTime = p.optionalInt('ScheduleFinishTime', { min: 0 });
  if (scheduleTime !== undefined) {
    if (scheduleTime <= now) throw invalidParameter('ScheduleTime', 'it must be in the future (milliseconds since 1970).');
    if (scheduleTime > now + 7 * DAY_MS) throw invalidParameter('ScheduleTime', 'it must be at most 7 days ahead.');
    job.scheduleTime = scheduleTime;
    job.jobStatus = 'PLANNED';
    job.startedAt = null;
  }
  if (finishTime !== undefined) {
    const start = scheduleTime ?? now;
    if (finishTime < start + 60 * 60_000) {
      throw invalidParameter('ScheduleFinishTime', 'it must be at least 60 minutes after the start of the job.');
    }
    if (finishTime > start + 30 * DAY_MS) {
      throw invalidParameter('ScheduleFinishTime', 'it must be at most 30 days after the start of the job.');
    }
    job.scheduleFinishTime = finishTime;
  }
  requireDeployable(firmware);
  return { job, firmware };
}

/** The devices a new job reaches, and the tasks it creates (resolving conflicts with other jobs). */
function targetTasks(ctx: SandboxContext, job: JobRecord, firmware: FirmwareRecord): TaskRecord[] {
  let devices: DeviceRecord[];
  if (job.targetSelection === 'SPECIFIC') {
    devices = namedDevices(ctx, job.productKey, job.targetDeviceNames);
    job.targetDeviceNames = devices.map((d) => d.deviceName);
  } else if (job.selectionType === 'DYNAMIC' && job.dynamicMode === 2) {
    devices = [];
  } else {
    devices = productDevices(ctx.store, job.productKey).filter(
      (d) => versionMatches(job, firmware, d) && (job.groupId === null || d.groupIds.includes(job.groupId)),
    );
    if (job.targetSelection === 'GRAY') {
      const count = Math.ceil((devices.length * Number(job.grayPercent)) / 100);
      devices = ctx.random.shuffle([...devices]).slice(0, count).sort((a, b) => (a.deviceName < b.deviceName ? -1 : 1));
    }
  }
  const now = job.createdAt;
  const tasks: TaskRecord[] = [];
  for (const device of devices) {
    const pending = pendingTasksOfDevice(ctx.store, device, firmware.moduleName, job.jobId);
    if (pending.length && job.overwriteMode === 1) continue;
    for (const old of pending) {
      setTaskStatus(old, 'CANCELED', `Overwritten by job ${job.jobId}`, now);
      ctx.store.touchTasks(old.jobId);
    }
    tasks.push(newTask(ctx.ids, job, firmware, device, initialTaskStatus(job), now));
  }
  return tasks;
}

async function createUpgradeJob(ctx: SandboxContext, p: Params, dynamic: boolean): Promise<OperationResult> {
  const { job, firmware } = await upgradeJobFromParams(ctx, p, dynamic);
  const tasks = targetTasks(ctx, job, firmware);
  ctx.store.addJob(job, tasks);
  await ctx.store.flush();
  ctx.log('info', `job ${job.jobId}: ${job.selectionType} ${job.targetSelection} upgrade to ${job.destVersion}, ${tasks.length} devices`);
  return { Data: { JobId: job.jobId, UtcCreate: new Date(job.createdAt).toISOString() } };
}

export function createOTAStaticUpgradeJob(ctx: SandboxContext, p: Params): Promise<OperationResult> {
  return createUpgradeJob(ctx, p, false);
}

export function createOTADynamicUpgradeJob(ctx: SandboxContext, p: Params): Promise<OperationResult> {
  return createUpgradeJob(ctx, p, true);
}

export function listOTAJobByFirmware(ctx: SandboxContext, p: Params): OperationResult {
  const firmware = findFirmware(ctx, p.string(FIRMWARE_ID));
  const { currentPage, pageSize } = pageParams(p, 200);
  const jobs = [...ctx.store.jobs.values()]
    .filter((j) => j.firmwareId === firmware.firmwareId)
    .sort((a, b) => b.createdAt - a.createdAt || (a.jobId < b.jobId ? -1 : 1));
  const { slice, ...paging } = paginate(jobs, currentPage, pageSize);
  return { ...paging, Data: { SimpleOTAJobInfo: slice.map(simpleJobInfo) } };
}

export function queryOTAJob(ctx: SandboxContext, p: Params): OperationResult {
  return { Data: jobInfo(ctx, findJob(ctx, p.string('JobId'))) };
}
