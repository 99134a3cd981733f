// DeployError: a step of a deploy failed or was cancelled, and the message says exactly what exists in the cloud now
// (e.g. "Firmware 1.4.2 uploaded as ID …, job not created: …; run Deploy on it to continue").
import { OtaError, errorMessage } from '../errors';
import { say, withoutFullStop } from '../sentences';

export type DeployStage =
  | 'validate'
  | 'build'
  | 'hash'
  | 'upload'
  | 'create-firmware'
  | 'verify'
  | 'create-job'
  | 'follow';

/** What exists in the cloud when a deploy stops. */
export interface DeployState {
  stage: DeployStage;
  version?: string;
  firmwareId?: string;
  verifyJobId?: string;
  jobId?: string;
  /** CreateOTAFirmware failed in a way that leaves open whether the service created it (network, timeout). */
  firmwareUncertain?: boolean;
}

export class DeployError extends OtaError {
  readonly stage: DeployStage;
  readonly firmwareId: string | undefined;
  readonly verifyJobId: string | undefined;
  readonly jobId: string | undefined;
  readonly version: string | undefined;

  constructor(state: DeployState, cause: unknown) {
    const base = cause instanceof OtaError ? cause : undefined;
    super(base?.kind ?? 'failed', describeDeployFailure(state, cause), {
      code: base?.code,
      requestId: base?.requestId,
      httpStatus: base?.httpStatus,
      hint: base?.hint,
      cause,
    });
    this.name = 'DeployError';
    this.stage = state.stage;
    this.firmwareId = state.firmwareId;
    this.verifyJobId = state.verifyJobId;
    this.jobId = state.jobId;
    this.version = state.version;
  }
}

/** The reason without its hint, which DeployError keeps separately. */
function reason(cause: unknown): string {
  if (cause instanceof OtaError) {
    if (cause.kind === 'cancelled') return say`cancelled`;
    return withoutFullStop(cause.message);
  }
  return withoutFullStop(errorMessage(cause));
}

const STAGE_WORDS: Record<DeployStage, () => string> = {
  validate: () => say`checking the input`,
  build: () => say`building`,
  hash: () => say`reading the firmware file`,
  upload: () => say`uploading`,
  'create-firmware': () => say`creating the firmware`,
  verify: () => say`verifying the firmware`,
  'create-job': () => say`creating the upgrade job`,
  follow: () => say`following the rollout`,
};

export function describeDeployFailure(state: DeployState, cause: unknown): string {
  const why = reason(cause);
  // The firmware as the sentence names it: "Firmware 1.4.2" at its start, "firmware 1.4.2" inside it.
  const fw = state.version ? say`firmware ${state.version}` : say`the firmware`;
  const Fw = state.version ? say`Firmware ${state.version}` : say`The firmware`;
  if (state.jobId) {
    return say`${Fw} (ID ${state.firmwareId ?? '?'}) is rolling out in job ${state.jobId}, which keeps running in the cloud; following it stopped: ${why}.`;
  }
  if (state.firmwareId) {
    const verify = state.verifyJobId ? say` (verify job ${state.verifyJobId})` : '';
    if (state.stage === 'verify') {
      return say`${Fw} uploaded as ID ${state.firmwareId}${verify}, not verified: ${why}; no upgrade job was created. Run Deploy on it to continue.`;
    }
    return say`${Fw} uploaded as ID ${state.firmwareId}${verify}, job not created: ${why}; run Deploy on it to continue.`;
  }
  if (state.stage === 'create-firmware') {
    if (state.firmwareUncertain) {
      return say`The file was uploaded, but whether ${fw} was created is unknown: ${why}. Check the firmware list for version ${state.version ?? '?'} before uploading again.`;
    }
    return say`The file was uploaded but ${fw} was not created: ${why}. Nothing else was created.`;
  }
  return say`Deploy stopped while ${STAGE_WORDS[state.stage]()}: ${why}. Nothing was created in the cloud.`;
}
