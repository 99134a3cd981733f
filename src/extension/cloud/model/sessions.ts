// Turns configured accounts into connected sessions (clients built from settings + SecretStorage), and keeps one
// per account so that rate limits are shared and nothing is rebuilt on every tree refresh.
import { AliyunOtaClient } from '../../../core/cloud/aliyun';
import { IotaapClient } from '../../../core/cloud/iotaap';
import type { AccountStore } from '../../accounts/accountStore';
import { SANDBOX_ACCOUNT_ID, type AccountSettings } from '../../accounts/accountTypes';
import type { Log } from '../../common/log';
import type { SandboxHost } from '../../sandbox/sandboxHost';
import type { AccountSession } from './accountSession';

export function describeAccount(a: AccountSettings): string {
  if (a.provider === 'aliyun') {
    const host = a.endpoint ? safeHost(a.endpoint) : undefined;
    return host ? `Alibaba-compatible · ${host}` : `Alibaba Cloud · ${a.regionId}`;
  }
  return a.baseUrl ? `IoTaaP · ${safeHost(a.baseUrl) ?? a.baseUrl}` : 'IoTaaP';
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

export class Sessions {
  private readonly cache = new Map<string, Promise<AccountSession>>();

  constructor(
    private readonly store: AccountStore,
    private readonly sandbox: SandboxHost,
    private readonly log: Log,
  ) {}

  /** Forgets every session (after an account was edited or removed). */
  clear(): void {
    this.cache.clear();
  }

  forget(accountId: string): void {
    this.cache.delete(accountId);
  }

  get(accountId: string): Promise<AccountSession> {
    let s = this.cache.get(accountId);
    if (!s) {
      s = this.create(accountId);
      this.cache.set(accountId, s);
      // A failed start (e.g. the sandbox's port was busy) is tried again next time.
      s.catch(() => this.cache.delete(accountId));
    }
    return s;
  }

  private async create(accountId: string): Promise<AccountSession> {
    const logSink = (level: 'debug' | 'info' | 'warn', message: string) =>
      level === 'warn' ? this.log.warn(message) : this.log.debug(message);
    if (accountId === SANDBOX_ACCOUNT_ID) {
      const sb = await this.sandbox.get();
      const c = sb.credentials;
      const ota = new AliyunOtaClient({
        accessKeyId: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        regionId: c.regionId,
        endpoint: sb.aliyunEndpoint,
        accountLabel: 'Sandbox',
        log: logSink,
      });
      return {
        id: accountId,
        label: 'Sandbox',
        kind: 'sandbox',
        detail: `local · ${sb.url.replace(/^http:\/\//, '')}`,
        ota,
        aliyun: ota,
        iotaap: new IotaapClient({ baseUrl: sb.iotaapBaseUrl, email: c.iotaap.email, password: c.iotaap.password, log: logSink }),
      };
    }
    const account = this.store.get(accountId);
    if (!account) throw new Error(`Account ${accountId} is no longer configured.`);
    const base = { id: account.id, label: account.label, detail: describeAccount(account) };
    if (account.provider === 'aliyun') {
      const secret = await this.store.secret(account.id, 'accessKeySecret');
      if (!secret) {
        return { ...base, kind: 'aliyun', problem: `No AccessKey secret is stored for "${account.label}": edit the account to enter it.` };
      }
      const ota = new AliyunOtaClient({
        accessKeyId: account.accessKeyId,
        accessKeySecret: secret,
        regionId: account.regionId,
        ...(account.endpoint ? { endpoint: account.endpoint } : {}),
        ...(account.iotInstanceId ? { iotInstanceId: account.iotInstanceId } : {}),
        accountLabel: account.label,
        log: logSink,
      });
      return { ...base, kind: 'aliyun', ota, aliyun: ota };
    }
    const token = account.email ? undefined : await this.store.secret(account.id, 'token');
    const password = account.email ? await this.store.secret(account.id, 'password') : undefined;
    if (!token && !password) {
      const what = account.email ? `password for ${account.email}` : 'token';
      return { ...base, kind: 'iotaap', problem: `No ${what} is stored for "${account.label}": edit the account to enter it.` };
    }
    return {
      ...base,
      kind: 'iotaap',
      iotaap: new IotaapClient({
        ...(account.baseUrl ? { baseUrl: account.baseUrl } : {}),
        ...(token ? { token } : {}),
        ...(account.email && password ? { email: account.email, password } : {}),
        log: logSink,
      }),
    };
  }
}
