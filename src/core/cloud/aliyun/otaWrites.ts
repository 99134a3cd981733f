// The OTA write operations of Alibaba Cloud IoT (and compatible endpoints): upload credentials, firmware, verify and
// upgrade jobs, task actions. Inputs are checked before anything is sent (otaWriteRules.ts); every call that
// creates something is made non-idempotent, so it is never repeated unless the service surely did not act on it.
import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { isObject, text, type JsonObject } from './normalize';
import { explainWriteError, type ErrorContext } from './otaWriteErrors';
import type { RpcParams } from './params';
import { AliyunRpcClient, type AliyunClientConfig } from './rpcClient';
import {
  CANCEL_BY_DEVICE_MAX,
  FIRMWARE_DESC_MAX,
  FIRMWARE_NAME_MAX,
  JOB_DESC_MAX,
  JOB_DEVICES_MAX,
  PUSH_RATE,
  TIMEOUT_MINUTES,
  UDI_MAX,
  VERIFY_DEVICES_MAX,
  batches,
  checkDeviceNames,
  checkInteger,
  checkModuleName,
  checkRetry,
  checkSchedule,
  checkSrcVersions,
  checkText,
  checkVersion,
  grayPercentText,
  invalid,
  requireId,
  requireTaskIds,
} from './otaWriteRules';

export const UPLOAD_FILE_SUFFIXES = ['bin', 'tar', 'gz', 'tar.gz', 'zip', 'gzip', 'apk'] as const;
export type UploadFileSuffix = (typeof UPLOAD_FILE_SUFFIXES)[number];

export interface WriteOptions {
  signal?: AbortSignal;
}

/** What GenerateOTAUploadURL hands out: an OSS PostObject policy for one object key, valid one minute. */
export interface UploadTicket {
  key: string;
  /** Where to POST the form. */
  host: string;
  policy: string;
  ossAccessKeyId: string;
  signature: string;
  /** What CreateOTAFirmware wants once the file is uploaded. */
  firmwareUrl: string;
  objectStorage: string | null;
}

/** What GenerateDeviceNameListURL hands out, in the shape of an upload ticket: `firmwareUrl` holds its FileUrl. */
export type DeviceListTicket = UploadTicket;

export interface CreateFirmwareInput {
  /** DestVersion: 1-64 of `[A-Za-z0-9._-]`. */
  version: string;
  /** FirmwareName: 1-40 characters. */
  name: string;
  /** The FirmwareUrl of the upload ticket. */
  url: string;
  productKey?: string;
  /** Hex digest of the file. */
  sign?: string;
  signMethod?: 'MD5' | 'SHA256';
  /** Bytes. */
  size?: number;
  /** At most 100 characters. */
  description?: string;
  /** Default full; a delta package needs `srcVersion`. */
  type?: 'full' | 'delta';
  srcVersion?: string;
  moduleName?: string;
  /** Default true: the firmware must pass a verify job before upgrade jobs. */
  needToVerify?: boolean;
  udi?: string;
}

export interface CreatedFirmware {
  firmwareId: string;
  createdAt: string | null;
}

export interface CreatedJob {
  jobId: string;
  createdAt: string | null;
}

export interface VerifyJobInput {
  firmwareId: string;
  productKey: string;
  /** 1-10 devices to try the firmware on. */
  deviceNames: string[];
  /** 1-1440. */
  timeoutInMinutes: number;
}

/** What static and dynamic upgrade jobs share. */
export interface UpgradeJobSettings {
  /** Only devices on these versions are upgraded (at most 10). */
  srcVersions?: string[];
  /** Minutes: 0, 10, 30, 60 or 1440; together with retryCount. */
  retryInterval?: number;
  /** 1, 2 or 5. */
  retryCount?: number;
  /** Per device, 1-1440 minutes. */
  timeoutInMinutes?: number;
  /** Push rate, devices per minute (10-10000). */
  maximumPerMinute?: number;
  /** Start time, ms since 1970 (in the future, at most 7 days ahead). */
  scheduleTime?: number;
  /** End time, ms since 1970 (60 minutes to 30 days after the start). */
  scheduleFinishTime?: number;
  /** 1 keep a device's pending task of another job (default), 2 overwrite it. */
  overwriteMode?: 1 | 2;
  needPush?: boolean;
  /** Every task waits in CONFIRM until confirmed (ConfirmOTATask). */
  needConfirm?: boolean;
  downloadProtocol?: 'HTTPS' | 'MQTT';
  /** JobDesc, at most 1024 characters. */
  description?: string;
}

