import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc16Xmodem, crc32, md5Hex, sha256Hex } from '../../../src/core/serial/checksums';
import { printable } from '../../../src/core/serial/printable';

describe('serial checksums', () => {
  const check = Buffer.from('123456789', 'ascii');

  it('CRC-16/XMODEM matches the catalogue check value and covers a sub-range', () => {
    assert.equal(crc16Xmodem(check), 0x31c3);
    assert.equal(crc16Xmodem(Buffer.from('xx123456789yy'), 2, 11), 0x31c3);
    assert.equal(crc16Xmodem(new Uint8Array(0)), 0);
  });

  it('CRC-32 matches the catalogue check value', () => {
    assert.equal(crc32(check), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  it('MD5 and SHA-256 agree with node:crypto', () => {
    const data = Buffer.alloc(100_003);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    assert.equal(md5Hex(data), createHash('md5').update(data).digest('hex'));
    assert.equal(sha256Hex(data), createHash('sha256').update(data).digest('hex'));
  });
});

describe('printable', () => {
  it('escapes control, non-ASCII and backslash bytes and keeps printable ASCII', () => {
    assert.equal(printable(Buffer.from([0x41, 0x0d, 0x0a, 0x09, 0x00, 0xff, 0x5c, 0x7f])), 'A\\r\\n\\t\\x00\\xff\\\\\\x7f');
    assert.equal(printable('AT+QIOTOTARD=0,4096\r'), 'AT+QIOTOTARD=0,4096\\r');
    assert.equal(printable('<script>\u0007'), '<script>\\x07');
  });

  it('cuts long input and says how much was left out', () => {
    assert.equal(printable('abcdef', 3), 'abc… (3 more)');
  });
});
