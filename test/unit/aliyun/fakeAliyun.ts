// A minimal Alibaba-style RPC endpoint for the client tests: it verifies every signature the way the service does
// (answering SignatureDoesNotMatch otherwise) and hands the decoded parameters to per-operation handlers.
import type { ServerResponse } from 'node:http';
import { formDecode } from '../../../src/core/cloud/aliyun/params';
import { verifySignature } from '../../../src/core/cloud/aliyun/signer';
import { sendJson, startLoopback, type Loopback } from '../net/loopback';

export const ACCESS_KEY_ID = 'LTAI5tTestKeyId';
export const ACCESS_KEY_SECRET = 'Sup3r+Secret/Value=';

export interface RpcCall {
  action: string;
  method: string;
  path: string;
  params: Record<string, string>;
  at: number;
  contentType: string | undefined;
}

/** Return a JSON body (status 200), `reply(status, body, headers)`, or write the response yourself and return undefined. */
export type RpcHandler = (call: RpcCall, res: ServerResponse) => unknown;

export interface FakeAliyun {
  url: string;
  calls: RpcCall[];
  handlers: Record<string, RpcHandler>;
  close(): Promise<void>;
}

export function reply(status: number, body: unknown, headers?: Record<string, string>) {
  return { status, body, headers, reply: true as const };
}

export async function startFakeAliyun(handlers: Record<string, RpcHandler> = {}): Promise<FakeAliyun> {
  const calls: RpcCall[] = [];
  const server: Loopback = await startLoopback((req, res) => {
    const raw = req.method === 'POST' ? req.body.toString('utf8') : req.url.search.slice(1);
    const params = formDecode(raw);
    const call: RpcCall = {
      action: params.Action ?? '',
      method: req.method,
      path: req.url.pathname,
      params,
      at: req.at,
      contentType: req.headers['content-type'],
    };
    calls.push(call);
    if (params.AccessKeyId !== ACCESS_KEY_ID) {
      sendJson(res, 404, { RequestId: 'req-ak', Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' });
      return;
    }
    if (!verifySignature(req.method, params, ACCESS_KEY_SECRET)) {
      sendJson(res, 400, {
        RequestId: 'req-sig',
        Code: 'SignatureDoesNotMatch',
        Message: 'Specified signature is not matched with our calculation.',
      });
      return;
    }
    const handler = handlers[call.action];
    if (!handler) {
      sendJson(res, 404, { RequestId: 'req-x', Code: 'InvalidAction.NotFound', Message: `Specified api is not found: ${call.action}` });
      return;
    }
    const out = handler(call, res);
    if (out === undefined) return;
    if (typeof out === 'object' && out !== null && 'reply' in out) {
      const r = out as ReturnType<typeof reply>;
      sendJson(res, r.status, r.body, r.headers);
    } else sendJson(res, 200, out);
  });
  return { url: server.url, calls, handlers, close: () => server.close() };
}
