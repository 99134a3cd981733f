// Fault injection: a relay between two pty pairs (or two in-process links) corrupts, drops and delays bytes and
// cuts the link. The session must retry what it can, report what it cannot, and never report success for an
// image the device did not get intact.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { quecthingProtocol } from '../../../src/core/serial/protocols/quecthing';
import { ymodemProtocol } from '../../../src/core/serial/protocols/ymodem';
import { FlashSession } from '../../../src/core/serial/session';
import { runQuecMcu } from '../../../src/core/serial/virtual/quecMcu';
import { receiveYmodem } from '../../../src/core/serial/virtual/ymodemReceiver';
import { createVirtualLinkPair } from '../../../src/core/serial/virtualLink';
import { type LrzszResult, type McuProcessResult, type PartnerProcess, startLrzsz, startMcuProcess } from '../../sims/processes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { Relay, type RelayOptions } from '../../sims/relay';

function pattern(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

describe('fault injection through a relay between two pty pairs', function () {
  this.timeout(30_000);
  //   session ── host.a =socat= host.b ── relay ── dev.a =socat= dev.b ── MCU process / rb
  let host: PtyPair;
  let dev: PtyPair;
  let relay: Relay | null = null;
  let mcu: PartnerProcess<McuProcessResult> | null = null;
  let rb: PartnerProcess<LrzszResult> | null = null;
  let dir: string;

  beforeEach(async () => {
    [host, dev] = await Promise.all([openPtyPair(), openPtyPair()]);
    dir = mkdtempSync(path.join(tmpdir(), 'ota-faults-'));
  });
  afterEach(async () => {
    await Promise.all([mcu?.stop(), rb?.stop()]);
    await relay?.close();
    await Promise.all([host.close(), dev.close()]);
    mcu = rb = relay = null;
    rmSync(dir, { recursive: true, force: true });
  });

  async function quecFlash(image: Uint8Array, relayOptions: RelayOptions, mcuArgs: string[], options: Record<string, unknown> = {}) {
    relay = await Relay.open(host.b, dev.a, relayOptions);
    const session = new FlashSession({ protocol: 'quecthing', image, port: host.a, options: { targetVersion: 'V2_0', idleTimeoutMs: 3000, ...options } });
    const running = session.start();
    const partner = startMcuProcess(dev.b, ['--read-size', '512', '--timeout-ms', '300', '--retries', '8', ...mcuArgs]);
    mcu = partner;
    return { result: await running, device: () => partner.done };
  }

  it('quecthing: dropped and garbled bytes both ways, delays and stalls at 921600 baud: re-reads, then success with the exact image', async () => {
    const image = pattern(40_000, 1);
    const { result, device: deviceDone } = await quecFlash(image, {
      baudRate: 921600,
      // Module -> MCU: bytes lost inside read answers. MCU -> module: read commands lose or garble a byte.
      aToB: { dropAt: [3_000, 9_000, 20_000, 30_000], latencyMs: 1, stallRate: 0.05, stallMs: 20 },
      bToA: { dropAt: [300], corruptAt: [900], latencyMs: 1 },
      seed: 3,
    }, ['--baud', '921600']);
    const device = await deviceDone();
    assert.equal(result.result, 'ok', result.message);
    assert.ok(result.retries >= 3, `retries ${result.retries}`);
    assert.equal(device.report?.md5, md5(image));
    assert.equal(device.report?.md5Ok, true);
    assert.equal(device.report?.sha256Ok, true);
    assert.ok(relay!.stats.aToB.dropped === 4 && relay!.stats.bToA.dropped === 1 && relay!.stats.bToA.corrupted === 1);
  });

  it('quecthing: a corrupted data byte is caught by the MCU\'s hash check and reported as a failure, never success', async () => {
    const image = pattern(20_000, 2);
    // This MCU also talks in noisy lower case with CRLF and probes the read range first.
    const mcuStyle = ['--version', 'V1_5', '--lowercase', '--noise', '--seed', '9', '--line-ending', 'crlf', '--probe'];
    const { result, device: deviceDone } = await quecFlash(image, { aToB: { corruptAt: [5_000] } }, mcuStyle);
    const device = await deviceDone();
    assert.equal(device.report?.outcome, 'rejected');
    assert.equal(device.report?.md5Ok, false);
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'device-rejected');
    assert.match(result.message, /reports version V1_5 \(expected V2_0\): it did not install the image/);
  });

  it('quecthing: a cut link ends in a clear failure', async () => {
    const image = pattern(60_000, 3);
    const { result } = await quecFlash(image, { aToB: { cutAfterBytes: 20_000 } }, [], { idleTimeoutMs: 500 });
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'device-silent');
    assert.match(result.message, /^The MCU stopped reading at \d+ of 60000 bytes \(nothing for 0\.5 s\)\.$/);
    assert.ok(result.bytes < image.length);
  });

  it('quecthing: unplugging the adapter mid-transfer is reported as a disconnect', async () => {
    const image = pattern(200_000, 4);
    relay = await Relay.open(host.b, dev.a, { baudRate: 230400 });
    const session = new FlashSession({ protocol: 'quecthing', image, port: host.a });
    session.on('progress', (p) => {
      if (p.bytesDone > 5_000) void host.close(); // the USB adapter is pulled
    });
    const running = session.start();
    mcu = startMcuProcess(dev.b, ['--timeout-ms', '300']);
    const result = await running;
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'port-disconnected');
    assert.match(result.message, new RegExp(`^The device on ${host.a} was disconnected`));
  });

  it('YMODEM to rb: a garbled data byte and a garbled ACK are re-sent; the file is byte-identical', async () => {
    // (Lost bytes are covered in-process below: rb needs seconds of quiet line to recover from each one.)
    const image = pattern(12_000, 5);
    relay = await Relay.open(host.b, dev.a, {
      // Block 1 starts after the 133-byte header; byte 3000 falls in block 3.
      aToB: { corruptAt: [3_000] },
      // rb answers C, ACK (header), C, ACK (block 1), ACK (block 2), NAK (block 3), ACK (block 3)...: byte 9 is
      // the ACK of block 6 (of block 5 if rb had to ask twice for the header), never the NAK.
      bToA: { corruptAt: [9] },
    });
    rb = startLrzsz('rb', ['--ymodem'], dev.b, dir);
    const result = await new FlashSession({
      protocol: 'ymodem',
      image,
      imageName: 'fw.bin',
      port: host.a,
      options: { blockTimeoutMs: 1500, startTimeoutMs: 5000, turnaroundDelayMs: 1 },
    }).start();
    assert.equal(result.result, 'ok', result.message);
    assert.ok(result.retries >= 2, `retries ${result.retries}`);
    assert.equal((await rb.done).code, 0);
    assert.ok(readFileSync(path.join(dir, 'fw.bin')).equals(image));
  });

  it('YMODEM to rb: a cut link ends in a clear failure after the retries', async () => {
    const image = pattern(50_000, 6);
    relay = await Relay.open(host.b, dev.a, { aToB: { cutAfterBytes: 10_000 } });
    rb = startLrzsz('rb', ['--ymodem'], dev.b, dir);
    const result = await new FlashSession({
      protocol: 'ymodem',
      image,
      port: host.a,
      options: { blockTimeoutMs: 300, maxRetries: 2, startTimeoutMs: 5000 },
    }).start();
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'too-many-retries');
    assert.match(result.message, /^The receiver did not acknowledge block \d+ after 3 tries; gave up at \d+ of 50000 bytes\.$/);
  });
});

