// YMODEM against Debian's lrzsz through a real pseudo-terminal pair: our sender to `rb --ymodem`, and `sz --ymodem`
// to our virtual receiver (which the sandbox uses as its virtual bootloader).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  /** One transfer to its own rb on its own pty pair. */
  async function toRb(image: Buffer, pty: PtyPair, into: string): Promise<void> {
    const receiver = startLrzsz('rb', ['--ymodem'], pty.b, into);
    try {
      const mtime = 1_700_000_000;
      const result = await new FlashSession({ protocol: 'ymodem', image, imageName: 'firmware.bin', port: pty.a, options: { ...RB_FRIENDLY, mtime } }).start();
      assert.equal(result.result, 'ok', result.message);
      assert.equal(result.bytes, image.length);
      const rb = await receiver.done;
      assert.equal(rb.code, 0, rb.stderr);
      const file = path.join(into, 'firmware.bin');
      const received = readFileSync(file);
      assert.equal(received.length, image.length);
      assert.ok(received.equals(image), `received file differs from the ${image.length}-byte image`);
      assert.equal(statSync(file).mtimeMs, mtime * 1000); // block 0's octal mtime reached rb
    } finally {
      await receiver.stop();
    }
  }

  it('sends 1, 1024 and 1025 bytes to three rb --ymodem at once; each file is byte-identical', async () => {
    // rb spends about three seconds per file waiting for quiet lines; three pairs side by side save that time.
    const extra = await Promise.all([openPtyPair(), openPtyPair()]);
    const dirs = [1, 2].map((i) => path.join(dir, `rb${i}`));
    try {
      for (const d of dirs) mkdirSync(d);
      await Promise.all([toRb(pattern(1), pair, dir), toRb(pattern(1024), extra[0], dirs[0]), toRb(pattern(1025), extra[1], dirs[1])]);
    } finally {
      await Promise.all(extra.map((p) => p.close()));
    }
  });

  it('sends 2 MiB to rb --ymodem; the received file is byte-identical', async function () {
    // A hang detector, not a speed limit: 2048 blocks, each answered by rb, took 20 s of the former 30 under
    // `stress-ng --cpu 2` (each block rb's flush loses costs a 1.5 s re-send).
    this.timeout(120_000);
    await toRb(pattern(2 * 1024 * 1024), pair, dir);
  });

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
      const file = received.files[0];
      assert.equal(file.name, 'from-sz.bin');
      assert.equal(file.size, image.length);
      assert.ok(Buffer.from(file.data).equals(image));
      assert.equal((await partner.done).code, 0);
    } finally {
      await link.close();
    }
  });
});
