// MCUboot/SMP through the fault-injecting relay (test/sims/relay.ts) between two pty pairs:
//   session ── host.a =socat= host.b ── relay ── dev.a =socat= dev.b ── simulated SMP device process
// Garbled and lost bytes either way are caught by the frame CRC and re-sent; a cut link fails clearly. Whatever
// happens, success is only ever reported when the device's slot holds the exact image.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildMcubootImage } from '../../../src/core/serial/protocols/mcuboot/imageFormat';
import { FlashSession } from '../../../src/core/serial/session';
import { type FlashResult } from '../../../src/core/serial/sessionTypes';
import { type SmpDeviceProcess, type SmpDeviceReport, startSmpDevice } from '../../sims/processes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { Relay, type RelayOptions } from '../../sims/relay';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('mcuboot through the fault relay: never a false success', function () {
  this.timeout(60_000);
  let host: PtyPair;
  let dev: PtyPair;
  let relay: Relay | null = null;
  let device: SmpDeviceProcess | null = null;

  beforeEach(async () => {
    [host, dev] = await Promise.all([openPtyPair(), openPtyPair()]);
  });
  afterEach(async () => {
    await device?.stop();
    await relay?.close();
    await Promise.all([host.close(), dev.close()]);
    device = relay = null;
  });

  async function run(image: Uint8Array, relayOptions: RelayOptions, options: Record<string, unknown>, deviceArgs: string[] = []): Promise<{ result: FlashResult; report: SmpDeviceReport }> {
    device = startSmpDevice(dev.b, ['--buf-size', '1024', '--boot-ms', '100', ...deviceArgs]);
    await device.ready;
    relay = await Relay.open(host.b, dev.a, relayOptions);
    const session = new FlashSession({ protocol: 'mcuboot', image, imageName: 'app.signed.bin', port: host.a, options: { timeoutMs: 500, eraseTimeoutMs: 2000, retries: 8, ...options } });
    const result = await session.start();
    const stopped = await device.stop();
    assert.ok(stopped.report, stopped.stderr);
    return { result, report: stopped.report };
  }

  function assertNoFalseSuccess(result: FlashResult, report: SmpDeviceReport, image: Uint8Array, slot: 'slot0' | 'slot1'): void {
    if (result.result === 'ok' || result.verified) {
      assert.equal(report[slot].sha256, sha256(image), `reported ${result.result} (verified ${String(result.verified)}) but the device's ${slot} differs`);
    }
  }

  for (const seed of [1, 2, 3]) {
    it(`garbled bytes both ways (seed ${seed}): re-sent, then success with slot 1 byte-identical`, async () => {
      const image = buildMcubootImage(pattern(60_000, seed));
      const { result, report } = await run(image, { aToB: { corruptRate: 0.00005, skipBytes: 2000 }, bToA: { corruptRate: 0.001, skipBytes: 300 }, seed }, { reset: false });
      assertNoFalseSuccess(result, report, image, 'slot1');
      assert.equal(result.result, 'ok', result.message);
      assert.equal(result.verified, true);
      assert.ok(result.retries > 0, 'some requests were re-sent');
      assert.ok(report.stats.badFrames > 0 || relay!.stats.bToA.corrupted > 0);
    });
  }

  it('lost bytes both ways at 921600 baud, then test and reset: the new image runs, slot 0 byte-identical', async () => {
    const image = buildMcubootImage(pattern(80_000, 9), { version: { major: 2, minor: 0, revision: 0 } });
    const { result, report } = await run(image, { baudRate: 921600, aToB: { dropRate: 0.00005, skipBytes: 1000 }, bToA: { dropRate: 0.001, skipBytes: 300 }, seed: 4 }, {});
    assertNoFalseSuccess(result, report, image, 'slot0');
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.details.activeVersion, '2.0.0');
    assert.equal(report.runningVersion, '2.0.0');
    assert.ok(relay!.stats.aToB.dropped + relay!.stats.bToA.dropped > 0);
  });

  it('a cut link mid-upload fails clearly, never verified', async () => {
    const image = buildMcubootImage(pattern(100_000, 5));
    const { result, report } = await run(image, { aToB: { cutAfterBytes: 50_000 } }, { timeoutMs: 300, retries: 2 });
    assertNoFalseSuccess(result, report, image, 'slot1');
    assert.equal(result.result, 'failed');
    assert.equal(result.verified, false);
    assert.equal(result.errorCode, 'device-silent');
    assert.match(result.message, /^The device did not answer the upload at offset \d+ \(3 attempts, 300 ms each\)\. Check the cable and the port, then flash again: the upload resumes where the device stopped\.$/);
    assert.ok(result.bytes < image.length);
  });

  it('a cut link at the last chunks fails, never verified', async () => {
    const image = buildMcubootImage(pattern(20_000, 6));
    // Host -> device: the upload is ~29 KB on the line; cut in its last chunks.
    const { result, report } = await run(image, { aToB: { cutAfterBytes: 27_700 } }, { timeoutMs: 300, retries: 1, startTimeoutMs: 600 });
    assert.equal(result.result, 'failed', result.message);
    assert.equal(result.verified, false);
    assertNoFalseSuccess(result, report, image, 'slot1');
  });
});
