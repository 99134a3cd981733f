// Uploading a firmware image to Alibaba Cloud IoT: GenerateOTAUploadURL -> OSS PostObject (asking for new
// credentials when they expired or would have before the upload starts) -> CreateOTAFirmware with the streamed MD5,
// and, when the firmware must be verified, the verify job and the wait for its outcome.
import { basename } from 'node:path';
import type { Dispatcher } from 'undici';
import type { AliyunOtaClient } from '../cloud/aliyun/otaClient';
import { AliyunOtaWrites, UPLOAD_FILE_SUFFIXES, type UploadFileSuffix, type UploadTicket } from '../cloud/aliyun/otaWrites';
import { FIRMWARE_NAME_MAX } from '../cloud/aliyun/otaWriteRules';
import { OtaError } from '../errors';
import { say } from '../sentences';
import type { Firmware } from '../model';
import { throwIfAborted } from '../net/clock';
import { DeployError, type DeployState } from './errors';
import { formatBytes } from '../../shared/units';
import type { StepReporting } from './events';
import { digestFile } from './fileDigest';
import { POLICY_EXPIRED, postObject } from './ossPost';
import { waitForVerification } from './verify';
import type { PollOptions } from './poll';

export interface FirmwareUploadInput {
  /** Path of the image. */
  file: string;
  /** DestVersion (Alibaba rules: 1-64 of `[A-Za-z0-9._-]`). */
  version: string;
  productKey?: string;
  /** FirmwareName, 1-40 characters; default the version (cut to 40). */
  name?: string;
  moduleName?: string;
  description?: string;
  type?: 'full' | 'delta';
  srcVersion?: string;
  /** Default true. */
  needToVerify?: boolean;
  udi?: string;
}

export interface VerifyPlan {
  /** 1-10 devices of the product to try the firmware on. */
  deviceNames: string[];
  /** Per device, 1-1440. */
  timeoutInMinutes: number;
}

export interface UploadOptions extends StepReporting, PollOptions {
  /** Run this verify job after creating the firmware and wait for it (needs needToVerify and a product key). */
  verify?: VerifyPlan;
  /** An upload ticket older than this is replaced before the upload starts; default 50 s (tickets last 60 s). */
  ticketMaxAgeMs?: number;
  /** Upload attempts, each with fresh credentials; default 3. */
  uploadAttempts?: number;
  /** Per OSS upload attempt. */
  ossTimeoutMs?: number;
  dispatcher?: Dispatcher;
}

export interface UploadedFirmware {
  firmwareId: string;
  version: string;
  productKey: string | null;
  size: number;
  md5: string;
  createdAt: string | null;
  /** Set when a verify job ran. */
  verifyJobId: string | null;
  /** After verification, the firmware as the service reports it. */
  firmware: Firmware | null;
}

export function defaultFirmwareName(version: string): string {
  return [...version].slice(0, FIRMWARE_NAME_MAX).join('');
}

/** The FileSuffix GenerateOTAUploadURL takes for a file name (bin when none fits). */
export function fileSuffixOf(path: string): UploadFileSuffix {
  const name = basename(path).toLowerCase();
  if (name.endsWith('.tar.gz')) return 'tar.gz';
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  return (UPLOAD_FILE_SUFFIXES as readonly string[]).includes(ext) ? (ext as UploadFileSuffix) : 'bin';
}

/** Everything checkable about the upload before anything is read or sent; throws OtaError 'invalid-input'. */
export function checkUploadInput(input: FirmwareUploadInput, verify?: VerifyPlan): void {
  AliyunOtaWrites.checkFirmware({ ...input, name: input.name ?? defaultFirmwareName(input.version) });
  if (verify) {
    if (input.needToVerify === false) {
      throw new OtaError('invalid-input', say`Verify devices were given for firmware created without verification: choose one.`);
    }
    if (!input.productKey) throw new OtaError('invalid-input', say`A verify job needs the product key of the firmware.`);
  }
}

