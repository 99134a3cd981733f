// The Alibaba IoT RPC endpoint (`/`, GET query or POST form): gateway checks (signature, common parameters, QPS),
// fault injection, then the operation; answers in Alibaba's JSON shapes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, businessError, gatewayError, missingParameter } from './apiError';
import { LIMITS } from '../constants';
import { countError, type SandboxContext } from '../context';
import type { FaultKind } from '../faults';
import { BodyTooLargeError, drain, headerValue, readBody, requestId, sendJson } from '../http';
import { OPERATIONS } from './operations';
import { authenticate } from './auth';
import { Params } from './validation';

const HOST_ID = 'iot.cn-shanghai.aliyuncs.com';

async function readParams(req: IncomingMessage, query: URLSearchParams): Promise<Map<string, string>> {
  const params = new Map<string, string>();
  for (const [k, v] of query) if (!params.has(k)) params.set(k, v);
  if (req.method === 'POST') {
    let body: Buffer;
    try {
      body = await readBody(req, LIMITS.rpcBodyBytes);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        throw gatewayError(413, 'InvalidParameter', `The request body is larger than ${LIMITS.rpcBodyBytes} bytes.`);
      }
      throw e;
    }
    const type = (headerValue(req, 'content-type') ?? '').toLowerCase();
    if (body.length && (type === '' || type.startsWith('application/x-www-form-urlencoded'))) {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) if (!params.has(k)) params.set(k, v);
    }
  }
  return params;
}

function checkInstance(ctx: SandboxContext, params: ReadonlyMap<string, string>): void {
  const given = params.get('IotInstanceId') || undefined;
  if (ctx.iotInstanceId === null) {
    if (given !== undefined) throw businessError('iot.system.InstanceNotFound', `The instance ${given} does not exist.`);
  } else if (given === undefined) {
    throw businessError(
      'iot.system.InstanceNotFound',
      'The products of this account belong to an Enterprise Edition instance: pass its IotInstanceId.',
    );
  } else if (given !== ctx.iotInstanceId) {
    throw businessError('iot.system.InstanceNotFound', `The instance ${given} does not exist.`);
  }
}

function faultError(kind: FaultKind): ApiError {
  switch (kind) {
    case 'unavailable':
      return gatewayError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
    case 'internal':
      return gatewayError(500, 'InternalError', 'The request processing has failed due to some unknown error.');
    case 'throttle':
      return gatewayError(400, 'Throttling.User', 'Request was denied due to user flow control.');
    case 'success-false':
      return businessError('iot.system.SystemException', 'A system exception occurred.');
  }
}

function sendError(ctx: SandboxContext, res: ServerResponse, id: string, e: ApiError): void {
  countError(ctx, e.code);
  const headers = { 'x-acs-request-id': id };
  if (e.business) {
    sendJson(res, 200, { RequestId: id, Success: false, Code: e.code, ErrorMessage: e.message }, headers);
  } else {
    sendJson(
      res,
      e.httpStatus,
      {
        RequestId: id,
        HostId: HOST_ID,
        Code: e.code,
        Message: e.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.code)}`,
      },
      headers,
    );
  }
}

export async function handleAliyunRpc(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const id = requestId();
  ctx.stats.rpcRequests++;
  let action = '?';
  try {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      throw gatewayError(405, 'UnsupportedHTTPMethod', `The HTTP method ${method} is not supported; use GET or POST.`);
    }
    const raw = await readParams(req, query);
    const accessKeyId = authenticate(ctx, method, raw);
    action = raw.get('Action') ?? '';
    if (action === '') throw missingParameter('Action');
    const operation = OPERATIONS[action];
    if (!operation) {
      throw gatewayError(400, 'InvalidAction.NotFound', `Specified api "${action}" is not found, please check your url and method.`);
    }
    if (operation.postOnly && method !== 'POST') {
      throw gatewayError(400, 'UnsupportedHTTPMethod', `${action} accepts POST requests only.`);
    }
    if (ctx.qps && !ctx.qps.tryAcquire(accessKeyId, action)) {
      ctx.stats.throttled++;
      ctx.stats.throttledByAction[action] = (ctx.stats.throttledByAction[action] ?? 0) + 1;
      throw gatewayError(400, 'Throttling.User', 'Request was denied due to user flow control.');
    }
    const fault = ctx.faults.take('aliyun', action);
    if (fault !== undefined) {
      ctx.stats.faultsInjected++;
      throw faultError(fault);
    }
    checkInstance(ctx, raw);
    const result = await operation.run(ctx, new Params(raw));
    sendJson(res, 200, { RequestId: id, Success: true, ...result }, { 'x-acs-request-id': id });
  } catch (e) {
    drain(req, res);
    if (e instanceof ApiError) {
      ctx.log('debug', `RPC ${action}: ${e.code} ${e.message}`);
      sendError(ctx, res, id, e);
    } else {
      ctx.log('error', `RPC ${action} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      sendError(ctx, res, id, gatewayError(500, 'InternalError', 'The request processing has failed due to some unknown error.'));
    }
  }
}
