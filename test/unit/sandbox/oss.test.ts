import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { request } from 'undici';
import {
  SANDBOX_OSS_ACCESS_KEY_ID,
  SANDBOX_OSS_ACCESS_KEY_SECRET,
  SANDBOX_OSS_BUCKET,
} from '../../../src/core/cloud/sandbox/constants';
import {
  createFirmware,
  fails,
  firmwareBytes,
  md5Hex,
  ok,
  openSandbox,
  postForm,
  TestClock,
  ticketFields,
  uploadTicket,
  type Json,
  type TestSandbox,
} from './helpers';

function policyOf(policy: string): Json {
  return JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as Json;
}

describe('sandbox: OSS PostObject and downloads', () => {
  const clock = new TestClock();
  let t: TestSandbox;
  before(async () => {
    t = await openSandbox({ now: clock.now, maxUploadBytes: 64 * 1024 });
  });
  after(async () => {
    await t.dispose();
  });

  it('hands out a one-minute policy for one key, signed with the OSS secret, pointing at itself', async () => {
    const ticket = await uploadTicket(t.sandbox);
    assert.ok(ticket.Host.startsWith(`${t.sandbox.url}/oss/`), ticket.Host);
    assert.equal(ticket.Host, t.sandbox.ossHost);
    assert.ok(ticket.FirmwareUrl.startsWith(ticket.Host), ticket.FirmwareUrl);
    assert.match(ticket.Key, /\.bin$/);
    const doc = policyOf(ticket.Policy);
    assert.equal(Date.parse(doc.expiration as string) - clock.ms, 60_000);
    assert.deepEqual(doc.conditions, [['content-length-range', 1, 64 * 1024], { bucket: 'iotx-ota-sandbox' }, ['eq', '$key', ticket.Key]]);
    await fails(t.sandbox, 'GenerateOTAUploadURL', { FileSuffix: 'exe' }, 'InvalidParameter');
  });

  it('stores a correct upload and serves it back through the pre-signed FirmwareUrl', async () => {
    const bytes = firmwareBytes(5000, 3);
    const id = await createFirmware(t.sandbox, { DestVersion: '1.0.0', NeedToVerify: false }, bytes);
    const info = (await ok(t.sandbox, 'QueryOTAFirmware', { FirmwareId: id })).FirmwareInfo as Json;
    const url = info.FirmwareUrl as string;
    assert.match(url, /\?Expires=\d+&OSSAccessKeyId=[^&]+&Signature=/);
    const response = await request(url);
    assert.equal(response.statusCode, 200);
    const served = new Uint8Array(await response.body.arrayBuffer());
    assert.equal(md5Hex(served), md5Hex(bytes));
    assert.equal(response.headers.etag, `"${md5Hex(bytes).toUpperCase()}"`);

    const tampered = url.replace(/Signature=[^&]+/, 'Signature=AAAA');
    const bad = await request(tampered);
    assert.equal(bad.statusCode, 403);
    assert.match(await bad.body.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    const unsigned = await request(url.split('?')[0]);
    assert.equal(unsigned.statusCode, 403);
    await unsigned.body.dump();

    clock.advance(3_600_001);
    const expired = await request(url);
    assert.equal(expired.statusCode, 403);
    assert.match(await expired.body.text(), /Request has expired/);
  });

  it('answers 201 with an XML PostResponse when asked', async () => {
    const ticket = await uploadTicket(t.sandbox);
    const fields = ticketFields(ticket).map(([k, v]): [string, string] => (k === 'success_action_status' ? [k, '201'] : [k, v]));
    const { status, text } = await postForm(ticket.Host, fields, firmwareBytes(100));
    assert.equal(status, 201);
    assert.match(text, /<PostResponse>[\s\S]*<Key>/);
  });

  it('refuses a form whose file field is not last', async () => {
    const ticket = await uploadTicket(t.sandbox);
    const { status, text } = await postForm(ticket.Host, ticketFields(ticket), firmwareBytes(100), 2);
    assert.equal(status, 400);
    assert.match(text, /<Code>InvalidArgument<\/Code>/);
    assert.match(text, /last field/);
  });

  it('refuses a form without a file or without a required field', async () => {
    const ticket = await uploadTicket(t.sandbox);
    const noFile = await postForm(ticket.Host, ticketFields(ticket), null);
    assert.equal(noFile.status, 400);
    assert.match(noFile.text, /file/);
    const noPolicy = await postForm(ticket.Host, ticketFields(ticket).filter(([k]) => k !== 'policy'), firmwareBytes(10));
    assert.equal(noPolicy.status, 400);
    assert.match(noPolicy.text, /"policy" is missing/);
  });

  it('refuses an expired policy with OSS\'s AccessDenied document', async () => {
    const ticket = await uploadTicket(t.sandbox);
    clock.advance(60_001);
    const { status, text } = await postForm(ticket.Host, ticketFields(ticket), firmwareBytes(100));
    assert.equal(status, 403);
    assert.match(text, /^<\?xml/);
    assert.match(text, /<Code>AccessDenied<\/Code>/);
    assert.match(text, /<Message>Invalid according to Policy: Policy expired.<\/Message>/);
  });

  it('refuses a bad signature, an unknown OSS key id, and a key the policy does not allow', async () => {
    const ticket = await uploadTicket(t.sandbox);
    const swap = (name: string, value: string): [string, string][] =>
      ticketFields(ticket).map(([k, v]): [string, string] => (k === name ? [k, value] : [k, v]));
    const badSig = await postForm(ticket.Host, swap('signature', 'bm90IGl0'), firmwareBytes(100));
    assert.equal(badSig.status, 403);
    assert.match(badSig.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    const badId = await postForm(ticket.Host, swap('OSSAccessKeyId', 'LTAI-nobody'), firmwareBytes(100));
    assert.equal(badId.status, 403);
    assert.match(badId.text, /<Code>InvalidAccessKeyId<\/Code>/);
    const otherKey = await postForm(ticket.Host, swap('key', 'ota/elsewhere/x.bin'), firmwareBytes(100));
    assert.equal(otherKey.status, 403);
    assert.match(otherKey.text, /Policy Condition failed/);
  });

  it('enforces the content-length range of the policy', async () => {
    const ticket = await uploadTicket(t.sandbox);
    const big = await postForm(ticket.Host, ticketFields(ticket), firmwareBytes(64 * 1024 + 1));
    assert.equal(big.status, 400);
    assert.match(big.text, /<Code>EntityTooLarge<\/Code>/);
    const empty = await postForm(ticket.Host, ticketFields(ticket), new Uint8Array(0));
    assert.equal(empty.status, 400);
    assert.match(empty.text, /<Code>EntityTooSmall<\/Code>/);
    const exact = await postForm(ticket.Host, ticketFields(ticket), firmwareBytes(64 * 1024));
    assert.equal(exact.status, 200, exact.text);
  });

  it('cuts off an oversized upload sent without a length, and keeps serving', async () => {
    const boundary = 'sandbox-test-boundary';
    function* body(): Generator<Uint8Array> {
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`);
      for (let i = 0; i < 20; i++) yield new Uint8Array(64 * 1024);
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    const response = await request(t.sandbox.ossHost, {
      method: 'POST',
      body: Readable.from(body()),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    assert.equal(response.statusCode, 400);
    assert.match(await response.body.text(), /<Code>EntityTooLarge<\/Code>/);
    await uploadTicket(t.sandbox);
  });

  it('answers 404 NoSuchBucket and NoSuchKey', async () => {
    const nb = await request(`${t.sandbox.url}/oss/other-bucket`, { method: 'POST', body: 'x' });
    assert.equal(nb.statusCode, 404);
    assert.match(await nb.body.text(), /NoSuchBucket/);
    const key = 'ota/never/uploaded.bin';
    const expires = Math.floor(clock.ms / 1000) + 600;
    const signature = createHmac('sha1', SANDBOX_OSS_ACCESS_KEY_SECRET)
      .update(`GET\n\n\n${expires}\n/${SANDBOX_OSS_BUCKET}/${key}`)
      .digest('base64');
    const query = new URLSearchParams({ Expires: String(expires), OSSAccessKeyId: SANDBOX_OSS_ACCESS_KEY_ID, Signature: signature });
    const missing = await request(`${t.sandbox.ossHost}/${key}?${query.toString()}`);
    assert.equal(missing.statusCode, 404);
    assert.match(await missing.body.text(), /<Code>NoSuchKey<\/Code>/);
  });

  it('fails uploads with 503 when a fault is injected', async () => {
    const ticket = await uploadTicket(t.sandbox);
    t.sandbox.injectFaults({ kind: 'unavailable', target: 'oss' });
    const failed = await postForm(ticket.Host, ticketFields(ticket), firmwareBytes(100));
    assert.equal(failed.status, 503);
    const again = await postForm(ticket.Host, ticketFields(ticket), firmwareBytes(100));
    assert.equal(again.status, 200);
  });
});