export type StaticTargetSelection = 'ALL' | 'SPECIFIC' | 'GRAY' | 'GROUP';

export interface StaticUpgradeJobInput extends UpgradeJobSettings {
  firmwareId: string;
  productKey: string;
  targetSelection: StaticTargetSelection;
  /** SPECIFIC: at most 200. */
  deviceNames?: string[];
  /** SPECIFIC instead of names: the FileUrl of a device-list file uploaded with GenerateDeviceNameListURL (DnListFileUrl). */
  deviceListFileUrl?: string;
  /** GRAY: more than 0, at most 100, at most 3 decimals. */
  grayPercent?: string | number;
  /** GROUP. */
  groupId?: string;
}

export interface DynamicUpgradeJobInput extends UpgradeJobSettings {
  firmwareId: string;
  productKey: string;
  /** Default ALL. */
  targetSelection?: 'ALL' | 'GROUP';
  groupId?: string;
  /** 1 (default): keep upgrading devices that match, now and later; 2: only devices that report later. */
  dynamicMode?: 1 | 2;
}

/** Task states CancelOTATaskByJob can cancel. `scheduled` covers every task of a job that has not started yet. */
export type CancelState = 'scheduled' | 'confirm' | 'queued' | 'notified' | 'in-progress';
export const CANCEL_STATES: readonly CancelState[] = ['scheduled', 'confirm', 'queued', 'notified', 'in-progress'];
const CANCEL_FLAGS: Record<CancelState, string> = {
  scheduled: 'CancelScheduledTask',
  confirm: 'CancelUnconfirmedTask',
  queued: 'CancelQueuedTask',
  notified: 'CancelNotifiedTask',
  'in-progress': 'CancelInProgressTask',
};

export interface CancelByDeviceInput {
  productKey: string;
  firmwareId: string;
  deviceNames: string[];
  jobId?: string;
}

export interface BatchOptions extends WriteOptions {
  /** After each batch of (at most) 10 tasks. */
  onBatch?: (doneTasks: number, totalTasks: number) => void;
}

export interface AliyunOtaWritesOptions {
  /** Wall clock (ms since 1970) for checking schedule times; default Date.now. */
  now?: () => number;
}

export class AliyunOtaWrites {
  readonly rpc: AliyunRpcClient;
  private readonly now: () => number;

  constructor(rpc: AliyunRpcClient | AliyunClientConfig, options: AliyunOtaWritesOptions = {}) {
    this.rpc = rpc instanceof AliyunRpcClient ? rpc : new AliyunRpcClient(rpc);
    this.now = options.now ?? Date.now;
  }

  /** GenerateOTAUploadURL. */
  async generateUploadUrl(options: WriteOptions & { fileSuffix?: UploadFileSuffix } = {}): Promise<UploadTicket> {
    const suffix = options.fileSuffix ?? 'bin';
    if (!UPLOAD_FILE_SUFFIXES.includes(suffix)) {
      throw invalid(say`The file suffix "${String(suffix)}" is not accepted: Alibaba Cloud takes ${UPLOAD_FILE_SUFFIXES.join(', ')}.`);
    }
    const res = await this.call('GenerateOTAUploadURL', { FileSuffix: suffix }, options, true);
    const data = isObject(res.Data) ? res.Data : res;
    const field = (name: string): string => {
      const value = text(data, name);
      if (value === null) {
        throw new OtaError('unexpected-response', say`GenerateOTAUploadURL answered without ${name}.`, {
          requestId: text(res, 'RequestId') ?? undefined,
        });
      }
      return value;
    };
    return {
      key: field('Key'),
      host: field('Host'),
      policy: field('Policy'),
      ossAccessKeyId: text(data, 'OSSAccessKeyId') ?? text(data, 'OssAccessKeyId') ?? field('OSSAccessKeyId'),
      signature: field('Signature'),
      firmwareUrl: field('FirmwareUrl'),
      objectStorage: text(data, 'ObjectStorage'),
    };
  }

