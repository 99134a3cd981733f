// Turn one HTTP answer of the RPC API into normalised JSON, or into the typed error it stands for.
import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { headerValue, type HttpResponse } from '../../net/http';
import { excerpt, redact } from '../../net/redact';
import { parseRetryAfter, withRetryAfter } from '../../net/retry';
import { serviceError } from './errors';
import { bool, isObject, normalizeKeys, text, type Json, type JsonObject } from './normalize';

export interface ResponseContext {
  action: string;
  account: string;
  service: string;
  /** Never to appear in a message. */
  secrets: readonly string[];
}

const OK_CODES = new Set(['200', 'OK', 'Success', 'success']);
const MAX_MESSAGE = 300;

export function parseRpcResponse(res: HttpResponse, ctx: ResponseContext): JsonObject {
  const retryAfterMs = parseRetryAfter(headerValue(res.headers, 'retry-after'));
  let parsed: Json | undefined;
  try {
    parsed = JSON.parse(res.text) as Json;
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) {
    const ex = excerpt(res.text, ctx.secrets);
    if (res.status >= 500) {
      const error = new OtaError(
        'service-unavailable',
        say`${ctx.service} failed to answer ${ctx.action}: HTTP ${res.status}${ex ? ` "${ex}"` : ''}`,
        { httpStatus: res.status, hint: say`The service has a problem right now; try again in a minute.` },
      );
      throw withRetryAfter(error, retryAfterMs);
    }
    throw new OtaError(
      'unexpected-response',
      say`${ctx.service} answered ${ctx.action} with something other than the JSON its API documents (HTTP ${res.status}): "${ex}"`,
      {
        httpStatus: res.status,
        hint: say`Check the endpoint URL: it must point to an Alibaba IoT (or compatible) RPC endpoint.`,
      },
    );
  }
  const body = normalizeKeys(parsed) as JsonObject;
  const code = text(body, 'Code') ?? undefined;
  const success = bool(body, 'Success');
  const failed = res.status >= 400 || success === false || (success === null && code !== undefined && !OK_CODES.has(code));
  if (!failed) return body;
  const message = text(body, 'ErrorMessage') ?? text(body, 'Message') ?? undefined;
  const error = serviceError({
    action: ctx.action,
    account: ctx.account,
    service: ctx.service,
    httpStatus: res.status,
    code,
    message: message === undefined ? undefined : truncate(redact(message, ctx.secrets)),
    requestId: text(body, 'RequestId') ?? undefined,
  });
  return throwWith(error, retryAfterMs);
}

function throwWith(error: OtaError, retryAfterMs: number | undefined): never {
  throw withRetryAfter(error, retryAfterMs);
}

function truncate(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE - 1)}…` : one;
}
