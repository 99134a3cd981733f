// `ota flash --protocol stm32` through run(), over a real pty pair to the simulated STM32 bootloader process: the
// --json summary with verified and pid, a .hex placed at its own addresses, the protocol's own flags, and the
// refusal of a readout-protected chip that names --unprotect.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MemoryMap from 'nrf-intel-hex';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';
import { startStm32Sim } from '../../sims/stm32Sim';
import { assertOneLineError, cli, lastLine, parseJsonOut } from './helpers';

function pattern(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 29 + (i >> 9)) & 0xff;
  return out;
}

describe('cli flash --protocol stm32 over a real pty pair', function () {
  this.timeout(30_000);
  let pair: PtyPair;
  let dir: string;

  beforeEach(async () => {
    pair = await openPtyPair();
    dir = mkdtempSync(join(tmpdir(), 'ota-cli-stm32-'));
  });
  afterEach(async () => {
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flashes a .bin at --address; --json has verified and pid; exit 0', async () => {
    const image = pattern(4000);
    const file = join(dir, 'firmware.bin');
    writeFileSync(file, image);
    const sim = startStm32Sim(pair.b, ['--model', 'f411', '--dump', join(dir, 'flash.bin')]);
    try {
      await sim.ready;
      const r = await cli(['flash', file, '--port', pair.a, '--protocol', 'stm32', '--address', '0x08004000', '--timeout', '5', '--json'], {});
      assert.equal(r.code, 0, r.stderr);
      const out = parseJsonOut(r);
      assert.deepEqual([out.protocol, out.bytes, out.result, out.verified, out.pid, out.chip, out.startAddress, out.started], ['stm32', 4000, 'ok', true, '0x431', 'STM32F411', '0x08004000', '0x08004000']);
      const s = await sim.done;
      assert.deepEqual(s.report!.erased, [1]);
      assert.ok(readFileSync(join(dir, 'flash.bin')).subarray(0x4000, 0x4000 + 4000).equals(image));
      assert.match(r.stderr, /Set BOOT0 high and press reset/);
    } finally {
      await sim.stop();
    }
  });

  it('flashes a two-segment .hex where it says, with --erase mass --no-go', async () => {
    const map = new MemoryMap();
    map.set(0x08000000, pattern(600));
    map.set(0x08002000, pattern(900));
    const file = join(dir, 'firmware.hex');
    writeFileSync(file, map.asHexString());
    const sim = startStm32Sim(pair.b, ['--dump', join(dir, 'flash.bin')]);
    try {
      await sim.ready;
      const r = await cli(['flash', file, '--port', pair.a, '--protocol', 'stm32', '--erase', 'mass', '--no-go', '--timeout', '5'], {});
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Flashed firmware\.hex \(1500 bytes\) .*; the device verified it\.\n$/);
      const s = await sim.stop();
      assert.deepEqual([s.report!.erased, s.report!.goAddress], [['mass'], null]);
      const flash = readFileSync(join(dir, 'flash.bin'));
      assert.ok(flash.subarray(0x2000, 0x2000 + 900).equals(pattern(900)));
    } finally {
      await sim.stop();
    }
  });

  it('a readout-protected chip: exit 1 with a one-line message naming --unprotect', async () => {
    const file = join(dir, 'firmware.bin');
    writeFileSync(file, pattern(100));
    const sim = startStm32Sim(pair.b, ['--read-protected']);
    try {
      await sim.ready;
      const r = await cli(['flash', file, '--port', pair.a, '--protocol', 'stm32', '--json', '--timeout', '5'], {});
      assert.equal(r.code, 1);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.deepEqual([out.result, out.verified, out.pid], ['refused', false, '0x414']);
      assert.match(lastLine(r.stderr), /^ota: The chip is readout-protected.*--unprotect.*mass-erases/);
    } finally {
      await sim.stop();
    }
  });

  it('refuses --address with a .hex, a bad --erase and stm32 flags on other protocols, before opening the port', async () => {
    const map = new MemoryMap();
    map.set(0x08000000, pattern(16));
    const hex = join(dir, 'a.hex');
    writeFileSync(hex, map.asHexString());
    const bin = join(dir, 'a.bin');
    writeFileSync(bin, pattern(16));
    assertOneLineError(await cli(['flash', hex, '--port', '/dev/null-none', '--protocol', 'stm32', '--address', '0x08000000'], {}), 2, /--address cannot be used/);
    assertOneLineError(await cli(['flash', bin, '--port', '/dev/null-none', '--protocol', 'stm32', '--erase', 'all'], {}), 2, /--erase must be one of pages, mass/);
    assertOneLineError(await cli(['flash', bin, '--port', '/dev/null-none', '--protocol', 'ymodem', '--unprotect'], {}), 2, /--unprotect applies to --protocol stm32 only/);
  });
});