  /** The checks CreateOTAFirmware's parameters must pass; run by createFirmware, and by callers before uploading. */
  static checkFirmware(input: Omit<CreateFirmwareInput, 'url'> & { url?: string }): void {
    checkVersion(input.version);
    checkText(input.name, say`firmware name`, { min: 1, max: FIRMWARE_NAME_MAX });
    checkText(input.description, say`firmware description`, { max: FIRMWARE_DESC_MAX });
    checkText(input.udi, say`custom information (Udi)`, { max: UDI_MAX });
    checkModuleName(input.moduleName);
    if (input.productKey !== undefined) requireId(input.productKey, say`product key`);
    checkInteger(input.size, say`firmware size (bytes)`, { min: 1 });
    if (input.signMethod !== undefined && input.signMethod !== 'MD5' && input.signMethod !== 'SHA256') {
      throw invalid(say`The sign method "${String(input.signMethod)}" is not accepted: use MD5 or SHA256.`);
    }
    if (input.sign !== undefined) {
      const hexLength = (input.signMethod ?? 'MD5') === 'MD5' ? 32 : 64;
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(input.sign)) {
        throw invalid(say`The firmware sign "${input.sign}" is not a ${input.signMethod ?? 'MD5'} digest: give ${hexLength} hex digits.`);
      }
    }
    const type = input.type ?? 'full';
    if (type !== 'full' && type !== 'delta') throw invalid(say`The firmware type "${String(type)}" is not accepted: use full or delta.`);
    if (type === 'delta') {
      if (!input.srcVersion) throw invalid(say`A delta package needs the version it upgrades from (source version).`);
      checkVersion(input.srcVersion, say`The source version`);
      if (input.srcVersion === input.version) {
        throw invalid(say`A delta package must upgrade from another version than its own (${input.version}).`);
      }
    } else if (input.srcVersion !== undefined) {
      throw invalid(say`A source version applies to delta packages only: set the type to delta, or leave the source version out.`);
    }
  }

  /**
   * GenerateDeviceNameListURL: an OSS PostObject policy for a device-list file (CSV, one name a line, at most 10,000
   * names and 5 MB), valid one minute; its FileUrl goes into a SPECIFIC job's DnListFileUrl within 60 minutes.
   */
  async generateDeviceListUrl(options: WriteOptions = {}): Promise<DeviceListTicket> {
    const res = await this.call('GenerateDeviceNameListURL', {}, options, true);
    const data = isObject(res.Data) ? res.Data : res;
    const field = (name: string, ...alternatives: string[]): string => {
      for (const n of [name, ...alternatives]) {
        const value = text(data, n);
        if (value !== null) return value;
      }
      throw new OtaError('unexpected-response', say`GenerateDeviceNameListURL answered without ${name}.`, {
        requestId: text(res, 'RequestId') ?? undefined,
      });
    };
    return {
      key: field('Key'),
      host: field('Host'),
      policy: field('Policy'),
      ossAccessKeyId: field('AccessKeyId', 'OSSAccessKeyId', 'OssAccessKeyId'),
      signature: field('Signature'),
      firmwareUrl: field('FileUrl'),
      objectStorage: text(data, 'ObjectStorage'),
    };
  }

  /** CreateOTAFirmware. */
  async createFirmware(input: CreateFirmwareInput, options: WriteOptions = {}): Promise<CreatedFirmware> {
    AliyunOtaWrites.checkFirmware(input);
    requireId(input.url, say`firmware URL (the FirmwareUrl of the upload)`);
    const res = await this.call(
      'CreateOTAFirmware',
      {
        DestVersion: input.version,
        FirmwareName: input.name,
        FirmwareUrl: input.url,
        ProductKey: input.productKey,
        FirmwareSign: input.sign,
        SignMethod: input.sign !== undefined ? (input.signMethod ?? 'MD5') : undefined,
        FirmwareSize: input.size,
        FirmwareDesc: input.description || undefined,
        Type: input.type === 'delta' ? 1 : 0,
        SrcVersion: input.type === 'delta' ? input.srcVersion : undefined,
        ModuleName: input.moduleName,
        NeedToVerify: input.needToVerify ?? true,
        Udi: input.udi,
      },
      options,
      false,
      { version: input.version, productKey: input.productKey, moduleName: input.moduleName },
    );
    const data = isObject(res.Data) ? res.Data : res;
    const firmwareId = text(data, 'FirmwareId');
    if (!firmwareId) {
      throw new OtaError('unexpected-response', say`CreateOTAFirmware answered without the new FirmwareId.`, {
        requestId: text(res, 'RequestId') ?? undefined,
      });
    }
    return { firmwareId, createdAt: text(data, 'UtcCreate') };
  }

  /** DeleteOTAFirmware (refused by the service while a job of it runs; see deploy/jobs deleteFirmware). */
  async deleteFirmware(firmwareId: string, options: WriteOptions = {}): Promise<void> {
    await this.call('DeleteOTAFirmware', { FirmwareId: requireId(firmwareId, say`firmware id`) }, options, false);
  }

  /** CreateOTAVerifyJob. */
  async createVerifyJob(input: VerifyJobInput, options: WriteOptions = {}): Promise<CreatedJob> {
    const firmwareId = requireId(input.firmwareId, say`firmware id`);
    const productKey = requireId(input.productKey, say`product key`);
    const names = checkDeviceNames(input.deviceNames, say`verify job`, VERIFY_DEVICES_MAX);
    if (input.timeoutInMinutes === undefined) throw invalid(say`The verify job needs a timeout (1-1440 minutes).`);
    checkInteger(input.timeoutInMinutes, say`verify timeout (minutes)`, TIMEOUT_MINUTES);
    const res = await this.call(
      'CreateOTAVerifyJob',
      { FirmwareId: firmwareId, ProductKey: productKey, TargetDeviceName: names, TimeoutInMinutes: input.timeoutInMinutes },
      options,
      false,
      { productKey },
    );
    return createdJob('CreateOTAVerifyJob', res);
  }

  /** CreateOTAStaticUpgradeJob. */
  async createStaticUpgradeJob(input: StaticUpgradeJobInput, options: WriteOptions = {}): Promise<CreatedJob> {
    const res = await this.call('CreateOTAStaticUpgradeJob', staticJobParams(input, this.now()), options, false, {
      productKey: input.productKey,
    });
    return createdJob('CreateOTAStaticUpgradeJob', res);
  }

  /** CreateOTADynamicUpgradeJob. */
  async createDynamicUpgradeJob(input: DynamicUpgradeJobInput, options: WriteOptions = {}): Promise<CreatedJob> {
    const res = await this.call('CreateOTADynamicUpgradeJob', dynamicJobParams(input, this.now()), options, false, {
      productKey: input.productKey,
    });
    return createdJob('CreateOTADynamicUpgradeJob', res);
  }

  /** CancelOTATaskByJob for the tasks in these states. */
  async cancelTasksByJob(jobId: string, states: readonly CancelState[], options: WriteOptions = {}): Promise<void> {
    const id = requireId(jobId, say`job id`);
    const wanted = [...new Set(states)];
    if (wanted.length === 0) throw invalid(say`No task states to cancel given: choose from ${CANCEL_STATES.join(', ')}.`);
    const params: RpcParams = { JobId: id };
    for (const state of wanted) {
      const flag = CANCEL_FLAGS[state];
      if (!flag) throw invalid(say`"${String(state)}" is not a task state that can be cancelled: choose from ${CANCEL_STATES.join(', ')}.`);
      params[flag] = true;
    }
    await this.call('CancelOTATaskByJob', params, options, true);
  }

  /** CancelOTAStrategyByJob: a dynamic job stops taking in devices. */
  async cancelStrategyByJob(jobId: string, options: WriteOptions = {}): Promise<void> {
    await this.call('CancelOTAStrategyByJob', { JobId: requireId(jobId, say`job id`) }, options, true);
  }

  /** ReupgradeOTATask, 10 tasks per request. Tasks must be FAILED or CANCELED. */
  async reupgradeTasks(jobId: string, taskIds: readonly string[], options: BatchOptions = {}): Promise<void> {
    const id = requireId(jobId, say`job id`);
    const ids = requireTaskIds(taskIds, say`upgrade again`);
    await this.inBatches('ReupgradeOTATask', ids, say`queued again`, options, (batch) => ({ JobId: id, TaskId: batch }));
  }

  /** ConfirmOTATask (POST), 10 tasks per request. Tasks must be in CONFIRM. */
  async confirmTasks(taskIds: readonly string[], options: BatchOptions = {}): Promise<void> {
    const ids = requireTaskIds(taskIds, say`confirm`);
    await this.inBatches('ConfirmOTATask', ids, say`confirmed`, options, (batch) => ({ TaskId: batch }), 'POST');
  }

  /** CancelOTATaskByDevice: the unfinished tasks of these devices for one firmware (optionally one job). */
  async cancelTasksByDevice(input: CancelByDeviceInput, options: WriteOptions = {}): Promise<void> {
    const productKey = requireId(input.productKey, say`product key`);
    await this.call(
      'CancelOTATaskByDevice',
      {
        ProductKey: productKey,
        FirmwareId: requireId(input.firmwareId, say`firmware id`),
        DeviceName: checkDeviceNames(input.deviceNames, say`cancellation`, CANCEL_BY_DEVICE_MAX),
        JobId: input.jobId === undefined ? undefined : requireId(input.jobId, say`job id`),
      },
      options,
      true,
      { productKey },
    );
  }

  private async inBatches(
    action: string,
    ids: string[],
    done: string,
    options: BatchOptions,
    params: (batch: string[]) => RpcParams,
    method?: 'POST',
  ): Promise<void> {
    let count = 0;
    for (const batch of batches(ids)) {
      try {
        await this.call(action, params(batch), options, true, {}, method);
      } catch (error) {
        if (count === 0 || !(error instanceof OtaError)) throw error;
        throw new OtaError(error.kind, say`${count} of ${ids.length} tasks were ${done}; then ${error.message}`, {
          code: error.code,
          requestId: error.requestId,
          httpStatus: error.httpStatus,
          hint: error.hint,
          cause: error,
        });
      }
      count += batch.length;
      options.onBatch?.(count, ids.length);
    }
  }

  private async call(
    action: string,
    params: RpcParams,
    options: WriteOptions,
    idempotent: boolean,
    context: ErrorContext = {},
    method?: 'POST',
  ): Promise<JsonObject> {
    try {
      return await this.rpc.call(action, params, { signal: options.signal, idempotent, method });
    } catch (error) {
      throw explainWriteError(action, error, context);
    }
  }
}

