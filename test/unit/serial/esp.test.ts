// The esp protocol (esptool-js behind our adapter) against the simulated ESP32 ROM loader + stub on an in-process
// link: what arrives in flash, what the panel is told, and every failure ending as a failure.

import * as assert from 'node:assert/strict';
import { type FlashSessionEvent } from '../../../src/core/serial/sessionTypes';
import { flashHolds, flashSim, firmwareLike, platformioImageSet, randomImage, simBoard, withoutModemLines } from './espHelpers';

function phases(events: FlashSessionEvent[]): string[] {
  return events.filter((e) => e.type === 'phase').map((e) => (e as { status: string }).status);
}

describe('esp protocol against the simulated ESP32', function () {
  this.timeout(60000);

  it('resets a running board into download mode, flashes 1 MiB with the stub and compression, verifies it and restarts it', async () => {
    const { host, sim } = simBoard({ boot: 'app', mac: '24:0a:c4:00:00:01' });
    const image = firmwareLike(1024 * 1024);
    const { result, events } = await flashSim(host, image);
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    assert.ok(flashHolds(sim, 0x10000, image), 'the image is at 0x10000, byte for byte');
    assert.equal(result.bytes, image.length);
    assert.equal(sim.stats.stubStarted, true);
    assert.ok(sim.stats.commands.FLASH_DEFL_DATA > 0, 'compressed writes');
    // Classic DTR/RTS reset into the ROM, then the hard reset into the application at the end.
    assert.deepEqual(sim.stats.boots.map((b) => b.mode), ['rom', 'app']);
    assert.equal(sim.currentMode, 'app');
    const chip = result.device.find((f) => f.label === 'Chip');
    assert.equal(chip?.value, 'ESP32-D0WD-V3 (revision 3)');
    assert.equal(result.device.find((f) => f.label === 'MAC')?.value, '24:0a:c4:00:00:01');
    assert.equal(result.device.find((f) => f.label === 'Flash size')?.value, '4MB');
    assert.match(result.device.find((f) => f.label === 'Features')?.value ?? '', /Wi-Fi, BT, Dual Core/);
    assert.equal(result.details.chip, 'ESP32-D0WD-V3 (revision 3)');
    const regions = result.details.regions as { address: string; bytes: number; md5: string; verified: boolean }[];
    assert.equal(regions.length, 1);
    assert.deepEqual({ ...regions[0], md5: undefined }, { address: '0x00010000', bytes: image.length, md5: undefined, verified: true });
    assert.equal(regions[0].md5, sim.md5Of(0x10000, image.length));
    const said = phases(events).join('\n');
    for (const step of [/Connecting/, /Identifying the chip: ESP32/, /Loading the stub/, /Erasing and writing/, /Writing firmware.bin/, /Verifying/, /Restarting/]) {
      assert.match(said, step);
    }
    assert.ok(events.some((e) => e.type === 'stats' && e.facts.some((f) => f.label === 'Compressed')));
  });

  it('writes the PlatformIO four-image set, each byte-identical at its offset', async () => {
    const { host, sim } = simBoard();
    const set = platformioImageSet();
    const { result } = await flashSim(host, set);
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    for (const r of set) assert.ok(flashHolds(sim, r.address!, r.data), `${r.name} at 0x${r.address!.toString(16)}`);
    const regions = result.details.regions as { address: string; verified: boolean }[];
    assert.deepEqual(regions.map((r) => r.address), ['0x00001000', '0x00008000', '0x0000e000', '0x00010000']);
    assert.ok(regions.every((r) => r.verified));
  });

  it('puts a plain .bin at --address', async () => {
    const { host, sim } = simBoard();
    const image = randomImage(5000);
    const { result } = await flashSim(host, image, { address: 0x200000 });
    assert.equal(result.result, 'ok', result.message);
    assert.ok(flashHolds(sim, 0x200000, image));
  });

  it('refuses a board that is not the --chip asked for, before writing anything', async () => {
    const { host, sim } = simBoard();
    const { result } = await flashSim(host, randomImage(4096), { chip: 'esp32s3' });
    assert.equal(result.result, 'refused');
    assert.match(result.message, /is an ESP32, not an ESP32-S3/);
    assert.equal(sim.stats.flashWrites, 0);
  });

  it('fails clearly when the board never syncs', async () => {
    const { host } = simBoard({ neverSync: true });
    const { result } = await flashSim(host, randomImage(4096));
    assert.equal(result.result, 'failed');
    assert.equal(result.verified, false);
    assert.equal(result.errorCode, 'no-sync');
    assert.match(result.message, /No ESP bootloader answered on sim-esp32/);
  });

  it('asks for BOOT + RESET where the port cannot toggle DTR/RTS, and goes on once the board is in download mode', async () => {
    const { host, sim } = simBoard({ boot: 'app' });
    const image = randomImage(20000);
    // A person presses the buttons a little after being asked (the first sync attempts take about a second).
    const hands = setTimeout(() => sim.pressReset(true), 2000);
    const { result, events } = await flashSim(withoutModemLines(host), image);
    clearTimeout(hands);
    assert.equal(result.result, 'ok', result.message);
    assert.match(phases(events).join('\n'), /Hold BOOT and press RESET on the board at sim-esp32/);
    assert.ok(flashHolds(sim, 0x10000, image));
    // No RTS: the loader was asked to reboot itself.
    assert.equal(sim.currentMode, 'app');
    assert.match(result.message, /software reset/);
  });

  it('gives up waiting for BOOT + RESET after the wait, with what to do', async () => {
    const { host } = simBoard({ boot: 'app' });
    const { result } = await flashSim(withoutModemLines(host), randomImage(4096), { waitForBootMs: 1500 });
    assert.equal(result.result, 'failed');
    assert.match(result.message, /within 2 s.*Hold BOOT, press RESET/);
  });

  it('fails with the disconnect when the link drops mid-write, not with a false success', async () => {
    const { host, sim } = simBoard();
    const image = randomImage(300000);
    const run = flashSim(host, image, { compress: false });
    for (let i = 0; i < 400 && sim.stats.flashWrites < 5; i++) await new Promise((r) => setTimeout(r, 25));
    host.unplug();
    const { result } = await run;
    assert.equal(result.result, 'failed');
    assert.equal(result.verified, false);
    assert.equal(result.errorCode, 'port-disconnected');
    assert.match(result.message, /disconnected/);
  });

  it('fails on an MD5 mismatch (a stuck flash bit) and never reports it verified', async () => {
    const { host } = simBoard({ stuckBit: { address: 0x10000 + 777, bit: 3 } });
    const image = new Uint8Array(8192).fill(0xff);
    const { result } = await flashSim(host, image);
    assert.equal(result.result, 'failed');
    assert.equal(result.verified, false);
    assert.equal(result.errorCode, 'md5-mismatch');
    assert.match(result.message, /does not hold firmware.bin at 0x00010000/);
    const regions = result.details.regions as { verified: boolean }[];
    assert.equal(regions[0].verified, false);
  });

  it('cancels promptly mid-write and says so', async () => {
    const { host, sim } = simBoard();
    const controller = new AbortController();
    const run = flashSim(host, randomImage(400000), { compress: false }, { signal: controller.signal });
    for (let i = 0; i < 400 && sim.stats.flashWrites < 3; i++) await new Promise((r) => setTimeout(r, 25));
    controller.abort();
    const { result } = await run;
    assert.equal(result.result, 'cancelled');
    assert.equal(result.verified, false);
    assert.match(result.message, /Cancelled\. The flash is partly written \(cancelled at firmware\.bin, 0x00010000\): flash again/);
  });

  it('a cancel before anything is written says the board is unchanged', async () => {
    const { host } = simBoard({ neverSync: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const { result } = await flashSim(host, randomImage(4096), {}, { signal: controller.signal });
    assert.equal(result.result, 'cancelled');
    assert.match(result.message, /Nothing was written: the board is unchanged/);
  });
});
