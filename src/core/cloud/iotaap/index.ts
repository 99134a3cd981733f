// The IoTaaP client: what the extension and the CLI use from this folder.
export {
  IotaapClient,
  IOTAAP_PAGE_SIZE,
  type ListOtasOptions,
  type DeployOptions,
  type DeviceDeployOptions,
  type GroupDeployOptions,
} from './client';
export { IOTAAP_BASE_URL, type IotaapClientConfig, type IotaapLogSink, type LoginResult } from './session';
export { mapDeviceOta, mapOtaPage, type DeviceOtaPage } from './mapping';
export { isSemver } from './validate';
