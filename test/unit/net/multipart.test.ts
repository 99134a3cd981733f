import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Response } from 'undici';
import { encodeMultipart, progressStream } from '../../../src/core/net/multipart';
import { excerpt, redact } from '../../../src/core/net/redact';

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('net/multipart and net/redact', () => {
  it('encodes fields in order with the file last, and a parser reads the same bytes back', async () => {
    const data = randomBytes(200_000);
    const body = await encodeMultipart([
      { name: 'key', value: 'ota/ü/file.bin' },
      { name: 'policy', value: 'p+/=' },
      { name: 'file', fileName: 'firmware.bin', data },
    ]);
    assert.match(body.contentType, /^multipart\/form-data; boundary=/);
    const text = Buffer.from(body.bytes).toString('latin1');
    assert.ok(text.indexOf('name="key"') < text.indexOf('name="policy"'));
    assert.ok(text.indexOf('name="policy"') < text.indexOf('name="file"'));
    const form = await new Response(body.bytes, { headers: { 'content-type': body.contentType } }).formData();
    assert.equal(form.get('key'), 'ota/ü/file.bin');
    assert.equal(form.get('policy'), 'p+/=');
    const file = form.get('file') as unknown as Blob & { name: string };
    assert.equal(file.name, 'firmware.bin');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), data);
  });

  it('progressStream yields the bytes unchanged and reports growing progress up to the total', async () => {
    const data = randomBytes(150_000);
    const seen: [number, number][] = [];
    const out = await drain(progressStream(data, (sent, total) => seen.push([sent, total]), 64 * 1024));
    assert.deepEqual(out, data);
    assert.deepEqual(seen, [
      [65536, 150000],
      [131072, 150000],
      [150000, 150000],
    ]);
  });

  it('redact removes secrets in plain and URL-encoded form', () => {
    assert.equal(redact('key=a+b/c and a%2Bb%2Fc', ['a+b/c']), 'key=*** and ***');
    assert.equal(redact('nothing', [undefined, '']), 'nothing');
  });

  it('excerpt gives the title of an HTML page, or a short one-line start of the text', () => {
    assert.equal(excerpt('<html><head><title>502 Bad Gateway</title></head><body>…</body></html>'), '502 Bad Gateway');
    assert.equal(excerpt('<div>\n  Oops <b>broken</b>\n</div>'), 'Oops broken');
    const long = excerpt('x'.repeat(500), [], 50);
    assert.equal(long.length, 50);
    assert.ok(long.endsWith('…'));
    assert.equal(excerpt('token=SECRET', ['SECRET']), 'token=***');
  });
});
