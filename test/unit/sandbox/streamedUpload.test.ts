// OSS PostObject uploads are streamed to disk: a 200 MB firmware image goes through the real loopback sandbox (in
// its own process, so its memory can be measured) with the product's upload client and leaves the sandbox's memory
// nearly where it was; an upload over the policy's size is refused while it streams, and a refused or interrupted
// upload leaves no temporary file behind.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import type { UploadTicket as ClientTicket } from '../../../src/core/cloud/aliyun/otaWrites';
import { SANDBOX_OSS_ACCESS_KEY_ID, SANDBOX_OSS_ACCESS_KEY_SECRET } from '../../../src/core/cloud/sandbox/constants';
import { postObject } from '../../../src/core/deploy/ossPost';
import { openSandbox, tempDir, uploadTicket, type TestSandbox, type UploadTicket } from './helpers';
import { MB, abandonMidway, measureUpload, storedMd5, tempFiles, until, writeImage } from './uploadHelpers';

function clientTicket(t: UploadTicket): ClientTicket {
  return {
    key: t.Key,
    host: t.Host,
    policy: t.Policy,
    ossAccessKeyId: t.OSSAccessKeyId,
    signature: t.Signature,
    firmwareUrl: t.FirmwareUrl,
    objectStorage: null,
  };
}

describe('sandbox: streamed OSS uploads', function () {
  this.timeout(60_000);

  it('stores a 200 MB upload byte for byte while its memory grows by less than 64 MB', async () => {
    const size = 200 * MB;
    const growth = await measureUpload(size, async ({ sandbox, dataDir, image, md5 }) => {
      const ticket = await uploadTicket(sandbox);
      let sent = 0;
      await postObject(clientTicket(ticket), { path: image, size }, { fileName: 'big.bin', onProgress: (n) => (sent = n) });
      assert.equal(sent, size);
      assert.deepEqual(await storedMd5(dataDir, ticket.Key), { onDisk: md5, recorded: md5 }, 'the stored object differs from the file uploaded');
    });
    assert.ok(growth < 64 * MB, `the sandbox grew by ${(growth / MB).toFixed(1)} MB for a ${size / MB} MB upload`);
  });

  describe('refused and interrupted uploads', () => {
    let t: TestSandbox;
    let work: string;
    before(async () => {
      t = await openSandbox({ maxUploadBytes: 64 * MB });
      work = await tempDir();
    });
    after(async () => {
      await t.dispose();
      await rm(work, { recursive: true, force: true });
    });

    it('refuses an upload past the policy\'s content-length-range as it streams, keeping nothing', async () => {
      const key = 'ota/streamed/too-big.bin';
      const doc = {
        expiration: new Date(Date.now() + 60_000).toISOString(),
        conditions: [['content-length-range', 1, 100_000], ['eq', '$key', key]],
      };
      const policy = Buffer.from(JSON.stringify(doc)).toString('base64');
      const signature = createHmac('sha1', SANDBOX_OSS_ACCESS_KEY_SECRET).update(policy).digest('base64');
      const boundary = 'streamed-upload-test';
      const fields: [string, string][] = [
        ['key', key],
        ['policy', policy],
        ['OSSAccessKeyId', SANDBOX_OSS_ACCESS_KEY_ID],
        ['Signature', signature],
        ['success_action_status', '200'],
      ];
      const total = 48 * MB;
      let pulled = 0;
      function* body(): Generator<Buffer> {
        yield Buffer.from(fields.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join(''));
        yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="too-big.bin"\r\n\r\n`);
        const chunk = Buffer.alloc(64 * 1024, 0x5a);
        for (; pulled < total; pulled += chunk.length) yield chunk;
        yield Buffer.from(`\r\n--${boundary}--\r\n`);
      }
      const response = await request(t.sandbox.ossHost, {
        method: 'POST',
        body: Readable.from(body()),
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      assert.equal(response.statusCode, 400);
      const text = await response.body.text();
      assert.match(text, /<Code>EntityTooLarge<\/Code>/);
      assert.match(text, /exceeds the maximum allowed size \(100000 bytes\)/);
      assert.ok(pulled < total / 2, `the sandbox read ${pulled} of ${total} bytes before refusing`);
      await until('no temporary file is left', () => tempFiles(t.dir).length === 0);
      assert.deepEqual(readdirSync(join(t.dir, 'objects')), []);
    });

    it('removes the temporary file of an upload the client abandons midway', async () => {
      const size = 32 * MB;
      const image = join(work, 'abandoned.bin');
      await writeImage(image, size);
      const ticket = await uploadTicket(t.sandbox);
      await abandonMidway(t.dir, 'upload', (signal, onProgress) => postObject(clientTicket(ticket), { path: image, size }, { signal, onProgress }));
      assert.deepEqual(readdirSync(join(t.dir, 'objects')), []);
      // And the sandbox takes the next upload.
      const again = await uploadTicket(t.sandbox);
      const small = join(work, 'small.bin');
      const md5 = await writeImage(small, MB);
      await postObject(clientTicket(again), { path: small, size: MB });
      assert.deepEqual(await storedMd5(t.dir, again.Key), { onDisk: md5, recorded: md5 });
    });
  });
});