export async function uploadFirmware(client: AliyunOtaClient, input: FirmwareUploadInput, options: UploadOptions = {}): Promise<UploadedFirmware> {
  const state: DeployState = { stage: 'validate', version: input.version };
  const fail = (error: unknown): never => {
    throw error instanceof DeployError ? error : new DeployError(state, error);
  };
  const { signal } = options;
  const writes = new AliyunOtaWrites(client.rpc);
  try {
    checkUploadInput(input, options.verify);
    throwIfAborted(signal);

    state.stage = 'hash';
    options.onStep?.({ stage: 'hash', state: 'started', message: say`Reading ${basename(input.file)}` });
    const digest = await digestFile(input.file, {
      signal,
      onProgress: (done, total) => options.onProgress?.({ stage: 'hash', done, total, unit: 'bytes' }),
    });
    options.onStep?.({ stage: 'hash', state: 'done', message: say`${formatBytes(digest.size)}, MD5 ${digest.md5}` });

    state.stage = 'upload';
    const url = await uploadToOss(writes, input.file, digest.size, options);

    state.stage = 'create-firmware';
    options.onStep?.({ stage: 'create-firmware', state: 'started', message: say`Creating firmware ${input.version}` });
    const created = await createFirmware(client, writes, input, url, digest, state);
    state.firmwareId = created.firmwareId;
    options.onStep?.({ stage: 'create-firmware', state: 'done', message: say`Firmware ${input.version} created as ID ${created.firmwareId}` });

    const result: UploadedFirmware = {
      firmwareId: created.firmwareId,
      version: input.version,
      productKey: input.productKey ?? null,
      size: digest.size,
      md5: digest.md5,
      createdAt: created.createdAt,
      verifyJobId: null,
      firmware: null,
    };
    if (options.verify) {
      state.stage = 'verify';
      const verified = await verifyFirmware(
        client,
        { firmwareId: created.firmwareId, productKey: input.productKey!, version: input.version, ...options.verify },
        options,
      );
      result.verifyJobId = verified.verifyJobId;
      result.firmware = verified.firmware;
    }
    return result;
  } catch (error) {
    return fail(error);
  }
}

/** GenerateOTAUploadURL + PostObject, with fresh credentials when they expired; resolves with the FirmwareUrl. */
async function uploadToOss(writes: AliyunOtaWrites, file: string, size: number, options: UploadOptions): Promise<string> {
  const now = options.now ?? Date.now;
  const attempts = Math.max(1, options.uploadAttempts ?? 3);
  const maxAge = options.ticketMaxAgeMs ?? 50_000;
  const suffix = fileSuffixOf(file);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    throwIfAborted(options.signal);
    // The file must reach OSS within the ticket's minute, counted from when it was asked for: a ticket that got old
    // before the upload could start (a slow answer, a wait) is replaced.
    let askedAt = now();
    let ticket: UploadTicket = await writes.generateUploadUrl({ fileSuffix: suffix, signal: options.signal });
    for (let renewals = 0; now() - askedAt > maxAge && renewals < 2; renewals++) {
      options.onStep?.({ stage: 'upload', state: 'retrying', message: say`The upload URL expired before the upload could start; asking for a new one` });
      askedAt = now();
      ticket = await writes.generateUploadUrl({ fileSuffix: suffix, signal: options.signal });
    }
    options.onStep?.({ stage: 'upload', state: 'started', message: say`Uploading ${basename(file)} (${formatBytes(size)})` });
    try {
      await postObject(ticket, { path: file, size }, {
        signal: options.signal,
        timeoutMs: options.ossTimeoutMs,
        dispatcher: options.dispatcher,
        onProgress: (done, total) => options.onProgress?.({ stage: 'upload', done, total, unit: 'bytes' }),
      });
      options.onStep?.({ stage: 'upload', state: 'done', message: say`Uploaded ${formatBytes(size)}` });
      return ticket.firmwareUrl;
    } catch (error) {
      lastError = error;
      if (!retryableUpload(error) || attempt === attempts) break;
      const why = error instanceof OtaError && error.code === POLICY_EXPIRED ? say`the upload policy expired` : say`the upload failed`;
      options.onStep?.({ stage: 'upload', state: 'retrying', message: say`${why}; asking for a new upload URL (attempt ${attempt + 1} of ${attempts})` });
    }
  }
  throw lastError;
}

