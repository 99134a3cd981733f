import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { FormData, Response, request } from 'undici';
import { AliyunOtaWrites } from '../../../src/core/cloud/aliyun/otaWrites';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import { DeployError } from '../../../src/core/deploy/errors';
import type { DeployProgress, DeployStep } from '../../../src/core/deploy/events';
import { digestFile } from '../../../src/core/deploy/fileDigest';
import { policyFields, postObject } from '../../../src/core/deploy/ossPost';
import { uploadFirmware } from '../../../src/core/deploy/upload';
import { startLoopback, type Loopback } from '../net/loopback';
import { imageBytes, md5Hex, openDeploySandbox, rejectsWith, type DeploySandbox } from './helpers';

const WX = SANDBOX_DEMO.weather.productKey;

describe('deploy: upload to Alibaba Cloud IoT', () => {
  let t: DeploySandbox;
  before(async () => {
    t = await openDeploySandbox();
  });
  after(async () => {
    await t.dispose();
  });

  describe('the OSS PostObject form', () => {
    let loopback: Loopback;
    before(async () => {
      loopback = await startLoopback((_req, res) => {
        res.writeHead(200);
        res.end();
      });
    });
    after(async () => {
      await loopback.close();
    });

    it('sends key, policy, OSSAccessKeyId, signature, success_action_status and the file last, streamed with byte progress', async () => {
      const file = await t.image('form.bin', 300_000, 4);
      const ticket = { key: 'ota/k/a.bin', host: loopback.url, policy: 'cG9saWN5', ossAccessKeyId: 'AK', signature: 'c2ln', firmwareUrl: 'u', objectStorage: null };
      const progress: number[] = [];
      await postObject(ticket, { path: file, size: 300_000 }, { onProgress: (sent) => progress.push(sent) });
      const received = loopback.requests.at(-1)!;
      assert.equal(received.headers['content-length'], String(received.body.length), 'a known length, not chunked');
      const form = await new Response(received.body, { headers: { 'content-type': received.headers['content-type']! } }).formData();
      const entries = [...form.entries()];
      assert.deepEqual(entries.map(([name]) => name), ['key', 'policy', 'OSSAccessKeyId', 'signature', 'success_action_status', 'file']);
      assert.deepEqual(entries.slice(0, 5), policyFields(ticket));
      const sent = entries[5][1] as File;
      assert.equal(sent.name, 'form.bin');
      assert.deepEqual(new Uint8Array(await sent.arrayBuffer()), new Uint8Array(await readFile(file)));
      assert.deepEqual(progress, [65_536, 131_072, 196_608, 262_144, 300_000]);
    });

    it('is what the sandbox OSS accepts, where a form with the file before the other fields is refused', async () => {
      const writes = new AliyunOtaWrites(t.client.rpc);
      const bytes = imageBytes(5000, 2);
      const ticket = await writes.generateUploadUrl();
      const wrong = new FormData();
      wrong.append('file', new Blob([bytes]), 'firmware.bin');
      for (const [name, value] of policyFields(ticket)) wrong.append(name, value);
      const refused = await request(ticket.host, { method: 'POST', body: wrong });
      assert.equal(refused.statusCode, 400);
      assert.match(await refused.body.text(), /file field must be the last field/);

      const file = await t.image('accepted.bin', bytes.length, 2);
      await postObject(ticket, { path: file, size: bytes.length });
      // The service finds the object under the ticket's URL, with the declared size and MD5.
      const created = await writes.createFirmware({
        version: '0.0.1-form',
        name: 'form test',
        url: ticket.firmwareUrl,
        sign: md5Hex(bytes),
        size: bytes.length,
        needToVerify: false,
      });
      assert.equal((await t.client.getFirmware(created.firmwareId)).sign, md5Hex(bytes));
    });
  });

  it('hashes while streaming: the MD5 of the file, with read progress', async () => {
    const file = await t.image('hash.bin', 600_000, 3);
    const seen: number[] = [];
    const digest = await digestFile(file, { onProgress: (n) => seen.push(n) });
    assert.equal(digest.md5, md5Hex(imageBytes(600_000, 3)));
    assert.equal(digest.size, 600_000);
    assert.equal(seen.at(-1), 600_000);
    assert.ok(seen.length >= 3, 'read in chunks');
  });

  it('uploads and creates the firmware with its MD5 sign and size, which the service checks', async () => {
    const file = await t.image('fw-2.0.0.bin', 70_000, 5);
    const steps: DeployStep[] = [];
    const progress: DeployProgress[] = [];
    const result = await uploadFirmware(
      t.client,
      { file, version: '2.0.0', productKey: WX, moduleName: 'mcu', description: 'first', needToVerify: false },
      { onStep: (s) => steps.push(s), onProgress: (p) => progress.push(p) },
    );
    assert.equal(result.md5, md5Hex(imageBytes(70_000, 5)));
    const firmware = await t.client.getFirmware(result.firmwareId);
    assert.equal(firmware.sign, result.md5);
    assert.equal(firmware.signMethod, 'MD5');
    assert.equal(firmware.size, 70_000);
    assert.equal(firmware.version, '2.0.0');
    assert.equal(firmware.name, '2.0.0');
    assert.equal(firmware.moduleName, 'mcu');
    assert.equal(firmware.status, 'NO_VERIFICATION_NEEDED');
    // The stored object is the file, byte for byte.
    const served = await request(firmware.url!);
    assert.equal(md5Hex(new Uint8Array(await served.body.arrayBuffer())), result.md5);
    assert.deepEqual(
      steps.map((s) => `${s.stage}:${s.state}`),
      ['hash:started', 'hash:done', 'upload:started', 'upload:done', 'create-firmware:started', 'create-firmware:done'],
    );
    const uploadBytes = progress.filter((p) => p.stage === 'upload').map((p) => p.done);
    assert.deepEqual(uploadBytes, [65_536, 70_000]);
  });

  it('creates a delta package from its source version', async () => {
    const file = await t.image('delta.bin', 2000, 6);
    const { firmwareId } = await uploadFirmware(t.client, { file, version: '2.0.1', productKey: WX, moduleName: 'mcu', type: 'delta', srcVersion: '2.0.0', needToVerify: false });
    const firmware = await t.client.getFirmware(firmwareId);
    assert.equal(firmware.type, 'delta');
    assert.equal(firmware.srcVersion, '2.0.0');
  });

  it('refuses a duplicate version with a message saying to pick another', async () => {
    const file = await t.image('dup.bin', 3000, 7);
    await uploadFirmware(t.client, { file, version: '3.0.0', productKey: WX, moduleName: 'mcu', needToVerify: false });
    const error = await rejectsWith(
      uploadFirmware(t.client, { file, version: '3.0.0', productKey: WX, moduleName: 'mcu', needToVerify: false }),
      'invalid-input',
      /^The file was uploaded but firmware 3\.0\.0 was not created: Version 3\.0\.0 already exists for product a1WthrStm32 \(module mcu\)/,
    );
    assert.ok(error instanceof DeployError);
    assert.equal(error.stage, 'create-firmware');
    assert.equal(error.firmwareId, undefined);
    assert.equal(error.code, 'iot.ota.FirmwareAlreadyExists');
    assert.match(error.hint ?? '', /Pick another version/);
  });

  it('verifies the firmware: runs the verify job and waits, reporting its progress', async () => {
    const file = await t.image('verify.bin', 4000, 8);
    const percents: number[] = [];
    const result = await uploadFirmware(
      t.client,
      { file, version: '4.0.0', productKey: WX, moduleName: 'mcu' },
      { verify: { deviceNames: ['wx-0001', 'wx-0002'], timeoutInMinutes: 30 }, wait: t.tick, onProgress: (p) => p.stage === 'verify' && percents.push(p.done) },
    );
    assert.ok(result.verifyJobId);
    assert.equal(result.firmware?.status, 'VERIFIED');
    const job = await t.client.getJob(result.verifyJobId);
    assert.equal(job.type, 'VERIFY_FIRMWARE');
    assert.equal(job.status, 'COMPLETED');
    assert.equal(percents.at(-1), 100);
    assert.deepEqual([...percents].sort((a, b) => a - b), percents, 'progress never falls');
    assert.ok(percents.length >= 3, `progress reported along the way: ${percents.join(',')}`);
  });

  it('tries again with new credentials when OSS fails for a moment', async () => {
    const file = await t.image('flaky.bin', 2000, 12);
    const steps: DeployStep[] = [];
    t.sandbox.injectFaults({ kind: 'unavailable', target: 'oss' });
    const result = await uploadFirmware(t.client, { file, version: '5.1.0', productKey: WX, needToVerify: false }, { onStep: (s) => steps.push(s) });
    assert.ok(steps.some((s) => s.state === 'retrying' && /the upload failed; asking for a new upload URL \(attempt 2 of 3\)/.test(s.message)));
    assert.equal((await t.client.getFirmware(result.firmwareId)).version, '5.1.0');
  });

  it('when CreateOTAFirmware fails without a clear answer, looks whether it exists before saying what happened', async () => {
    const file = await t.image('lost.bin', 2000, 13);
    t.sandbox.injectFaults({ kind: 'unavailable', actions: ['CreateOTAFirmware'] });
    const absent = await rejectsWith(
      uploadFirmware(t.client, { file, version: '5.2.0', productKey: WX, needToVerify: false }),
      'service-unavailable',
      /^The file was uploaded but firmware 5\.2\.0 was not created: .*CreateOTAFirmware.*Nothing else was created\.$/,
    );
    assert.equal((absent as DeployError).stage, 'create-firmware');
    // Neither the creation nor the look-up gets an answer: whether it exists is unknown, and the message says so.
    t.sandbox.injectFaults({ kind: 'unavailable', actions: ['CreateOTAFirmware'] });
    t.sandbox.injectFaults({ kind: 'unavailable', actions: ['ListOTAFirmware'], count: 2 });
    await rejectsWith(
      uploadFirmware(t.client, { file, version: '5.2.0', productKey: WX, needToVerify: false }),
      'service-unavailable',
      /^The file was uploaded, but whether firmware 5\.2\.0 was created is unknown: .*Check the firmware list for version 5\.2\.0 before uploading again\.$/,
    );
    t.sandbox.clearFaults();
  });

  it('refuses an empty file before any request', async () => {
    const file = await t.image('empty.bin', 0);
    t.sandbox.resetStats();
    await rejectsWith(uploadFirmware(t.client, { file, version: '5.0.0', productKey: WX }), 'invalid-input', /is empty \(0 bytes\)/);
    assert.equal(t.sandbox.stats.requests, 0);
  });
});

