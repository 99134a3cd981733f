// The records the sandbox keeps (and persists as JSON). Field names follow Alibaba's meaning but in camelCase;
// times are epoch milliseconds. The API layer maps them to Alibaba's PascalCase shapes.
import type { DeviceProfile, FirmwareOutcome } from '../simulation/fleetRules';

export interface ProductRecord {
  productKey: string;
  productName: string;
  /** The chip family, for the demo only ("ESP32", "STM32"). */
  chip: string | null;
}

export interface DeviceRecord {
  productKey: string;
  deviceName: string;
  iotId: string;
  /** Installed firmware version per OTA module ("default" for the main firmware). */
  versions: Record<string, string>;
  groupIds: string[];
  /** How the simulated device behaves (hardware revision, slow, offline); none: a plain, healthy device. */
  profile?: DeviceProfile;
}

export interface GroupRecord {
  groupId: string;
  groupName: string;
  productKey: string;
}

/** -1 no verification needed, 0 unverified, 1 verified, 2 verifying, 3 verification failed. */
export type FirmwareStatusCode = -1 | 0 | 1 | 2 | 3;

export interface FirmwareRecord {
  firmwareId: string;
  firmwareName: string;
  destVersion: string;
  /** Delta packages only. */
  srcVersion: string | null;
  productKey: string | null;
  moduleName: string;
  /** 0 full, 1 delta. */
  type: 0 | 1;
  status: FirmwareStatusCode;
  verifyProgress: number;
  sign: string;
  signMethod: string;
  size: number;
  description: string | null;
  udi: string | null;
  /** Who fails this firmware, by rule (fleetRules.ts); none: the sandbox's failure rate decides. */
  outcome?: FirmwareOutcome | null;
  /** Where the bytes are (an object of the sandbox's OSS bucket). */
  bucket: string;
  objectKey: string;
  createdAt: number;
  modifiedAt: number;
}

export type JobStatusValue = 'PLANNED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELED';
export type TaskStatusValue = 'CONFIRM' | 'QUEUED' | 'NOTIFIED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

export interface JobRecord {
  jobId: string;
  firmwareId: string;
  productKey: string;
  jobType: 'VERIFY_FIRMWARE' | 'UPGRADE_FIRMWARE';
  selectionType: 'STATIC' | 'DYNAMIC';
  targetSelection: 'ALL' | 'SPECIFIC' | 'GRAY' | 'GROUP';
  jobStatus: JobStatusValue;
  destVersion: string;
  srcVersions: string[];
  grayPercent: string | null;
  groupId: string | null;
  /** Device names given for SPECIFIC (and verify) jobs. */
  targetDeviceNames: string[];
  retryInterval: number | null;
  retryCount: number | null;
  timeoutInMinutes: number | null;
  maximumPerMinute: number | null;
  overwriteMode: 1 | 2;
  needPush: boolean;
  needConfirm: boolean;
  /** Dynamic jobs: 1 keep upgrading matching devices, 2 only devices that report later. */
  dynamicMode: 1 | 2 | null;
  /** Dynamic jobs: CancelOTAStrategyByJob was called; no new device joins. */
  strategyCanceled: boolean;
  downloadProtocol: string;
  jobDesc: string | null;
  scheduleTime: number | null;
  scheduleFinishTime: number | null;
  createdAt: number;
  modifiedAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

/** A job's settings as the service defaults them when a create call leaves them out. */
export function jobSettingDefaults(): Pick<
  JobRecord,
  | 'grayPercent' | 'groupId' | 'targetDeviceNames' | 'retryInterval' | 'retryCount' | 'timeoutInMinutes'
  | 'maximumPerMinute' | 'overwriteMode' | 'needPush' | 'needConfirm' | 'dynamicMode' | 'strategyCanceled'
  | 'downloadProtocol' | 'jobDesc' | 'scheduleTime' | 'scheduleFinishTime'
> {
  return {
    grayPercent: null,
    groupId: null,
    targetDeviceNames: [],
    retryInterval: null,
    retryCount: null,
    timeoutInMinutes: null,
    maximumPerMinute: null,
    overwriteMode: 1,
    needPush: true,
    needConfirm: false,
    dynamicMode: null,
    strategyCanceled: false,
    downloadProtocol: 'HTTPS',
    jobDesc: null,
    scheduleTime: null,
    scheduleFinishTime: null,
  };
}

export interface TaskRecord {
  taskId: string;
  jobId: string;
  firmwareId: string;
  productKey: string;
  deviceName: string;
  iotId: string;
  srcVersion: string | null;
  destVersion: string;
  taskStatus: TaskStatusValue;
  /** 0-100. */
  progress: number;
  taskDesc: string | null;
  createdAt: number;
  modifiedAt: number;
  /** Simulation bookkeeping: retries already used, when the next retry starts, when the device started. */
  attempts: number;
  retryAt: number | null;
  startedAt: number | null;
  /** Simulation: the progress at which this attempt fails, and the reason it will give (null: it succeeds). */
  failAt: number | null;
  failDesc: string | null;
}

export interface ObjectRecord {
  bucket: string;
  key: string;
  size: number;
  /** Lower-case hex. */
  md5: string;
  sha256: string;
  contentType: string;
  uploadedAt: number;
  /** File name inside the data folder's objects directory. */
  file: string;
}

export interface IotaapSession {
  token: string;
  userId: string;
  expiresAt: number;
}

export interface IotaapUser {
  id: string;
  email: string;
  password: string;
  role: string;
  /** Long-lived API token (what a user pastes instead of logging in). */
  apiToken: string;
}

export interface IotaapDeviceRecord {
  _id: string;
  name: string;
  owner: string;
  token: string;
  groupIds: string[];
}

export interface IotaapGroupRecord {
  _id: string;
  name: string;
  owner: string;
}

/** The last OTA of one device or group (IoTaaP keeps only the last). */
export interface IotaapOtaRecord {
  _id: string;
  /** Device id for device OTAs, group id for group OTAs. */
  target: string;
  kind: 'device' | 'group';
  owner: string;
  path: string;
  version: string;
  lastUpdated: number;
  /** Object holding the uploaded binary (bucket "iotaap"). */
  objectKey: string;
}

export interface IotaapState {
  users: IotaapUser[];
  sessions: IotaapSession[];
  devices: IotaapDeviceRecord[];
  groups: IotaapGroupRecord[];
  otas: IotaapOtaRecord[];
}

export const TERMINAL_TASK_STATUSES: ReadonlySet<TaskStatusValue> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);
