// What a command was invoked on, as plain data: the firmware, job, account or IoTaaP device of a Cloud view node
// (or of an argument object naming them). Other features read these instead of the tree's node classes.
import type { DeviceOta, Firmware, Job } from '../../core/model';
import { AccountNode } from './nodes/accountNode';
import { ErrorNode } from './nodes/errorNode';
import { FirmwareNode } from './nodes/firmwareNode';
import { DeviceOtaNode } from './nodes/iotaapNodes';
import { JobNode } from './nodes/jobNode';
import type { CloudNode } from './nodes/node';
import { LoadMoreNode } from './nodes/taskNodes';

export interface FirmwareTarget {
  accountId: string;
  firmware: Firmware;
}

export interface JobTarget {
  accountId: string;
  job: Job;
}

export interface DeviceTarget {
  accountId: string;
  device: DeviceOta;
}

export function firmwareTarget(arg: unknown): FirmwareTarget | undefined {
  return arg instanceof FirmwareNode && arg.accountId ? { accountId: arg.accountId, firmware: arg.firmware } : undefined;
}

export function jobTarget(arg: unknown): JobTarget | undefined {
  return arg instanceof JobNode && arg.accountId ? { accountId: arg.accountId, job: arg.job } : undefined;
}

export function deviceTarget(arg: unknown): DeviceTarget | undefined {
  return arg instanceof DeviceOtaNode && arg.accountId ? { accountId: arg.accountId, device: arg.ota } : undefined;
}

/** The account of an account node, or of the error node shown under it. */
export function accountTarget(arg: unknown): string | undefined {
  return arg instanceof AccountNode || arg instanceof ErrorNode ? arg.accountId : undefined;
}

/** What "Retry" on an error node reloads: the node that failed. */
export function retryTarget(arg: unknown): CloudNode | undefined {
  return arg instanceof ErrorNode ? arg.retryTarget : undefined;
}

/** The task rows a "Load more…" node adds to. */
export function loadMoreTarget(arg: unknown): { accountId: string; jobId: string; status: string } | undefined {
  return arg instanceof LoadMoreNode && arg.accountId ? { accountId: arg.accountId, jobId: arg.group.jobId, status: arg.group.status } : undefined;
}

/** A node of the Cloud view (argument objects of automation are plain objects, never nodes). */
export function isCloudNode(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && 'toTreeItem' in arg && 'id' in arg;
}