/** The parameters of a static upgrade job, checked (OtaError 'invalid-input'); `now` judges schedule times. */
export function staticJobParams(input: StaticUpgradeJobInput, now: number = Date.now()): RpcParams {
  const selection = input.targetSelection;
  const params: RpcParams = { ...jobBase(input, now), TargetSelection: selection };
  if (!['ALL', 'SPECIFIC', 'GRAY', 'GROUP'].includes(selection)) {
    throw invalid(say`The target "${String(selection)}" is not accepted: use ALL, SPECIFIC, GRAY or GROUP.`);
  }
  if (selection !== 'SPECIFIC' && input.deviceNames?.length) throw invalid(say`Device names apply to SPECIFIC jobs only.`);
  if (selection !== 'GRAY' && input.grayPercent !== undefined) throw invalid(say`A gray percentage applies to GRAY jobs only.`);
  if (selection !== 'GROUP' && input.groupId !== undefined) throw invalid(say`A group id applies to GROUP jobs only.`);
  if (selection !== 'SPECIFIC' && input.deviceListFileUrl !== undefined) throw invalid(say`A device-list file applies to SPECIFIC jobs only.`);
  if (selection === 'SPECIFIC' && input.deviceListFileUrl !== undefined) {
    if (input.deviceNames?.length) throw invalid(say`Give the devices of a SPECIFIC job as names or as a device-list file, not both.`);
    params.DnListFileUrl = requireId(input.deviceListFileUrl, say`device-list file URL`);
  } else if (selection === 'SPECIFIC') params.TargetDeviceName = checkDeviceNames(input.deviceNames ?? [], say`upgrade job`, JOB_DEVICES_MAX);
  if (selection === 'GRAY') {
    if (input.grayPercent === undefined) throw invalid(say`A GRAY job needs the percentage of devices to upgrade (more than 0, at most 100).`);
    params.GrayPercent = grayPercentText(input.grayPercent);
  }
  if (selection === 'GROUP') params.GroupId = requireId(input.groupId, say`group id for the GROUP job`);
  return params;
}

