// Where esptool-js 0.7.0 gets the ROM loader (no stub: --no-stub, secure download mode, chips without a stub) or the
// reset wrong, and what we do instead. Each was checked against its source (lib/esploader.js, lib/reset.js) and
// Espressif's serial protocol (esptool docs/en/advanced-topics/serial-protocol.rst, esptool loader.py, cmds.py):
//
// 1. MD5: the ROM answers SPI_FLASH_MD5 with 32 hex ASCII digits, the stub with 16 raw bytes. flashMd5sum() takes
//    the right number of bytes but hex-encodes both, so the ROM's digest comes back hex-encoded twice (64 digits)
//    and writeFlash's check fails on every good ROM write. We read the digest ourselves (romAwareMd5).
// 2. Blocks: FLASH_WRITE_SIZE is 0x4000 whatever the loader; esptool.py uses 0x400 with the ROM (ESPLoader
//    FLASH_WRITE_SIZE) and 0x4000 only with the stub, whose buffers are sized for it. We set ROM_FLASH_BLOCK.
// 3. SPI_ATTACH: esptool-js never sends it, and its flashSpiAttach() sends 4 bytes where the ESP32 ROM takes 8
//    (esptool loader.py flash_spi_attach adds the "is legacy" word for the ROM). The ROM must be told before any
//    flash command; the stub attaches itself. We send it (attachSpiFlash).
// 4. Hard reset: esptool.py pulls RTS (EN) low, waits, releases it; esptool-js's HardReset only releases it, so
//    after the classic reset sequence (which leaves RTS released) the chip is never reset. We pulse it (PulseReset).

import { createHash } from 'node:crypto';
import { say } from '../../../sentences';
import type { ESPLoader, Transport } from 'esptool-js' with { 'resolution-mode': 'import' };

export const ROM_FLASH_BLOCK = 0x400;

/** Hex MD5 of flash [address, address+size) as the loader computed it, read correctly from the ROM or the stub. */
export async function romAwareMd5(loader: ESPLoader, address: number, size: number): Promise<string> {
  const pkt = new Uint8Array(16);
  const view = new DataView(pkt.buffer);
  view.setUint32(0, address, true);
  view.setUint32(4, size, true);
  const timeout = loader.timeoutPerMb(loader.MD5_TIMEOUT_PER_MB, size);
  const length = loader.IS_STUB ? 16 : 32;
  const res = await loader.checkCommand('calculate md5sum', loader.ESP_SPI_FLASH_MD5, pkt, 0, length, timeout);
  if (!(res instanceof Uint8Array) || res.length < length) throw new Error(say`The chip sent a short MD5 reply.`);
  return decodeMd5Reply(res, loader.IS_STUB);
}

/** The digest in an SPI_FLASH_MD5 reply: 16 raw bytes (stub) or 32 hex ASCII digits (ROM). */
export function decodeMd5Reply(reply: Uint8Array, fromStub: boolean): string {
  if (fromStub) return Buffer.from(reply.subarray(0, 16)).toString('hex');
  const text = Buffer.from(reply.subarray(0, 32)).toString('latin1').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(text)) throw new Error(say`The ROM sent an MD5 that is not 32 hex digits: ${JSON.stringify(text)}.`);
  return text;
}

/** SPI_ATTACH for the default SPI flash pins, with the ROM's extra word. Not for the ESP8266 ROM, which has none. */
export async function attachSpiFlash(loader: ESPLoader): Promise<void> {
  const pkt = new Uint8Array(loader.IS_STUB ? 4 : 8);
  await loader.checkCommand('attach the SPI flash', loader.ESP_SPI_ATTACH, pkt);
}

/** MD5 of an image as esptool-js writes it: padded with 0xFF to a multiple of 4 bytes. */
export function paddedMd5(data: Uint8Array): { md5: string; length: number } {
  const pad = (4 - (data.length % 4)) % 4;
  const hash = createHash('md5').update(data);
  if (pad) hash.update(new Uint8Array(pad).fill(0xff));
  return { md5: hash.digest('hex'), length: data.length + pad };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Hard reset as esptool.py does it: EN low (RTS on), wait, EN high; longer waits for USB-OTG. */
export class PulseReset {
  constructor(
    private readonly transport: Transport,
    readonly usingUsbOtg = false,
  ) {}

  async reset(): Promise<void> {
    await this.transport.setRTS(true);
    await sleep(this.usingUsbOtg ? 200 : 100);
    await this.transport.setRTS(false);
    if (this.usingUsbOtg) await sleep(200);
  }
}
