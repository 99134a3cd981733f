// IoTaaP deploys (POST /ota/device and /ota/group) are streamed to disk: a 160 MB image sent with the product's
// IoTaaP client to the real loopback sandbox (in its own process, so that its memory can be measured) is stored byte
// for byte while the sandbox's memory stays nearly where it was; a form over the size limit is refused while it
// streams; a deploy refused by the fields before its image stores nothing; and an upload the client abandons midway
// leaves no temporary file behind.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { IotaapClient } from '../../../src/core/cloud/iotaap/client';
import { SANDBOX_IOTAAP_DEVICES, SANDBOX_IOTAAP_GROUP_ID, type Sandbox } from '../../../src/core/cloud/sandbox';
import { OtaError } from '../../../src/core/errors';
import { openSandbox, tempDir, type TestSandbox } from './helpers';
import { MB, abandonMidway, measureUpload, storedMd5, tempFiles, until, writeImage } from './uploadHelpers';

const [GREENHOUSE, , , , , SPARE] = SANDBOX_IOTAAP_DEVICES;

function client(sandbox: Sandbox): IotaapClient {
  const { email, password } = sandbox.credentials.iotaap;
  return new IotaapClient({ baseUrl: sandbox.iotaapBaseUrl, email, password, retry: { attempts: 1 }, uploadTimeoutMs: 60_000 });
}

/** Where the sandbox keeps a device's image. */
const deviceKey = (d: { id: string; token: string }) => `ota/device/${d.id}${d.token}/firmware.bin`;

describe('sandbox: streamed IoTaaP deploys', function () {
  this.timeout(60_000);

  it('stores a 160 MB image byte for byte while its memory grows by less than 64 MB', async () => {
    const size = 160 * MB;
    const growth = await measureUpload(size, async ({ sandbox, dataDir, image, md5 }) => {
      let sent = 0;
      const answer = await client(sandbox).deployToDevice({
        device: SPARE.id,
        deviceToken: SPARE.token,
        version: '9.0.0',
        file: image,
        onProgress: (n) => (sent = n),
      });
      assert.equal(answer.message, 'Firmware successfully deployed');
      assert.ok(sent > size, `sent ${sent} of a ${size}-byte image`);
      assert.deepEqual(await storedMd5(dataDir, deviceKey(SPARE)), { onDisk: md5, recorded: md5 }, 'the stored image differs from the file deployed');
    });
    assert.ok(growth < 64 * MB, `the sandbox grew by ${(growth / MB).toFixed(1)} MB for a ${size / MB} MB deploy`);
  });

  describe('refused and interrupted deploys', () => {
    let t: TestSandbox;
    let work: string;
    let token: string;
    before(async () => {
      t = await openSandbox({ maxUploadBytes: 64 * MB });
      work = await tempDir();
      token = (await client(t.sandbox).login()).token;
    });
    after(async () => {
      await t.dispose();
      await rm(work, { recursive: true, force: true });
    });

    const objects = () => readdirSync(join(t.dir, 'objects'));

    it('refuses a form past the size limit as it streams, keeping nothing', async () => {
      const boundary = 'streamed-iotaap-test';
      const total = 256 * MB;
      let pulled = 0;
      function* body(): Generator<Buffer> {
        for (const [n, v] of [['group', SANDBOX_IOTAAP_GROUP_ID], ['token', 'x'], ['version', '1.0.0']]) {
          yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`);
        }
        yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="firmware"; filename="too-big.bin"\r\n\r\n`);
        const chunk = Buffer.alloc(64 * 1024, 0x5a);
        for (; pulled < total; pulled += chunk.length) yield chunk;
        yield Buffer.from(`\r\n--${boundary}--\r\n`);
      }
      const response = await request(`${t.sandbox.iotaapBaseUrl}/ota/group`, {
        method: 'POST',
        body: Readable.from(body()),
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${token}` },
      });
      assert.equal(response.statusCode, 500);
      assert.deepEqual(await response.body.json(), { message: 'Error when uploading firmware file', error: 'File too large' });
      assert.ok(pulled < total / 2, `the sandbox read ${pulled} of ${total} bytes before refusing`);
      await until('no temporary file is left', () => tempFiles(t.dir).length === 0);
      assert.deepEqual(objects(), []);
    });

    it('stores nothing of a deploy that the fields before its image refuse', async () => {
      const image = join(work, 'refused.bin');
      await writeImage(image, 8 * MB);
      let sawTemp = false;
      await assert.rejects(
        client(t.sandbox).deployToDevice({
          device: GREENHOUSE.id,
          deviceToken: 'not-the-token',
          version: '2.0.0',
          file: image,
          onProgress: () => (sawTemp ||= tempFiles(t.dir).length > 0),
        }),
        (e: unknown) => e instanceof OtaError && /Device token is not valid/.test(e.message),
      );
      assert.ok(!sawTemp, 'the image of a refused deploy went to a temporary file');
      assert.deepEqual(objects(), []);
    });

    it('removes the temporary file of a deploy the client abandons midway', async () => {
      const size = 32 * MB;
      const image = join(work, 'abandoned.bin');
      await writeImage(image, size);
      await abandonMidway(t.dir, 'deploy', (signal, onProgress) =>
        client(t.sandbox).deployToDevice({ device: GREENHOUSE.id, deviceToken: GREENHOUSE.token, version: '2.0.0', file: image, signal, onProgress }),
      );
      assert.deepEqual(objects(), []);
      // And the sandbox takes the next deploy.
      const small = join(work, 'small.bin');
      const md5 = await writeImage(small, MB);
      await client(t.sandbox).deployToDevice({ device: GREENHOUSE.id, deviceToken: GREENHOUSE.token, version: '2.0.1', file: small });
      assert.deepEqual(await storedMd5(t.dir, deviceKey(GREENHOUSE)), { onDisk: md5, recorded: md5 });
    });
  });
});
