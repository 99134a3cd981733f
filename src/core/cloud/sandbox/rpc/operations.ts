// The Alibaba IoT OTA operations the sandbox implements, by Action name.
import {
  createOTAFirmware,
  deleteOTAFirmware,
  generateOTAUploadURL,
  listOTAFirmware,
  queryOTAFirmware,
  type OperationResult,
} from './firmwareOps';
import {
  createOTADynamicUpgradeJob,
  createOTAStaticUpgradeJob,
  createOTAVerifyJob,
  listOTAJobByFirmware,
  queryOTAJob,
} from './jobOps';
import {
  cancelOTAStrategyByJob,
  cancelOTATaskByDevice,
  cancelOTATaskByJob,
  confirmOTATask,
  listOTATaskByJob,
  reupgradeOTATask,
} from './taskOps';
import {
  batchQueryDeviceDetail,
  generateDeviceNameListURL,
  listOTAModuleVersionsByDevice,
  queryDevice,
  queryDeviceListByDeviceGroup,
} from './deviceOps';
import type { SandboxContext } from '../context';
import type { Params } from './validation';

export interface OperationDef {
  run: (ctx: SandboxContext, params: Params) => OperationResult | Promise<OperationResult>;
  /** The operation refuses GET (ConfirmOTATask). */
  postOnly?: boolean;
}

export const OPERATIONS: Readonly<Record<string, OperationDef>> = {
  ListOTAFirmware: { run: listOTAFirmware },
  QueryOTAFirmware: { run: queryOTAFirmware },
  GenerateOTAUploadURL: { run: generateOTAUploadURL },
  CreateOTAFirmware: { run: createOTAFirmware },
  DeleteOTAFirmware: { run: deleteOTAFirmware },
  CreateOTAVerifyJob: { run: createOTAVerifyJob },
  CreateOTAStaticUpgradeJob: { run: createOTAStaticUpgradeJob },
  CreateOTADynamicUpgradeJob: { run: createOTADynamicUpgradeJob },
  ListOTAJobByFirmware: { run: listOTAJobByFirmware },
  QueryOTAJob: { run: queryOTAJob },
  ListOTATaskByJob: { run: listOTATaskByJob },
  CancelOTATaskByJob: { run: cancelOTATaskByJob },
  CancelOTAStrategyByJob: { run: cancelOTAStrategyByJob },
  ReupgradeOTATask: { run: reupgradeOTATask },
  ConfirmOTATask: { run: confirmOTATask, postOnly: true },
  CancelOTATaskByDevice: { run: cancelOTATaskByDevice },
  QueryDevice: { run: queryDevice },
  QueryDeviceListByDeviceGroup: { run: queryDeviceListByDeviceGroup },
  ListOTAModuleVersionsByDevice: { run: listOTAModuleVersionsByDevice },
  BatchQueryDeviceDetail: { run: batchQueryDeviceDetail },
  GenerateDeviceNameListURL: { run: generateDeviceNameListURL },
};
