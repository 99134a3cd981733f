// The streaming multipart/form-data parser against forms encoded by undici's FormData, fed whole and split at every
// possible place, plus the malformed bodies it must refuse.
import assert from 'node:assert/strict';
import { FormParser, MalformedFormError, boundaryOf, type FormEvent } from '../../../src/core/cloud/sandbox/formParser';
import { encodeMultipart } from '../../../src/core/net/multipart';

interface Part {
  name: string;
  fileName?: string;
  data: string;
}

function parse(body: Uint8Array, boundary: string, sizes: (i: number) => number): Part[] {
  const parser = new FormParser(boundary);
  const parts: Part[] = [];
  const take = (events: FormEvent[]): void => {
    for (const e of events) {
      if (e.type === 'part') parts.push({ name: e.part.name, fileName: e.part.fileName, data: '' });
      else if (e.type === 'data') parts[parts.length - 1].data += e.data.toString('latin1');
    }
  };
  for (let offset = 0, i = 0; offset < body.length; i++) {
    const end = Math.min(body.length, offset + sizes(i));
    take(parser.push(body.subarray(offset, end)));
    offset = end;
  }
  parser.end();
  return parts;
}

describe('sandbox: streaming form parser', () => {
  it('reads fields and a file in order however the body is split', async () => {
    // File bytes that look like the start of a boundary, and CRLFs, must come through untouched.
    const file = Buffer.from('\r\n--\r\n-\r\n--x\r\n\r\nfirmware\r\n--', 'latin1');
    const { bytes, contentType } = await encodeMultipart([
      { name: 'key', value: 'ota/a.bin' },
      { name: 'policy', value: 'eyJ9' },
      { name: 'file', fileName: 'a.bin', data: file },
    ]);
    const boundary = boundaryOf(contentType);
    assert.ok(boundary, contentType);
    const expected: Part[] = [
      { name: 'key', fileName: undefined, data: 'ota/a.bin' },
      { name: 'policy', fileName: undefined, data: 'eyJ9' },
      { name: 'file', fileName: 'a.bin', data: file.toString('latin1') },
    ];
    assert.deepEqual(parse(bytes, boundary, () => bytes.length), expected);
    for (const size of [1, 2, 3, 5, 7, 13, 64]) assert.deepEqual(parse(bytes, boundary, () => size), expected, `chunks of ${size}`);
    assert.deepEqual(parse(bytes, boundary, (i) => 1 + ((i * 7) % 11)), expected);
  });

  it('refuses a body cut short, a part without a name and a broken boundary line', () => {
    const b = 'xyz';
    const cut = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue`);
    assert.throws(() => parse(cut, b, () => 4), MalformedFormError);
    const nameless = Buffer.from(`--${b}\r\nContent-Disposition: form-data\r\n\r\nv\r\n--${b}--\r\n`);
    assert.throws(() => parse(nameless, b, () => 100), MalformedFormError);
    const broken = Buffer.from(`--${b}garbage\r\n`);
    assert.throws(() => parse(broken, b, () => 100), MalformedFormError);
    assert.equal(boundaryOf('multipart/form-data'), undefined);
    assert.equal(boundaryOf('multipart/form-data; boundary="a b"'), 'a b');
  });
});
