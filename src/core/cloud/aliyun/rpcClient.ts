// The Alibaba Cloud IoT RPC client: signs each call (SignatureVersion 1.0), keeps to the operation's QPS limit,
// retries what is transient, and returns the answer with normalised keys. Every operation goes through `call`.
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { systemClock, type Clock } from '../../net/clock';
import { httpRequest, type HttpRequest, type HttpResponse } from '../../net/http';
import type { RateLimiterRegistry } from '../../net/rateLimiter';
import { redact } from '../../net/redact';
import { withRetry, type RetryPolicy } from '../../net/retry';
import { isTransientCode } from './errors';
import type { JsonObject } from './normalize';
import { commonParams, flattenParams, formEncode, resolveEndpoint, type RpcParams } from './params';
import { sharedRateLimiters, type AliyunRateLimitOptions } from './rateLimits';
import { parseRpcResponse } from './response';
import { sign } from './signer';

export type LogLevel = 'debug' | 'info' | 'warn';
export type LogSink = (level: LogLevel, message: string) => void;

export interface AliyunClientConfig {
  accessKeyId: string;
  accessKeySecret: string;
  /** e.g. cn-shanghai. */
  regionId: string;
  /** Any Alibaba-compatible endpoint, e.g. http://127.0.0.1:8080/; default https://iot.<region>.aliyuncs.com/. */
  endpoint?: string;
  /** Sent as IotInstanceId with every call (enterprise instances). */
  iotInstanceId?: string;
  /** How messages name the account; default its AccessKey id. */
  accountLabel?: string;
  /** Default POST (form body). */
  method?: 'POST' | 'GET';
  /** Per attempt; default 20 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  rateLimit?: AliyunRateLimitOptions;
  /** Default: shared by every client of the same endpoint and AccessKey id. */
  limiters?: RateLimiterRegistry;
  clock?: Clock;
  random?: () => number;
  dispatcher?: Dispatcher;
  log?: LogSink;
}

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Default true. A call that must not run twice (creating something) is retried only when the service surely
   * did not act on it: throttled, or the connection was refused.
   */
  idempotent?: boolean;
  /** This call's HTTP method, overriding the client's (ConfirmOTATask accepts POST only). */
  method?: 'POST' | 'GET';
}

export const DEFAULT_TIMEOUT_MS = 20_000;

export class AliyunRpcClient {
  readonly endpoint: URL;
  /** How messages name this account. */
  readonly account: string;
  readonly service: string;
  private readonly config: AliyunClientConfig;
  private readonly limiters: RateLimiterRegistry;
  private readonly clock: Clock;

  constructor(config: AliyunClientConfig) {
    if (!config.accessKeyId || !config.accessKeySecret) {
      throw new OtaError('credentials', say`The Alibaba Cloud account has no AccessKey id or secret.`, {
        hint: say`Enter both the AccessKey id and its secret.`,
      });
    }
    this.config = config;
    this.endpoint = resolveEndpoint(config.regionId, config.endpoint);
    this.account = config.accountLabel || config.accessKeyId;
    this.service = this.endpoint.hostname.endsWith('.aliyuncs.com')
      ? say`Alibaba Cloud IoT`
      : say`the OTA service`;
    this.clock = config.clock ?? systemClock;
    this.limiters =
      config.limiters ??
      sharedRateLimiters(this.endpoint.href, config.accessKeyId, { ...config.rateLimit, clock: config.clock });
  }

  get regionId(): string {
    return this.config.regionId;
  }

  get iotInstanceId(): string | undefined {
    return this.config.iotInstanceId || undefined;
  }

