// Deploy to Alibaba Cloud IoT in one go: [build] -> upload -> [verify] -> create the upgrade job -> [follow the
// rollout, with the guard]. Everything checkable is checked before anything is built or uploaded; every step reports
// progress and can be cancelled; a failure or cancellation is a DeployError saying exactly what exists now.
import type { AliyunOtaClient } from '../cloud/aliyun/otaClient';
import { OtaError } from '../errors';
import { say } from '../sentences';
import type { Firmware } from '../model';
import { throwIfAborted } from '../net/clock';
import { assertValidVersion } from '../cloud/versionRules';
import { buildImage, type BuildPlan } from './buildStep';
import { DeployError, type DeployState } from './errors';
import type { StepReporting } from './events';
import { checkJobPlan, createJob, isRunning, resolveJobPlan, type JobPlan } from './jobs';
import type { PollOptions } from './poll';
import { checkGuard, followRollout, type FollowOptions, type RolloutGuard, type RolloutResult } from './rollout';
import { checkUploadInput, uploadFirmware, verifyFirmware, type FirmwareUploadInput, type VerifyPlan } from './upload';
import { waitForVerification } from './verify';

/** A new image: from `file`, or built first when no file is given. */
export interface NewFirmware extends Omit<FirmwareUploadInput, 'file'> {
  file?: string;
}

/** Firmware already in the cloud (e.g. to continue a deploy that stopped after the upload). */
export interface ExistingFirmware {
  firmwareId: string;
}

export interface DeployPlan {
  /** Used when `upload` names no file. */
  build?: BuildPlan;
  upload: NewFirmware | ExistingFirmware;
  /** Devices to verify the firmware on, when it must be verified. */
  verify?: VerifyPlan;
  job?: JobPlan;
  /** Implies following the rollout. */
  guard?: RolloutGuard;
  /** Follow the rollout until the job ends. */
  follow?: boolean;
}

export interface DeployOptions extends StepReporting, PollOptions {
  onSnapshot?: FollowOptions['onSnapshot'];
  onGuardTrip?: FollowOptions['onGuardTrip'];
  /** Upload tuning (see UploadOptions). */
  uploadAttempts?: number;
  ticketMaxAgeMs?: number;
}

export interface DeployResult {
  firmwareId: string;
  version: string;
  productKey: string | null;
  /** False when the plan named existing firmware. */
  uploaded: boolean;
  /** The image that was built, when a build ran. */
  builtImage: string | null;
  verifyJobId: string | null;
  jobId: string | null;
  rollout: RolloutResult | null;
  /** One line for a person. */
  summary: string;
}

function isExisting(upload: NewFirmware | ExistingFirmware): upload is ExistingFirmware {
  return typeof (upload as ExistingFirmware).firmwareId === 'string';
}

/** Checks of the whole plan that need no network; returns the job plan with its device file read. */
async function checkPlan(plan: DeployPlan): Promise<JobPlan | undefined> {
  const { upload, job, guard, verify } = plan;
  if (!isExisting(upload)) {
    assertValidVersion(upload.version, 'aliyun');
    checkUploadInput({ ...upload, file: upload.file ?? '' }, verify);
    if (!upload.file && !plan.build) throw new OtaError('invalid-input', say`Nothing to upload: give a firmware file or a PlatformIO build.`);
    if (job && !upload.productKey) throw new OtaError('invalid-input', say`An upgrade job needs the product key of the firmware.`);
    if (job && upload.needToVerify !== false && !verify) {
      throw new OtaError('invalid-input', say`The firmware must be verified before an upgrade job can use it, and no devices to verify on were given.`, {
        hint: say`Name 1-10 devices to verify on, or upload without verification.`,
      });
    }
  } else if (!upload.firmwareId.trim()) {
    throw new OtaError('invalid-input', say`No firmware id given.`);
  }
  if (guard) {
    checkGuard(guard);
    if (!job) throw new OtaError('invalid-input', say`A rollout guard needs an upgrade job to watch.`);
  }
  if (!job) return undefined;
  const resolved = await resolveJobPlan(job);
  checkJobPlan(resolved);
  return resolved;
}

