// Reading what to flash from a file: a raw .bin is one region whose place the protocol decides; an Intel HEX file
// (.hex/.ihex) gives one region per contiguous segment at the addresses the file states.

import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import MemoryMap from 'nrf-intel-hex';
import { OtaError } from '../errors';
import { say } from '../sentences';
import { hex32 } from './protocols/regions';
import { type FlashRegion } from './protocols/types';

const HEX_EXTENSIONS = new Set(['.hex', '.ihex', '.ihx']);

export function isIntelHexName(file: string): boolean {
  return HEX_EXTENSIONS.has(extname(file).toLowerCase());
}

/** The regions of an Intel HEX text, contiguous data joined, in address order. Throws `invalid-input` when malformed. */
export function regionsFromIntelHex(text: string, name: string): FlashRegion[] {
  let map: MemoryMap;
  try {
    map = MemoryMap.fromHex(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new OtaError('invalid-input', say`${name} is not a valid Intel HEX file: ${why}`, {
      hint: say`Flash the .bin your build produced, or rebuild the .hex.`,
    });
  }
  const regions: FlashRegion[] = [];
  for (const [address, data] of map.join()) {
    if (data.length > 0) regions.push({ address, data, name: `${name} @${hex32(address)}` });
  }
  if (regions.length === 0) throw new OtaError('invalid-input', say`${name} holds no data records: there is nothing to flash.`);
  return regions;
}

/** Reads a .bin or Intel HEX file into regions. */
export async function readFlashImage(file: string): Promise<FlashRegion[]> {
  const bytes = await readFile(file);
  const name = basename(file);
  if (isIntelHexName(file)) return regionsFromIntelHex(bytes.toString('latin1'), name);
  return [{ address: null, data: bytes, name }];
}
