// A device that only sends noise (a board at the wrong baud rate, or not in its bootloader) must never be reported
// as flashed. Through a real socat pty pair with the real serialport binding: `ota flash` against a far end that
// writes 64 random bytes every 5 ms, and the flash session against a device sending random bytes at random times
// (several seeds), for both protocols; in-process, many more seeds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quecthingProtocol } from '../../../src/core/serial/protocols/quecthing';
import { type FlashProtocol } from '../../../src/core/serial/protocols/types';
import { ymodemProtocol } from '../../../src/core/serial/protocols/ymodem';
import { FlashSession } from '../../../src/core/serial/session';
import { openSerialLink, type SerialLink } from '../../../src/core/serial/transport';
import { createVirtualLinkPair } from '../../../src/core/serial/virtualLink';
import { startNoise, type NoiseDevice, type NoiseOptions } from '../../sims/noiseDevice';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { cli, lastLine } from '../cli/helpers';

const NOT_YMODEM = /the device on \S+ is not answering YMODEM: wrong baud or not in its bootloader\?/i;

function image(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + (i >> 11)) & 0xff;
  return out;
}

describe('a device that sends only noise, over a real pty pair', function () {
  this.timeout(60_000);
  let pair: PtyPair;
  let far: SerialLink | null = null;
  let noise: NoiseDevice | null = null;
  let dir: string;

  beforeEach(async () => {
    pair = await openPtyPair();
    dir = mkdtempSync(join(tmpdir(), 'ota-noise-'));
  });
  afterEach(async () => {
    noise?.stop();
    await far?.close();
    far = noise = null;
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function babble(o: NoiseOptions): Promise<void> {
    far = await openSerialLink(pair.b);
    noise = startNoise(far, o);
  }

  it('ota flash --protocol ymodem fails with "not answering YMODEM" against 64 random bytes every 5 ms (5 runs)', async () => {
    const file = join(dir, 'app.bin');
    writeFileSync(file, image(20_000));
    for (const seed of [1, 2, 3, 4, 5]) {
      await babble({ seed, burst: [64, 64], intervalMs: [5, 5] });
      const r = await cli(['flash', file, '--port', pair.a, '--protocol', 'ymodem'], {});
      noise!.stop();
      await far!.close();
      assert.equal(r.code, 1, `seed ${seed}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '', `seed ${seed}`);
      assert.match(lastLine(r.stderr), /^ota: /);
      assert.match(lastLine(r.stderr), NOT_YMODEM, `seed ${seed}: ${r.stderr}`);
    }
  });

  for (const protocol of ['ymodem', 'quecthing']) {
    it(`the ${protocol} session never reports success to random bytes at random times (4 seeds)`, async () => {
      for (const seed of [11, 12, 13, 14]) {
        await babble({ seed, burst: [1, 48], intervalMs: [0, 40] });
        const result = await new FlashSession({
          protocol,
          image: image(5_000),
          port: pair.a,
          options: protocol === 'ymodem' ? { startTimeoutMs: 3000, blockTimeoutMs: 300 } : { waitTimeoutMs: 1500, idleTimeoutMs: 1500 },
        }).start();
        noise!.stop();
        await far!.close();
        assert.notEqual(result.result, 'ok', `seed ${seed}: ${result.message}`);
        assert.equal(result.verified, false);
        assert.equal(result.result, 'failed', `seed ${seed}: ${result.message}`);
        if (protocol === 'ymodem') assert.match(result.message, NOT_YMODEM, `seed ${seed}`);
        assert.ok(noise!.sent > 0 && noise!.received >= 0);
      }
    });
  }
});

describe('a device that sends only noise, in-process (many seeds)', function () {
  this.timeout(60_000);

  async function flashToNoise(protocol: FlashProtocol, seed: number, o: Omit<NoiseOptions, 'seed'>, options: Record<string, unknown>) {
    const [host, device] = createVirtualLinkPair({ names: ['host', 'noise'] });
    const noise = startNoise(device, { seed, ...o });
    const data = image(3_000);
    try {
      return await protocol.run({
        link: host,
        image: data,
        regions: [{ address: null, data, name: 'app.bin' }],
        imageName: 'app.bin',
        options,
        signal: new AbortController().signal,
        report: () => undefined,
      });
    } finally {
      noise.stop();
      await host.close();
    }
  }

  const shapes: Array<[string, Omit<NoiseOptions, 'seed'>]> = [
    ['single bytes now and then', { burst: [1, 1], intervalMs: [0, 30] }],
    ['short bursts at random times', { burst: [1, 8], intervalMs: [0, 25] }],
    ['long bursts', { burst: [16, 64], intervalMs: [1, 10] }],
  ];
  for (const [what, shape] of shapes) {
    it(`YMODEM never reports success to ${what} (8 seeds)`, async () => {
      for (let seed = 1; seed <= 8; seed++) {
        const outcome = await flashToNoise(ymodemProtocol, seed * 7919, shape, { startTimeoutMs: 800, blockTimeoutMs: 100, maxRetries: 5 });
        assert.equal(outcome.result, 'failed', `seed ${seed}: ${outcome.message}`);
        assert.equal(outcome.verified, false);
      }
    });

    it(`quecthing never reports success to ${what} (4 seeds)`, async () => {
      for (let seed = 1; seed <= 4; seed++) {
        const outcome = await flashToNoise(quecthingProtocol, seed * 104729, shape, { waitTimeoutMs: 400, idleTimeoutMs: 300 });
        assert.equal(outcome.result, 'failed', `seed ${seed}: ${outcome.message}`);
        assert.equal(outcome.verified, false);
      }
    });
  }
});