/** The parameters of a dynamic upgrade job, checked (OtaError 'invalid-input'). */
export function dynamicJobParams(input: DynamicUpgradeJobInput, now: number = Date.now()): RpcParams {
  const selection = input.targetSelection ?? 'ALL';
  if (selection !== 'ALL' && selection !== 'GROUP') {
    throw invalid(say`A dynamic job targets ALL devices or a GROUP, not ${String(selection)}.`);
  }
  if (selection !== 'GROUP' && input.groupId !== undefined) throw invalid(say`A group id applies to GROUP jobs only.`);
  checkInteger(input.dynamicMode, say`dynamic mode`, { oneOf: [1, 2] });
  return {
    ...jobBase(input, now),
    TargetSelection: selection,
    GroupId: selection === 'GROUP' ? requireId(input.groupId, say`group id for the GROUP job`) : undefined,
    DynamicMode: input.dynamicMode ?? 1,
  };
}

function jobBase(input: UpgradeJobSettings & { firmwareId: string; productKey: string }, now: number): RpcParams {
  const srcVersions = checkSrcVersions(input.srcVersions);
  checkRetry(input.retryInterval, input.retryCount);
  checkInteger(input.timeoutInMinutes, say`upgrade timeout (minutes)`, TIMEOUT_MINUTES);
  checkInteger(input.maximumPerMinute, say`push rate (devices per minute)`, PUSH_RATE);
  checkSchedule(input.scheduleTime, input.scheduleFinishTime, now);
  checkInteger(input.overwriteMode, say`overwrite mode`, { oneOf: [1, 2] });
  if (input.downloadProtocol !== undefined && input.downloadProtocol !== 'HTTPS' && input.downloadProtocol !== 'MQTT') {
    throw invalid(say`The download protocol "${String(input.downloadProtocol)}" is not accepted: use HTTPS or MQTT.`);
  }
  checkText(input.description, say`job description`, { max: JOB_DESC_MAX });
  return {
    FirmwareId: requireId(input.firmwareId, say`firmware id`),
    ProductKey: requireId(input.productKey, say`product key`),
    SrcVersion: srcVersions.length ? srcVersions : undefined,
    RetryInterval: input.retryInterval,
    RetryCount: input.retryCount,
    TimeoutInMinutes: input.timeoutInMinutes,
    MaximumPerMinute: input.maximumPerMinute,
    ScheduleTime: input.scheduleTime,
    ScheduleFinishTime: input.scheduleFinishTime,
    OverwriteMode: input.overwriteMode,
    NeedPush: input.needPush,
    NeedConfirm: input.needConfirm,
    DownloadProtocol: input.downloadProtocol,
    JobDesc: input.description || undefined,
  };
}

function createdJob(action: string, res: JsonObject): CreatedJob {
  const data = isObject(res.Data) ? res.Data : res;
  const jobId = text(data, 'JobId');
  if (!jobId) {
    throw new OtaError('unexpected-response', say`${action} answered without the new JobId.`, {
      requestId: text(res, 'RequestId') ?? undefined,
    });
  }
  return { jobId, createdAt: text(data, 'UtcCreate') };
}
