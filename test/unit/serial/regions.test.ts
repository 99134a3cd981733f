// What is flashed, as regions: Intel HEX files become regions at their addresses, single-image protocols refuse what
// they cannot place, and a session reports a verified result only when the protocol's device proved it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MemoryMap from 'nrf-intel-hex';
import { readFlashImage, regionsFromIntelHex } from '../../../src/core/serial/imageFile';
import { joinRegions } from '../../../src/core/serial/protocols/regions';
import { type FlashProtocol, type ProtocolOutcome } from '../../../src/core/serial/protocols/types';
import { checkFlashRequest, FlashSession } from '../../../src/core/serial/session';
import { type FlashSessionEvent } from '../../../src/core/serial/sessionTypes';
import { createVirtualLinkPair } from '../../../src/core/serial/virtualLink';

function bytes(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);
}

/** A protocol that reports what it is told to, so the session's own rules are what is tested. */
function scripted(outcome: ProtocolOutcome, seen: { regions?: number; image?: number } = {}): FlashProtocol {
  return {
    id: 'scripted',
    label: 'Scripted',
    description: 'test',
    checkOptions: () => undefined,
    run(ctx) {
      seen.regions = ctx.regions.length;
      seen.image = ctx.image.length;
      ctx.report({ type: 'device', facts: [{ label: 'Chip', value: 'X1' }, { label: 'MAC', value: 'aa:bb' }] });
      ctx.report({ type: 'device', facts: [{ label: 'Chip', value: 'X1 rev 3' }] });
      ctx.report({ type: 'stats', facts: [{ label: 'Window', value: '8 frames' }] });
      ctx.report({ type: 'progress', bytesDone: ctx.image.length });
      return Promise.resolve(outcome);
    },
  };
}

function connect() {
  const [host] = createVirtualLinkPair();
  return () => Promise.resolve(host);
}

describe('flash regions', () => {
  it('reads an Intel HEX file with two segments into two regions at their addresses', async () => {
    const a = bytes(300, 1);
    const b = bytes(40, 7);
    const map = new MemoryMap([[0x08000000, a], [0x08004000, b]]);
    const dir = mkdtempSync(join(tmpdir(), 'ota-hex-'));
    try {
      writeFileSync(join(dir, 'app.hex'), map.asHexString());
      writeFileSync(join(dir, 'app.bin'), a);
      const regions = await readFlashImage(join(dir, 'app.hex'));
      assert.deepEqual(regions.map((r) => [r.address, r.data.length, r.name]), [
        [0x08000000, 300, 'app.hex @0x08000000'],
        [0x08004000, 40, 'app.hex @0x08004000'],
      ]);
      assert.deepEqual(Buffer.from(regions[0].data), Buffer.from(a));
      assert.deepEqual(Buffer.from(regions[1].data), Buffer.from(b));
      const bin = await readFlashImage(join(dir, 'app.bin'));
      assert.deepEqual(bin.map((r) => [r.address, r.data.length]), [[null, 300]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed or empty Intel HEX file with a message naming it', () => {
    assert.throws(() => regionsFromIntelHex(':10000000ZZ\n', 'bad.hex'), /bad\.hex is not a valid Intel HEX file/);
    assert.throws(() => regionsFromIntelHex(':00000001FF\n', 'empty.hex'), /empty\.hex holds no data records/);
  });

  it('single-image protocols refuse several regions before any port is opened', () => {
    const regions = [
      { address: 0x08000000, data: bytes(10, 1), name: 'a' },
      { address: 0x08001000, data: bytes(10, 2), name: 'b' },
    ];
    for (const protocol of ['ymodem', 'quecthing']) {
      assert.throws(() => checkFlashRequest({ protocol, image: regions }), new RegExp(`${protocol} protocol sends one image, but this one has 2 regions .*0x08000000, 0x08001000`));
    }
    assert.throws(() => checkFlashRequest({ protocol: 'ymodem', image: [{ address: 0, data: new Uint8Array(0), name: 'x' }] }), /empty/);
  });

  it('hands a protocol every region and their bytes joined; keeps device facts and the latest stats', async () => {
    const regions = [
      { address: 0x1000, data: bytes(100, 1), name: 'bootloader.bin' },
      { address: 0x10000, data: bytes(250, 2), name: 'firmware.bin' },
    ];
    const seen: { regions?: number; image?: number } = {};
    const session = new FlashSession({ protocol: scripted({ result: 'ok', verified: true, message: 'ok', details: { chip: 'X1' } }, seen), image: regions, port: 'p', connect: connect() });
    const events: FlashSessionEvent[] = [];
    session.onEvent((e) => events.push(e));
    const result = await session.start();
    assert.deepEqual(seen, { regions: 2, image: 350 });
    assert.equal(result.totalBytes, 350);
    assert.equal(result.verified, true);
    assert.deepEqual(result.details, { chip: 'X1' });
    assert.deepEqual(result.device, [{ label: 'Chip', value: 'X1 rev 3' }, { label: 'MAC', value: 'aa:bb' }]);
    assert.deepEqual(session.snapshot().stats, [{ label: 'Window', value: '8 frames' }]);
    assert.ok(events.some((e) => e.type === 'device') && events.some((e) => e.type === 'stats'));
    assert.equal(joinRegions(regions).length, 350);
  });

  it('never reports verified for anything but a complete success', async () => {
    const failed = await new FlashSession({ protocol: scripted({ result: 'failed', verified: true, message: 'no' }), image: bytes(10, 1), port: 'p', connect: connect() }).start();
    assert.equal(failed.verified, false);
    const unverified = await new FlashSession({ protocol: scripted({ result: 'ok', verified: false, message: 'sent' }), image: bytes(10, 1), port: 'p', connect: connect() }).start();
    assert.deepEqual([unverified.result, unverified.verified], ['ok', false]);
  });
});
