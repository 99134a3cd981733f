// The ROM loader path (no stub): the three things esptool-js 0.7.0 gets wrong there, shown against the simulated
// ROM with esptool-js alone, and our flash through the same ROM succeeding because of each workaround.

import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { LinkSerialPort } from '../../../src/core/serial/protocols/esp/linkSerialPort';
import { decodeMd5Reply, paddedMd5, romAwareMd5 } from '../../../src/core/serial/protocols/esp/romFixes';
import { flashHolds, flashSim, firmwareLike, platformioImageSet, randomImage, simBoard } from './espHelpers';

async function romLoader(host: ReturnType<typeof simBoard>['host']) {
  const esp = await import('esptool-js');
  const port = new LinkSerialPort(host);
  const transport = new esp.Transport(port, false);
  transport.trace = () => undefined;
  const loader = new esp.ESPLoader({ transport, baudrate: 115200, terminal: { clean: () => undefined, write: () => undefined, writeLine: () => undefined } });
  await loader.connect('default_reset', 3, true);
  return { loader, transport };
}

describe('esp protocol: the ROM loader without the stub', function () {
  this.timeout(60000);

  it('esptool-js alone: flashMd5sum hex-encodes the ROM\'s hex digest a second time; ours reads it right', async () => {
    const { host, sim } = simBoard();
    const { loader, transport } = await romLoader(host);
    await loader.checkCommand('attach', loader.ESP_SPI_ATTACH, new Uint8Array(8));
    const expected = sim.md5Of(0, 4096);
    const theirs = await loader.flashMd5sum(0, 4096);
    assert.equal(theirs.length, 64, 'two hex digits per ASCII digit');
    assert.equal(theirs, Buffer.from(expected, 'latin1').toString('hex'));
    assert.equal(await romAwareMd5(loader, 0, 4096), expected);
    await transport.disconnect();
  });

  it('esptool-js alone: 16 KiB flash blocks overflow the ROM\'s buffer and the write fails', async () => {
    const { host, sim } = simBoard();
    const { loader, transport } = await romLoader(host);
    await loader.checkCommand('attach', loader.ESP_SPI_ATTACH, new Uint8Array(8));
    assert.equal(loader.FLASH_WRITE_SIZE, 0x4000);
    await assert.rejects(
      loader.writeFlash({ fileArray: [{ data: randomImage(20000), address: 0x10000 }], flashMode: 'keep', flashFreq: 'keep', flashSize: 'keep', eraseAll: false, compress: false }),
      /status 1,5/,
    );
    assert.ok(sim.stats.rejectedPackets > 0);
    await transport.disconnect();
  });

  it('esptool-js alone: without SPI_ATTACH the ROM refuses to begin a flash write', async () => {
    const { host, sim } = simBoard();
    const { loader, transport } = await romLoader(host);
    loader.FLASH_WRITE_SIZE = 0x400;
    await assert.rejects(
      loader.writeFlash({ fileArray: [{ data: randomImage(4096), address: 0x10000 }], flashMode: 'keep', flashFreq: 'keep', flashSize: 'keep', eraseAll: false, compress: false }),
      /enter Flash download mode/,
    );
    assert.equal(sim.stats.spiAttached, false);
    // esptool-js's own flashSpiAttach sends 4 bytes, which the ESP32 ROM does not take either.
    await assert.rejects(loader.flashSpiAttach(0), /status 1,1/);
    await transport.disconnect();
  });

  it('ours, --no-stub: attaches the flash, writes 1 KiB blocks and verifies the PlatformIO set with the ROM\'s MD5', async () => {
    const { host, sim } = simBoard();
    const set = platformioImageSet();
    const { result } = await flashSim(host, set, { stub: false });
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    assert.equal(sim.stats.stubStarted, false);
    assert.equal(sim.stats.spiAttached, true);
    assert.ok(sim.stats.largestBlock <= 0x400, `largest block ${sim.stats.largestBlock}`);
    assert.equal(sim.stats.rejectedPackets, 0);
    for (const r of set) assert.ok(flashHolds(sim, r.address!, r.data), r.name);
    assert.equal(result.details.stub, false);
    assert.equal(result.device.find((f) => f.label === 'Loader')?.value, 'ROM');
  });

  it('ours, --no-stub --no-compress: plain FLASH_DATA through the ROM, verified', async () => {
    const { host, sim } = simBoard();
    const image = firmwareLike(50001);
    const { result } = await flashSim(host, image, { stub: false, compress: false });
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    assert.ok(sim.stats.commands.FLASH_DATA > 40);
    assert.ok(flashHolds(sim, 0x10000, image));
  });

  it('decodes both MD5 reply forms and pads images as esptool-js writes them', () => {
    const digest = createHash('md5').update('x').digest();
    assert.equal(decodeMd5Reply(new Uint8Array(digest), true), digest.toString('hex'));
    assert.equal(decodeMd5Reply(new TextEncoder().encode(digest.toString('hex').toUpperCase()), false), digest.toString('hex'));
    assert.throws(() => decodeMd5Reply(new Uint8Array(32), false), /not 32 hex digits/);
    const odd = new Uint8Array([1, 2, 3, 4, 5]);
    assert.deepEqual(paddedMd5(odd), { md5: createHash('md5').update(Uint8Array.from([1, 2, 3, 4, 5, 0xff, 0xff, 0xff])).digest('hex'), length: 8 });
  });
});