describe('deploy: upload when the upload policy expires', () => {
  let t: DeploySandbox;
  let offset = 0;
  before(async () => {
    t = await openDeploySandbox({ now: () => Date.now() + offset });
  });
  after(async () => {
    await t.dispose();
  });

  it('asks for a new upload URL when OSS answers that the policy expired, and succeeds', async () => {
    const file = await t.image('late.bin', 10_000, 9);
    const steps: DeployStep[] = [];
    t.sandbox.resetStats();
    const result = await uploadFirmware(t.client, { file, version: '1.1.0', needToVerify: false }, {
      onStep: (s) => {
        steps.push(s);
        // The first upload starts 61 s (sandbox time) after its credentials were issued.
        if (s.stage === 'upload' && s.state === 'started' && offset === 0) offset = 61_000;
      },
    });
    assert.equal(t.sandbox.stats.errorsByCode.AccessDenied, 1, 'OSS refused the first upload');
    const retry = steps.find((s) => s.state === 'retrying');
    assert.match(retry?.message ?? '', /upload policy expired; asking for a new upload URL \(attempt 2 of 3\)/);
    assert.equal((await t.client.getFirmware(result.firmwareId)).size, 10_000);
  });

  it('replaces credentials that got older than their minute before the upload could start', async () => {
    const file = await t.image('slow.bin', 1000, 10);
    t.sandbox.resetStats();
    let calls = 0;
    const steps: DeployStep[] = [];
    await uploadFirmware(t.client, { file, version: '1.2.0', needToVerify: false }, {
      // The answer to GenerateOTAUploadURL arrives 70 s after it was asked for; the next one at once.
      now: () => (calls++ === 0 ? 0 : 70_000),
      onStep: (s) => steps.push(s),
    });
    assert.ok(steps.some((s) => s.state === 'retrying' && /expired before the upload could start/.test(s.message)));
    assert.equal(t.sandbox.stats.errorsByCode.AccessDenied, undefined, 'no upload with stale credentials was tried');
    // hash: none; GenerateOTAUploadURL twice, CreateOTAFirmware once, one OSS upload.
    assert.equal(t.sandbox.stats.rpcRequests, 3);
    assert.equal(t.sandbox.stats.requests, 4);
  });

  it('gives up after the attempts, saying nothing was created', async () => {
    const file = await t.image('never.bin', 1000, 11);
    const error = await rejectsWith(
      uploadFirmware(t.client, { file, version: '1.3.0', needToVerify: false }, {
        uploadAttempts: 2,
        onStep: (s) => {
          if (s.stage === 'upload' && s.state === 'started') offset += 61_000;
        },
      }),
      'failed',
      /^Deploy stopped while uploading: OSS refused the upload: the upload policy expired .*Nothing was created in the cloud\.$/,
    );
    assert.equal((error as DeployError).stage, 'upload');
  });
});

