// One HTTP exchange over undici with a timeout, the caller's cancellation, and failures to connect turned into
// typed errors. Any HTTP status is a response here: what a status means is the caller's business.
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { OtaError } from '../errors';
import { cancelledError, systemClock, type Clock } from './clock';
import { say } from '../sentences';

export interface HttpRequest {
  url: string | URL;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string | Uint8Array | Readable | null;
  /** Covers the whole exchange, the body of the answer included. */
  timeoutMs: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  clock?: Clock;
  /** Names the service in messages, e.g. "Alibaba Cloud IoT". */
  service: string;
  /** What to tell the user when the service cannot be reached (by error code, e.g. ENOTFOUND). */
  networkHint?: (code: string | undefined) => string | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Said when used, so that the sentence they go into finds them said. */
const NETWORK_REASONS: Record<string, () => string> = {
  ECONNREFUSED: () => say`connection refused`,
  ENOTFOUND: () => say`host not found`,
  EAI_AGAIN: () => say`name lookup failed`,
  ECONNRESET: () => say`connection reset`,
  EPIPE: () => say`connection closed`,
  UND_ERR_SOCKET: () => say`connection closed unexpectedly`,
  UND_ERR_CLOSED: () => say`connection closed`,
  ETIMEDOUT: () => say`connection timed out`,
  UND_ERR_CONNECT_TIMEOUT: () => say`connection timed out`,
  EHOSTUNREACH: () => say`host unreachable`,
  ENETUNREACH: () => say`network unreachable`,
  CERT_HAS_EXPIRED: () => say`its TLS certificate has expired`,
  DEPTH_ZERO_SELF_SIGNED_CERT: () => say`its TLS certificate is self-signed`,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: () => say`its TLS certificate cannot be verified`,
  ERR_TLS_CERT_ALTNAME_INVALID: () => say`its TLS certificate does not match the host name`,
};

/** The system error code behind an undici failure (`fetch failed`-style wrappers keep it in `cause`). */
export function networkErrorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) e = errors[0];
    else e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function hostOf(url: string | URL): string {
  try {
    return new URL(url).host;
  } catch {
    return String(url);
  }
}

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  if (req.signal?.aborted) throw cancelledError();
  const clock = req.clock ?? systemClock;
  const controller = new AbortController();
  let timedOut = false;
  const cancelTimer = clock.schedule(req.timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  const onCallerAbort = (): void => controller.abort();
  req.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      signal: controller.signal,
      dispatcher: req.dispatcher,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  } catch (error) {
    if (req.signal?.aborted) throw cancelledError();
    if (timedOut) {
      throw new OtaError('timeout', say`${req.service} did not answer within ${formatSeconds(req.timeoutMs)}.`, {
        hint: say`It may be slow or unreachable; try again later.`,
        cause: error,
      });
    }
    const code = networkErrorCode(error);
    const reason = (code && NETWORK_REASONS[code]?.()) ?? (code ? say`error ${code}` : say`the connection failed`);
    throw new OtaError('network', say`Could not reach ${req.service} at ${hostOf(req.url)}: ${reason}.`, {
      code,
      hint: req.networkHint?.(code) ?? say`Check the address and your network connection.`,
      cause: error,
    });
  } finally {
    cancelTimer();
    req.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? say`${Math.round(ms / 100) / 10} s` : say`${ms} ms`;
}

/** The first value of a response header. */
export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
