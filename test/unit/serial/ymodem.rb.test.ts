// YMODEM against Debian's lrzsz through a real pseudo-terminal pair: our sender to `rb --ymodem`, and `sz --ymodem`
// to our virtual receiver (which the sandbox uses as its virtual bootloader).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FlashSession } from '../../../src/core/serial/session';
import { openSerialLink } from '../../../src/core/serial/transport';
import { receiveYmodem } from '../../../src/core/serial/virtual/ymodemReceiver';
import { type LrzszResult, type PartnerProcess, startLrzsz } from '../../sims/processes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';

function pattern(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + (i >> 11)) & 0xff;
  return out;
}

// rb flushes its input right after each answer, so over a pty (where our next block can arrive within
// microseconds) a block now and then is flushed and rb waits 5 s for it: a 1 ms turnaround avoids most of that,
// and our block timeout re-sends the rest sooner. The timeout must stay above one second, rb's "line quiet" wait
// before it NAKs a damaged block, or we would talk over it.
const RB_FRIENDLY = { blockTimeoutMs: 1500, startTimeoutMs: 5000, turnaroundDelayMs: 1 };

describe('YMODEM with lrzsz over a real pty pair', function () {
  this.timeout(30_000);
  let pair: PtyPair;
  let dir: string;
  let partner: PartnerProcess<LrzszResult> | null = null;

  beforeEach(async () => {
    pair = await openPtyPair();
    dir = mkdtempSync(path.join(tmpdir(), 'ota-rb-'));
  });
  afterEach(async () => {
    await partner?.stop();
    partner = null;
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const size of [1, 1024, 1025, 2 * 1024 * 1024]) {
    it(`sends ${size} bytes to rb --ymodem; the received file is byte-identical`, async () => {
      const image = pattern(size);
      partner = startLrzsz('rb', ['--ymodem'], pair.b, dir);
      const mtime = 1_700_000_000;
      const result = await new FlashSession({ protocol: 'ymodem', image, imageName: 'firmware.bin', port: pair.a, options: { ...RB_FRIENDLY, mtime } }).start();
      assert.equal(result.result, 'ok', result.message);
      assert.equal(result.bytes, size);
      const rb = await partner.done;
      assert.equal(rb.code, 0, rb.stderr);
      const received = readFileSync(path.join(dir, 'firmware.bin'));
      assert.equal(received.length, size);
      assert.ok(received.equals(image), 'received file differs from the image');
      assert.equal(statSync(path.join(dir, 'firmware.bin')).mtimeMs, mtime * 1000); // block 0's octal mtime reached rb
    });
  }

  it('cancels midway with CANs: rb gives up, and the port is free again', async () => {
    const image = pattern(2 * 1024 * 1024);
    partner = startLrzsz('rb', ['--ymodem'], pair.b, dir);
    const session = new FlashSession({ protocol: 'ymodem', image, imageName: 'big.bin', port: pair.a, options: RB_FRIENDLY });
    session.on('progress', (p) => {
      if (p.bytesDone >= 64 * 1024) session.cancel();
    });
    const result = await session.start();
    assert.equal(result.result, 'cancelled');
    assert.ok(result.bytes >= 64 * 1024 && result.bytes < image.length);
    const rb = await partner.done;
    assert.notEqual(rb.code, 0);
    const again = await openSerialLink(pair.a);
    await again.close();
  });

  it('our virtual receiver takes a file from sz --ymodem byte-identical', async () => {
    const image = pattern(70_001);
    writeFileSync(path.join(dir, 'from-sz.bin'), image);
    const link = await openSerialLink(pair.a);
    try {
      partner = startLrzsz('sz', ['--ymodem', '--1k', 'from-sz.bin'], pair.b, dir);
      const received = await receiveYmodem(link, { startIntervalMs: 500, blockTimeoutMs: 3000 });
      assert.equal(received.outcome, 'ok', received.message);
      assert.equal(received.files.length, 1);
      const file = received.files[0]!;
      assert.equal(file.name, 'from-sz.bin');
      assert.equal(file.size, image.length);
      assert.ok(Buffer.from(file.data).equals(image));
      assert.equal((await partner.done).code, 0);
    } finally {
      await link.close();
    }
  });
});
