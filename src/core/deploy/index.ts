// Build, upload and deploy (issue 4), for the extension and the CLI: the Alibaba upload, upgrade jobs and their
// actions, following a rollout with its guard, the whole pipeline, and IoTaaP deploys.
export { DeployError, describeDeployFailure, type DeployStage, type DeployState } from './errors';
export { type DeployProgress, type DeployStep, type StepReporting } from './events';
export { MAX_UPLOAD_BYTES, digestFile, firmwareFileSize, type FileDigest } from './fileDigest';
export { POLICY_EXPIRED, ossError, policyFields, postObject, type PostObjectOptions } from './ossPost';
export { DEFAULT_POLL_INTERVAL_MS, type PollOptions } from './poll';
export {
  checkUploadInput,
  defaultFirmwareName,
  fileSuffixOf,
  uploadFirmware,
  verifyFirmware,
  type FirmwareUploadInput,
  type UploadedFirmware,
  type UploadOptions,
  type VerifyInput,
  type VerifyPlan,
} from './upload';
export { waitForVerification } from './verify';
export {
  cancelDynamicStrategy,
  cancelTasks,
  checkJobPlan,
  confirmTasks,
  createJob,
  deleteFirmware,
  isRunning,
  parseCancelStates,
  parseDeviceList,
  readDeviceFile,
  resolveJobPlan,
  retryFailedTasks,
  type ConfirmTasksOptions,
  type CreatedUpgradeJob,
  type JobPlan,
  type RetryTasksOptions,
} from './jobs';
export {
  checkGuard,
  followRollout,
  guardReason,
  snapshotOf,
  takeSnapshot,
  type FollowOptions,
  type GuardTrip,
  type RolloutGuard,
  type RolloutOutcome,
  type RolloutResult,
  type RolloutSnapshot,
} from './rollout';
export { buildImage, type BuildPlan } from './buildStep';
export {
  deploy,
  describeRollout,
  type DeployOptions,
  type DeployPlan,
  type DeployResult,
  type ExistingFirmware,
  type NewFirmware,
} from './pipeline';
export {
  IOTAAP_VERSION_NOTE,
  checkIotaapInput,
  deployToIotaap,
  type IotaapDeployInput,
  type IotaapDeployResult,
} from './iotaap';
