// The STM32 protocol in process: frame checksums from AN3155, the reset sequences (stm32flash -i syntax) driving a
// simulated board wired DTR->NRST, RTS->BOOT0, option checks before any port is opened, and what a plan erases.
import assert from 'node:assert/strict';
import { isOtaError } from '../../../src/core/errors';
import { type ByteLink } from '../../../src/core/serial/byteLink';
import { findChip } from '../../../src/core/serial/protocols/stm32/chips';
import { addressFrame, extendedEraseFrame, legacyEraseFrame, safeToSendAhead, writeDataFrame } from '../../../src/core/serial/protocols/stm32/frames';
import { placeRegions, unitsToErase, writeBlocks } from '../../../src/core/serial/protocols/stm32/plan';
import { stm32Protocol } from '../../../src/core/serial/protocols/stm32/protocol';
import { parseResetSequence, resolveReset } from '../../../src/core/serial/protocols/stm32/resetSequence';
import { checkFlashRequest, FlashSession } from '../../../src/core/serial/session';
import { runStm32Bootloader, type Stm32BootloaderResult } from '../../../src/core/serial/virtual/stm32Bootloader';
import { createVirtualStm32Port } from '../../../src/core/serial/virtual/virtualDevices';
import { createVirtualLinkPair } from '../../../src/core/serial/virtualLink';

function throwsInvalid(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => isOtaError(e) && e.kind === 'invalid-input' && re.test(e.message));
}

