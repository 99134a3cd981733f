// What is flashed, as regions: turning a plain image into one, checking that a protocol can place what it is given,
// and joining regions back into one byte array.

import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { type FlashRegion } from './types';

/** One region without an address (a plain .bin) from bytes, or the regions as given. */
export function toRegions(image: Uint8Array | readonly FlashRegion[], name: string): readonly FlashRegion[] {
  return image instanceof Uint8Array ? [{ address: null, data: image, name }] : image;
}

/** All regions' bytes one after another. */
export function joinRegions(regions: readonly FlashRegion[]): Uint8Array {
  if (regions.length === 1 && regions[0]) return regions[0].data;
  const total = regions.reduce((n, r) => n + r.data.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const r of regions) {
    out.set(r.data, at);
    at += r.data.length;
  }
  return out;
}

export function hex32(address: number): string {
  return `0x${address.toString(16).padStart(8, '0')}`;
}

/**
 * For protocols that send one image and leave its place to the device (quecthing, YMODEM): refuses several regions
 * or an address from a .hex file, which they cannot honour, instead of flashing something else than was meant.
 */
export function requireSingleImage(regions: readonly FlashRegion[], protocolId: string): void {
  if (regions.length > 1) {
    throw new OtaError(
      'invalid-input',
      say`The ${protocolId} protocol sends one image, but this one has ${regions.length} regions at different addresses (${regions.map((r) => (r.address === null ? r.name : hex32(r.address))).join(', ')}).`,
      { hint: say`Flash a single .bin, or use a protocol that writes at addresses (esp, stm32).` },
    );
  }
}
