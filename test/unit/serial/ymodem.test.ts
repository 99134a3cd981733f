// YMODEM framing, and the sender against a scripted receiver (exact bytes) and the virtual receiver, in-process.
import assert from 'node:assert/strict';
import { OtaError } from '../../../src/core/errors';
import { crc16Xmodem } from '../../../src/core/serial/checksums';
import { LinkReader } from '../../../src/core/serial/linkReader';
import { type ProtocolEvent, type ProtocolOutcome } from '../../../src/core/serial/protocols/types';
import { ymodemProtocol } from '../../../src/core/serial/protocols/ymodem';
import {
  ACK,
  buildBlock,
  buildEndOfBatchBlock,
  buildHeaderBlock,
  CAN,
  checkBlock,
  CRC_REQUEST,
  EOT,
  NAK,
  parseHeaderPayload,
  SOH,
  STX,
} from '../../../src/core/serial/protocols/ymodemFrames';
import { receiveYmodem } from '../../../src/core/serial/virtual/ymodemReceiver';
import { createVirtualLinkPair } from '../../../src/core/serial/virtualLink';

function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + (i >> 8)) & 0xff;
  return out;
}

describe('YMODEM frames', () => {
  it('builds block 0 as name NUL size [mtime in octal], zero-padded, with CRC-16', () => {
    const block = buildHeaderBlock({ name: 'build/firmware.bin', size: 1025, mtime: 0o14567654321 });
    assert.equal(block.length, 133);
    assert.deepEqual([...block.subarray(0, 3)], [SOH, 0x00, 0xff]);
    const payload = block.subarray(3, 131);
    const text = 'firmware.bin\x001025 14567654321';
    assert.equal(Buffer.from(payload.subarray(0, text.length)).toString('latin1'), text);
    assert.ok(payload.subarray(text.length).every((b) => b === 0));
    assert.equal((block[131] << 8) | block[132], crc16Xmodem(payload));
    assert.deepEqual(parseHeaderPayload(payload), { name: 'firmware.bin', size: 1025, mtime: 0o14567654321 });
  });

  it('uses a 1 KiB block 0 for a name that does not fit in 128 bytes', () => {
    const name = `${'n'.repeat(150)}.bin`;
    const block = buildHeaderBlock({ name, size: 7, mtime: null });
    assert.equal(block[0], STX);
    assert.equal(block.length, 1029);
    assert.deepEqual(parseHeaderPayload(block.subarray(3, 1027)), { name, size: 7, mtime: null });
  });

  it('pads data with 0x1A, numbers blocks modulo 256 and ends the batch with an empty block 0', () => {
    const block = buildBlock(257, Uint8Array.of(1, 2, 3), 128);
    assert.deepEqual([...block.subarray(0, 6)], [SOH, 1, 0xfe, 1, 2, 3]);
    assert.ok(block.subarray(6, 131).every((b) => b === 0x1a));
    const end = buildEndOfBatchBlock();
    assert.equal(parseHeaderPayload(end.subarray(3, 131)), null);
    assert.ok(end.subarray(3, 131).every((b) => b === 0));
  });

  it('checkBlock finds damaged CRCs, sequence complements and lengths', () => {
    const good = buildBlock(5, pattern(1024), 1024);
    const ok = checkBlock(good);
    assert.ok(ok.ok && ok.seq === 5);
    const badCrc = Uint8Array.from(good);
    badCrc[500] ^= 0x10;
    assert.deepEqual(checkBlock(badCrc), { ok: false, why: 'CRC error in block 5' });
    const badSeq = Uint8Array.from(good);
    badSeq[2] = 0;
    assert.equal(checkBlock(badSeq).ok, false);
    assert.equal(checkBlock(good.subarray(0, 1000)).ok, false);
  });
});