describe('STM32 bootloader protocol', () => {
  it('frames carry the checksums AN3155 gives', () => {
    // AN3155's example: address 0x08000000 -> 08 00 00 00 08.
    assert.deepEqual([...addressFrame(0x08000000)], [0x08, 0x00, 0x00, 0x00, 0x08]);
    // Write of 5 bytes: padded to 8 with 0xFF, N-1 = 7, XOR of all.
    const f = writeDataFrame(Uint8Array.of(1, 2, 3, 4, 5));
    assert.deepEqual([...f.subarray(0, 9)], [7, 1, 2, 3, 4, 5, 0xff, 0xff, 0xff]);
    assert.equal(f[9], 7 ^ 1 ^ 2 ^ 3 ^ 4 ^ 5 ^ 0xff ^ 0xff ^ 0xff);
    assert.deepEqual([...legacyEraseFrame([2, 3])], [1, 2, 3, 1 ^ 2 ^ 3]);
    assert.deepEqual([...extendedEraseFrame([0x102])], [0, 0, 1, 2, 1 ^ 2]);
  });

  it('sends a frame ahead of an ACK only when no byte pair in it could be read as a command', () => {
    assert.equal(safeToSendAhead([...addressFrame(0x08000100), 0xff, 0x00]), true); // 256-byte read: 0xFF is no command
    assert.equal(safeToSendAhead(addressFrame(0x0800827d)), false); // 82 7D: Readout Protect
    assert.equal(safeToSendAhead([...addressFrame(0x08000000), 0x92 - 0, 0x6d]), false); // a 147-byte read: Readout Unprotect
    assert.equal(safeToSendAhead(addressFrame(0x080043bc)), false); // 43 BC: Erase
  });

  it('reads reset sequences as stm32flash -i does, and refuses what it cannot drive', () => {
    const s = parseResetSequence('-rts&dtr,-dtr:rts&dtr,,-dtr');
    assert.deepEqual(s.entry, [{ signal: 'rts', asserted: false }, { signal: 'dtr', asserted: true }, { delayMs: 100 }, { signal: 'dtr', asserted: false }]);
    assert.equal(s.exit.filter((x) => 'delayMs' in x).length, 2);
    assert.equal(resolveReset('manual'), null);
    assert.equal(resolveReset('dtr-reset-rts-boot0')?.text, '-rts&dtr,-dtr:rts&dtr,-dtr');
    throwsInvalid(() => resolveReset('4,-5,-3,3'), /neither a wiring/);
    throwsInvalid(() => parseResetSequence('dtr,3'), /GPIO numbers are not supported/);
    throwsInvalid(() => parseResetSequence('dtr;rts'), /";" is not a signal/);
  });

  it('resets a board wired DTR->NRST, RTS->BOOT0 into its bootloader, flashes, and resets it into the firmware', async () => {
    const [host, device] = createVirtualLinkPair({ names: ['host', 'board'] });
    const board = runStm32Bootloader(device, { wiredReset: true, model: 'f411' });
    const image = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    const result = await new FlashSession({
      protocol: 'stm32',
      image,
      port: 'board',
      connect: () => Promise.resolve(host),
      options: { reset: 'dtr-reset-rts-boot0', go: false, syncTimeoutMs: 2000 },
    }).start();
    assert.equal(result.result, 'ok', result.message);
    const b = await board;
    assert.equal(b.outcome, 'reset-to-firmware'); // the exit sequence: BOOT0 low, reset pulse
    assert.deepEqual([...b.flash.subarray(0, 1000)], [...image]);
  });

  it('the virtual STM32 of the Serial view takes a flash at its baud rate, verified', async () => {
    let board: Stm32BootloaderResult | null = null;
    const port = createVirtualStm32Port({ paced: false, onResult: (r) => (board = r) });
    const image = Uint8Array.from({ length: 3000 }, (_, i) => (i * 5) & 0xff);
    const result = await new FlashSession({ protocol: 'stm32', image, port: port.path, virtualPorts: [port], options: { syncTimeoutMs: 2000 } }).start();
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.verified, true);
    assert.equal(result.details.pid, '0x431');
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(board);
    assert.deepEqual([...(board as Stm32BootloaderResult).flash.subarray(0, 3000)], [...image]);
  });

  it('without the wiring the board never answers: the wait ends with what to do', async () => {
    const [host, device] = createVirtualLinkPair();
    void runStm32Bootloader(device, { wiredReset: true });
    const result = await new FlashSession({
      protocol: 'stm32',
      image: Uint8Array.of(1, 2, 3, 4),
      port: 'board',
      connect: () => Promise.resolve(host),
      options: { syncTimeoutMs: 600 },
    }).start();
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'no-bootloader');
    assert.match(result.message, /Check that BOOT0 is high/);
    await device.close();
  });

  it('a link without control lines cannot run a reset sequence, and says how to go on', async () => {
    const [host, device] = createVirtualLinkPair();
    const plain: ByteLink = {
      name: 'plain',
      get isClosed() {
        return host.isClosed;
      },
      write: (d) => host.write(d),
      onData: (l) => host.onData(l),
      onClose: (l) => host.onClose(l),
      close: () => host.close(),
    };
    const result = await new FlashSession({
      protocol: 'stm32',
      image: Uint8Array.of(1),
      port: 'plain',
      connect: () => Promise.resolve(plain),
      options: { reset: 'dtr-reset' },
    }).start();
    assert.equal(result.result, 'failed');
    assert.equal(result.errorCode, 'port-signals');
    assert.match(result.message, /by hand/);
    await device.close();
  });

  it('checks options before any port is opened', () => {
    const check = (options: Record<string, unknown>, image: Uint8Array | { address: number | null; data: Uint8Array; name: string }[] = Uint8Array.of(1)) =>
      checkFlashRequest({ protocol: 'stm32', image, options });
    throwsInvalid(() => check({ erase: 'sectors' }), /erase must be one of pages, mass/);
    throwsInvalid(() => check({ address: 0x08000000 }, [{ address: 0x08000000, data: Uint8Array.of(1), name: 'a.hex @0x08000000' }]), /--address cannot be used/);
    throwsInvalid(() => check({ reset: 'jtag' }), /neither a wiring/);
    throwsInvalid(() => check({ blockSize: 128 }), /no option blockSize/);
    assert.equal(stm32Protocol.serial?.parity, 'even'); // 8E1 as the bootloader expects
    check({ address: '0x08004000', erase: 'mass', go: false, unprotect: true, reset: 'rts-reset-dtr-boot0' });
  });

  it('plans 256-byte blocks on 4-byte boundaries and erases the F4 sectors they touch', () => {
    const blocks = writeBlocks(placeRegions([{ address: 0x08003ffe, data: new Uint8Array(300).fill(1), name: 'x' }], 0x08000000));
    assert.deepEqual(blocks.map((b) => [b.address, b.data.length, b.payload]), [[0x08003ffc, 256, 254], [0x080040fc, 48, 46]]);
    assert.equal(blocks[0].data[0], 0xff); // front padding
    const chip = findChip(0x413)!;
    assert.deepEqual(unitsToErase(chip, blocks).map((u) => u.index), [0, 1]);
    const big = writeBlocks(placeRegions([{ address: null, data: new Uint8Array(200 * 1024), name: 'x' }], 0x08000000));
    assert.deepEqual(unitsToErase(chip, big).map((u) => u.index), [0, 1, 2, 3, 4, 5]);
    throwsInvalid(() => unitsToErase(findChip(0x410)!, big), /past the end of the STM32F10x medium-density flash/);
    throwsInvalid(() => placeRegions([{ address: 0x08000000, data: new Uint8Array(8), name: 'a' }, { address: 0x08000004, data: new Uint8Array(8), name: 'b' }], 0), /b overlaps a/);
  });
});
