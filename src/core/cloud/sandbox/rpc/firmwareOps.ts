// Firmware operations: ListOTAFirmware, QueryOTAFirmware, GenerateOTAUploadURL, CreateOTAFirmware,
// DeleteOTAFirmware.
import { businessError, firmwareNotFound, invalidParameter, productNotFound } from './apiError';
import { simpleFirmwareInfo, firmwareInfo } from './shapes';
import { LIMITS, SANDBOX_OSS_BUCKET } from '../constants';
import type { SandboxContext } from '../context';
import { getObject } from '../oss/objects';
import { issueUploadPolicy } from '../oss/policy';
import { alibabaId } from '../random';
import type { FirmwareRecord } from '../state/records';
import { outcomeFromUdi } from '../simulation/fleetRules';
import { VERSION_PATTERN, paginate, pageParams, type Params } from './validation';

export type OperationResult = Record<string, unknown>;

const FILE_SUFFIXES = ['bin', 'tar', 'gz', 'tar.gz', 'zip', 'gzip', 'apk'] as const;
const VERSION_RULE = { pattern: VERSION_PATTERN, patternText: 'must be 1-64 letters, digits, dots, underscores or hyphens' };
export const FIRMWARE_ID = ['FirmwareId', 'FirmwareID'] as const;

export function findFirmware(ctx: SandboxContext, firmwareId: string): FirmwareRecord {
  const firmware = ctx.store.firmware.get(firmwareId);
  if (!firmware) throw firmwareNotFound(firmwareId);
  return firmware;
}

/** Newest first, as the console lists them. */
function firmwareNewestFirst(ctx: SandboxContext): FirmwareRecord[] {
  return [...ctx.store.firmware.values()].sort((a, b) => b.createdAt - a.createdAt || (a.firmwareId < b.firmwareId ? -1 : 1));
}

export function listOTAFirmware(ctx: SandboxContext, p: Params): OperationResult {
  const { currentPage, pageSize } = pageParams(p, 100);
  const productKey = p.optionalString('ProductKey');
  const destVersion = p.optionalString('DestVersion');
  const matching = firmwareNewestFirst(ctx).filter(
    (f) => (productKey === undefined || f.productKey === productKey) && (destVersion === undefined || f.destVersion === destVersion),
  );
  const { slice, ...paging } = paginate(matching, currentPage, pageSize);
  return { ...paging, FirmwareInfo: { SimpleFirmwareInfo: slice.map((f) => simpleFirmwareInfo(ctx, f)) } };
}

export function queryOTAFirmware(ctx: SandboxContext, p: Params): OperationResult {
  const firmware = findFirmware(ctx, p.string(FIRMWARE_ID));
  return { FirmwareInfo: firmwareInfo(ctx, firmware) };
}

export function generateOTAUploadURL(ctx: SandboxContext, p: Params): OperationResult {
  const suffix = p.optionalString('FileSuffix', { oneOf: FILE_SUFFIXES }) ?? 'bin';
  const key = `ota/${ctx.ids.alnum(32).toLowerCase()}/${ctx.ids.alnum(16)}.${suffix}`;
  const upload = issueUploadPolicy(ctx, SANDBOX_OSS_BUCKET, key);
  return {
    Data: {
      Key: upload.key,
      Host: upload.host,
      Policy: upload.policy,
      OSSAccessKeyId: upload.accessKeyId,
      Signature: upload.signature,
      FirmwareUrl: upload.objectUrl,
      ObjectStorage: 'OSS',
    },
  };
}

/** The object a FirmwareUrl names: `<anything>/oss/<bucket>/<key>[?query]`, so URLs survive a port change. */
export function objectOfUrl(url: string): { bucket: string; key: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const m = /^\/oss\/([^/]+)\/(.+)$/.exec(parsed.pathname);
  if (!m) return undefined;
  try {
    return { bucket: decodeURIComponent(m[1]), key: (m[2]).split('/').map(decodeURIComponent).join('/') };
  } catch {
    return undefined;
  }
}

