// The OTA read operations of Alibaba Cloud IoT (and compatible endpoints) behind the provider-neutral OtaService.
// Write operations (issue 4) go through the same `rpc.call`.
import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { mapPool } from '../../net/pool';
import { TASK_STATUSES, type Firmware, type Job, type Page, type Task } from '../../model';
import type { FirmwareFilter, ListOptions, OtaService, TaskFilter } from '../provider';
import { mapFirmware, mapJob, mapTask, pageOf, totalOf } from './mapping';
import { isObject, listAt, type JsonObject } from './normalize';
import { collectPages, type FetchedPage } from './paging';
import { AliyunRpcClient, type AliyunClientConfig } from './rpcClient';

export const FIRMWARE_PAGE_SIZE = 100;
export const JOB_PAGE_SIZE = 200;
export const TASK_PAGE_SIZE = 100;
/** ListOTATaskByJob serves CurrentPage x PageSize <= 100000. */
export const TASK_WINDOW = 100_000;
export const MAX_DEVICE_NAMES = 50;

export interface AliyunOtaClientOptions {
  /** Pages loaded at once when listing everything (the rate limiter still paces them); default 10. */
  concurrency?: number;
}

export class AliyunOtaClient implements OtaService {
  readonly rpc: AliyunRpcClient;
  private readonly concurrency: number;

  constructor(rpc: AliyunRpcClient | AliyunClientConfig, options: AliyunOtaClientOptions = {}) {
    this.rpc = rpc instanceof AliyunRpcClient ? rpc : new AliyunRpcClient(rpc);
    this.concurrency = Math.max(1, options.concurrency ?? 10);
  }

  async listFirmwarePage(page: number, pageSize: number, filter: FirmwareFilter = {}): Promise<Page<Firmware>> {
    return (await this.fetchFirmwarePage(page, pageSize, filter, filter.signal)).page;
  }

  listFirmware(filter: FirmwareFilter = {}): Promise<Firmware[]> {
    return collectPages((n, signal) => this.fetchFirmwarePage(n, FIRMWARE_PAGE_SIZE, filter, signal), {
      pageSize: FIRMWARE_PAGE_SIZE,
      concurrency: this.concurrency,
      signal: filter.signal,
    });
  }

  async getFirmware(firmwareId: string, options: ListOptions = {}): Promise<Firmware> {
    requireId(say`firmware id`, firmwareId);
    const res = await this.rpc.call('QueryOTAFirmware', { FirmwareId: firmwareId }, { signal: options.signal });
    const info = res.FirmwareInfo ?? res.Data;
    if (!isObject(info)) throw notFound(say`Firmware ${firmwareId} was not found.`, res);
    return mapFirmware(info);
  }

  async listJobsByFirmwarePage(firmwareId: string, page: number, pageSize: number, options: ListOptions = {}): Promise<Page<Job>> {
    return (await this.fetchJobPage(firmwareId, page, pageSize, options.signal)).page;
  }

  listJobsByFirmware(firmwareId: string, options: ListOptions = {}): Promise<Job[]> {
    requireId(say`firmware id`, firmwareId);
    return collectPages((n, signal) => this.fetchJobPage(firmwareId, n, JOB_PAGE_SIZE, signal), {
      pageSize: JOB_PAGE_SIZE,
      concurrency: this.concurrency,
      signal: options.signal,
    });
  }

  async getJob(jobId: string, options: ListOptions = {}): Promise<Job> {
    requireId(say`job id`, jobId);
    const res = await this.rpc.call('QueryOTAJob', { JobId: jobId }, { signal: options.signal });
    if (!isObject(res.Data)) throw notFound(say`Job ${jobId} was not found.`, res);
    return mapJob(res.Data);
  }

  async listTasksPage(jobId: string, page: number, pageSize: number, filter: TaskFilter = {}): Promise<Page<Task>> {
    return (await this.fetchTaskPage(jobId, page, pageSize, filter, filter.signal)).page;
  }

