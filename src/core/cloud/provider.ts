// What the front ends need from an Alibaba-style OTA service (Alibaba Cloud IoT itself, an Alibaba-compatible
// endpoint on another host, or the local sandbox). The Alibaba client implements it.
import type { Firmware, Job, Page, Task, TaskStatus } from '../model';

export interface ListOptions {
  signal?: AbortSignal;
}

export interface FirmwareFilter extends ListOptions {
  productKey?: string;
  destVersion?: string;
}

export interface TaskFilter extends ListOptions {
  status?: TaskStatus;
  deviceNames?: string[];
}

export interface OtaService {
  /** Every firmware package, all pages. */
  listFirmware(filter?: FirmwareFilter): Promise<Firmware[]>;
  listFirmwarePage(page: number, pageSize: number, filter?: FirmwareFilter): Promise<Page<Firmware>>;
  getFirmware(firmwareId: string, options?: ListOptions): Promise<Firmware>;
  /** Every job of one firmware, all pages. */
  listJobsByFirmware(firmwareId: string, options?: ListOptions): Promise<Job[]>;
  getJob(jobId: string, options?: ListOptions): Promise<Job>;
  listTasksPage(jobId: string, page: number, pageSize: number, filter?: TaskFilter): Promise<Page<Task>>;
  /** Every task of one job (optionally of one status), all pages. */
  listTasks(jobId: string, filter?: TaskFilter): Promise<Task[]>;
  /** How many tasks the job has in each status (the statuses Alibaba documents, each asked with PageSize 1). */
  countTasksByStatus(jobId: string, options?: ListOptions): Promise<Record<string, number>>;
}
