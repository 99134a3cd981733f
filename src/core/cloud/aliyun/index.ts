// The Alibaba Cloud IoT OTA client: what the extension, the CLI and the sandbox use from this folder.
export { AliyunOtaClient, type AliyunOtaClientOptions } from './otaClient';
export { AliyunRpcClient, DEFAULT_TIMEOUT_MS, type AliyunClientConfig, type CallOptions, type LogSink } from './rpcClient';
export { OTA_QPS, DEFAULT_QPS, qpsFor, sharedRateLimiters, type AliyunRateLimitOptions } from './rateLimits';
export { API_VERSION, flattenParams, formDecode, formEncode, resolveEndpoint, type RpcParams } from './params';
export { normalizeKeys, type Json, type JsonObject } from './normalize';
export { sign, verifySignature, stringToSign, percentEncode, timestamp } from './signer';
export { mapFirmware, mapJob, mapTask } from './mapping';
export {
  AliyunOtaWrites,
  CANCEL_STATES,
  UPLOAD_FILE_SUFFIXES,
  dynamicJobParams,
  staticJobParams,
  type AliyunOtaWritesOptions,
  type BatchOptions,
  type CancelByDeviceInput,
  type CancelState,
  type CreatedFirmware,
  type CreatedJob,
  type CreateFirmwareInput,
  type DeviceListTicket,
  type DynamicUpgradeJobInput,
  type StaticTargetSelection,
  type StaticUpgradeJobInput,
  type UpgradeJobSettings,
  type UploadFileSuffix,
  type UploadTicket,
  type VerifyJobInput,
  type WriteOptions,
} from './otaWrites';
export { explainWriteError, type ErrorContext } from './otaWriteErrors';
export { AliyunDevices, DEVICE_PAGE_SIZE, type DeviceSummary } from './devices';
