import assert from 'node:assert/strict';
import RPCClient from '@alicloud/pop-core';
import { timestamp } from '../../../src/core/cloud/aliyun/signer';
import { fails, ok, openSandbox, rpc, type Json, type TestSandbox } from './helpers';

describe('sandbox: Alibaba RPC gateway checks', () => {
  let t: TestSandbox;
  before(async () => {
    t = await openSandbox();
  });
  after(async () => {
    await t.dispose();
  });

  it('accepts a correctly signed GET and POST', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const body = await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, { method });
      assert.equal(typeof body.RequestId, 'string');
      assert.equal(body.Code, undefined, 'a success carries no Code');
      assert.deepEqual((body.FirmwareInfo as Json).SimpleFirmwareInfo, []);
    }
  });

  it('accepts parameters with unicode and reserved characters when they are signed right', async () => {
    const { body } = await rpc(t.sandbox, 'ListOTAFirmware', {
      CurrentPage: 1,
      PageSize: 10,
      DestVersion: "weird *!'()~ +&=/ äöü 固件 😀",
    });
    assert.equal(body.Success, true, JSON.stringify(body));
    assert.equal(body.Total, 0);
  });

  it('answers SignatureDoesNotMatch (HTTP 400) for a wrong secret', async () => {
    const { status, body } = await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'SignatureDoesNotMatch', {
      secret: 'not-the-secret',
    });
    assert.equal(status, 400);
    assert.match(body.Message as string, /signature/i);
    assert.equal(body.Success, undefined);
  });

  it('answers SignatureDoesNotMatch when a parameter changed after signing, or the method differs', async () => {
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'SignatureDoesNotMatch', {
      tamper: (p) => {
        p.PageSize = '20';
      },
    });
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'SignatureDoesNotMatch', {
      method: 'POST',
      signAs: 'GET',
    });
  });

  it('answers InvalidAccessKeyId.NotFound (HTTP 404) for an unknown key', async () => {
    const { status } = await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'InvalidAccessKeyId.NotFound', {
      accessKeyId: 'LTAI-unknown',
    });
    assert.equal(status, 404);
  });

  it('refuses a reused nonce', async () => {
    const nonce = 'fixed-nonce-1';
    await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, { nonce });
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'SignatureNonceUsed', { nonce });
  });

  it('refuses timestamps that are malformed or more than 15 minutes off', async () => {
    const old = timestamp(new Date(Date.now() - 16 * 60_000));
    const { body } = await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'IllegalTimestamp', { timestamp: old });
    assert.match(body.Message as string, /15 minutes/);
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'IllegalTimestamp', { timestamp: '2024-01-01 10:00:00' });
    await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, { timestamp: timestamp(new Date(Date.now() - 14 * 60_000)) });
  });

  it('checks the common parameters', async () => {
    const { body } = await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'MissingParameter', { omit: ['SignatureNonce'] });
    assert.match(body.Message as string, /SignatureNonce/);
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10, Version: '2017-04-20' }, 'InvalidVersion');
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10, SignatureMethod: 'HMAC-SHA256' }, 'InvalidSignatureMethod');
    await fails(t.sandbox, 'NoSuchAction', {}, 'InvalidAction.NotFound');
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10, Format: 'XML' }, 'InvalidParameter');
  });

  it('accepts ConfirmOTATask only as POST', async () => {
    const { status } = await fails(t.sandbox, 'ConfirmOTATask', { 'TaskId.1': 'x' }, 'UnsupportedHTTPMethod');
    assert.equal(status, 400);
    await fails(t.sandbox, 'ConfirmOTATask', { 'TaskId.1': 'x' }, 'InvalidParameter', { method: 'POST' });
  });

  it('refuses an IotInstanceId the account does not have', async () => {
    await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10, IotInstanceId: 'iot-x' }, 'iot.system.InstanceNotFound');
  });

  it('serves the official @alicloud/pop-core SDK, GET and POST', async () => {
    for (const method of ['GET', 'POST']) {
      const client = new RPCClient({
        endpoint: t.sandbox.aliyunEndpoint,
        apiVersion: '2018-01-20',
        accessKeyId: t.sandbox.credentials.accessKeyId,
        accessKeySecret: t.sandbox.credentials.accessKeySecret,
      });
      const result = await client.request<Json>(
        'ListOTAFirmware',
        { RegionId: 'cn-shanghai', CurrentPage: 1, PageSize: 5, DestVersion: 'a b+c*(1)' },
        { method },
      );
      assert.equal(result.Success, true, method);
      assert.equal(result.PageSize, 5);
      const upload = await client.request<Json>('GenerateOTAUploadURL', { FileSuffix: 'bin' }, { method });
      assert.match((upload.Data as Json).Host as string, /\/oss\//);
    }
  });

  it('makes the SDK fail with SignatureDoesNotMatch for a wrong secret', async () => {
    const client = new RPCClient({
      endpoint: t.sandbox.aliyunEndpoint,
      apiVersion: '2018-01-20',
      accessKeyId: t.sandbox.credentials.accessKeyId,
      accessKeySecret: 'wrong-secret',
    });
    await assert.rejects(client.request('ListOTAFirmware', { CurrentPage: 1, PageSize: 5 }, { method: 'POST' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'SignatureDoesNotMatch');
      return true;
    });
  });
});

describe('sandbox: Enterprise Edition instance', () => {
  let t: TestSandbox;
  before(async () => {
    t = await openSandbox({ iotInstanceId: 'iot-06z00sandbox' });
  });
  after(async () => {
    await t.dispose();
  });

  it('requires the instance id and accepts it', async () => {
    const { body } = await fails(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10 }, 'iot.system.InstanceNotFound');
    assert.equal(body.Success, false);
    assert.match(body.ErrorMessage as string, /IotInstanceId/);
    await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10, IotInstanceId: 'iot-06z00sandbox' });
    assert.equal(t.sandbox.credentials.iotInstanceId, 'iot-06z00sandbox');
  });
});
