// Shared set-up for the esp protocol tests: a simulated ESP32 on an in-process link, with or without modem lines.

import { randomBytes } from 'node:crypto';
import { type ByteLink } from '../../../src/core/serial/byteLink';
import { type FlashRegion } from '../../../src/core/serial/protocols/types';
import { type FlashSessionOptions, runFlashSession } from '../../../src/core/serial/session';
import { type FlashResult, type FlashSessionEvent } from '../../../src/core/serial/sessionTypes';
import { createVirtualLinkPair, type VirtualLinkEnd } from '../../../src/core/serial/virtualLink';
import { EspRomSim, type EspRomSimOptions } from '../../sims/espRom';

export interface SimBoard {
  host: VirtualLinkEnd;
  device: VirtualLinkEnd;
  sim: EspRomSim;
}

export function simBoard(options: EspRomSimOptions = {}, name = 'sim-esp32'): SimBoard {
  const [host, device] = createVirtualLinkPair({ names: [name, `${name}-chip`] });
  const sim = new EspRomSim(device, options);
  device.onSignals((s) => sim.onSignals(s));
  return { host, device, sim };
}

/** The same link without DTR/RTS, like a pseudo-terminal or a bare UART adapter. */
export function withoutModemLines(link: ByteLink): ByteLink {
  return {
    get name() {
      return link.name;
    },
    get isClosed() {
      return link.isClosed;
    },
    write: (d) => link.write(d),
    onData: (l) => link.onData(l),
    onClose: (l) => link.onClose(l),
    close: () => link.close(),
  };
}

/** A firmware-like image: code-ish repetitive bytes with some noise, so that it deflates about as real ones do. */
export function firmwareLike(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  const words = [0x12345678, 0x40080000, 0x3ffb0000, 0xdeadbeef, 0x00000000, 0xffffffff];
  for (let i = 0; i < size; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    const w = x % 7 === 0 ? x : words[x % words.length] + (i & 0xff);
    out[i] = w & 0xff;
    if (i + 1 < size) out[i + 1] = (w >>> 8) & 0xff;
    if (i + 2 < size) out[i + 2] = (w >>> 16) & 0xff;
    if (i + 3 < size) out[i + 3] = (w >>> 24) & 0xff;
  }
  return out;
}

export function randomImage(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size));
}

/** PlatformIO's four ESP32 images at their offsets. */
export function platformioImageSet(): FlashRegion[] {
  const bootloader = firmwareLike(17104, 2);
  bootloader[0] = 0xe9;
  const partitions = firmwareLike(3072, 3);
  const bootApp0 = new Uint8Array(8192);
  bootApp0.fill(0xff, 0, 8192);
  bootApp0.set([0x01, 0x00, 0x00, 0x00], 0);
  const app = firmwareLike(262144 + 123, 4);
  app[0] = 0xe9;
  return [
    { address: 0x1000, data: bootloader, name: 'bootloader.bin' },
    { address: 0x8000, data: partitions, name: 'partitions.bin' },
    { address: 0xe000, data: bootApp0, name: 'boot_app0.bin' },
    { address: 0x10000, data: app, name: 'firmware.bin' },
  ];
}

export async function flashSim(
  link: ByteLink,
  image: Uint8Array | FlashRegion[],
  options: Record<string, unknown> = {},
  extra: Partial<FlashSessionOptions> = {},
): Promise<{ result: FlashResult; events: FlashSessionEvent[] }> {
  const events: FlashSessionEvent[] = [];
  const result = await runFlashSession(
    { protocol: 'esp', image, imageName: 'firmware.bin', port: link.name, connect: () => Promise.resolve(link), options: { flashBaud: 115200, ...options }, ...extra },
    (e) => events.push(e),
  );
  return { result, events };
}

export function flashHolds(sim: EspRomSim, address: number, data: Uint8Array): boolean {
  const got = sim.flash.subarray(address, address + data.length);
  return got.length === data.length && got.every((b, i) => b === data[i]);
}
