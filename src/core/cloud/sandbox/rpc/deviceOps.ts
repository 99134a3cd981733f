// Device operations for rollouts: QueryDevice (a product's devices, at most 50 a page; past 10,000 only with the
// NextToken of the page before), QueryDeviceListByDeviceGroup, BatchQueryDeviceDetail (up to 100 named devices of
// one product, with their default module's FirmwareVersion), ListOTAModuleVersionsByDevice, and
// GenerateDeviceNameListURL (an OSS upload policy for a device-list CSV that CreateOTAStaticUpgradeJob reads
// through DnListFileUrl).
import { businessError, invalidParameter, missingParameter, productNotFound } from './apiError';
import type { OperationResult } from './firmwareOps';
import { SANDBOX_OSS_BUCKET } from '../constants';
import type { SandboxContext } from '../context';
import { issueUploadPolicy } from '../oss/policy';
import { productDevices } from '../simulation/jobTargets';
import type { DeviceRecord } from '../state/records';
import { paginate, type Params } from './validation';

const QUERY_DEVICE_WINDOW = 10_000;

function deviceInfo(ctx: SandboxContext, d: DeviceRecord) {
  const product = ctx.store.products.get(d.productKey);
  return {
    DeviceName: d.deviceName,
    IotId: d.iotId,
    ProductKey: d.productKey,
    ProductName: product?.productName ?? null,
    DeviceStatus: d.profile?.offline ? 'OFFLINE' : 'ONLINE',
    Nickname: d.profile?.hardware ? `hardware ${d.profile.hardware}` : null,
  };
}

function page(p: Params, max: number): { currentPage: number; pageSize: number } {
  const currentPage = p.optionalInt('CurrentPage', { min: 1 }) ?? 1;
  const pageSize = p.optionalInt('PageSize', { min: 1, max }) ?? 10;
  return { currentPage, pageSize };
}

function nextToken(offset: number): string {
  return Buffer.from(`sandbox-next:${offset}`, 'utf8').toString('base64');
}

function tokenOffset(token: string): number {
  const m = /^sandbox-next:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!m) throw invalidParameter('NextToken', 'it is not a token this service handed out.');
  return Number(m[1]);
}

export function queryDevice(ctx: SandboxContext, p: Params): OperationResult {
  const productKey = p.string('ProductKey');
  if (!ctx.store.products.has(productKey)) throw productNotFound(productKey);
  const { currentPage, pageSize } = page(p, 50);
  const token = p.optionalString('NextToken');
  const devices = productDevices(ctx.store, productKey);
  let start = (currentPage - 1) * pageSize;
  if (token !== undefined) start = tokenOffset(token);
  else if (currentPage * pageSize > QUERY_DEVICE_WINDOW) {
    throw businessError('iot.common.InvalidPageParams', 'Beyond 10,000 devices (CurrentPage x PageSize) pass the NextToken of the page before.');
  }
  const slice = devices.slice(start, start + pageSize);
  const more = start + pageSize < devices.length;
  return {
    Total: devices.length,
    PageSize: pageSize,
    PageCount: Math.ceil(devices.length / pageSize),
    Page: currentPage,
    NextToken: more ? nextToken(start + pageSize) : '',
    Data: { DeviceInfo: slice.map((d) => deviceInfo(ctx, d)) },
  };
}

export function queryDeviceListByDeviceGroup(ctx: SandboxContext, p: Params): OperationResult {
  const groupId = p.string('GroupId');
  const group = ctx.store.groups.get(groupId);
  if (!group) throw businessError('iot.group.NotExistedGroup', `The group ${groupId} does not exist.`);
  const { currentPage, pageSize } = page(p, 200);
  const members = productDevices(ctx.store, group.productKey).filter((d) => d.groupIds.includes(groupId));
  const { slice, Total, PageCount } = paginate(members, currentPage, pageSize);
  return { Total, PageCount, PageSize: pageSize, Page: currentPage, Data: { SimpleDeviceInfo: slice.map((d) => deviceInfo(ctx, d)) } };
}

export function listOTAModuleVersionsByDevice(ctx: SandboxContext, p: Params): OperationResult {
  const productKey = p.optionalString('ProductKey');
  const deviceName = p.optionalString('DeviceName');
  const iotId = p.optionalString('IotId');
  let device: DeviceRecord | undefined;
  if (iotId !== undefined) {
    for (const byName of ctx.store.devices.values()) for (const d of byName.values()) if (d.iotId === iotId) device = d;
  } else {
    if (productKey === undefined) throw missingParameter('ProductKey');
    if (deviceName === undefined) throw missingParameter('DeviceName');
    device = ctx.store.device(productKey, deviceName);
  }
  if (!device) throw businessError('iot.device.NotExistedDevice', `The device ${deviceName ?? iotId} does not exist.`);
  const { currentPage, pageSize } = page(p, 200);
  const modules = Object.entries(device.versions).map(([ModuleName, ModuleVersion]) => ({
    DeviceName: device.deviceName,
    ProductKey: device.productKey,
    IotId: device.iotId,
    ModuleName,
    ModuleVersion,
  }));
  const { slice, Total, PageCount } = paginate(modules, currentPage, pageSize);
  return { Total, PageCount, PageSize: pageSize, CurrentPage: currentPage, Data: { SimpleOTAModuleInfo: slice } };
}

export function batchQueryDeviceDetail(ctx: SandboxContext, p: Params): OperationResult {
  const productKey = p.string('ProductKey');
  if (!ctx.store.products.has(productKey)) throw productNotFound(productKey);
  const names = p.list('DeviceName', { min: 1, max: 64, maxItems: 100 });
  if (names.length === 0) throw missingParameter('DeviceName.1');
  // Devices the service does not know are left out, as the service does.
  const found = names.map((n) => ctx.store.device(productKey, n)).filter((d): d is DeviceRecord => d !== undefined);
  return {
    Data: {
      Data: found.map((d) => {
        const info = deviceInfo(ctx, d);
        return { ...info, Status: info.DeviceStatus, FirmwareVersion: d.versions.default ?? null };
      }),
    },
  };
}

/** Where device-list files go in the sandbox's bucket. */
export const DEVICE_LIST_PREFIX = 'ota/devicelists/';

export function generateDeviceNameListURL(ctx: SandboxContext): OperationResult {
  const key = `${DEVICE_LIST_PREFIX}${ctx.ids.alnum(24).toLowerCase()}.csv`;
  const upload = issueUploadPolicy(ctx, SANDBOX_OSS_BUCKET, key);
  return {
    Data: {
      Key: upload.key,
      Host: upload.host,
      Policy: upload.policy,
      AccessKeyId: upload.accessKeyId,
      Signature: upload.signature,
      FileUrl: upload.objectUrl,
      ObjectStorage: 'OSS',
    },
  };
}
