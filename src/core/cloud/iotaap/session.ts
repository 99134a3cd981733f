// The IoTaaP transport: a bearer token (given, or from `POST /auth/login`; one re-login on 401 when the email and
// password are known), retries of what is transient, and HTTP failures turned into OtaErrors without secrets.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { OtaError } from '../../errors';
import { systemClock, type Clock } from '../../net/clock';
import { headerValue, httpRequest, type HttpResponse } from '../../net/http';
import { progressStream, type ProgressListener } from '../../net/multipart';
import { redact } from '../../net/redact';
import { parseRetryAfter, withRetry, withRetryAfter, type RetryPolicy } from '../../net/retry';
import { iotaapError } from './errors';
import { say } from '../../sentences';

export const IOTAAP_BASE_URL = 'https://api.iotaap.io/v1';

export type IotaapLogSink = (level: 'debug' | 'info' | 'warn', message: string) => void;

export interface IotaapClientConfig {
  /** Default https://api.iotaap.io/v1. */
  baseUrl?: string;
  token?: string;
  email?: string;
  password?: string;
  /** Per request; default 20 s. */
  timeoutMs?: number;
  /** Per upload; default 120 s. */
  uploadTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  random?: () => number;
  dispatcher?: Dispatcher;
  log?: IotaapLogSink;
}

export interface LoginResult {
  token: string;
  userId: string | null;
  role: string | null;
}

export interface IotaapRequest {
  /** What is being done, for messages: "list device OTAs". */
  operation: string;
  method: 'GET' | 'POST';
  /** Below the base URL, e.g. /ota/device. */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  multipart?: { bytes: Uint8Array; contentType: string; onProgress?: ProgressListener };
  /** Extra values to keep out of messages (a device token). */
  secrets?: (string | undefined)[];
  /** False: retried only when throttled or the connection was refused. */
  idempotent: boolean;
  signal?: AbortSignal;
}

export class IotaapSession {
  readonly baseUrl: string;
  private readonly config: IotaapClientConfig;
  private currentToken: string | undefined;
  private pendingLogin: Promise<LoginResult> | undefined;

  constructor(config: IotaapClientConfig) {
    this.config = config;
    const base = (config.baseUrl?.trim() || IOTAAP_BASE_URL).replace(/\/+$/, '');
    const protocol = URL.canParse(base) ? new URL(base).protocol : '';
    if (protocol !== 'https:' && protocol !== 'http:') {
      throw new OtaError('invalid-input', say`The IoTaaP API address "${String(config.baseUrl)}" is not an http(s) URL.`);
    }
    this.baseUrl = base;
    this.currentToken = config.token || undefined;
    if (!this.currentToken && !this.canLogin) {
      throw new OtaError('credentials', say`The IoTaaP account has neither a token nor an email and password.`, {
        hint: say`Enter an API token, or the email and password of the account.`,
      });
    }
  }

  get token(): string | undefined {
    return this.currentToken;
  }

  get canLogin(): boolean {
    return Boolean(this.config.email && this.config.password);
  }

  /** How messages name the account. */
  get account(): string {
    return this.config.email || say`the IoTaaP token account`;
  }

  /** `POST /auth/login`; concurrent callers share one login. */
  login(signal?: AbortSignal): Promise<LoginResult> {
    if (!this.canLogin) {
      return Promise.reject(
        new OtaError('credentials', say`The IoTaaP token was refused and no email and password are configured to log in again.`, {
          hint: say`Enter a new token (IoTaaP tokens expire after 30 days), or the email and password.`,
        }),
      );
    }
    this.pendingLogin ??= this.doLogin(signal).finally(() => (this.pendingLogin = undefined));
    return this.pendingLogin;
  }

