// The options that describe a firmware upload (`ota firmware upload`, `ota deploy`), read into the core's upload
// input and verify plan, and checked before anything is read or sent.
import { checkUploadInput, type FirmwareUploadInput, type VerifyPlan } from '../../core/deploy';
import { validateAliyunVersion } from '../../core/cloud/versionRules';
import type { CommandContext, OptionSpec } from './command';
import { UsageError } from './io';
import { checked, flag, integerOption, listOption, nonEmptyOption } from './options';

export const DEFAULT_VERIFY_TIMEOUT_MIN = 10;

export const UPLOAD_OPTIONS: Record<string, OptionSpec> = {
  'product-key': { type: 'string', usage: '--product-key PK', description: 'The product the firmware is for.' },
  version: { type: 'string', usage: '--version V', description: 'Firmware version: 1-64 letters, digits, ".", "_" or "-".' },
  name: { type: 'string', usage: '--name N', description: 'Firmware name, 1-40 characters (default: the version).' },
  module: { type: 'string', usage: '--module M', description: 'OTA module of the product (default: default).' },
  desc: { type: 'string', usage: '--desc D', description: 'Description, at most 100 characters.' },
  type: { type: 'string', usage: '--type full|delta', description: 'A full image (default) or a delta from --src-version.' },
  'no-verify': { type: 'boolean', usage: '--no-verify', description: 'Create the firmware without verification (usable by jobs at once).' },
  'verify-devices': {
    type: 'string',
    usage: '--verify-devices a,b',
    description: 'Verify the firmware on these 1-10 devices and wait until it is verified.',
  },
  'verify-timeout': {
    type: 'string',
    usage: '--verify-timeout MIN',
    description: `Minutes each verify device has (1-1440, default ${DEFAULT_VERIFY_TIMEOUT_MIN}).`,
  },
};

export const SRC_VERSION_UPLOAD: OptionSpec = {
  type: 'string',
  usage: '--src-version V',
  description: 'With --type delta: the version the delta applies to.',
};

export interface UploadRequest {
  input: Omit<FirmwareUploadInput, 'file'>;
  verify: VerifyPlan | undefined;
}

/** Refuses a version Alibaba Cloud would refuse, before anything is built or sent. */
export function checkAliyunVersion(version: string): string {
  const problem = validateAliyunVersion(version);
  if (problem) throw new UsageError(problem);
  return version;
}

/** The devices to verify the firmware on (--verify-devices, --verify-timeout), if any. */
export function verifyRequest(ctx: CommandContext): VerifyPlan | undefined {
  const deviceNames = listOption(ctx, 'verify-devices');
  const timeout = integerOption(ctx, 'verify-timeout', 1, 1440);
  if (flag(ctx, 'no-verify') && deviceNames.length > 0) throw new UsageError('--no-verify and --verify-devices contradict each other: choose one.');
  if (timeout !== undefined && deviceNames.length === 0) throw new UsageError('--verify-timeout needs --verify-devices.');
  return deviceNames.length > 0 ? { deviceNames, timeoutInMinutes: timeout ?? DEFAULT_VERIFY_TIMEOUT_MIN } : undefined;
}

/** The upload the options describe, of `version`; `srcVersions` are the --src-version values (a delta needs one). */
export async function uploadRequest(ctx: CommandContext, version: string, srcVersions: string[]): Promise<UploadRequest> {
  checkAliyunVersion(version);
  const type = nonEmptyOption(ctx, 'type');
  if (type !== undefined && type !== 'full' && type !== 'delta') throw new UsageError(`--type must be full or delta (got '${type}').`);
  if (type === 'delta' && srcVersions.length !== 1) {
    throw new UsageError('--type delta needs the version it applies to: one --src-version V.');
  }
  const verify = verifyRequest(ctx);
  const input: Omit<FirmwareUploadInput, 'file'> = {
    version,
    productKey: nonEmptyOption(ctx, 'product-key'),
    name: nonEmptyOption(ctx, 'name'),
    moduleName: nonEmptyOption(ctx, 'module'),
    description: nonEmptyOption(ctx, 'desc'),
    type,
    srcVersion: type === 'delta' ? srcVersions[0] : undefined,
    needToVerify: !flag(ctx, 'no-verify'),
  };
  await checked(() => checkUploadInput({ ...input, file: '' }, verify));
  return { input, verify };
}
