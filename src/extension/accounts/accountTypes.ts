// Accounts as stored: the non-secret part in the `ota.accounts` setting, the secret part in SecretStorage.

import type { ProviderKind } from '../../core/model';

/** Accounts the user configures; the sandbox needs none. */
export type AccountProvider = Exclude<ProviderKind, 'sandbox'>;

export interface AliyunAccountSettings {
  id: string;
  provider: 'aliyun';
  label: string;
  regionId: string;
  accessKeyId: string;
  /** Enterprise instances only. */
  iotInstanceId?: string;
  /** An Alibaba-compatible endpoint on another host; default https://iot.<region>.aliyuncs.com/. */
  endpoint?: string;
}

export interface IotaapAccountSettings {
  id: string;
  provider: 'iotaap';
  label: string;
  /** Signs in with email + password (secret), or uses a token (secret) when no email is set. */
  email?: string;
  /** Default https://api.iotaap.io/v1. */
  baseUrl?: string;
}

export type AccountSettings = AliyunAccountSettings | IotaapAccountSettings;

/** The built-in sandbox account's id; it is not stored in settings. */
export const SANDBOX_ACCOUNT_ID = 'sandbox';

/** Validates one entry of the `ota.accounts` setting; returns the account or what is wrong with it. */
export function parseAccount(value: unknown): AccountSettings | string {
  if (typeof value !== 'object' || value === null) return 'an entry is not an object';
  const v = value as Record<string, unknown>;
  const str = (k: string) => (typeof v[k] === 'string' && (v[k]).trim() ? (v[k]).trim() : undefined);
  const id = str('id');
  const label = str('label') ?? id;
  if (!id || !label) return 'an entry has no "id"';
  if (id === SANDBOX_ACCOUNT_ID) return `"${SANDBOX_ACCOUNT_ID}" is reserved for the built-in sandbox`;
  if (v.provider === 'aliyun') {
    const regionId = str('regionId');
    const accessKeyId = str('accessKeyId');
    if (!regionId) return `account "${label}" has no "regionId"`;
    if (!accessKeyId) return `account "${label}" has no "accessKeyId"`;
    const out: AliyunAccountSettings = { id, provider: 'aliyun', label, regionId, accessKeyId };
    const instance = str('iotInstanceId');
    const endpoint = str('endpoint');
    if (instance) out.iotInstanceId = instance;
    if (endpoint) out.endpoint = endpoint;
    return out;
  }
  if (v.provider === 'iotaap') {
    const out: IotaapAccountSettings = { id, provider: 'iotaap', label };
    const email = str('email');
    const baseUrl = str('baseUrl');
    if (email) out.email = email;
    if (baseUrl) out.baseUrl = baseUrl;
    return out;
  }
  return `account "${label}" has an unknown provider ${JSON.stringify(v.provider)} (use "aliyun" or "iotaap")`;
}

/** A new account id: provider, a short label slug and a random suffix. */
export function newAccountId(provider: AccountProvider, label: string): string {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24) || 'account';
  return `${provider}-${slug}-${Math.random().toString(36).slice(2, 8)}`;
}