describe('fault injection in-process, random faults at several seeds', function () {
  this.timeout(30_000);

  /** host <-> relay <-> device over two in-process link pairs. */
  function faultyLine(options: RelayOptions) {
    const [hostEnd, relayA] = createVirtualLinkPair({ names: ['host', 'relay-a'] });
    const [relayB, deviceEnd] = createVirtualLinkPair({ names: ['relay-b', 'device'] });
    const relay = Relay.between(relayA, relayB, options);
    return { hostEnd, deviceEnd, relay };
  }

  it('quecthing: lost and garbled bytes are re-read until the image is exact (3 seeds)', async () => {
    let ok = 0;
    for (const seed of [1, 2, 3]) {
      const image = pattern(30_000, seed);
      const line = faultyLine({ aToB: { dropRate: 0.0003 }, bToA: { corruptRate: 0.002, dropRate: 0.002 }, seed });
      let retries = 0;
      const [outcome, device] = await Promise.all([
        quecthingProtocol.run({
          link: line.hostEnd,
          image,
          regions: [{ address: null, data: image, name: "image.bin" }],
          imageName: 'x',
          options: { targetVersion: 'V2_0', idleTimeoutMs: 1500 },
          signal: new AbortController().signal,
          report: (e) => (retries += e.type === 'retry' ? 1 : 0),
        }),
        runQuecMcu(line.deviceEnd, { readSize: 1024, responseTimeoutMs: 60, maxRetries: 10 }),
      ]);
      await line.relay.close();
      if (outcome.result === 'ok') {
        ok++;
        assert.ok(retries > 0);
        assert.ok(device.image && Buffer.from(device.image).equals(image), 'success reported for a wrong image');
      } else {
        assert.equal(outcome.result, 'failed', outcome.message);
      }
    }
    assert.ok(ok >= 2, `only ${ok} of 3 succeeded`);
  });

  it('quecthing: with data corrupted at random, success is never reported for a wrong image (3 seeds)', async () => {
    for (const seed of [4, 5, 6]) {
      const image = pattern(30_000, seed);
      const line = faultyLine({ aToB: { corruptRate: 0.0004, dropRate: 0.0004 }, bToA: { corruptRate: 0.002 }, seed });
      const [outcome, device] = await Promise.all([
        quecthingProtocol.run({ link: line.hostEnd, image, regions: [{ address: null, data: image, name: "x" }], imageName: 'x', options: { targetVersion: 'V2_0', idleTimeoutMs: 1500 }, signal: new AbortController().signal, report: () => undefined }),
        runQuecMcu(line.deviceEnd, { readSize: 1024, responseTimeoutMs: 60, maxRetries: 10 }),
      ]);
      await line.relay.close();
      assert.ok(line.relay.stats.aToB.corrupted > 0);
      if (outcome.result === 'ok') assert.ok(device.image && Buffer.from(device.image).equals(image), 'success reported for a wrong image');
      else assert.match(outcome.message, /did not install the image|stopped|did not report/);
    }
  });

  it('YMODEM: corrupted and lost bytes both ways are re-sent until the file is exact (3 seeds)', async () => {
    let ok = 0;
    for (const seed of [1, 2, 3]) {
      const image = pattern(20_000, seed);
      const line = faultyLine({ aToB: { corruptRate: 0.0004, dropRate: 0.0004 }, bToA: { corruptRate: 0.01, dropRate: 0.01 }, seed });
      let retries = 0;
      const [outcome, received] = await Promise.all([
        ymodemProtocol.run({
          link: line.hostEnd,
          image,
          regions: [{ address: null, data: image, name: "image.bin" }],
          imageName: 'x.bin',
          // Above the receiver's NAK delay (its block timeout plus a quiet line), as with any YMODEM pair.
          options: { blockTimeoutMs: 250, maxRetries: 20 },
          signal: new AbortController().signal,
          report: (e) => (retries += e.type === 'retry' ? 1 : 0),
        }),
        receiveYmodem(line.deviceEnd, { startIntervalMs: 50, blockTimeoutMs: 50, maxErrors: 20 }),
      ]);
      await line.relay.close();
      if (outcome.result === 'ok') {
        ok++;
        assert.ok(retries > 0);
        assert.equal(received.files.length, 1, received.message);
        assert.ok(Buffer.from(received.files[0].data).equals(image), 'success reported for a wrong file');
      } else {
        assert.equal(outcome.result, 'failed', outcome.message);
      }
    }
    assert.ok(ok >= 2, `only ${ok} of 3 succeeded`);
  });
});
