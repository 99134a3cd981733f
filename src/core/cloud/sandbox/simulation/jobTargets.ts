// Which devices an upgrade job reaches, and the task records it creates for them.
import { alibabaId, type Random } from '../random';
import type { DeviceRecord, FirmwareRecord, JobRecord, TaskRecord, TaskStatusValue } from '../state/records';
import { taskFinished, type SandboxStore } from '../state/store';

export function deviceVersion(device: DeviceRecord, moduleName: string): string | null {
  return device.versions[moduleName] ?? null;
}

/** The product's devices, by name. */
export function productDevices(store: SandboxStore, productKey: string): DeviceRecord[] {
  return [...(store.devices.get(productKey)?.values() ?? [])].sort((a, b) => (a.deviceName < b.deviceName ? -1 : 1));
}

/** Whether a device is eligible for a job that picks devices by their version (ALL, GRAY, GROUP, dynamic). */
export function versionMatches(job: JobRecord, firmware: FirmwareRecord, device: DeviceRecord): boolean {
  const current = deviceVersion(device, firmware.moduleName);
  if (current === job.destVersion) return false;
  if (firmware.type === 1) return current === firmware.srcVersion;
  return job.srcVersions.length === 0 || (current !== null && job.srcVersions.includes(current));
}

/** Unfinished upgrade tasks of a device in other jobs for the same module. */
export function pendingTasksOfDevice(
  store: SandboxStore,
  device: DeviceRecord,
  moduleName: string,
  exceptJobId: string,
): TaskRecord[] {
  const found: TaskRecord[] = [];
  for (const job of store.jobs.values()) {
    if (job.jobId === exceptJobId || job.jobType !== 'UPGRADE_FIRMWARE') continue;
    if (job.jobStatus === 'COMPLETED' || job.jobStatus === 'CANCELED' || job.productKey !== device.productKey) continue;
    if (store.firmware.get(job.firmwareId)?.moduleName !== moduleName) continue;
    for (const t of store.tasksOf(job.jobId)) {
      if (t.deviceName === device.deviceName && !taskFinished(t)) found.push(t);
    }
  }
  return found;
}

export function newTask(
  ids: Random,
  job: JobRecord,
  firmware: FirmwareRecord,
  device: DeviceRecord,
  status: TaskStatusValue,
  now: number,
): TaskRecord {
  return {
    taskId: alibabaId(ids),
    jobId: job.jobId,
    firmwareId: firmware.firmwareId,
    productKey: device.productKey,
    deviceName: device.deviceName,
    iotId: device.iotId,
    srcVersion: deviceVersion(device, firmware.moduleName),
    destVersion: firmware.destVersion,
    taskStatus: status,
    progress: 0,
    taskDesc: status === 'CONFIRM' ? 'Waiting for the upgrade to be confirmed' : null,
    createdAt: now,
    modifiedAt: now,
    attempts: 0,
    retryAt: null,
    startedAt: null,
    failAt: null,
    failDesc: null,
  };
}

/** The status a new task of this job starts in. */
export function initialTaskStatus(job: JobRecord): TaskStatusValue {
  return job.needConfirm ? 'CONFIRM' : 'QUEUED';
}

/** Moves a task to a new status, recording why and when. */
export function setTaskStatus(task: TaskRecord, status: TaskStatusValue, desc: string | null, now: number): void {
  task.taskStatus = status;
  task.taskDesc = desc;
  task.modifiedAt = now;
  if (status === 'CANCELED' || status === 'SUCCEEDED') task.retryAt = null;
}