/** The sender on one end; the test is the receiver. */
function startSender(image: Uint8Array, options: Record<string, unknown> = {}) {
  const [host, dev] = createVirtualLinkPair({ names: ['host', 'receiver'] });
  const events: ProtocolEvent[] = [];
  const controller = new AbortController();
  const outcome: Promise<ProtocolOutcome> = ymodemProtocol.run({
    link: host,
    image,
    regions: [{ address: null, data: image, name: "image.bin" }],
    imageName: 'fw.bin',
    options: { blockTimeoutMs: 200, ...options },
    signal: controller.signal,
    report: (e) => events.push(e),
  });
  const reader = new LinkReader(dev);
  return {
    events,
    controller,
    outcome,
    reader,
    send: (...bytes: number[]) => dev.write(Uint8Array.from(bytes)),
    block: (size: 128 | 1024) => reader.readExact(size + 5, 2000),
    byte: () => reader.readByte(5000),
    close() {
      reader.dispose();
      void host.close();
    },
  };
}

describe('YMODEM sender (scripted receiver, exact bytes)', function () {
  this.timeout(20_000);

  it('sends header, 1 KiB blocks and a 128-byte tail, re-sends on NAK and silence, and closes the batch', async () => {
    const image = pattern(1025);
    const s = startSender(image, { mtime: 1_700_000_000 });
    try {
      await s.send(CRC_REQUEST);
      const header = await s.block(128);
      assert.deepEqual(checkBlock(header).ok, true);
      assert.deepEqual(parseHeaderPayload(header.subarray(3, 131)), { name: 'fw.bin', size: 1025, mtime: 1_700_000_000 });
      await s.send(ACK, CRC_REQUEST);
      const first = await s.block(1024);
      assert.deepEqual([...first.subarray(0, 3)], [STX, 1, 0xfe]);
      assert.deepEqual(first.subarray(3, 1027), Buffer.from(image.subarray(0, 1024)));
      await s.send(0x55, 0xaa, NAK); // noise, then NAK: the same block again
      assert.deepEqual(await s.block(1024), first);
      // Silence: after the block timeout the block comes again.
      assert.deepEqual(await s.block(1024), first);
      await s.send(ACK);
      const tail = await s.block(128);
      assert.deepEqual([...tail.subarray(0, 4)], [SOH, 2, 0xfd, image[1024]]);
      assert.ok(tail.subarray(4, 131).every((b) => b === 0x1a));
      await s.send(CAN, ACK); // a lone CAN is noise
      assert.equal(await s.byte(), EOT);
      await s.send(NAK);
      assert.equal(await s.byte(), EOT);
      await s.send(ACK, CRC_REQUEST);
      assert.deepEqual(await s.block(128), Buffer.from(buildEndOfBatchBlock()));
      await s.send(ACK);
      const outcome = await s.outcome;
      assert.equal(outcome.result, 'ok', outcome.message);
      assert.equal(s.events.filter((e) => e.type === 'retry').length, 2);
      const progress = s.events.filter((e) => e.type === 'progress').map((e) => (e as { bytesDone: number }).bytesDone);
      assert.deepEqual(progress, [0, 1024, 1025]);
    } finally {
      s.close();
    }
  });

  it('waits through a checksum-mode NAK for the CRC request', async () => {
    const s = startSender(pattern(1));
    try {
      await s.send(NAK);
      await s.send(CRC_REQUEST);
      assert.equal(checkBlock(await s.block(128)).ok, true);
      await s.send(ACK, CRC_REQUEST);
      await s.block(128);
      await s.send(ACK);
      assert.equal(await s.byte(), EOT);
      await s.send(ACK, CRC_REQUEST); // some receivers ACK the first EOT directly
      await s.block(128);
      await s.send(ACK);
      assert.equal((await s.outcome).result, 'ok');
    } finally {
      s.close();
    }
  });

  it('stops as cancelled by the device on CAN CAN', async () => {
    const s = startSender(pattern(3000));
    try {
      await s.send(CRC_REQUEST);
      await s.block(128);
      await s.send(ACK, CRC_REQUEST);
      await s.block(1024);
      await s.send(ACK);
      await s.block(1024);
      await s.send(CAN, CAN);
      const outcome = await s.outcome;
      assert.equal(outcome.result, 'failed');
      assert.equal(outcome.errorCode, 'device-cancelled');
      assert.equal(outcome.message, 'The receiver cancelled the transfer (CAN CAN) after 1024 of 3000 bytes.');
    } finally {
      s.close();
    }
  });

  it('gives up after maxRetries and cancels the receiver with CANs', async () => {
    const s = startSender(pattern(100), { maxRetries: 2, blockTimeoutMs: 50 });
    try {
      await s.send(CRC_REQUEST);
      for (let i = 0; i < 3; i++) await s.block(128); // first try + 2 retries, never ACKed
      const outcome = await s.outcome;
      assert.equal(outcome.result, 'failed');
      assert.equal(outcome.errorCode, 'too-many-retries');
      assert.match(outcome.message, /did not acknowledge header block 0 after 3 tries/);
      assert.deepEqual([...(await s.reader.readExact(5, 1000))], [CAN, CAN, CAN, CAN, CAN]);
    } finally {
      s.close();
    }
  });

  it('sends CAN five times when we cancel', async () => {
    const s = startSender(pattern(5000));
    try {
      await s.send(CRC_REQUEST);
      await s.block(128);
      s.controller.abort(new OtaError('cancelled', 'Cancelled by the user.'));
      await s.send(ACK, CRC_REQUEST);
      assert.deepEqual(await s.outcome, { result: 'cancelled', verified: false, message: 'Cancelled by the user.' });
      const rest = await s.reader.drainQuiet(50, 1000);
      assert.deepEqual([...rest.subarray(rest.length - 5)], [CAN, CAN, CAN, CAN, CAN]);
    } finally {
      s.close();
    }
  });

  it('fails clearly when no receiver asks for the file', async () => {
    const s = startSender(pattern(10), { startTimeoutMs: 50 });
    try {
      const outcome = await s.outcome;
      assert.equal(outcome.result, 'failed');
      assert.match(outcome.message, /did not ask for the file within 0 s \(no 'C'\)\. Start its YMODEM receive mode/);
    } finally {
      s.close();
    }
  });

  it('rejects unusable options', () => {
    assert.throws(() => ymodemProtocol.checkOptions({ blockSize: 512 }, pattern(1), [{ address: null, data: pattern(1), name: "image.bin" }]), /blockSize must be one of 128, 1024/);
    assert.throws(() => ymodemProtocol.checkOptions({ pieceSize: 10 }, pattern(1), [{ address: null, data: pattern(1), name: "image.bin" }]), /ymodem protocol has no option pieceSize/);
    ymodemProtocol.checkOptions({ blockSize: 128, maxRetries: '3', mtime: 0 }, pattern(1), [{ address: null, data: pattern(1), name: "image.bin" }]);
  });
});