  /** Call one RPC operation; resolves with the answer (keys in Alibaba's PascalCase) or rejects with an OtaError. */
  async call(action: string, params: RpcParams = {}, options: CallOptions = {}): Promise<JsonObject> {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(action)) throw new OtaError('invalid-input', say`"${action}" is not an operation name.`);
    const idempotent = options.idempotent ?? true;
    let attempts = 0;
    try {
      return await withRetry(
        (attempt) => {
          attempts = attempt;
          return this.attempt(action, params, options.signal, options.method);
        },
        {
          ...this.config.retry,
          signal: options.signal,
          clock: this.clock,
          random: this.config.random,
          shouldRetry: (error) => isRetryable(error, idempotent),
          onRetry: ({ attempt, delayMs, error }) =>
            this.log('warn', say`${action}: ${describeBriefly(error)}; attempt ${attempt + 1} in ${delayMs} ms`),
        },
      );
    } catch (error) {
      throw attempts > 1 ? gaveUp(error, attempts) : error;
    }
  }

  private async attempt(
    action: string,
    params: RpcParams,
    signal: AbortSignal | undefined,
    method?: 'POST' | 'GET',
  ): Promise<JsonObject> {
    const lease = await this.limiters.acquire(action, signal);
    const started = this.clock.now();
    let res: HttpResponse;
    try {
      // Signed after the wait for a slot, so that the timestamp is fresh.
      res = await httpRequest(this.signedRequest(action, params, signal, method));
    } finally {
      lease.release();
    }
    const body = parseRpcResponse(res, {
      action,
      account: this.account,
      service: this.service,
      secrets: [this.config.accessKeySecret],
    });
    const requestId = typeof body.RequestId === 'string' ? body.RequestId : '-';
    this.log('debug', say`${action}: HTTP ${res.status} in ${Math.round(this.clock.now() - started)} ms (request ${requestId})`);
    return body;
  }

  private signedRequest(
    action: string,
    params: RpcParams,
    signal: AbortSignal | undefined,
    methodOverride?: 'POST' | 'GET',
  ): HttpRequest {
    const { accessKeyId, accessKeySecret } = this.config;
    const method = methodOverride ?? this.config.method ?? 'POST';
    const all: Record<string, string> = {
      ...commonParams({ action, accessKeyId, regionId: this.config.regionId, nonce: randomUUID() }),
      ...(this.iotInstanceId ? { IotInstanceId: this.iotInstanceId } : {}),
      ...flattenParams(params),
    };
    let encoded: string;
    try {
      all.Signature = sign(method, all, accessKeySecret);
      encoded = formEncode(all);
    } catch (error) {
      throw new OtaError('invalid-input', say`${action}: a parameter holds text that cannot be encoded as UTF-8.`, {
        cause: error,
      });
    }
    const url = new URL(this.endpoint.href);
    if (method === 'GET') url.search = encoded;
    return {
      url,
      method,
      headers: {
        accept: 'application/json',
        ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: method === 'POST' ? encoded : null,
      timeoutMs: this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal,
      dispatcher: this.config.dispatcher,
      clock: this.clock,
      service: this.service,
      networkHint: (code) => this.networkHint(code),
    };
  }

  private networkHint(code: string | undefined): string {
    if (code === 'ENOTFOUND' && !this.config.endpoint) {
      return say`Check the region "${this.config.regionId}" and your network connection.`;
    }
    return this.config.endpoint
      ? say`Check the endpoint ${this.endpoint.href} and your network connection.`
      : say`Check your network connection (and proxy settings).`;
  }

  /** Log through the configured sink, the secret masked. */
  log(level: LogLevel, message: string): void {
    this.config.log?.(level, redact(message, [this.config.accessKeySecret]));
  }
}

function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (!(error instanceof OtaError)) return false;
  if (error.kind === 'throttled' || isTransientCode(error.code)) return true;
  if (error.kind === 'network') return idempotent ? error.code !== 'ENOTFOUND' : error.code === 'ECONNREFUSED';
  return idempotent && error.kind === 'service-unavailable';
}

function describeBriefly(error: unknown): string {
  return error instanceof OtaError ? `${error.kind}${error.code ? ` (${error.code})` : ''}` : String(error);
}

/** The last error, saying that retrying did not help. */
function gaveUp(error: unknown, attempts: number): unknown {
  if (!(error instanceof OtaError) || !['throttled', 'service-unavailable', 'network'].includes(error.kind)) return error;
  return new OtaError(error.kind, say`${error.message} (gave up after ${attempts} attempts)`, {
    code: error.code,
    requestId: error.requestId,
    httpStatus: error.httpStatus,
    hint: error.hint,
    cause: error,
  });
}
