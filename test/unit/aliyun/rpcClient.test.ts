import assert from 'node:assert/strict';
import { Agent } from 'undici';
import { AliyunRpcClient, type AliyunClientConfig } from '../../../src/core/cloud/aliyun/rpcClient';
import { sharedRateLimiters } from '../../../src/core/cloud/aliyun/rateLimits';
import { OtaError } from '../../../src/core/errors';
import { startLoopback } from '../net/loopback';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, reply, startFakeAliyun, type FakeAliyun } from './fakeAliyun';

const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 };
const kind = (k: string) => (e: unknown) => e instanceof OtaError && e.kind === k;

function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('aliyun/rpcClient', () => {
  let fake: FakeAliyun;
  let logs: string[];

  beforeEach(async () => {
    fake = await startFakeAliyun();
    logs = [];
  });
  afterEach(() => fake.close());

  function client(extra: Partial<AliyunClientConfig> = {}): AliyunRpcClient {
    return new AliyunRpcClient({
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
      regionId: 'cn-shanghai',
      endpoint: fake.url,
      accountLabel: 'demo',
      retry: FAST_RETRY,
      log: (level, message) => logs.push(`${level} ${message}`),
      ...extra,
    });
  }

  it('sends signed POST form requests with every common parameter; the server verifies them', async () => {
    fake.handlers.QueryOTAFirmware = () => ({ RequestId: 'r1', Success: true, FirmwareInfo: { FirmwareId: 'f' } });
    const c = client({ iotInstanceId: 'iot-inst-1' });
    const desc = 'Grüße 😀 a+b=c&d *~!\'()/';
    await c.call('QueryOTAFirmware', { FirmwareId: 'fw 1', FirmwareDesc: desc });
    await c.call('QueryOTAFirmware', { FirmwareId: 'fw 2' });
    const [a, b] = fake.calls;
    assert.equal(a.method, 'POST');
    assert.equal(a.contentType, 'application/x-www-form-urlencoded');
    assert.equal(a.path, '/');
    const p = a.params;
    assert.equal(p.Action, 'QueryOTAFirmware');
    assert.equal(p.Format, 'JSON');
    assert.equal(p.Version, '2018-01-20');
    assert.equal(p.AccessKeyId, ACCESS_KEY_ID);
    assert.equal(p.SignatureMethod, 'HMAC-SHA1');
    assert.equal(p.SignatureVersion, '1.0');
    assert.match(p.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(p.RegionId, 'cn-shanghai');
    assert.equal(p.IotInstanceId, 'iot-inst-1');
    assert.equal(p.FirmwareId, 'fw 1');
    assert.equal(p.FirmwareDesc, desc);
    assert.ok(p.SignatureNonce && p.SignatureNonce !== b.params.SignatureNonce, 'a fresh nonce per request');
    assert.equal(b.params.FirmwareDesc, undefined);
  });

  it('signs GET requests too, and posts to an endpoint with a path', async () => {
    fake.handlers.ListOTAFirmware = () => ({ RequestId: 'r', Success: true });
    await client({ method: 'GET' }).call('ListOTAFirmware', { CurrentPage: 1, ProductKey: 'p/k ü' });
    await client({ endpoint: `${fake.url}api/rpc` }).call('ListOTAFirmware', { DeviceNames: ['a b', 'c'] });
    assert.equal(fake.calls[0].method, 'GET');
    assert.equal(fake.calls[0].params.ProductKey, 'p/k ü');
    assert.equal(fake.calls[1].path, '/api/rpc');
    assert.equal(fake.calls[1].params['DeviceNames.1'], 'a b');
    assert.equal(fake.calls[1].params['DeviceNames.2'], 'c');
    assert.equal(fake.calls[1].params.RegionId, 'cn-shanghai');
  });

  it('normalises lowerCamelCase answers to PascalCase keys', async () => {
    fake.handlers.QueryOTAFirmware = () => ({
      code: '',
      firmwareInfo: { destVersion: '1.1111', firmwareId: '134' },
      requestId: '11413537',
      success: true,
    });
    const res = await client().call('QueryOTAFirmware', { FirmwareId: '134' });
    assert.deepEqual(res, { Code: '', FirmwareInfo: { DestVersion: '1.1111', FirmwareId: '134' }, RequestId: '11413537', Success: true });
  });

  it('Success:false on HTTP 200 is a typed failure that keeps code and request id', async () => {
    fake.handlers.QueryOTAFirmware = () => ({
      RequestId: 'req-nf',
      Success: false,
      Code: 'iot.ota.FirmwareNotFound',
      ErrorMessage: 'The firmware does not exist.',
    });
    await assert.rejects(client().call('QueryOTAFirmware', { FirmwareId: 'x' }), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'not-found');
      assert.equal(e.code, 'iot.ota.FirmwareNotFound');
      assert.equal(e.requestId, 'req-nf');
      assert.match(e.message, /The firmware does not exist/);
      return true;
    });
    assert.equal(fake.calls.length, 1, 'not retried');
  });

  it('retries throttling (HTTP 400 and 503, Throttling.User) and then succeeds', async () => {
    let n = 0;
    fake.handlers.ListOTAFirmware = () => {
      n++;
      if (n === 1) return reply(400, { RequestId: 't1', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' });
      if (n === 2) return reply(503, { RequestId: 't2', Code: 'Throttling.User', Message: 'flow control' });
      return { RequestId: 'ok', Success: true, Total: 0 };
    };
    const res = await client().call('ListOTAFirmware', {});
    assert.equal(res.RequestId, 'ok');
    assert.equal(fake.calls.length, 3);
    assert.equal(logs.filter((l) => l.startsWith('warn') && l.includes('throttled')).length, 2);
  });

  it('retries 5xx answers (InternalError, iot.system.SystemException, an HTML 502 page) and then succeeds', async () => {
    let n = 0;
    fake.handlers.QueryOTAJob = (_call, res) => {
      n++;
      if (n === 1) return reply(500, { RequestId: 'e1', Code: 'InternalError', Message: 'internal' });
      if (n === 2) return reply(200, { RequestId: 'e2', Success: false, Code: 'Iot.system.SystemException', ErrorMessage: 'System Exception' });
      if (n === 3) {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>');
        return undefined;
      }
      return { RequestId: 'ok', Success: true, Data: { JobId: 'j' } };
    };
    const res = await client({ retry: { ...FAST_RETRY, attempts: 4 } }).call('QueryOTAJob', { JobId: 'j' });
    assert.equal(res.RequestId, 'ok');
    assert.equal(fake.calls.length, 4);
  });

  it('honours Retry-After', async () => {
    let n = 0;
    fake.handlers.QueryOTAJob = () =>
      ++n === 1 ? reply(503, { Code: 'ServiceUnavailable', Message: 'busy' }, { 'retry-after': '0.04' }) : { Success: true };
    await client({ retry: { attempts: 2, baseDelayMs: 1000, maxDelayMs: 5000 } }).call('QueryOTAJob', {});
    assert.ok(logs.some((l) => l.includes('attempt 2 in 40 ms')), logs.join('\n'));
  });

  it('gives up after the configured attempts with a typed error', async () => {
    fake.handlers.ListOTATaskByJob = () => reply(429, { RequestId: 'x', Code: 'Throttling', Message: 'Request was denied due to flow control.' });
    await assert.rejects(client().call('ListOTATaskByJob', { JobId: 'j' }), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'throttled');
      assert.equal(e.code, 'Throttling');
      assert.match(e.message, /gave up after 3 attempts/);
      assert.ok(e.hint);
      return true;
    });
    assert.equal(fake.calls.length, 3);

    fake.handlers.QueryOTAJob = () => reply(503, { Code: 'ServiceUnavailable', Message: 'The service is unavailable.' });
    await assert.rejects(client().call('QueryOTAJob', {}), kind('service-unavailable'));
  });

  it('a call that must not run twice is retried only when throttled', async () => {
    fake.handlers.CreateOTAFirmware = () => reply(500, { Code: 'InternalError', Message: 'internal' });
    await assert.rejects(client().call('CreateOTAFirmware', {}, { idempotent: false }), kind('service-unavailable'));
    assert.equal(fake.calls.length, 1);
    let n = 0;
    fake.handlers.CreateOTAFirmware = () => (++n === 1 ? reply(400, { Code: 'Throttling.User', Message: 'slow down' }) : { Success: true });
    await client().call('CreateOTAFirmware', {}, { idempotent: false });
    assert.equal(fake.calls.length, 3);
  });

  it('malformed JSON is an unexpected response with a short excerpt, not retried', async () => {
    fake.handlers.ListOTAFirmware = (_c, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"RequestId": "abc", "Total": 3, ');
    };
    await assert.rejects(client().call('ListOTAFirmware', {}), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'unexpected-response');
      assert.match(e.message, /"\{"RequestId": "abc", "Total": 3,"/);
      return true;
    });
    assert.equal(fake.calls.length, 1);
  });

  it('an HTML error page is an unexpected response naming the page', async () => {
    fake.handlers.ListOTAFirmware = (_c, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>${'x'.repeat(5000)}</body></html>`);
    };
    await assert.rejects(client().call('ListOTAFirmware', {}), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'unexpected-response');
      assert.equal(e.httpStatus, 404);
      assert.match(e.message, /"404 Not Found"/);
      assert.ok(e.message.length < 300);
      assert.match(e.hint ?? '', /endpoint/);
      return true;
    });
  });

  it('times out a server that never answers', async () => {
    fake.handlers.QueryOTAJob = () => undefined;
    await assert.rejects(client({ timeoutMs: 150, retry: { attempts: 1 } }).call('QueryOTAJob', {}), kind('timeout'));
  });

  it("the caller's signal cancels a request and the wait before a retry", async () => {
    fake.handlers.QueryOTAJob = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(client().call('QueryOTAJob', {}, { signal: controller.signal }), kind('cancelled'));

    fake.handlers.QueryOTAJob = () => reply(503, { Code: 'ServiceUnavailable', Message: 'busy' });
    const c2 = new AbortController();
    const slow = client({ retry: { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const run = slow.call('QueryOTAJob', {}, { signal: c2.signal });
    setTimeout(() => c2.abort(), 50);
    await assert.rejects(run, kind('cancelled'));
  });

  it('an unreachable endpoint is a network error, retried, with a hint about the endpoint', async () => {
    const closed = await startLoopback(() => undefined);
    const url = closed.url;
    await closed.close();
    await assert.rejects(client({ endpoint: url }).call('ListOTAFirmware', {}), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'network');
      assert.equal(e.code, 'ECONNREFUSED');
      assert.match(e.message, /gave up after 3 attempts/);
      assert.match(e.hint ?? '', /Check the endpoint http:\/\/127\.0\.0\.1/);
      return true;
    });
  });

  it('an unknown region (no such host) says to check the region, without retrying', async () => {
    let connects = 0;
    // A real undici Agent whose connector fails the way DNS does for a region that does not exist.
    const dispatcher = new Agent({
      connect: (_opts, callback) => {
        connects++;
        callback(Object.assign(new Error('getaddrinfo ENOTFOUND iot.xx-nowhere-1.aliyuncs.com'), { code: 'ENOTFOUND' }), null);
      },
    });
    try {
      const c = client({ endpoint: undefined, regionId: 'xx-nowhere-1', dispatcher });
      await assert.rejects(c.call('ListOTAFirmware', {}), (e: unknown) => {
        assert.ok(e instanceof OtaError);
        assert.equal(e.kind, 'network');
        assert.match(e.message, /Could not reach Alibaba Cloud IoT at iot\.xx-nowhere-1\.aliyuncs\.com: host not found/);
        assert.match(e.hint ?? '', /Check the region "xx-nowhere-1"/);
        return true;
      });
      assert.equal(connects, 1);
    } finally {
      await dispatcher.close();
    }
  });

  it('rejects a bad endpoint or region before sending anything', () => {
    assert.throws(() => client({ endpoint: 'ftp://x/' }), kind('invalid-input'));
    assert.throws(() => client({ endpoint: 'not a url' }), kind('invalid-input'));
    assert.throws(() => client({ endpoint: undefined, regionId: 'Shanghai!' }), kind('invalid-input'));
    assert.throws(() => client({ accessKeySecret: '' }), kind('credentials'));
    assert.equal(client({ endpoint: undefined, regionId: 'ap-southeast-1' }).endpoint.href, 'https://iot.ap-southeast-1.aliyuncs.com/');
  });

  describe('credential errors', () => {
    const everything = (e: OtaError): string => [e.message, e.hint, e.describe(), String(e.stack)].join('\n');

    it('a wrong secret is a credentials error naming the account, with the secret nowhere', async () => {
      fake.handlers.ListOTAFirmware = () => ({ Success: true });
      const wrong = client({ accessKeySecret: 'WrongSecret+/=123' });
      await assert.rejects(wrong.call('ListOTAFirmware', {}), (e: unknown) => {
        assert.ok(e instanceof OtaError);
        assert.equal(e.kind, 'credentials');
        assert.equal(e.code, 'SignatureDoesNotMatch');
        assert.equal(e.requestId, 'req-sig');
        assert.match(e.hint ?? '', /AccessKey secret of account demo/);
        assert.ok(!everything(e).includes('WrongSecret'));
        return true;
      });
      assert.equal(fake.calls.length, 1, 'not retried');
      assert.ok(logs.every((l) => !l.includes('WrongSecret')));
    });

    it('maps each credential code to a hint the user can act on', async () => {
      const cases: [string, RegExp][] = [
        ['InvalidAccessKeyId.NotFound', /AccessKey id of account demo/],
        ['IllegalTimestamp', /clock/],
        ['Forbidden.RAM', /RAM user of account demo.*iot:QueryOTAJob/],
        ['IncompleteSignature', /AccessKey secret/],
      ];
      for (const [code, hint] of cases) {
        // The service echoes what it computed; make sure even an echoed secret would not leak.
        fake.handlers.QueryOTAJob = () => reply(403, { RequestId: 'q', Code: code, Message: `denied (${ACCESS_KEY_SECRET})` });
        await assert.rejects(client().call('QueryOTAJob', {}), (e: unknown) => {
          assert.ok(e instanceof OtaError);
          assert.equal(e.kind, 'credentials', code);
          assert.match(e.hint ?? '', hint);
          assert.ok(!everything(e).includes(ACCESS_KEY_SECRET), code);
          return true;
        });
      }
      assert.ok(logs.every((l) => !l.includes(ACCESS_KEY_SECRET)));
    });
  });

  describe('rate limiting', () => {
    it('never lets more than the QPS limit reach the server in any second (CancelOTATaskByJob: 5)', async () => {
      fake.handlers.CancelOTATaskByJob = () => ({ Success: true });
      const c = client({ rateLimit: { marginMs: 0 } });
      await Promise.all(Array.from({ length: 7 }, () => c.call('CancelOTATaskByJob', { JobId: 'j' })));
      const times = fake.calls.map((x) => x.at);
      assert.equal(times.length, 7);
      assert.equal(maxInAnyWindow(times, 1000), 5);
    });

    it('paces each operation separately at its own limit (short windows for speed)', async () => {
      fake.handlers.ListOTAFirmware = () => ({ Success: true });
      fake.handlers.QueryOTAFirmware = () => ({ Success: true });
      const c = client({ rateLimit: { windowMs: 200, marginMs: 0, qps: { ListOTAFirmware: 3, QueryOTAFirmware: 6 } } });
      await Promise.all([
        ...Array.from({ length: 10 }, () => c.call('ListOTAFirmware', {})),
        ...Array.from({ length: 13 }, () => c.call('QueryOTAFirmware', {})),
      ]);
      const at = (action: string) => fake.calls.filter((x) => x.action === action).map((x) => x.at);
      assert.equal(maxInAnyWindow(at('ListOTAFirmware'), 200), 3);
      assert.equal(maxInAnyWindow(at('QueryOTAFirmware'), 200), 6);
    });

    it('clients of the same account share their limiters; other accounts do not', () => {
      const a = sharedRateLimiters('https://iot.cn-shanghai.aliyuncs.com/', 'AK1');
      assert.equal(sharedRateLimiters('https://iot.cn-shanghai.aliyuncs.com/', 'AK1'), a);
      assert.notEqual(sharedRateLimiters('https://iot.cn-shanghai.aliyuncs.com/', 'AK2'), a);
      assert.notEqual(sharedRateLimiters('https://iot.eu-central-1.aliyuncs.com/', 'AK1'), a);
      assert.equal(a.limiter('ListOTAFirmware').limit, 10);
      assert.equal(a.limiter('QueryOTAFirmware').limit, 20);
      assert.equal(a.limiter('CancelOTATaskByJob').limit, 5);
      assert.equal(a.limiter('SomethingUndocumented').limit, 5);
    });
  });
});
