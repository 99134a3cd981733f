// The STM32 bootloader protocol over a real pseudo-terminal pair, against the simulated bootloader in its own
// process (test/sims/stm32BootProcess.ts). Debian's stm32flash checks the simulator first: what it writes and
// verifies must land byte for byte. Then our flasher writes the same way, and the simulator's flash must equal the
// image: several sizes, a two-segment .hex, legacy and extended erase, a NACKed block, a read-protected chip.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import MemoryMap from 'nrf-intel-hex';
import { readFlashImage } from '../../../src/core/serial/imageFile';
import { type FlashRegion } from '../../../src/core/serial/protocols/types';
import { FlashSession } from '../../../src/core/serial/session';
import { type FlashResult } from '../../../src/core/serial/sessionTypes';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { type Stm32SimResult, startStm32Sim, startStm32flash } from '../../sims/stm32Sim';

function pattern(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = 0x9e3779b9 ^ seed;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('STM32 bootloader over a real pty pair', function () {
  this.timeout(60_000);
  let pair: PtyPair;
  let dir: string;

  beforeEach(async () => {
    pair = await openPtyPair();
    dir = mkdtempSync(path.join(tmpdir(), 'ota-stm32-'));
  });
  afterEach(async () => {
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function withSim<T>(simArgs: string[], fn: () => Promise<T>): Promise<{ value: T; sim: Stm32SimResult; dump: Buffer }> {
    const dumpFile = path.join(dir, 'flash.bin');
    const sim = startStm32Sim(pair.b, ['--dump', dumpFile, ...simArgs]);
    try {
      await sim.ready;
      const value = await fn();
      const r = await sim.stop();
      assert.ok(r.report, `the simulator printed no report: ${r.stderr}`);
      return { value, sim: r, dump: readFileSync(dumpFile) };
    } finally {
      await sim.stop();
    }
  }

  function ours(image: Uint8Array | readonly FlashRegion[], options: Record<string, unknown> = {}): Promise<FlashResult> {
    return new FlashSession({ protocol: 'stm32', image, imageName: 'firmware.bin', port: pair.a, options: { syncTimeoutMs: 5000, ...options } }).start();
  }

  /** The flash from 0x08000000 holds `image` and nothing else was written beyond its 4-byte padding. */
  function assertHolds(dump: Buffer, image: Buffer, at = 0): void {
    assert.ok(dump.length >= at + image.length, `only ${dump.length} bytes written`);
    assert.ok(dump.subarray(at, at + image.length).equals(image), `the flash differs from the ${image.length}-byte image`);
    assert.ok(dump.length - (at + image.length) < 4, `${dump.length - at - image.length} bytes written past the image`);
    assert.ok(dump.subarray(at + image.length).every((b) => b === 0xff), 'the padding is not 0xFF');
  }

  for (const model of ['f103', 'f411'] as const) {
    it(`stm32flash -m 8n1 -w -v writes and verifies 20 KiB on the simulated ${model} (the simulator checked by a real peer)`, async () => {
      const image = pattern(20 * 1024 + 12, 7);
      writeFileSync(path.join(dir, 'img.bin'), image);
      const { value: tool, sim, dump } = await withSim(['--model', model], async () => {
        const run = startStm32flash(['-m', '8n1', '-b', '115200', '-w', 'img.bin', '-v', '-g', '0x08000000'], pair.a, dir);
        return run.done;
      });
      assert.equal(tool.code, 0, tool.output);
      assert.match(tool.output, model === 'f103' ? /Device ID\s*:\s*0x0414/ : /Device ID\s*:\s*0x0431/);
      assert.match(tool.output, /Wrote and verified address 0x0800500c \(100\.00%\)/);
      assertHolds(dump, image);
      assert.equal(sim.report!.outcome, 'went');
      assert.equal(sim.report!.goAddress, 0x08000000);
      assert.equal(sim.report!.eraseCommand, model === 'f103' ? 0x43 : 0x44);
      assert.equal(sim.report!.nacks, 0);
    });
  }

  it('stm32flash reads back what our flasher wrote (stm32flash -r)', async () => {
    const image = pattern(3000, 3);
    const { value: tool } = await withSim([], async () => {
      const r = await ours(image, { go: false });
      assert.equal(r.result, 'ok', r.message);
      const run = startStm32flash(['-m', '8n1', '-c', '-r', 'back.bin', '-S', '0x08000000:3000'], pair.a, dir);
      return run.done;
    });
    assert.equal(tool.code, 0, tool.output);
    assert.ok(readFileSync(path.join(dir, 'back.bin')).equals(image), 'stm32flash read back something else');
  });

  for (const [size, model] of [
    [1, 'f103'],
    [256, 'f411'],
    [257, 'f103'],
    [300 * 1024, 'f411'],
  ] as const) {
    it(`writes ${size} bytes to the simulated ${model} byte-identical, verified by read-back, then Go`, async () => {
      const image = pattern(size, size);
      const { value: r, sim, dump } = await withSim(['--model', model], () => ours(image));
      assert.equal(r.result, 'ok', r.message);
      assert.equal(r.verified, true);
      assert.equal(r.bytes, size);
      assert.equal(r.details.pid, model === 'f103' ? '0x414' : '0x431');
      assertHolds(dump, image);
      assert.equal(sim.report!.outcome, 'went');
      assert.equal(sim.report!.goAddress, 0x08000000);
      const device = Object.fromEntries(r.device.map((f) => [f.label, f.value]));
      assert.match(device.Chip, model === 'f103' ? /STM32F10x high-density \(F1\)/ : /STM32F411 \(F4\)/);
      assert.match(device.Bootloader, model === 'f103' ? /v2\.2/ : /v3\.1/);
      assert.match(device.Commands, model === 'f103' ? /, Erase,/ : /Extended Erase/);
    });
  }

  it('legacy Erase (F1, 2 KiB pages) erases only the pages written; extended Erase (F4) the sectors written', async () => {
    const image = pattern(5000);
    const legacy = await withSim(['--model', 'f103'], () => ours(image, { address: 0x08001000 }));
    assert.equal(legacy.value.result, 'ok', legacy.value.message);
    assert.deepEqual(legacy.sim.report!.erased, [2, 3, 4]); // 0x08001000..0x08002388 in 2 KiB pages
    assert.equal(legacy.sim.report!.eraseCommand, 0x43);
    assertHolds(legacy.dump, image, 0x1000);
    assert.equal(legacy.sim.report!.goAddress, 0x08001000);

    await pair.close();
    pair = await openPtyPair();
    const extended = await withSim(['--model', 'f411'], () => ours(pattern(70 * 1024), { address: 0x08008000 }));
    assert.equal(extended.value.result, 'ok', extended.value.message);
    assert.deepEqual(extended.sim.report!.erased, [2, 3, 4]); // 16 KiB sectors 2 and 3, then the 64 KiB sector 4
    assert.equal(extended.sim.report!.eraseCommand, 0x44);
  });

  it('mass erase on request, with either erase command', async () => {
    for (const model of ['f103', 'l476']) {
      const { value: r, sim } = await withSim(['--model', model], () => ours(pattern(600), { erase: 'mass' }));
      assert.equal(r.result, 'ok', r.message);
      assert.deepEqual(sim.report!.erased, ['mass']);
      await pair.close();
      pair = await openPtyPair();
    }
  });

  it('an Intel HEX with two segments lands at the addresses it states', async () => {
    const a = pattern(1000, 11);
    const b = pattern(3000, 12);
    const map = new MemoryMap();
    map.set(0x08000000, a);
    map.set(0x08010000, b);
    const file = path.join(dir, 'firmware.hex');
    writeFileSync(file, map.asHexString());
    const regions = await readFlashImage(file);
    assert.equal(regions.length, 2);
    const { value: r, sim, dump } = await withSim(['--model', 'f103'], () => ours(regions));
    assert.equal(r.result, 'ok', r.message);
    assert.equal(r.bytes, 4000);
    assert.ok(dump.subarray(0, 1000).equals(a), 'segment 1 differs');
    assert.ok(dump.subarray(0x10000, 0x10000 + 3000).equals(b), 'segment 2 differs');
    assert.ok(dump.subarray(1000, 0x10000).every((x) => x === 0xff), 'something was written between the segments');
    assert.deepEqual(sim.report!.erased, [0, 32, 33]);
  });

  it('waiting for every ACK (sendAhead off) writes the same bytes', async () => {
    const image = pattern(40_000, 21);
    const { value: r, dump } = await withSim(['--model', 'f411'], () => ours(image, { sendAhead: false }));
    assert.equal(r.result, 'ok', r.message);
    assertHolds(dump, image);
  });

  it('a NACKed block is written again, and the result counts the retry', async () => {
    const image = pattern(4096, 5);
    const { value: r, sim, dump } = await withSim(['--nack-writes', '3,9'], () => ours(image));
    assert.equal(r.result, 'ok', r.message);
    assert.equal(r.verified, true);
    assert.equal(r.retries, 2);
    assert.equal(sim.report!.nacks >= 2, true);
    assertHolds(dump, image);
  });

  it('a block NACKed on every try ends in a failure naming its address', async () => {
    const { value: r } = await withSim(['--nack-writes', '3,4,5,6,7,8,9,10'], () => ours(pattern(2048, 8), { maxRetries: 3 }));
    assert.equal(r.result, 'failed');
    assert.equal(r.verified, false);
    assert.equal(r.errorCode, 'too-many-retries');
    assert.match(r.message, /refused it \(NACK\) the block at 0x08000300, 4 times/);
    assert.equal(r.retries, 3);
  });

  it('a readout-protected chip is reported, not flashed; --unprotect mass-erases it and flashes', async () => {
    const image = pattern(2048, 9);
    const refused = await withSim(['--read-protected', '--stay'], () => ours(image));
    assert.equal(refused.value.result, 'refused');
    assert.equal(refused.value.errorCode, 'read-protected');
    assert.match(refused.value.message, /readout-protected.*--unprotect.*mass-erases/);
    assert.equal(refused.value.verified, false);
    assert.equal(refused.sim.report!.writes, 0);
    assert.equal(refused.sim.report!.readProtected, true);

    await pair.close();
    pair = await openPtyPair();
    const unprotected = await withSim(['--read-protected'], () => ours(image, { unprotect: true }));
    assert.equal(unprotected.value.result, 'ok', unprotected.value.message);
    assert.equal(unprotected.sim.report!.readProtected, false);
    assert.equal(unprotected.sim.report!.syncs, 2); // the chip resets after the unprotect: autobaud again
    assert.deepEqual(unprotected.sim.report!.erased[0], 'mass');
    assertHolds(unprotected.dump, image);
  });

  it('--no-go leaves the chip in its bootloader', async () => {
    const { value: r, sim } = await withSim([], () => ours(pattern(100), { go: false }));
    assert.equal(r.result, 'ok', r.message);
    assert.match(r.message, /--no-go/);
    assert.equal(sim.report!.goAddress, null);
    assert.equal(sim.report!.outcome, 'aborted'); // still serving when stopped
  });

  it('no bootloader on the line: a clear failure after the wait, port closed', async () => {
    const r = await ours(pattern(100), { syncTimeoutMs: 800 });
    assert.equal(r.result, 'failed');
    assert.equal(r.errorCode, 'no-bootloader');
    assert.match(r.message, /BOOT0/);
  });
});