describe('deploy: upload at the 500-firmware limit', () => {
  let t: DeploySandbox;
  before(async () => {
    t = await openDeploySandbox({ bulk: { firmware: 500 } });
  });
  after(async () => {
    await t.dispose();
  });

  it('says to delete old firmware', async () => {
    const file = await t.image('one-too-many.bin', 1000);
    const error = await rejectsWith(
      uploadFirmware(t.client, { file, version: '9.9.9', productKey: WX, needToVerify: false }),
      'failed',
      /firmware 9\.9\.9 was not created: The account already holds the most firmware packages Alibaba Cloud allows \(500\)/,
    );
    assert.equal(error.code, 'iot.ota.FirmwareCountExceedLimit');
    assert.match(error.hint ?? '', /Delete old firmware/);
  });
});

describe('deploy: upload with a failing verification', () => {
  let t: DeploySandbox;
  before(async () => {
    t = await openDeploySandbox({ failureRate: 1 });
  });
  after(async () => {
    await t.dispose();
  });

  it('names the failed devices and says the firmware exists, unverified', async () => {
    const file = await t.image('bad.bin', 1000);
    const error = await rejectsWith(
      uploadFirmware(t.client, { file, version: '6.0.0', productKey: WX, moduleName: 'mcu' }, { verify: { deviceNames: ['wx-0003'], timeoutInMinutes: 10 }, wait: t.tick }),
      'failed',
      /^Firmware 6\.0\.0 uploaded as ID \S+ \(verify job \S+\), not verified: verification failed on wx-0003 \(FAILED: [a-z ]+\); no upgrade job was created\. Run Deploy on it to continue\.$/,
    );
    assert.ok(error instanceof DeployError);
    assert.equal(error.stage, 'verify');
    assert.equal((await t.client.getFirmware(error.firmwareId!)).status, 'VERIFICATION_FAILED');
  });
});
