// Fixed, public facts of the local sandbox: its demo credentials (they protect nothing but loopback demo data),
// the limits it enforces (the documented limits of Alibaba Cloud IoT and OSS) and its demo IoTaaP identities.
import { OTA_QPS } from '../aliyun/rateLimits';

/** The one Alibaba-style account the sandbox knows. Public on purpose: the sandbox only holds demo data. */
export const SANDBOX_ACCESS_KEY_ID = 'sandbox-access-key-id';
export const SANDBOX_ACCESS_KEY_SECRET = 'sandbox-access-key-secret';
export const SANDBOX_REGION_ID = 'cn-shanghai';

/** The OSS key pair the sandbox signs upload policies and download URLs with (Alibaba's own, never the user's). */
export const SANDBOX_OSS_ACCESS_KEY_ID = 'sandbox-oss-access-key-id';
export const SANDBOX_OSS_ACCESS_KEY_SECRET = 'sandbox-oss-access-key-secret';
export const SANDBOX_OSS_BUCKET = 'iotx-ota-sandbox';

/** The IoTaaP demo user, and a long-lived API token for it (what `IOTAAP_TOKEN` would hold). */
export const SANDBOX_IOTAAP_EMAIL = 'demo@sandbox.local';
export const SANDBOX_IOTAAP_PASSWORD = 'sandbox';
export const SANDBOX_IOTAAP_USER_ID = '5e10fc5e77ba18070312e171';
export const SANDBOX_IOTAAP_TOKEN = 'sandbox-iotaap-api-token';

export interface SandboxIotaapDevice {
  id: string;
  name: string;
  token: string;
}

/** The IoTaaP demo devices (ids are 24-hex object ids, tokens the 12-character device tokens IoTaaP hands out). */
export const SANDBOX_IOTAAP_DEVICES: readonly SandboxIotaapDevice[] = [
  { id: '5e1b57808711f904f5df4bad', name: 'greenhouse-1', token: 'FSXuSmJRiJ4v' },
  { id: '5e1b57808711f904f5df4bae', name: 'greenhouse-2', token: 'Kq7TbW2mZx9L' },
  { id: '5e1b57808711f904f5df4baf', name: 'greenhouse-3', token: 'Pz4NcY8vHs1D' },
  { id: '5e1b57808711f904f5df4bb0', name: 'garage-door', token: 'Ma3RfU6kQe0W' },
  { id: '5e1b57808711f904f5df4bb1', name: 'water-meter', token: 'Tj9GdL5pVb2X' },
  { id: '5e1b57808711f904f5df4bb2', name: 'spare-board', token: 'Hn1KwE7sCy4F' },
];
export const SANDBOX_IOTAAP_GROUP_ID = '5e1c0a1f8711f904f5df4c01';

export const API_VERSION = '2018-01-20';

/** Per-operation QPS limits of Alibaba Cloud IoT (per account), enforced over any sliding one-second window: the
 * documented table the client also obeys. */
export const QPS_LIMITS: Readonly<Record<string, number>> = OTA_QPS;
/** The sandbox answers operations without a documented limit at this rate (the client paces them at DEFAULT_QPS). */
export const DEFAULT_QPS_LIMIT = 10;

export const LIMITS = {
  firmwarePerAccount: 500,
  /** OSS upload size limit of the OTA upload policy. */
  uploadMaxBytes: 1000 * 1024 * 1024,
  /** Upload credentials from GenerateOTAUploadURL are valid this long. */
  uploadPolicyMs: 60_000,
  /** Pre-signed download URLs returned by QueryOTAFirmware stay valid this long. */
  downloadUrlMs: 3_600_000,
  /** Requests whose Timestamp is further than this from the server's clock are refused. */
  timestampSkewMs: 15 * 60_000,
  /** Largest RPC request body (form parameters). */
  rpcBodyBytes: 1024 * 1024,
  /** IoTaaP bearer tokens from /auth/login. */
  iotaapTokenMs: 30 * 24 * 3_600_000,
} as const;

/** Product keys, device names and group ids of the seeded account, for tests and docs. */
export const SANDBOX_DEMO = {
  plug: { productKey: 'a1PlugEsp32', productName: 'Smart Plug', devicePrefix: 'plug-', devices: 300, module: 'default' },
  weather: { productKey: 'a1WthrStm32', productName: 'Weather Station', devicePrefix: 'wx-', devices: 40, module: 'mcu' },
  bench: { productKey: 'a1BenchLoad', productName: 'Bench Sensor', devicePrefix: 'bench-' },
  /** A fleet for staged rollouts: three hardware revisions, some slow and some offline devices (seed/fleet.ts). */
  fleet: { productKey: 'a1FleetPlug', productName: 'Smart Plug Fleet', devicePrefix: 'fleet-', devices: 2400, module: 'default' },
  groups: { betaTesters: 'grpBetaTesters01', office: 'grpOfficePlugs01', rooftop: 'grpRooftopWx0001' },
} as const;
