// MCUboot image upload over SMP through a real pseudo-terminal pair (socat) and the real serialport binding,
// against the simulated MCUboot/SMP device running as a separate process (test/sims/smpDeviceProcess.ts).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildMcubootImage } from '../../../src/core/serial/protocols/mcuboot/imageFormat';
import { FlashSession } from '../../../src/core/serial/session';
import { type FlashResult } from '../../../src/core/serial/sessionTypes';
import { type SmpDeviceProcess, type SmpDeviceReport, startSmpDevice } from '../../sims/processes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { Relay } from '../../sims/relay';

function pattern(size: number, seed = size): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const KB300 = 300 * 1024;

describe('mcuboot over a real pty pair with the simulated SMP device process', function () {
  this.timeout(60_000);
  let pair: PtyPair;
  let device: SmpDeviceProcess | null = null;

  beforeEach(async () => {
    pair = await openPtyPair();
  });
  afterEach(async () => {
    await device?.stop();
    device = null;
    await pair.close();
  });

  async function startDevice(args: string[]): Promise<void> {
    device = startSmpDevice(pair.b, args);
    await device.ready;
  }

  function flash(image: Uint8Array, options: Record<string, unknown> = {}, port = pair.a, signal?: AbortSignal): { session: FlashSession; running: Promise<FlashResult> } {
    const session = new FlashSession({ protocol: 'mcuboot', image, imageName: 'zephyr.signed.bin', port, options: { timeoutMs: 2000, ...options }, ...(signal ? { signal } : {}) });
    return { session, running: session.start() };
  }

  async function report(): Promise<SmpDeviceReport> {
    const r = await device!.stop();
    assert.ok(r.report, r.stderr);
    return r.report;
  }

  for (const mtu of [128, 4096]) {
    it(`uploads a 300 KB image at MTU ${mtu}: byte-identical in slot 1, the slot's hash checked`, async function () {
      // ~3100 round trips at MTU 128: a couple of seconds on an idle machine, much longer on a loaded one.
      this.timeout(180_000);
      await startDevice(['--buf-size', String(mtu)]);
      const image = buildMcubootImage(pattern(KB300), { version: { major: 2, minor: 1, revision: 3 } });
      const { session, running } = flash(image, { reset: false });
      const result = await running;
      assert.equal(result.result, 'ok', result.message);
      assert.equal(result.verified, true);
      assert.equal(result.bytes, image.length);
      const details = result.details;
      assert.equal(details.mtu, mtu);
      assert.equal(details.imageVersion, '2.1.3');
      assert.equal(details.slot, 1);
      assert.equal(details.dataBytesSent, image.length, 'no chunk sent twice on a clean line');
      const chunk = details.chunkSize as number;
      assert.ok(chunk > mtu - 40 && chunk < mtu, `chunk ${chunk}`);
      assert.match(result.message, /^Slot 1 holds version 2\.1\.3 with the image's SHA-256 [0-9a-f]{16}…; it is marked for test and runs after the next reset\.$/);
      assert.deepEqual(
        result.device.map((f) => f.label),
        ['SMP buffer', 'Running version', 'Slots'],
      );
      assert.equal(result.device.find((f) => f.label === 'SMP buffer')?.value, `${mtu} bytes × 4`);
      assert.match(result.device.find((f) => f.label === 'Slots')!.value, /slot 1: 2\.1\.3 \(pending\)/);
      assert.equal(session.snapshot().stats.find((f) => f.label === 'MTU')?.value, `${mtu} B`);
      const r = await report();
      assert.equal(r.slot1.size, image.length);
      assert.equal(r.slot1.sha256, sha256(image), 'slot 1 is byte-identical to the file');
      assert.equal(r.stats.uploadBytesReceived, image.length);
      assert.equal(r.runningVersion, '1.0.0');
    });
  }

  it('marks for test and resets: the device then runs the new version in test mode', async () => {
    await startDevice(['--buf-size', '1024', '--boot-ms', '200']);
    const image = buildMcubootImage(pattern(50_000), { version: { major: 1, minor: 4, revision: 0, build: 7 } });
    const { running } = flash(image);
    const result = await running;
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    assert.equal(result.details.activeVersion, '1.4.0.7');
    assert.equal(result.details.confirmed, false);
    assert.match(result.message, /^The device runs version 1\.4\.0\.7 \(SHA-256 [0-9a-f]{16}…\) in test mode: MCUboot reverts on the next reset unless the app confirms it; flash with --confirm to make it permanent\.$/);
    assert.equal(result.device.find((f) => f.label === 'Running version')?.value, '1.4.0.7');
    const r = await report();
    assert.equal(r.runningVersion, '1.4.0.7');
    assert.equal(r.slot0.sha256, sha256(image), 'MCUboot swapped the image into slot 0');
    assert.equal(r.stats.resets, 1);
  });

  it('--confirm: the new version runs and is confirmed', async () => {
    await startDevice(['--buf-size', '2048', '--boot-ms', '100']);
    const image = buildMcubootImage(pattern(20_000), { version: { major: 3, minor: 0, revision: 1 } });
    const result = await flash(image, { confirm: true }).running;
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.details.confirmed, true);
    assert.match(result.message, /^The device runs version 3\.0\.1 \(SHA-256 [0-9a-f]{16}…\), confirmed: MCUboot keeps it\.$/);
    assert.match(result.device.find((f) => f.label === 'Slots')!.value, /^slot 0: 3\.0\.1 \(active, confirmed\); slot 1: 1\.0\.0$/);
  });

  it('an image MCUboot does not boot is reported as not running, never as success', async () => {
    await startDevice(['--buf-size', '1024', '--boot-ms', '100', '--reject']);
    const image = buildMcubootImage(pattern(10_000), { version: { major: 9, minor: 9, revision: 9 } });
    const result = await flash(image).running;
    assert.equal(result.result, 'failed');
    assert.equal(result.verified, false);
    assert.equal(result.errorCode, 'not-booted');
    assert.match(result.message, /after the reset the device runs version 1\.0\.0 .*MCUboot did not boot the new image/);
    assert.equal(result.details.activeVersion, '1.0.0');
  });

  it('replies lost on the way back are resumed from the device\'s offset, not restarted', async () => {
    const dev = await openPtyPair();
    try {
      device = startSmpDevice(dev.b, ['--buf-size', '512']);
      await device.ready;
      // Device -> host bytes: each upload answer is ~40 bytes on the line (~18 KB in all); drop one byte in four of them.
      const relay = await Relay.open(pair.b, dev.a, { bToA: { dropAt: [2_000, 6_000, 10_000, 14_000] } });
      try {
        const image = buildMcubootImage(pattern(200_000));
        const result = await flash(image, { timeoutMs: 400, reset: false }).running;
        assert.equal(result.result, 'ok', result.message);
        assert.equal(result.verified, true);
        assert.ok(result.retries >= 4, `retries ${result.retries}`);
        const sent = result.details.dataBytesSent as number;
        const chunk = result.details.chunkSize as number;
        // Each lost answer re-sends at most the one chunk it answered; nothing before it goes again.
        assert.ok(sent > image.length && sent <= image.length + 4 * chunk, `sent ${sent} for ${image.length} (chunk ${chunk})`);
        const r = await report();
        assert.equal(r.slot1.sha256, sha256(image));
        assert.equal(r.stats.uploadBytesWritten, image.length, 'every image byte written once');
        assert.equal(r.stats.uploadBytesReceived, sent);
      } finally {
        await relay.close();
      }
    } finally {
      await dev.close();
    }
  });

  it('a new connection after an interrupted upload resumes where the device is', async () => {
    await startDevice(['--buf-size', '1024']);
    const image = buildMcubootImage(pattern(150_000));
    const controller = new AbortController();
    const first = flash(image, { reset: false }, pair.a, controller.signal);
    first.session.on('progress', (p) => {
      if (p.bytesDone > 60_000) controller.abort();
    });
    const interrupted = await first.running;
    assert.equal(interrupted.result, 'cancelled');
    const kept = interrupted.bytes;
    assert.ok(kept > 60_000 && kept < image.length, `kept ${kept}`);
    const second = flash(image, { reset: false });
    const result = await second.running;
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    const resumedFrom = result.details.resumedFrom as number;
    assert.ok(resumedFrom >= kept, `resumed from ${resumedFrom}, the first run got ${kept}`);
    const sent = result.details.dataBytesSent as number;
    const chunk = result.details.chunkSize as number;
    // The second run sends its first chunk (answered with the kept offset) and the rest: not the whole image.
    assert.ok(sent <= image.length - resumedFrom + chunk, `second run sent ${sent}`);
    assert.ok(second.session.snapshot().log.some((l) => /kept \d+ bytes of an interrupted upload of this image: resuming there/.test(l.text)));
    const r = await report();
    assert.equal(r.slot1.sha256, sha256(image));
    assert.equal(r.stats.resumes, 1);
  });

  it('refuses a file that is not an MCUboot image before opening the port, naming the imgtool command', async () => {
    const plain = pattern(4096);
    const result = await flash(plain, {}, '/dev/does-not-exist').running;
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'not-mcuboot-image');
    assert.match(result.message, /^zephyr\.signed\.bin is not an MCUboot image \(it does not start with the magic 0x96f3b83d\)\. .*imgtool sign --version 1\.0\.0/);
  });
});