export async function deploy(client: AliyunOtaClient, plan: DeployPlan, options: DeployOptions = {}): Promise<DeployResult> {
  const { signal } = options;
  const state: DeployState = { stage: 'validate', version: isExisting(plan.upload) ? undefined : plan.upload.version };
  const step = (stage: DeployState['stage']): void => {
    state.stage = stage;
    throwIfAborted(signal);
  };
  try {
    const job = await checkPlan(plan);
    throwIfAborted(signal);

    let firmwareId: string;
    let productKey: string | null;
    let builtImage: string | null = null;
    let verifyJobId: string | null = null;
    if (isExisting(plan.upload)) {
      const existing = await useExisting(client, plan.upload.firmwareId, plan.verify, !!job, state, options);
      ({ firmwareId, productKey, verifyJobId } = existing);
      state.version = existing.firmware.version;
    } else {
      let file = plan.upload.file;
      if (!file) {
        step('build');
        file = builtImage = await buildImage(plan.build!, options);
      }
      step('hash');
      const uploaded = await uploadFirmware(client, { ...plan.upload, file }, { ...options, verify: plan.verify });
      ({ firmwareId, productKey, verifyJobId } = uploaded);
    }
    state.firmwareId = firmwareId;
    if (verifyJobId) state.verifyJobId = verifyJobId;

    let jobId: string | null = null;
    let rollout: RolloutResult | null = null;
    if (job) {
      step('create-job');
      options.onStep?.({
        stage: 'create-job',
        state: 'started',
        message: job.dynamic ? say`Creating a dynamic ${job.target} upgrade job` : say`Creating a static ${job.target} upgrade job`,
      });
      jobId = (await createJob(client, firmwareId, productKey ?? '', job)).jobId;
      state.jobId = jobId;
      options.onStep?.({ stage: 'create-job', state: 'done', message: say`Job ${jobId} created` });
      if (plan.follow || plan.guard) {
        step('follow');
        options.onStep?.({ stage: 'follow', state: 'started', message: say`Following job ${jobId}` });
        rollout = await followRollout(client, jobId, { ...options, guard: plan.guard });
        options.onStep?.({ stage: 'follow', state: 'done', message: describeRollout(rollout) });
      }
    }
    const version = state.version ?? '';
    return {
      firmwareId,
      version,
      productKey,
      uploaded: !isExisting(plan.upload),
      builtImage,
      verifyJobId,
      jobId,
      rollout,
      summary: summarize(version, firmwareId, !isExisting(plan.upload), jobId, rollout),
    };
  } catch (error) {
    throw error instanceof DeployError ? error : new DeployError(state, error);
  }
}

/** Existing firmware: its product and version; verified first when it must be and devices were given. */
async function useExisting(
  client: AliyunOtaClient,
  firmwareId: string,
  verify: VerifyPlan | undefined,
  forJob: boolean,
  state: DeployState,
  options: DeployOptions,
): Promise<{ firmwareId: string; productKey: string | null; verifyJobId: string | null; firmware: Firmware }> {
  const firmware = await client.getFirmware(firmwareId, { signal: options.signal });
  state.version = firmware.version;
  state.firmwareId = firmware.id;
  state.stage = 'verify';
  const result = { firmwareId: firmware.id, productKey: firmware.productKey, verifyJobId: null as string | null, firmware };
  if (firmware.status === 'VERIFYING') {
    const running = (await client.listJobsByFirmware(firmwareId, { signal: options.signal })).find(
      (j) => j.type === 'VERIFY_FIRMWARE' && isRunning(j),
    );
    if (running) {
      options.onStep?.({ stage: 'verify', state: 'started', message: say`Waiting for verify job ${running.id}` });
      result.firmware = await waitForVerification(client, firmwareId, running.id, options);
      result.verifyJobId = running.id;
      return result;
    }
  }
  if ((firmware.status === 'UNVERIFIED' || firmware.status === 'VERIFICATION_FAILED') && verify) {
    if (!firmware.productKey) throw new OtaError('invalid-input', say`Firmware ${firmwareId} belongs to no product: it cannot be verified.`);
    const verified = await verifyFirmware(client, { firmwareId, productKey: firmware.productKey, version: firmware.version, ...verify }, options);
    result.verifyJobId = verified.verifyJobId;
    result.firmware = verified.firmware;
    return result;
  }
  if (forJob && firmware.status !== 'VERIFIED' && firmware.status !== 'NO_VERIFICATION_NEEDED') {
    throw new OtaError('failed', say`firmware ${firmwareId} is ${String(firmware.status).toLowerCase().replace(/_/g, ' ')}`, {
      hint: say`Name devices to verify it on first.`,
    });
  }
  if (forJob && !firmware.productKey) throw new OtaError('invalid-input', say`Firmware ${firmwareId} belongs to no product: name the product for the job.`);
  return result;
}

export function describeRollout(r: RolloutResult): string {
  const s = r.snapshot;
  const counts = say`${s.succeeded} succeeded, ${s.failed} failed${s.canceled ? say`, ${s.canceled} canceled` : ''} of ${s.total}`;
  if (r.outcome === 'stopped-by-guard') return say`Job ${s.job.id} stopped by the rollout guard: ${r.guard?.reason ?? ''}; ${counts}`;
  return say`Job ${s.job.id} ${s.job.status}: ${counts}`;
}

function summarize(version: string, firmwareId: string, uploaded: boolean, jobId: string | null, rollout: RolloutResult | null): string {
  if (!jobId) return uploaded ? say`Firmware ${version} uploaded as ID ${firmwareId}.` : say`Firmware ${version} is ID ${firmwareId}.`;
  if (!rollout) {
    return uploaded
      ? say`Firmware ${version} uploaded as ID ${firmwareId}; job ${jobId} created.`
      : say`Firmware ${version} is ID ${firmwareId}; job ${jobId} created.`;
  }
  const described = describeRollout(rollout);
  return uploaded
    ? say`Firmware ${version} uploaded as ID ${firmwareId}; job ${jobId} created; ${described}.`
    : say`Firmware ${version} is ID ${firmwareId}; job ${jobId} created; ${described}.`;
}