  listTasks(jobId: string, filter: TaskFilter = {}): Promise<Task[]> {
    requireId(say`job id`, jobId);
    return collectPages((n, signal) => this.fetchTaskPage(jobId, n, TASK_PAGE_SIZE, filter, signal), {
      pageSize: TASK_PAGE_SIZE,
      maxPage: TASK_WINDOW / TASK_PAGE_SIZE,
      concurrency: this.concurrency,
      signal: filter.signal,
      onTruncated: (total, loaded) =>
        this.rpc.log('warn', say`ListOTATaskByJob: job ${jobId} has ${total} tasks but the API serves only the first ${loaded}; filter by status to see the rest.`),
    });
  }

  async countTasksByStatus(jobId: string, options: ListOptions = {}): Promise<Record<string, number>> {
    requireId(say`job id`, jobId);
    const counts = await mapPool(
      TASK_STATUSES,
      this.concurrency,
      async (status, _i, signal) => [status, (await this.fetchTaskPage(jobId, 1, 1, { status }, signal)).page.total] as const,
      options.signal,
    );
    return Object.fromEntries(counts);
  }

  private async fetchFirmwarePage(
    page: number,
    pageSize: number,
    filter: FirmwareFilter,
    signal: AbortSignal | undefined,
  ): Promise<FetchedPage<Firmware>> {
    checkPage(page, pageSize, FIRMWARE_PAGE_SIZE);
    const res = await this.rpc.call(
      'ListOTAFirmware',
      { CurrentPage: page, PageSize: pageSize, ProductKey: filter.productKey || undefined, DestVersion: filter.destVersion || undefined },
      { signal },
    );
    return fetched(res, listAt(res, 'FirmwareInfo', 'SimpleFirmwareInfo').map((r) => mapFirmware(r)), page, pageSize);
  }

  private async fetchJobPage(firmwareId: string, page: number, pageSize: number, signal: AbortSignal | undefined): Promise<FetchedPage<Job>> {
    checkPage(page, pageSize, JOB_PAGE_SIZE);
    const res = await this.rpc.call('ListOTAJobByFirmware', { FirmwareId: firmwareId, CurrentPage: page, PageSize: pageSize }, { signal });
    return fetched(res, listAt(res, 'Data', 'SimpleOTAJobInfo').map((r) => mapJob(r, firmwareId)), page, pageSize);
  }

  private async fetchTaskPage(
    jobId: string,
    page: number,
    pageSize: number,
    filter: TaskFilter,
    signal: AbortSignal | undefined,
  ): Promise<FetchedPage<Task>> {
    checkPage(page, pageSize, TASK_PAGE_SIZE);
    if (page * pageSize > TASK_WINDOW) {
      throw new OtaError('invalid-input', say`ListOTATaskByJob serves only the first ${TASK_WINDOW} tasks (page ${page} x ${pageSize} is beyond).`, {
        hint: say`Filter by task status to see the others.`,
      });
    }
    const names = filter.deviceNames?.filter(Boolean);
    if (names && names.length > MAX_DEVICE_NAMES) {
      throw new OtaError('invalid-input', say`At most ${MAX_DEVICE_NAMES} device names can be asked for at once (got ${names.length}).`);
    }
    const res = await this.rpc.call(
      'ListOTATaskByJob',
      {
        JobId: jobId,
        CurrentPage: page,
        PageSize: pageSize,
        TaskStatus: filter.status || undefined,
        DeviceNames: names && names.length > 0 ? names : undefined,
      },
      { signal },
    );
    return fetched(res, listAt(res, 'Data', 'SimpleOTATaskInfo').map((r) => mapTask(r, jobId)), page, pageSize);
  }
}

function fetched<T>(res: JsonObject, items: T[], page: number, pageSize: number): FetchedPage<T> {
  return { page: pageOf(res, items, page, pageSize), totalKnown: totalOf(res) !== null };
}

function checkPage(page: number, pageSize: number, maxPageSize: number): void {
  if (!Number.isInteger(page) || page < 1) throw new OtaError('invalid-input', say`Page ${page} does not exist: pages count from 1.`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    throw new OtaError('invalid-input', say`The page size must be between 1 and ${maxPageSize} (got ${pageSize}).`);
  }
}

function requireId(what: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new OtaError('invalid-input', say`No ${what} given.`);
}

function notFound(message: string, res: JsonObject): OtaError {
  return new OtaError('not-found', message, {
    requestId: typeof res.RequestId === 'string' ? res.RequestId : undefined,
    hint: say`It may have been deleted; refresh and try again.`,
  });
}
