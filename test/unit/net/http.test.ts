import assert from 'node:assert/strict';
import { OtaError } from '../../../src/core/errors';
import { httpRequest, networkErrorCode } from '../../../src/core/net/http';
import { startLoopback, type Loopback } from './loopback';

const isKind = (kind: string) => (e: unknown) => e instanceof OtaError && e.kind === kind;

describe('net/http', () => {
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('returns status, headers and text of any answer', async () => {
    server = await startLoopback((req, res) => {
      res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' });
      res.end(`${req.method} ${req.url.pathname} ${req.body.toString()}`);
    });
    const res = await httpRequest({ url: `${server.url}p`, method: 'POST', body: 'b', timeoutMs: 2000, service: 'Test' });
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(res.text, 'POST /p b');
  });

  it('a refused connection is a network error with its code and a hint', async () => {
    const closed = await startLoopback(() => undefined);
    const url = closed.url;
    await closed.close();
    await assert.rejects(
      httpRequest({ url, method: 'GET', timeoutMs: 2000, service: 'Test', networkHint: () => 'Check the thing.' }),
      (e: unknown) =>
        isKind('network')(e) &&
        (e as OtaError).code === 'ECONNREFUSED' &&
        /Could not reach Test at 127\.0\.0\.1:\d+: connection refused/.test((e as OtaError).message) &&
        (e as OtaError).hint === 'Check the thing.',
    );
  });

  it('a server that never answers times out', async () => {
    server = await startLoopback(() => undefined);
    await assert.rejects(httpRequest({ url: server.url, method: 'GET', timeoutMs: 150, service: 'Test' }), (e: unknown) =>
      isKind('timeout')(e) && /Test did not answer within 150 ms/.test((e as Error).message),
    );
  });

  it('the timeout covers a body that stops half way', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    });
    await assert.rejects(httpRequest({ url: server.url, method: 'GET', timeoutMs: 150, service: 'Test' }), isKind('timeout'));
  });

  it("the caller's signal cancels a request in flight", async () => {
    server = await startLoopback(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      httpRequest({ url: server.url, method: 'GET', timeoutMs: 10_000, signal: controller.signal, service: 'Test' }),
      isKind('cancelled'),
    );
    await assert.rejects(
      httpRequest({ url: server.url, method: 'GET', timeoutMs: 10_000, signal: AbortSignal.abort(), service: 'Test' }),
      isKind('cancelled'),
    );
  });

  it('finds the system code inside wrapped errors', () => {
    assert.equal(networkErrorCode(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) })), 'ENOTFOUND');
    assert.equal(networkErrorCode({ errors: [{ code: 'ECONNREFUSED' }] }), 'ECONNREFUSED');
    assert.equal(networkErrorCode(new Error('plain')), undefined);
  });
});