  private async doLogin(signal?: AbortSignal): Promise<LoginResult> {
    const request: IotaapRequest = {
      operation: say`log in`,
      method: 'POST',
      path: '/auth/login',
      json: { email: this.config.email, password: this.config.password, rememberMe: true },
      idempotent: true,
      signal,
    };
    const res = await this.exchange(request, undefined);
    if (res.status < 200 || res.status >= 300) throw this.failure(res, request, true);
    const body = parseJson(res.text) as { token?: unknown; user?: { id?: unknown; role?: unknown } } | undefined;
    if (!body || typeof body.token !== 'string' || !body.token) {
      throw new OtaError('unexpected-response', say`IoTaaP answered the login without a token.`, {
        httpStatus: res.status,
        hint: say`Check the IoTaaP API address.`,
      });
    }
    this.currentToken = body.token;
    this.log('info', say`IoTaaP: logged in as ${this.account}`);
    return {
      token: body.token,
      userId: typeof body.user?.id === 'string' ? body.user.id : null,
      role: typeof body.user?.role === 'string' ? body.user.role : null,
    };
  }

  /** One authenticated request; resolves with a 2xx answer's JSON, rejects with an OtaError otherwise. */
  async request(r: IotaapRequest): Promise<unknown> {
    if (!this.currentToken) await this.login(r.signal);
    let res = await this.sendWithRetry(r);
    if (res.status === 401 && this.canLogin) {
      this.log('info', say`IoTaaP: token refused while trying to ${r.operation}; logging in again`);
      await this.login(r.signal);
      res = await this.sendWithRetry(r);
    }
    if (res.status < 200 || res.status >= 300) throw this.failure(res, r, false);
    const body = parseJson(res.text);
    if (body === undefined) {
      throw new OtaError('unexpected-response', say`IoTaaP answered "${r.operation}" with something other than JSON (HTTP ${res.status}).`, {
        httpStatus: res.status,
        hint: say`Check the IoTaaP API address ${this.baseUrl}.`,
      });
    }
    return body;
  }

  log(level: 'debug' | 'info' | 'warn', message: string): void {
    this.config.log?.(level, redact(message, this.secrets()));
  }

  private sendWithRetry(r: IotaapRequest): Promise<HttpResponse> {
    return withRetry(
      async () => {
        const res = await this.exchange(r, this.currentToken);
        if (res.status === 429 || (r.idempotent && res.status >= 500)) {
          throw withRetryAfter(this.failure(res, r, false), parseRetryAfter(headerValue(res.headers, 'retry-after')));
        }
        return res;
      },
      {
        ...this.config.retry,
        signal: r.signal,
        clock: this.config.clock,
        random: this.config.random,
        shouldRetry: (error) => isRetryable(error, r.idempotent),
        onRetry: ({ attempt, delayMs, error }) =>
          this.log('warn', say`IoTaaP: ${r.operation}: ${error instanceof OtaError ? error.kind : 'error'}; attempt ${attempt + 1} in ${delayMs} ms`),
      },
    );
  }

  private exchange(r: IotaapRequest, token: string | undefined): Promise<HttpResponse> {
    const url = new URL(this.baseUrl + r.path);
    for (const [k, v] of Object.entries(r.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | Readable | null = null;
    if (r.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(r.json);
    } else if (r.multipart) {
      headers['content-type'] = r.multipart.contentType;
      headers['content-length'] = String(r.multipart.bytes.length);
      body = progressStream(r.multipart.bytes, r.multipart.onProgress);
    }
    return httpRequest({
      url,
      method: r.method,
      headers,
      body,
      timeoutMs: r.multipart ? (this.config.uploadTimeoutMs ?? 120_000) : (this.config.timeoutMs ?? 20_000),
      signal: r.signal,
      dispatcher: this.config.dispatcher,
      clock: this.config.clock ?? systemClock,
      service: 'IoTaaP',
      networkHint: () => say`Check the IoTaaP API address ${this.baseUrl} and your network connection.`,
    });
  }

  private failure(res: HttpResponse, r: IotaapRequest, login: boolean): OtaError {
    return iotaapError({
      operation: r.operation,
      account: this.account,
      status: res.status,
      text: res.text,
      secrets: this.secrets(r.secrets),
      login,
    });
  }

  private secrets(extra: (string | undefined)[] = []): (string | undefined)[] {
    return [this.currentToken, this.config.token, this.config.password, ...extra];
  }
}

function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (!(error instanceof OtaError)) return false;
  if (error.kind === 'throttled') return true;
  if (error.kind === 'network') return idempotent ? error.code !== 'ENOTFOUND' : error.code === 'ECONNREFUSED';
  return idempotent && error.kind === 'service-unavailable';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
