// The local sandbox: an emulation of Alibaba Cloud IoT OTA, OSS and IoTaaP on a loopback port, with demo data.
export { startSandbox, type Sandbox, type SandboxCredentials, type SandboxOptions } from './server';
export {
  endpointOfNote,
  findRunningSandbox,
  openSharedSandbox,
  removeRunningNote,
  RUNNING_NOTE_FILE,
  writeRunningNote,
  type RunningNote,
  type SandboxEndpoint,
  type SharedSandbox,
  type SharedSandboxOptions,
} from './shared';
export { LockHeldError } from './state/fsAtomic';
export type { SandboxLog, SandboxLogLevel, SandboxStats } from './context';
export type { FaultKind, FaultSpec, FaultTarget } from './faults';
export type { SandboxBulkSeed } from './seed/seed';
export { fleetProfile } from './seed/fleet';
export type { DeviceProfile, FailureRule, FirmwareOutcome } from './simulation/fleetRules';
export {
  QPS_LIMITS,
  SANDBOX_DEMO,
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_SECRET,
  SANDBOX_IOTAAP_DEVICES,
  SANDBOX_IOTAAP_EMAIL,
  SANDBOX_IOTAAP_GROUP_ID,
  SANDBOX_IOTAAP_PASSWORD,
  SANDBOX_IOTAAP_TOKEN,
  SANDBOX_OSS_BUCKET,
  SANDBOX_REGION_ID,
  type SandboxIotaapDevice,
} from './constants';
