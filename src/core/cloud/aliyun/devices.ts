// Device listings of Alibaba Cloud IoT, for rollouts: a product's devices (QueryDevice: at most 50 a page, and past
// 10,000 devices only by NextToken), a group's devices (QueryDeviceListByDeviceGroup), the default module's version
// of up to 100 devices a call (BatchQueryDeviceDetail's FirmwareVersion) and the versions one device reported per
// OTA module (ListOTAModuleVersionsByDevice).
import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { listAt, num, text, type JsonObject } from './normalize';
import type { AliyunRpcClient } from './rpcClient';

/** QueryDevice serves at most 50 devices a page. */
export const DEVICE_PAGE_SIZE = 50;
/** Past CurrentPage x PageSize = 10,000 QueryDevice needs the NextToken of the page before. */
const QUERY_DEVICE_WINDOW = 10_000;
const GROUP_PAGE_SIZE = 100;
/** BatchQueryDeviceDetail takes at most 100 device names a call. */
export const DEVICE_DETAIL_BATCH = 100;
/** QueryDevice answers at most a million devices. */
const MAX_DEVICES = 1_000_000;

export interface DeviceSummary {
  deviceName: string;
  iotId: string | null;
  status: string | null;
}

function summary(r: JsonObject): DeviceSummary | null {
  const deviceName = text(r, 'DeviceName');
  return deviceName ? { deviceName, iotId: text(r, 'IotId'), status: text(r, 'DeviceStatus') ?? text(r, 'Status') } : null;
}

export class AliyunDevices {
  constructor(readonly rpc: AliyunRpcClient) {}

  /** Every device of a product, page after page (each page's NextToken leads to the next). */
  async listProductDevices(productKey: string, options: { signal?: AbortSignal } = {}): Promise<DeviceSummary[]> {
    if (!productKey.trim()) throw new OtaError('invalid-input', say`No product key given to list devices of.`);
    const out: DeviceSummary[] = [];
    let token: string | null = null;
    for (let page = 1; out.length < MAX_DEVICES; page++) {
      const needsToken = page * DEVICE_PAGE_SIZE > QUERY_DEVICE_WINDOW;
      if (needsToken && !token) break;
      const res: JsonObject = await this.rpc.call(
        'QueryDevice',
        { ProductKey: productKey, CurrentPage: page, PageSize: DEVICE_PAGE_SIZE, NextToken: token ?? undefined },
        { signal: options.signal },
      );
      const items = listAt(res, 'Data', 'DeviceInfo')
        .map(summary)
        .filter((d): d is DeviceSummary => d !== null);
      out.push(...items);
      token = text(res, 'NextToken');
      const total = num(res, 'Total');
      if (items.length < DEVICE_PAGE_SIZE || (total !== null && out.length >= total)) break;
    }
    return out;
  }

  /** Every device of a device group. */
  async listGroupDevices(groupId: string, options: { signal?: AbortSignal } = {}): Promise<DeviceSummary[]> {
    if (!groupId.trim()) throw new OtaError('invalid-input', say`No group id given to list devices of.`);
    const out: DeviceSummary[] = [];
    for (let page = 1; ; page++) {
      const res = await this.rpc.call(
        'QueryDeviceListByDeviceGroup',
        { GroupId: groupId, CurrentPage: page, PageSize: GROUP_PAGE_SIZE },
        { signal: options.signal },
      );
      const items = listAt(res, 'Data', 'SimpleDeviceInfo')
        .map(summary)
        .filter((d): d is DeviceSummary => d !== null);
      out.push(...items);
      const total = num(res, 'Total');
      if (items.length < GROUP_PAGE_SIZE || (total !== null && out.length >= total)) break;
    }
    return out;
  }

  /**
   * The version each device reported for its default OTA module, 100 devices a call (BatchQueryDeviceDetail's
   * FirmwareVersion). A device that has reported none, or that the service does not know, is absent.
   */
  async defaultModuleVersions(productKey: string, deviceNames: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < deviceNames.length; i += DEVICE_DETAIL_BATCH) {
      const batch = deviceNames.slice(i, i + DEVICE_DETAIL_BATCH);
      const res = await this.rpc.call('BatchQueryDeviceDetail', { ProductKey: productKey, DeviceName: batch }, { signal: options.signal });
      const wanted = new Set(batch);
      for (const r of listAt(res, 'Data', 'Data')) {
        const name = text(r, 'DeviceName');
        const version = text(r, 'FirmwareVersion');
        if (name && version && wanted.has(name)) out.set(name, version);
      }
    }
    return out;
  }

  /** The version a device reported for each OTA module ("default" is the main firmware). */
  async moduleVersions(productKey: string, deviceName: string, options: { signal?: AbortSignal } = {}): Promise<Record<string, string>> {
    const res = await this.rpc.call(
      'ListOTAModuleVersionsByDevice',
      { ProductKey: productKey, DeviceName: deviceName, CurrentPage: 1, PageSize: 200 },
      { signal: options.signal },
    );
    const out: Record<string, string> = {};
    for (const r of listAt(res, 'Data', 'SimpleOTAModuleInfo')) {
      const module = text(r, 'ModuleName') ?? 'default';
      const version = text(r, 'ModuleVersion');
      if (version) out[module] = version;
    }
    return out;
  }
}
