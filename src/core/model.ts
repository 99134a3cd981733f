// Provider-neutral OTA model. Every cloud provider maps its records into these shapes; the tree, the CLI's
// `--json` output and the sandbox all speak them. Missing values are `null` (never undefined) so that JSON output
// always carries every key. Times are ISO-8601 strings. Status values the code does not know pass through as
// strings: a newer service must never crash an older extension.

/** The services the product talks to: Alibaba Cloud IoT (or a compatible endpoint), IoTaaP, the local sandbox. */
export const PROVIDER_KINDS = ['aliyun', 'iotaap', 'sandbox'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Firmware verification state. Alibaba sends numbers (-1..3); anything else passes through as its text. */
export type FirmwareStatus =
  | 'NO_VERIFICATION_NEEDED'
  | 'UNVERIFIED'
  | 'VERIFIED'
  | 'VERIFYING'
  | 'VERIFICATION_FAILED'
  | (string & {});

export type FirmwareType = 'full' | 'delta' | (string & {});

export interface Firmware {
  id: string;
  name: string;
  version: string;
  /** Source version of a delta package; null for a full one. */
  srcVersion: string | null;
  /** Bytes. */
  size: number | null;
  sign: string | null;
  signMethod: string | null;
  status: FirmwareStatus;
  type: FirmwareType;
  productKey: string | null;
  productName: string | null;
  moduleName: string | null;
  description: string | null;
  /** Download URL; for Alibaba a pre-signed URL that expires. Only detail queries return it. */
  url: string | null;
  createdAt: string | null;
  modifiedAt: string | null;
  /** 0-100 while a verify job runs; null when unknown. */
  verifyProgress?: number | null;
  /** Custom information pushed to devices (Alibaba `Udi`). */
  udi?: string | null;
}

/** Job status; older Alibaba documents spell COMPLETED as COMPLETE, which is normalised. */
export type JobStatus = 'PLANNED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELED' | (string & {});
export type JobType = 'VERIFY_FIRMWARE' | 'UPGRADE_FIRMWARE' | (string & {});
export type JobSelection = 'STATIC' | 'DYNAMIC' | (string & {});
export type TargetSelection = 'ALL' | 'SPECIFIC' | 'GRAY' | 'GROUP' | (string & {});

export interface Job {
  id: string;
  firmwareId: string;
  status: JobStatus;
  type: JobType;
  selection: JobSelection | null;
  targetSelection: TargetSelection | null;
  createdAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** Present on detail queries. */
  productKey?: string | null;
  destVersion?: string | null;
  srcVersions?: string[];
  grayPercent?: string | null;
  groupId?: string | null;
  retryInterval?: number | null;
  retryCount?: number | null;
  timeoutInMinutes?: number | null;
  maximumPerMinute?: number | null;
  needConfirm?: boolean | null;
  dynamicMode?: number | null;
  description?: string | null;
}

export type TaskStatus =
  | 'CONFIRM'
  | 'QUEUED'
  | 'NOTIFIED'
  | 'IN_PROGRESS'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'CANCELED'
  | (string & {});

/** Every task status Alibaba documents, in the order a rollout moves through them. */
export const TASK_STATUSES: readonly TaskStatus[] = [
  'CONFIRM',
  'QUEUED',
  'NOTIFIED',
  'IN_PROGRESS',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
];

export interface Task {
  id: string;
  jobId: string;
  deviceName: string;
  productKey: string | null;
  status: TaskStatus;
  /** 0-100. */
  progress: number;
  /** Why the task is where it is (Alibaba `TaskDesc`, e.g. "timeout"). */
  description: string | null;
  srcVersion: string | null;
  destVersion: string | null;
  modifiedAt: string | null;
  createdAt?: string | null;
  iotId?: string | null;
  firmwareId?: string | null;
}

/** The last OTA of one IoTaaP device (IoTaaP keeps only the last). */
export interface DeviceOta {
  id: string;
  device: string;
  owner: string | null;
  path: string | null;
  version: string | null;
  lastUpdated: string | null;
  /** Set for group OTAs. */
  group?: string | null;
}

/** One page of a paged listing. */
export interface Page<T> {
  items: T[];
  total: number;
  /** 1-based. */
  page: number;
  pageSize: number;
}

/** A product as seen through its firmware (Alibaba has no product listing in the OTA API). */
export interface Product {
  productKey: string;
  productName: string | null;
}
