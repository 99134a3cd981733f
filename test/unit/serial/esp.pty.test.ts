// The esp protocol over real serial ports: pseudo-terminals, the fault relay and the simulated ESP32 in its own
// process, which a pty cannot reset (no DTR/RTS): it starts in download mode, or waits for "BOOT + RESET".

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { espImageSet } from '../../../src/core/platformio/espImages';
import { type FlashRegion } from '../../../src/core/serial/protocols/types';
import { runFlashSession } from '../../../src/core/serial/session';
import { type FlashResult, type FlashSessionEvent } from '../../../src/core/serial/sessionTypes';
import { startEspPtyBoard, type EspPtyBoard } from '../../sims/espBoard';
import { firmwareLike, randomImage } from './espHelpers';

const ROOT = join(__dirname, '..', '..', '..', '..');
const FAKE_PIO = join(ROOT, 'test', 'fixtures', 'pio', 'fake-pio');

async function flash(board: EspPtyBoard, image: Uint8Array | FlashRegion[], options: Record<string, unknown> = {}): Promise<{ result: FlashResult; events: FlashSessionEvent[] }> {
  const events: FlashSessionEvent[] = [];
  const result = await runFlashSession({ protocol: 'esp', image, imageName: 'firmware.bin', port: board.port, options: { flashBaud: 115200, ...options } }, (e) => events.push(e));
  return { result, events };
}

function holds(flashBytes: Buffer | null, address: number, data: Uint8Array): boolean {
  return flashBytes !== null && Buffer.compare(flashBytes.subarray(address, address + data.length), Buffer.from(data)) === 0;
}

describe('esp protocol over pseudo-terminals', function () {
  this.timeout(90000);
  let board: EspPtyBoard | null = null;

  afterEach(async () => {
    await board?.stop();
    board = null;
  });

  it('flashes a 1 MiB image that arrives byte-identical at 0x10000, with the chip shown', async () => {
    board = await startEspPtyBoard({ simArgs: ['--mac', '24:0a:c4:aa:bb:cc'] });
    const image = firmwareLike(1024 * 1024, 9);
    const { result } = await flash(board, image);
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    assert.equal(result.device.find((f) => f.label === 'MAC')?.value, '24:0a:c4:aa:bb:cc');
    assert.match(result.device.find((f) => f.label === 'Chip')?.value ?? '', /^ESP32-D0WD-V3/);
    const { flash: bytes, report } = await board.stop();
    assert.ok(holds(bytes, 0x10000, image));
    assert.equal(report?.stubStarted, true);
    // A pty cannot pulse RTS: the stub was told to reboot into the application.
    assert.equal(report?.mode, 'app');
  });

  it('flashes the PlatformIO ESP32 build (4 images from pio project metadata) at their offsets', async () => {
    const project = mkdtempSync(join(tmpdir(), 'ota-esp-project-'));
    try {
      cpSync(join(ROOT, 'test', 'fixtures', 'pio', 'blink'), project, { recursive: true });
      execFileSync(FAKE_PIO, ['run', '-e', 'esp32dev', '-d', project], { stdio: 'ignore' });
      const regions = await espImageSet(project, 'esp32dev', { pio: FAKE_PIO });
      assert.deepEqual(regions.map((r) => [r.name, r.address]), [
        ['bootloader.bin', 0x1000],
        ['partitions.bin', 0x8000],
        ['boot_app0.bin', 0xe000],
        ['firmware.bin', 0x10000],
      ]);
      board = await startEspPtyBoard();
      const { result } = await flash(board, regions);
      assert.equal(result.result, 'ok', result.message);
      assert.equal(result.verified, true);
      const { flash: bytes } = await board.stop();
      for (const r of regions) assert.ok(holds(bytes, r.address!, r.data), r.name);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('retries blocks whose bytes were corrupted on the way to the chip, and ends verified', async () => {
    board = await startEspPtyBoard({ relay: { aToB: { corruptAt: [40000, 90000, 150000] } } });
    const image = randomImage(256 * 1024);
    const { result } = await flash(board, image, { compress: false });
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    const { flash: bytes, report } = await board.stop();
    assert.ok((report?.checksumErrors ?? 0) >= 1, 'the chip saw the bad checksums');
    assert.ok(holds(bytes, 0x10000, image));
  });

  it('corrupted answers from the chip end in a clear failure or a verified success, never a false one', async () => {
    board = await startEspPtyBoard({ relay: { bToA: { corruptAt: [3000, 3300, 3600, 3900] } } });
    const image = randomImage(128 * 1024);
    const { result } = await flash(board, image);
    const { flash: bytes } = await board.stop();
    if (result.result === 'ok') {
      assert.equal(result.verified, true);
      assert.ok(holds(bytes, 0x10000, image), 'a success means the flash holds the image');
    } else {
      assert.equal(result.result, 'failed');
      assert.equal(result.verified, false);
      assert.match(result.message, /ESP|answer/);
    }
  });

  it('a board that never syncs: asks for BOOT + RESET, then fails saying what to do', async () => {
    board = await startEspPtyBoard({ simArgs: ['--never-sync'] });
    const { result, events } = await flash(board, randomImage(4096), { waitForBootMs: 1000 });
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'no-sync');
    assert.match(result.message, /No ESP bootloader answered on \/dev\/pts\/\d+ within 1 s/);
    assert.ok(events.some((e) => e.type === 'phase' && /Hold BOOT and press RESET/.test(e.status)));
  });

  it('a board running its application: waits for BOOT + RESET, then flashes', async () => {
    board = await startEspPtyBoard({ simArgs: ['--boot', 'app'] });
    const image = randomImage(30000);
    const b = board;
    const hands = setTimeout(() => b.pressReset(true), 2000);
    const { result } = await flash(board, image);
    clearTimeout(hands);
    assert.equal(result.result, 'ok', result.message);
    const { flash: bytes } = await board.stop();
    assert.ok(holds(bytes, 0x10000, image));
  });

  it('a link that stops passing bytes mid-write ends in a clear failure', async () => {
    board = await startEspPtyBoard({ relay: { aToB: { cutAfterBytes: 120000 } } });
    const { result } = await flash(board, randomImage(400 * 1024), { compress: false });
    assert.equal(result.result, 'failed');
    assert.equal(result.verified, false);
    assert.ok(result.bytes < 400 * 1024);
    assert.match(result.message, /stopped answering|Timeout|timed out/i);
  });

  it('an unplugged cable mid-write ends with the disconnect', async () => {
    // Paced like a 921600 baud UART, so that the transfer is still going when the cable goes.
    board = await startEspPtyBoard({ relay: { baudRate: 921600 } });
    const b = board;
    const run = flash(board, randomImage(600 * 1024), { compress: false });
    setTimeout(() => void b.unplug(), 2500);
    const { result } = await run;
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'port-disconnected');
  });
});