describe('YMODEM sender with the virtual receiver (in-process)', function () {
  this.timeout(20_000);

  async function transfer(image: Uint8Array, options: Record<string, unknown> = {}, receiverOptions = {}) {
    const [host, dev] = createVirtualLinkPair();
    const events: ProtocolEvent[] = [];
    const [outcome, received] = await Promise.all([
      ymodemProtocol.run({ link: host, image, regions: [{ address: null, data: image, name: "fw.bin" }], imageName: 'image.bin', options, signal: new AbortController().signal, report: (e) => events.push(e) }),
      receiveYmodem(dev, { startIntervalMs: 100, blockTimeoutMs: 500, ...receiverOptions }),
    ]);
    await host.close();
    return { outcome, received, events };
  }

  for (const size of [1, 128, 129, 1024, 1025, 100_000]) {
    it(`delivers ${size} bytes byte-identical`, async () => {
      const image = pattern(size);
      const { outcome, received } = await transfer(image);
      assert.equal(outcome.result, 'ok', outcome.message);
      assert.equal(received.outcome, 'ok', received.message);
      assert.equal(received.files.length, 1);
      assert.equal(received.files[0].name, 'image.bin');
      assert.deepEqual(Buffer.from(received.files[0].data), Buffer.from(image));
    });
  }

  it('also works with 128-byte blocks only', async () => {
    const image = pattern(1000);
    const { outcome, received } = await transfer(image, { blockSize: 128 });
    assert.equal(outcome.result, 'ok');
    assert.deepEqual(Buffer.from(received.files[0].data), Buffer.from(image));
  });

  it('reports a receiver that cancels midway', async () => {
    const { outcome, received } = await transfer(pattern(10_000), {}, { cancelAfterBlocks: 3 });
    assert.equal(received.outcome, 'cancelled');
    assert.equal(outcome.result, 'failed');
    assert.equal(outcome.errorCode, 'device-cancelled');
  });
});