function retryableUpload(error: unknown): boolean {
  if (!(error instanceof OtaError)) return false;
  if (error.code === POLICY_EXPIRED) return true;
  return error.kind === 'service-unavailable' || error.kind === 'network' || error.kind === 'timeout';
}

async function createFirmware(
  client: AliyunOtaClient,
  writes: AliyunOtaWrites,
  input: FirmwareUploadInput,
  url: string,
  digest: { size: number; md5: string },
  state: DeployState,
): Promise<{ firmwareId: string; createdAt: string | null }> {
  try {
    // Never abandoned half-way (no signal): afterwards it is known whether the firmware exists.
    return await writes.createFirmware({
      version: input.version,
      name: input.name ?? defaultFirmwareName(input.version),
      url,
      productKey: input.productKey,
      sign: digest.md5,
      signMethod: 'MD5',
      size: digest.size,
      description: input.description,
      type: input.type,
      srcVersion: input.srcVersion,
      moduleName: input.moduleName,
      needToVerify: input.needToVerify ?? true,
      udi: input.udi,
    });
  } catch (error) {
    if (!(error instanceof OtaError) || !['network', 'timeout', 'service-unavailable'].includes(error.kind)) throw error;
    // The answer got lost: look for what the service may have created anyway.
    const found = await findFirmware(client, input, digest).catch(() => undefined);
    if (found) return { firmwareId: found.id, createdAt: found.createdAt };
    state.firmwareUncertain = found === undefined;
    throw error;
  }
}

/** The firmware matching an upload (version, product, module, size and MD5), null when surely absent. */
async function findFirmware(client: AliyunOtaClient, input: FirmwareUploadInput, digest: { size: number; md5: string }): Promise<Firmware | null> {
  const list = await client.listFirmware({ productKey: input.productKey, destVersion: input.version });
  return (
    list.find(
      (f) =>
        f.version === input.version &&
        (f.moduleName ?? 'default') === (input.moduleName ?? 'default') &&
        (f.size === null || f.size === digest.size) &&
        (f.sign === null || f.sign.toLowerCase() === digest.md5),
    ) ?? null
  );
}

export interface VerifyInput extends VerifyPlan {
  firmwareId: string;
  productKey: string;
  /** For messages. */
  version?: string;
}

/** CreateOTAVerifyJob, then wait until the firmware is verified; DeployError (stage verify) when it is not. */
export async function verifyFirmware(
  client: AliyunOtaClient,
  input: VerifyInput,
  options: StepReporting & PollOptions = {},
): Promise<{ verifyJobId: string; firmware: Firmware }> {
  const state: DeployState = { stage: 'verify', version: input.version, firmwareId: input.firmwareId };
  try {
    throwIfAborted(options.signal);
    options.onStep?.({ stage: 'verify', state: 'started', message: say`Verifying on ${input.deviceNames.length} device(s)` });
    const writes = new AliyunOtaWrites(client.rpc);
    const { jobId } = await writes.createVerifyJob(input);
    state.verifyJobId = jobId;
    const firmware = await waitForVerification(client, input.firmwareId, jobId, { ...options, verifyTimeoutInMinutes: input.timeoutInMinutes });
    options.onStep?.({ stage: 'verify', state: 'done', message: say`Firmware ${input.version ?? input.firmwareId} verified` });
    return { verifyJobId: jobId, firmware };
  } catch (error) {
    throw error instanceof DeployError ? error : new DeployError(state, error);
  }
}