export async function createOTAFirmware(ctx: SandboxContext, p: Params): Promise<OperationResult> {
  const destVersion = p.string('DestVersion', VERSION_RULE);
  const firmwareName = p.string('FirmwareName', { min: 1, max: 40 });
  const firmwareUrl = p.string('FirmwareUrl');
  const productKey = p.optionalString('ProductKey');
  const description = p.optionalString('FirmwareDesc', { max: 100 }) ?? null;
  const type = p.optionalInt('Type', { oneOf: [0, 1] }) ?? 0;
  const srcVersion = p.optionalString('SrcVersion', VERSION_RULE) ?? null;
  const moduleName = p.optionalString('ModuleName', { max: 64 }) ?? 'default';
  const needToVerify = p.optionalBool('NeedToVerify') ?? true;
  const udi = p.optionalString('Udi', { max: 4096 }) ?? null;
  const size = p.optionalInt('FirmwareSize', { min: 0 });
  const sign = p.optionalString('FirmwareSign');
  const signMethod = (p.optionalString('SignMethod', { oneOf: ['MD5', 'SHA256', 'Md5', 'md5', 'Sha256', 'sha256'] }) ?? 'MD5').toUpperCase();
  if (type === 1 && srcVersion === null) {
    throw invalidParameter('SrcVersion', 'a delta package (Type=1) needs the version it upgrades from.');
  }
  if (type === 1 && srcVersion === destVersion) {
    throw invalidParameter('SrcVersion', 'a delta package must upgrade from a different version than DestVersion.');
  }
  if (productKey !== undefined && !ctx.store.products.has(productKey)) throw productNotFound(productKey);

  const location = objectOfUrl(firmwareUrl);
  if (!location || location.bucket !== SANDBOX_OSS_BUCKET) {
    throw invalidParameter('FirmwareUrl', 'use the FirmwareUrl GenerateOTAUploadURL returned, after uploading the file to it.');
  }
  const object = getObject(ctx.store, location.bucket, location.key);
  if (!object) {
    throw invalidParameter('FirmwareUrl', `nothing was uploaded to ${location.key}; upload the file with the policy from GenerateOTAUploadURL first.`);
  }
  if (size !== undefined && size !== object.size) {
    throw invalidParameter('FirmwareSize', `${size} bytes were declared but the uploaded file has ${object.size} bytes.`);
  }
  const actualSign = signMethod === 'SHA256' ? object.sha256 : object.md5;
  if (sign !== undefined && sign.toLowerCase() !== actualSign) {
    throw invalidParameter(
      'FirmwareSign',
      `the ${signMethod} of the uploaded file is ${actualSign}, not ${sign}; the upload may be damaged, upload it again.`,
    );
  }

  const firmware = [...ctx.store.firmware.values()];
  if (firmware.length >= LIMITS.firmwarePerAccount) {
    throw businessError(
      'iot.ota.FirmwareCountExceedLimit',
      `The account already has ${LIMITS.firmwarePerAccount} firmware packages, the most allowed. Delete old firmware first.`,
    );
  }
  const duplicate = firmware.find(
    (f) =>
      f.productKey === (productKey ?? null) &&
      f.moduleName === moduleName &&
      f.destVersion === destVersion &&
      f.type === type &&
      f.srcVersion === srcVersion,
  );
  if (duplicate) {
    throw businessError(
      'iot.ota.FirmwareAlreadyExists',
      `The product already has ${type === 1 ? `a delta package ${srcVersion} -> ` : 'firmware version '}${destVersion}` +
        ` for module ${moduleName} (firmware ${duplicate.firmwareId}). Use a new version number.`,
    );
  }
  const now = ctx.now();
  const record: FirmwareRecord = {
    firmwareId: alibabaId(ctx.ids),
    firmwareName,
    destVersion,
    srcVersion: type === 1 ? srcVersion : null,
    productKey: productKey ?? null,
    moduleName,
    type: type === 1 ? 1 : 0,
    status: needToVerify ? 0 : -1,
    verifyProgress: 0,
    sign: actualSign,
    signMethod,
    size: object.size,
    description,
    udi,
    outcome: outcomeFromUdi(udi),
    bucket: location.bucket,
    objectKey: location.key,
    createdAt: now,
    modifiedAt: now,
  };
  ctx.store.firmware.set(record.firmwareId, record);
  ctx.store.touchFirmware();
  await ctx.store.flush();
  return { Data: { FirmwareId: record.firmwareId, UtcCreate: new Date(now).toISOString() } };
}

export async function deleteOTAFirmware(ctx: SandboxContext, p: Params): Promise<OperationResult> {
  const firmware = findFirmware(ctx, p.string(FIRMWARE_ID));
  const running = [...ctx.store.jobs.values()].find(
    (j) => j.firmwareId === firmware.firmwareId && (j.jobStatus === 'IN_PROGRESS' || j.jobStatus === 'PLANNED'),
  );
  if (running) {
    throw businessError(
      'iot.ota.FirmwareHasRunningJob',
      `The firmware ${firmware.firmwareId} cannot be deleted while its job ${running.jobId} is ${running.jobStatus}; cancel the job's tasks first.`,
    );
  }
  ctx.store.deleteFirmware(firmware.firmwareId);
  await ctx.store.flush();
  return {};
}
