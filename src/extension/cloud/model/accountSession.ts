// One connected account as the tree sees it: an Alibaba-style OTA service, an IoTaaP client, or both (the sandbox).
import type { AliyunOtaClient } from '../../../core/cloud/aliyun';
import type { OtaService } from '../../../core/cloud/provider';
import type { IotaapClient } from '../../../core/cloud/iotaap';
import type { ProviderKind } from '../../../core/model';


export interface AccountSession {
  readonly id: string;
  readonly label: string;
  readonly kind: ProviderKind;
  /** "Alibaba Cloud · cn-shanghai", "IoTaaP", "local sandbox". */
  readonly detail: string;
  /** Firmware, jobs and tasks (Alibaba and compatible endpoints, the sandbox). */
  readonly ota?: OtaService;
  /** The same service with its write operations (upload, jobs), for Alibaba-style accounts. */
  readonly aliyun?: AliyunOtaClient;
  /** Device OTAs (IoTaaP, the sandbox). */
  readonly iotaap?: IotaapClient;
  /** Set when the account cannot be used as configured (e.g. no secret stored): what is wrong and what to do. */
  readonly problem?: string;
}
