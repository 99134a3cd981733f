// SignatureVersion 1.0 signing, checked against the official SDK (@alicloud/pop-core) as an oracle: pop-core sends
// real requests to a loopback server, which recomputes the signature with our signer over exactly what arrived.
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../src/core/prng';
import RPCClient from '@alicloud/pop-core';
import { flattenParams, formDecode, formEncode } from '../../../src/core/cloud/aliyun/params';
import { percentEncode, sign, stringToSign, timestamp, verifySignature } from '../../../src/core/cloud/aliyun/signer';
import { sendJson, startLoopback, type Loopback } from '../net/loopback';


const PIECES = [
  'a', 'Z', '0', '9', '-', '_', '.', '~', ' ', '*', '!', "'", '(', ')', '/', '+', '=', '&', '?', '#', '%', ':', ';',
  ',', '@', '$', '[', ']', '{', '}', '"', '<', '>', '\\', '|', '^', '`', '\t', '\n', 'é', 'ß', 'Ω', '中文', '固件',
  '😀', '🚀', '\u00a0', '\u200b', '%20', '%2A', '+%', 'abc', '1.0.0', 'FirmwareId',
];
const KEYS = [
  'FirmwareId', 'ProductKey', 'DestVersion', 'DeviceNames.1', 'DeviceNames.2', 'TaskStatus', 'Tag.1.Key', 'aLower',
  'Zeta', 'FirmwareDesc', 'Udi', 'A', 'AB', 'Ab', 'a_b', 'IotInstanceId', 'GrayPercent',
];

function randomText(rand: () => number, maxPieces: number): string {
  const n = Math.floor(rand() * maxPieces);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rand() * PIECES.length)];
  return s;
}

function randomParams(rand: () => number): Record<string, string> {
  const params: Record<string, string> = {};
  const count = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < count; i++) params[KEYS[Math.floor(rand() * KEYS.length)]] = randomText(rand, 8);
  return params;
}

describe('aliyun signer', () => {
  it('percent-encodes per RFC 3986 (only A-Z a-z 0-9 - _ . ~ stay)', () => {
    assert.equal(percentEncode("a-_.~ *!'()/+=&"), 'a-_.~%20%2A%21%27%28%29%2F%2B%3D%26');
    assert.equal(percentEncode('é😀'), '%C3%A9%F0%9F%98%80');
  });

  it('reproduces the documented example signature', () => {
    const params = {
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      Format: 'XML',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      SignatureVersion: '1.0',
      Timestamp: '2016-02-23T12:46:24Z',
      Version: '2014-05-26',
    };
    assert.ok(stringToSign('GET', params).includes('Timestamp%3D2016-02-23T12%253A46%253A24Z'));
    assert.equal(sign('GET', params, 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('formats timestamps as YYYY-MM-DDThh:mm:ssZ', () => {
    assert.equal(timestamp(new Date(Date.UTC(2024, 10, 19, 9, 47, 43, 987))), '2024-11-19T09:47:43Z');
  });

  it('verifySignature accepts the right secret only', () => {
    const params = { Action: 'QueryOTAFirmware', FirmwareId: 'x y' };
    const signed = { ...params, Signature: sign('POST', params, 's3cret') };
    assert.equal(verifySignature('POST', signed, 's3cret'), true);
    assert.equal(verifySignature('POST', signed, 'other'), false);
    assert.equal(verifySignature('GET', signed, 's3cret'), false);
    assert.equal(verifySignature('POST', params, 's3cret'), false);
  });

  it('formEncode/formDecode round-trip any text', () => {
    const rand = mulberry32(7);
    for (let i = 0; i < 200; i++) {
      const params = randomParams(rand);
      assert.deepEqual(formDecode(formEncode(params)), params);
    }
  });

  describe('against @alicloud/pop-core over a loopback server', () => {
    let server: Loopback;
    let secret = '';
    const seen: { method: string; params: Record<string, string>; ok: boolean }[] = [];

    before(async () => {
      server = await startLoopback((req, res) => {
        const raw = req.method === 'POST' ? req.body.toString('utf8') : req.url.search.slice(1);
        const params = formDecode(raw);
        const { Signature, ...unsigned } = params;
        seen.push({ method: req.method, params, ok: Signature === sign(req.method, unsigned, secret) });
        sendJson(res, 200, { RequestId: 'r' });
      });
    });
    after(() => server.close());

    async function viaPopCore(method: 'POST' | 'GET', params: Record<string, unknown>, accessKeySecret: string) {
      secret = accessKeySecret;
      const client = new RPCClient({
        accessKeyId: 'LTAI-test-id',
        accessKeySecret,
        endpoint: server.url.replace(/\/$/, ''),
        apiVersion: '2018-01-20',
      });
      seen.length = 0;
      await client.request('ListOTAFirmware', params, { method, formatParams: false, timeout: 5000 });
      assert.equal(seen.length, 1);
      return seen[0];
    }

    it('yields the same Signature as pop-core for 300 random parameter sets (unicode, emoji, reserved characters)', async () => {
      const rand = mulberry32(20240520);
      for (let i = 0; i < 300; i++) {
        const params = randomParams(rand);
        const method = i % 3 === 0 ? 'GET' : 'POST';
        const accessKeySecret = `sec-${randomText(rand, 4)}-${i}`;
        const got = await viaPopCore(method, params, accessKeySecret);
        assert.equal(got.method, method);
        for (const [k, v] of Object.entries(params)) assert.equal(got.params[k], v, `param ${k} arrived intact`);
        assert.ok(got.ok, `signature differs for ${JSON.stringify(params)} (${method})`);
        assert.ok(verifySignature(method, got.params, accessKeySecret));
      }
    });

    it('yields the same Signature for each special character on its own', async () => {
      for (const piece of PIECES) {
        const got = await viaPopCore('POST', { FirmwareDesc: piece, [`K${piece === '&' ? 'amp' : 'x'}`]: piece }, 'secret');
        assert.ok(got.ok, `signature differs for ${JSON.stringify(piece)}`);
      }
    });

    it('flattens lists like pop-core (Name.1, Name.2 ...)', async () => {
      const list = { DeviceNames: ['dev 1', 'dév*2', '😀'], TaskId: ['1', '2'], JobId: 'j' };
      const got = await viaPopCore('POST', list, 'secret');
      assert.ok(got.ok);
      const ours = flattenParams(list);
      for (const [k, v] of Object.entries(ours)) assert.equal(got.params[k], v);
      const popKeys = Object.keys(got.params).filter((k) => /^(DeviceNames|TaskId|JobId)/.test(k));
      assert.deepEqual(popKeys.sort(), Object.keys(ours).sort());
    });
  });
});
