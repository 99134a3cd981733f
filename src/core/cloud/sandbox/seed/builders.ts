// Building blocks of the seed data: fake firmware images, firmware records and jobs with tasks in given states.
import { demoImageFrom } from '../../../demo/demoImage';
import { SANDBOX_OSS_BUCKET } from '../constants';
import { putObject } from '../oss/objects';
import { alibabaId, type Random } from '../random';
import { FAILURE_REASONS } from '../simulation/simulator';
import { jobSettingDefaults, type DeviceRecord, type FirmwareRecord, type FirmwareStatusCode, type JobRecord, type TaskRecord, type TaskStatusValue } from '../state/records';
import type { SandboxStore } from '../state/store';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface Seeder {
  store: SandboxStore;
  random: Random;
  now: number;
}

export function deviceName(prefix: string, index: number, width: number): string {
  return `${prefix}${String(index).padStart(width, '0')}`;
}

/** A recognisable fake firmware image: the demo header and pseudo-random bytes. */
export function firmwareImage(random: Random, label: string, size: number): Uint8Array {
  // random.int(0, 255) is floor(next() * 256): the same bytes as before the demo image had its own module.
  return demoImageFrom(() => random.next(), label, size);
}

export interface FirmwareSpec {
  productKey: string;
  name: string;
  version: string;
  srcVersion?: string;
  status: FirmwareStatusCode;
  module: string;
  ageMs: number;
  description: string;
  /** Reuse this object (bulk firmware share one image). */
  objectKey?: string;
}

export async function addFirmware(s: Seeder, spec: FirmwareSpec): Promise<FirmwareRecord> {
  const { store, random } = s;
  let objectKey = spec.objectKey;
  if (objectKey === undefined) {
    objectKey = `ota/seed/${random.alnum(16)}.bin`;
    const image = firmwareImage(random, `${spec.productKey} ${spec.version}`, random.int(24, 96) * 1024);
    await putObject(store, SANDBOX_OSS_BUCKET, objectKey, image, 'application/octet-stream', s.now - spec.ageMs);
  }
  const object = store.objects.get(`${SANDBOX_OSS_BUCKET}/${objectKey}`);
  if (!object) throw new Error(`seed object ${objectKey} missing`);
  const created = s.now - spec.ageMs;
  const record: FirmwareRecord = {
    firmwareId: alibabaId(random),
    firmwareName: spec.name,
    destVersion: spec.version,
    srcVersion: spec.srcVersion ?? null,
    productKey: spec.productKey,
    moduleName: spec.module,
    type: spec.srcVersion === undefined ? 0 : 1,
    status: spec.status,
    verifyProgress: spec.status === 1 ? 100 : 0,
    sign: object.md5,
    signMethod: 'MD5',
    size: object.size,
    description: spec.description,
    udi: null,
    bucket: SANDBOX_OSS_BUCKET,
    objectKey,
    createdAt: created,
    modifiedAt: created + 5 * MINUTE,
  };
  store.firmware.set(record.firmwareId, record);
  return record;
}

export interface JobSpec {
  firmware: FirmwareRecord;
  status: JobRecord['jobStatus'];
  ageMs: number;
  jobType?: JobRecord['jobType'];
  selectionType?: JobRecord['selectionType'];
  targetSelection: JobRecord['targetSelection'];
  extra?: Partial<JobRecord>;
  /** Device and the state its task is in. */
  tasks: [DeviceRecord, TaskStatusValue][];
}

function seedTask(s: Seeder, job: JobRecord, firmware: FirmwareRecord, device: DeviceRecord, status: TaskStatusValue): TaskRecord {
  const { random, now } = s;
  const finished = job.endedAt !== null;
  const modified = finished ? job.createdAt + random.int(1, 110) * MINUTE : now - random.int(5, 600) * 1000;
  const task: TaskRecord = {
    taskId: alibabaId(random),
    jobId: job.jobId,
    firmwareId: firmware.firmwareId,
    productKey: device.productKey,
    deviceName: device.deviceName,
    iotId: device.iotId,
    srcVersion: device.versions[firmware.moduleName] ?? null,
    destVersion: firmware.destVersion,
    taskStatus: status,
    progress: 0,
    taskDesc: null,
    createdAt: job.createdAt,
    modifiedAt: modified,
    attempts: 0,
    retryAt: null,
    startedAt: null,
    failAt: null,
    failDesc: null,
  };
  switch (status) {
    case 'SUCCEEDED':
      task.progress = 100;
      break;
    case 'FAILED':
      task.progress = random.int(5, 90);
      task.taskDesc = random.pick(FAILURE_REASONS);
      break;
    case 'CANCELED':
      task.taskDesc = 'Canceled by the user';
      break;
    case 'CONFIRM':
      task.taskDesc = 'Waiting for the upgrade to be confirmed';
      break;
    case 'NOTIFIED':
      task.startedAt = modified;
      break;
    case 'IN_PROGRESS':
      task.progress = random.int(5, 90);
      task.startedAt = modified;
      if (random.chance(0.1)) {
        task.failAt = random.int(task.progress, 95);
        task.failDesc = random.pick(FAILURE_REASONS);
      }
      break;
    default:
      break;
  }
  return task;
}

export function addJob(s: Seeder, spec: JobSpec): JobRecord {
  const created = s.now - spec.ageMs;
  const finished = spec.status === 'COMPLETED' || spec.status === 'CANCELED';
  const firmware = spec.firmware;
  const job: JobRecord = {
    jobId: alibabaId(s.random, '0200'),
    firmwareId: firmware.firmwareId,
    productKey: firmware.productKey ?? '',
    jobType: spec.jobType ?? 'UPGRADE_FIRMWARE',
    selectionType: spec.selectionType ?? 'STATIC',
    targetSelection: spec.targetSelection,
    jobStatus: spec.status,
    destVersion: firmware.destVersion,
    srcVersions: firmware.srcVersion === null ? [] : [firmware.srcVersion],
    ...jobSettingDefaults(),
    targetDeviceNames: spec.targetSelection === 'SPECIFIC' ? spec.tasks.map(([d]) => d.deviceName) : [],
    createdAt: created,
    modifiedAt: finished ? created + 2 * HOUR : s.now - MINUTE,
    startedAt: spec.status === 'PLANNED' ? null : created,
    endedAt: finished ? created + 2 * HOUR : null,
    ...spec.extra,
  };
  const tasks = spec.tasks.map(([device, status]) => seedTask(s, job, firmware, device, status));
  s.store.addJob(job, tasks);
  return job;
}

/** A product's devices, in registry order (by name). */
export function devicesOf(s: Seeder, productKey: string): DeviceRecord[] {
  return [...(s.store.devices.get(productKey)?.values() ?? [])];
}

export function setVersion(devices: DeviceRecord[], module: string, version: string): void {
  for (const d of devices) d.versions[module] = version;
}
