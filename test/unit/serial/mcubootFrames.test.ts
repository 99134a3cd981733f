// SMP serial framing (Zephyr serial_util.c / MCUboot boot_serial.c) and the MCUboot image format (design.md).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc16Xmodem } from '../../../src/core/serial/checksums';
import { buildMcubootImage, parseMcubootImage } from '../../../src/core/serial/protocols/mcuboot/imageFormat';
import {
  decodeSmpPacket,
  encodeSerialFrames,
  encodeSmpPacket,
  FRAME_MAX,
  SerialFrameDecoder,
  serialWireSize,
} from '../../../src/core/serial/protocols/mcuboot/smpFrames';

const lines = (wire: Uint8Array): string[] => Buffer.from(wire).toString('latin1').split('\n').slice(0, -1);

describe('SMP serial frames', () => {
  it('an echo request: 8-byte header, first-frame marker, base64 of length | packet | CRC-16/XMODEM, newline', () => {
    const body = Uint8Array.from([0xa1, 0x61, 0x64, 0x62, 0x68, 0x69]); // {"d": "hi"}
    const packet = encodeSmpPacket({ op: 2, group: 0, id: 0, seq: 0x42 }, body);
    assert.deepEqual([...packet.subarray(0, 8)], [0x0a, 0x00, 0x00, 0x06, 0x00, 0x00, 0x42, 0x00]);
    const wire = encodeSerialFrames(packet);
    assert.deepEqual([...wire.subarray(0, 2)], [0x06, 0x09]);
    assert.equal(wire[wire.length - 1], 0x0a);
    const raw = Buffer.from(Buffer.from(wire.subarray(2, wire.length - 1)).toString('latin1'), 'base64');
    assert.equal(raw.readUInt16BE(0), packet.length + 2);
    assert.deepEqual([...raw.subarray(2, 2 + packet.length)], [...packet]);
    assert.equal(raw.readUInt16BE(2 + packet.length), crc16Xmodem(packet));
    assert.equal(serialWireSize(packet.length), wire.length);
  });

  it('a large packet goes in frames of at most 127 bytes, continuation frames marked 0x04 0x14, and decodes back', () => {
    const body = new Uint8Array(3000).map((_, i) => i & 0xff);
    const packet = encodeSmpPacket({ op: 2, group: 1, id: 1, seq: 7 }, body);
    const wire = encodeSerialFrames(packet);
    const frames = lines(wire);
    assert.ok(frames.length > 30);
    for (const [i, f] of frames.entries()) {
      assert.ok(f.length + 1 <= FRAME_MAX, `frame ${i} is ${f.length + 1} bytes`);
      assert.deepEqual([f.charCodeAt(0), f.charCodeAt(1)], i === 0 ? [0x06, 0x09] : [0x04, 0x14]);
    }
    assert.equal(serialWireSize(packet.length), wire.length);
    const decoder = new SerialFrameDecoder();
    const results = frames.map((f) => decoder.push(f));
    assert.ok(results.slice(0, -1).every((r) => r.kind === 'partial'));
    const last = results[results.length - 1];
    assert.equal(last.kind, 'packet');
    const decoded = decodeSmpPacket(last.kind === 'packet' ? last.packet : new Uint8Array());
    assert.deepEqual(decoded?.header, { op: 2, version: 1, flags: 0, length: 3000, group: 1, seq: 7, id: 1 });
    assert.deepEqual([...decoded.body], [...body]);
  });

  it('decodes frames split at other places (as Zephyr cuts them, each frame base64 on its own)', () => {
    const packet = encodeSmpPacket({ op: 3, group: 1, id: 1, seq: 1 }, new Uint8Array(200).fill(0x5a));
    const raw = Buffer.alloc(packet.length + 4);
    raw.writeUInt16BE(packet.length + 2, 0);
    raw.set(packet, 2);
    raw.writeUInt16BE(crc16Xmodem(packet), packet.length + 2);
    const decoder = new SerialFrameDecoder();
    const cuts = [0, 93, 90, 60, raw.length];
    let result;
    for (let i = 0, at = 0; at < raw.length; i++) {
      const end = Math.min(raw.length, at + (cuts[i + 1] ?? raw.length));
      result = decoder.push(`${i === 0 ? '\x06\x09' : '\x04\x14'}${raw.subarray(at, end).toString('base64')}`);
      at = end;
    }
    assert.equal(result?.kind, 'packet');
  });

  it('drops a packet with a wrong CRC, a frame that is not base64, and a continuation without a start; other lines are console text', () => {
    const wire = encodeSerialFrames(encodeSmpPacket({ op: 1, group: 0, id: 0, seq: 1 }, Uint8Array.from([0xa0])));
    const frame = lines(wire)[0];
    const flipped = frame.slice(0, 5) + (frame[5] === 'A' ? 'B' : 'A') + frame.slice(6);
    const decoder = new SerialFrameDecoder();
    assert.deepEqual(decoder.push(flipped), { kind: 'bad', reason: 'a packet with a wrong CRC' });
    assert.equal(decoder.push(frame.slice(0, -1)).kind, 'bad');
    assert.deepEqual(decoder.push('\x04\x14AAAA'), { kind: 'bad', reason: 'a continuation frame without a first frame', continuation: true });
    assert.deepEqual(decoder.push('*** Booting Zephyr OS ***'), { kind: 'text', line: '*** Booting Zephyr OS ***' });
    assert.equal(decoder.push(frame).kind, 'packet');
  });
});

describe('MCUboot image format', () => {
  it('reads version, sizes and the SHA-256 TLV (hash of header, body and protected TLVs), as imgtool writes them', () => {
    const body = new Uint8Array(1000).fill(0x11);
    const image = buildMcubootImage(body, { version: { major: 1, minor: 2, revision: 300, build: 4 }, protectedTlvs: [{ type: 0x50, value: Uint8Array.from([1, 0, 0, 0]) }] });
    const info = parseMcubootImage(image, 'app.signed.bin');
    assert.equal(info.versionText, '1.2.300.4');
    assert.equal(info.headerSize, 0x200);
    assert.equal(info.imageSize, 1000);
    assert.equal(info.protectedTlvSize, 4 + 8);
    assert.equal(info.size, image.length);
    const hashed = image.subarray(0, 0x200 + 1000 + 12);
    assert.equal(info.hash, createHash('sha256').update(hashed).digest('hex'));
    assert.equal(Buffer.from(image.subarray(0, 4)).readUInt32LE(0), 0x96f3b83d);
  });

  it('refuses a plain binary, naming the imgtool command that signs one', () => {
    assert.throws(() => parseMcubootImage(new Uint8Array(4096), 'firmware.bin'), (e: Error & { code?: string; hint?: string }) => {
      assert.equal(e.message, 'firmware.bin is not an MCUboot image (it does not start with the magic 0x96f3b83d).');
      assert.equal(e.code, 'not-mcuboot-image');
      assert.match(e.hint ?? '', /imgtool sign --version 1\.0\.0 --header-size 0x200 --pad-header/);
      return true;
    });
  });

  it('refuses an image changed after signing, and one cut short', () => {
    const image = buildMcubootImage(new Uint8Array(500).fill(1));
    const changed = Uint8Array.from(image);
    changed[0x200 + 10] ^= 1;
    assert.throws(() => parseMcubootImage(changed, 'a.bin'), /its SHA-256 TLV does not match its contents/);
    assert.throws(() => parseMcubootImage(image.subarray(0, 0x200 + 400), 'a.bin'), /no TLV area after the 500-byte image/);
  });
});
