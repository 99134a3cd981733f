// The STM32 protocol through the fault relay (test/sims/relay.ts) between two pty pairs, to the simulated
// bootloader in its own process. Whatever the line does, a result of ok must mean the simulator's flash equals the
// image; a line that is cut must end in a failure that names the address.
//   session ── host.a =socat= host.b ── relay ── dev.a =socat= dev.b ── stm32BootProcess
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FlashSession } from '../../../src/core/serial/session';
import { type FlashResult } from '../../../src/core/serial/sessionTypes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { Relay, type RelayOptions } from '../../sims/relay';
import { startStm32Sim } from '../../sims/stm32Sim';

function pattern(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = 0x2545f491 ^ seed;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('STM32 flashing through the fault relay', function () {
  this.timeout(90_000);
  let host: PtyPair;
  let dev: PtyPair;
  let relay: Relay | null = null;
  let dir: string;

  beforeEach(async () => {
    [host, dev] = await Promise.all([openPtyPair(), openPtyPair()]);
    dir = mkdtempSync(path.join(tmpdir(), 'ota-stm32f-'));
  });
  afterEach(async () => {
    await relay?.close();
    relay = null;
    await Promise.all([host.close(), dev.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function flash(image: Buffer, relayOptions: RelayOptions, options: Record<string, unknown> = {}): Promise<{ result: FlashResult; flash: Buffer }> {
    const dump = path.join(dir, 'flash.bin');
    const sim = startStm32Sim(dev.b, ['--model', 'f411', '--dump', dump]);
    try {
      await sim.ready;
      relay = await Relay.open(host.b, dev.a, relayOptions);
      const result = await new FlashSession({
        protocol: 'stm32',
        image,
        port: host.a,
        options: { syncTimeoutMs: 5000, ackTimeoutMs: 300, maxRetries: 8, ...options },
      }).start();
      const r = await sim.stop();
      assert.ok(r.report, r.stderr);
      return { result, flash: readFileSync(dump) };
    } finally {
      await sim.stop();
    }
  }

  /** ok implies verified and the image in flash; anything else is a failure, never a false success. */
  function assertNoFalseSuccess(result: FlashResult, flashed: Buffer, image: Buffer): void {
    if (result.result === 'ok') {
      assert.equal(result.verified, true);
      assert.ok(flashed.subarray(0, image.length).equals(image), `reported ok but the flash differs: ${result.message}`);
    } else {
      assert.equal(result.verified, false);
      assert.equal(result.result, 'failed', result.message);
    }
  }

  it('corrupted bytes both ways: NACKed and re-read blocks, and the flash equals the image', async () => {
    const image = pattern(32 * 1024, 1);
    const faults = { corruptRate: 0.0002, skipBytes: 200 };
    const { result, flash: got } = await flash(image, { baudRate: 921_600, aToB: faults, bToA: faults, seed: 3 });
    assertNoFalseSuccess(result, got, image);
    assert.equal(result.result, 'ok', result.message);
    assert.ok(result.retries > 0, 'no fault hit the transfer');
    assert.ok(relay!.stats.aToB.corrupted + relay!.stats.bToA.corrupted > 0);
  });

  it('dropped bytes both ways: resynchronised, retried, and the flash equals the image', async () => {
    const image = pattern(16 * 1024, 2);
    const faults = { dropRate: 0.0002, skipBytes: 200 };
    const { result, flash: got } = await flash(image, { baudRate: 921_600, aToB: faults, bToA: faults, seed: 5 });
    assertNoFalseSuccess(result, got, image);
    assert.equal(result.result, 'ok', result.message);
    assert.ok(result.retries > 0, 'no fault hit the transfer');
  });

  it('a read-back corrupted on its way home is read again, not reported as a bad flash', async () => {
    const image = pattern(16 * 1024, 4);
    // Device-to-host bytes late in the run: the Read Memory answers of the verification.
    const { result, flash: got } = await flash(image, { baudRate: 921_600, bToA: { corruptAt: [200, 17_000, 17_500, 25_000] } });
    assertNoFalseSuccess(result, got, image);
    assert.equal(result.result, 'ok', result.message);
    assert.ok(result.retries > 0);
  });

  it('a cut line ends in a clear failure naming the address, never ok', async () => {
    const image = pattern(32 * 1024, 6);
    const { result, flash: got } = await flash(image, { baudRate: 921_600, aToB: { cutAfterBytes: 12_000 } }, { maxRetries: 2 });
    assertNoFalseSuccess(result, got, image);
    assert.equal(result.result, 'failed');
    assert.match(result.message, /0x080[0-9a-f]{5}/);
    assert.match(result.message, /stopped answering/);
  });

  for (const seed of [11, 12, 13]) {
    it(`random corruption and drops (seed ${seed}): never a false success`, async () => {
      const image = pattern(12 * 1024, seed);
      const faults = { corruptRate: 0.0003, dropRate: 0.0002, skipBytes: 100 };
      const { result, flash: got } = await flash(image, { baudRate: 921_600, aToB: faults, bToA: faults, seed });
      assertNoFalseSuccess(result, got, image);
    });
  }
});
