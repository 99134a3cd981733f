// Where each byte goes on an STM32: regions placed at their addresses (a .bin at the start address), cut into
// Write Memory blocks of at most 256 bytes on 4-byte boundaries, and the pages or sectors an erase must clear.

import { OtaError } from '../../../errors';
import { say } from '../../../sentences';
import { hex32 } from '../regions';
import { type FlashRegion } from '../types';
import { FLASH_BASE, type EraseUnit, type Stm32Chip, unitsCovering } from './chips';
import { MAX_BLOCK } from './frames';

export interface WriteBlock {
  /** 4-byte aligned. */
  address: number;
  /** Padded with 0xFF to 4-byte boundaries at both ends (erased flash holds 0xFF there already). */
  data: Uint8Array;
  /** Image bytes in this block (without the padding). */
  payload: number;
}

export interface PlacedRegion {
  start: number;
  end: number;
  name: string;
}

/** Regions at their addresses (null = `startAddress`), sorted; throws `invalid-input` when two overlap. */
export function placeRegions(regions: readonly FlashRegion[], startAddress: number): (PlacedRegion & { data: Uint8Array })[] {
  const placed = regions
    .map((r) => {
      const start = r.address ?? startAddress;
      return { start, end: start + r.data.length, name: r.name, data: r.data };
    })
    .sort((a, b) => a.start - b.start);
  for (let i = 1; i < placed.length; i++) {
    if (placed[i].start < placed[i - 1].end) {
      throw new OtaError('invalid-input', say`${placed[i].name} overlaps ${placed[i - 1].name} at ${hex32(placed[i].start)}.`, {
        hint: say`Fix the addresses in the image, then flash again.`,
      });
    }
  }
  const last = placed[placed.length - 1];
  if (last && last.end > 0x1_0000_0000) {
    throw new OtaError('invalid-input', say`${last.name} ends beyond the 32-bit address space (${hex32(last.start)} + ${last.data.length} bytes).`);
  }
  return placed;
}

/** Write Memory blocks: each region cut at 256-byte steps from its (4-byte aligned-down) start. */
export function writeBlocks(placed: readonly (PlacedRegion & { data: Uint8Array })[]): WriteBlock[] {
  const blocks: WriteBlock[] = [];
  for (const r of placed) {
    const base = r.start & ~3;
    const front = r.start - base;
    const total = (front + r.data.length + 3) & ~3;
    const padded = new Uint8Array(total).fill(0xff);
    padded.set(r.data, front);
    for (let off = 0; off < total; off += MAX_BLOCK) {
      const data = padded.subarray(off, Math.min(total, off + MAX_BLOCK));
      const payloadStart = Math.max(off, front);
      const payloadEnd = Math.min(off + data.length, front + r.data.length);
      blocks.push({ address: (base + off) >>> 0, data, payload: Math.max(0, payloadEnd - payloadStart) });
    }
  }
  return blocks;
}

export function inFlash(chip: Stm32Chip, address: number): boolean {
  return address >= FLASH_BASE && address < FLASH_BASE + chip.flashBytes;
}

/**
 * The erase units under the flash part of the blocks. Throws `invalid-input` when a block runs past the end of the
 * chip's flash (it would be written nowhere).
 */
export function unitsToErase(chip: Stm32Chip, blocks: readonly WriteBlock[]): EraseUnit[] {
  const ranges: { start: number; end: number }[] = [];
  for (const b of blocks) {
    const end = b.address + b.data.length;
    if (b.address >= FLASH_BASE && b.address < FLASH_BASE + 0x1000_0000) {
      if (end > FLASH_BASE + chip.flashBytes) {
        throw new OtaError(
          'invalid-input',
          say`The image runs to ${hex32(end)}, past the end of the ${chip.name} flash (${hex32(FLASH_BASE + chip.flashBytes)}).`,
          { hint: say`Check the start address and that the image is built for this chip.` },
        );
      }
      ranges.push({ start: b.address, end });
    }
  }
  return ranges.length ? unitsCovering(chip, ranges) : [];
}

/** Splits a list into chunks of at most `n`. */
export function chunks<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
