// STM32 product ids (the Get ID answer) as listed in ST's AN2606, with what flashing needs: a name a person
// recognises, and the flash layout that page or sector erase works on. Sizes are the largest part of each line;
// erase unit sizes repeat their last value up to the end of flash.

export const FLASH_BASE = 0x08000000;

export interface Stm32Chip {
  pid: number;
  /** "STM32F40x/41x". */
  name: string;
  /** "F4". */
  family: string;
  /** Largest flash of the line, bytes. */
  flashBytes: number;
  /** Erase unit (page or sector) sizes from the start of flash; the last one repeats. */
  eraseUnits: readonly number[];
  /** Whether the unit is a "sector" (F2/F4/F7/H7) or a "page". */
  unitName: 'page' | 'sector';
}

const K = 1024;
const F2F4 = [16 * K, 16 * K, 16 * K, 16 * K, 64 * K, 128 * K];
const F4_DUAL = [...F2F4, 128 * K, 128 * K, 128 * K, 128 * K, 128 * K, 128 * K, 16 * K, 16 * K, 16 * K, 16 * K, 64 * K, 128 * K];
const F7 = [32 * K, 32 * K, 32 * K, 32 * K, 128 * K, 256 * K];

function line(pid: number, family: string, name: string, flashKiB: number, eraseUnits: readonly number[]): Stm32Chip {
  const sector = family === 'F2' || family === 'F4' || family === 'F7' || family === 'H7';
  return { pid, family, name, flashBytes: flashKiB * K, eraseUnits, unitName: sector ? 'sector' : 'page' };
}

export const STM32_CHIPS: readonly Stm32Chip[] = [
  line(0x440, 'F0', 'STM32F030x8/F05x', 64, [1 * K]),
  line(0x444, 'F0', 'STM32F03x4/6', 32, [1 * K]),
  line(0x442, 'F0', 'STM32F030xC/F09x', 256, [2 * K]),
  line(0x445, 'F0', 'STM32F04x/F070x6', 32, [1 * K]),
  line(0x448, 'F0', 'STM32F070xB/F071/F072', 128, [2 * K]),
  line(0x412, 'F1', 'STM32F10x low-density', 32, [1 * K]),
  line(0x410, 'F1', 'STM32F10x medium-density', 128, [1 * K]),
  line(0x414, 'F1', 'STM32F10x high-density', 512, [2 * K]),
  line(0x420, 'F1', 'STM32F100 medium-density value line', 128, [1 * K]),
  line(0x428, 'F1', 'STM32F100 high-density value line', 512, [2 * K]),
  line(0x418, 'F1', 'STM32F105/F107 connectivity line', 256, [2 * K]),
  line(0x430, 'F1', 'STM32F10x XL-density', 1024, [2 * K]),
  line(0x411, 'F2', 'STM32F2xx', 1024, F2F4),
  line(0x432, 'F3', 'STM32F373/F378', 256, [2 * K]),
  line(0x422, 'F3', 'STM32F302xB/C/F303xB/C/F358', 256, [2 * K]),
  line(0x439, 'F3', 'STM32F301/F302x4/6/8/F318', 64, [2 * K]),
  line(0x438, 'F3', 'STM32F303x4/6/8/F334/F328', 64, [2 * K]),
  line(0x446, 'F3', 'STM32F302xD/E/F303xD/E/F398', 512, [2 * K]),
  line(0x413, 'F4', 'STM32F40x/F41x', 1024, F2F4),
  line(0x419, 'F4', 'STM32F42x/F43x', 2048, F4_DUAL),
  line(0x423, 'F4', 'STM32F401xB/C', 256, F2F4),
  line(0x433, 'F4', 'STM32F401xD/E', 512, F2F4),
  line(0x458, 'F4', 'STM32F410', 128, F2F4),
  line(0x431, 'F4', 'STM32F411', 512, F2F4),
  line(0x441, 'F4', 'STM32F412', 1024, F2F4),
  line(0x421, 'F4', 'STM32F446', 512, F2F4),
  line(0x434, 'F4', 'STM32F469/F479', 2048, F4_DUAL),
  line(0x463, 'F4', 'STM32F413/F423', 1536, F2F4),
  line(0x452, 'F7', 'STM32F72x/F73x', 512, F2F4),
  line(0x449, 'F7', 'STM32F74x/F75x', 1024, F7),
  line(0x451, 'F7', 'STM32F76x/F77x', 2048, F7),
  line(0x466, 'G0', 'STM32G03x/G04x', 64, [2 * K]),
  line(0x460, 'G0', 'STM32G07x/G08x', 128, [2 * K]),
  line(0x456, 'G0', 'STM32G05x/G06x', 64, [2 * K]),
  line(0x467, 'G0', 'STM32G0B1/G0C1', 512, [2 * K]),
  line(0x468, 'G4', 'STM32G431/G441', 128, [2 * K]),
  line(0x469, 'G4', 'STM32G47x/G48x', 512, [2 * K]),
  line(0x479, 'G4', 'STM32G491/G4A1', 512, [2 * K]),
  line(0x450, 'H7', 'STM32H74x/H75x', 2048, [128 * K]),
  line(0x483, 'H7', 'STM32H72x/H73x', 1024, [128 * K]),
  line(0x480, 'H7', 'STM32H7A3/H7B3', 2048, [8 * K]),
  line(0x457, 'L0', 'STM32L01x/L02x', 16, [128]),
  line(0x425, 'L0', 'STM32L031/L041', 32, [128]),
  line(0x417, 'L0', 'STM32L05x/L06x', 64, [128]),
  line(0x447, 'L0', 'STM32L07x/L08x', 192, [128]),
  line(0x416, 'L1', 'STM32L1xx6/8/B', 128, [256]),
  line(0x429, 'L1', 'STM32L1xx6/8/B-A', 128, [256]),
  line(0x427, 'L1', 'STM32L1xxC', 256, [256]),
  line(0x436, 'L1', 'STM32L1xxD', 384, [256]),
  line(0x437, 'L1', 'STM32L1xxE', 512, [256]),
  line(0x435, 'L4', 'STM32L43x/L44x', 256, [2 * K]),
  line(0x462, 'L4', 'STM32L45x/L46x', 512, [2 * K]),
  line(0x415, 'L4', 'STM32L47x/L48x', 1024, [2 * K]),
  line(0x461, 'L4', 'STM32L496/L4A6', 1024, [2 * K]),
  line(0x470, 'L4', 'STM32L4Rx/L4Sx', 2048, [4 * K]),
  line(0x472, 'L5', 'STM32L552/L562', 512, [2 * K]),
  line(0x482, 'U5', 'STM32U575/U585', 2048, [8 * K]),
  line(0x495, 'WB', 'STM32WB55/WB35', 1024, [4 * K]),
  line(0x496, 'WB', 'STM32WB50/WB30', 512, [4 * K]),
  line(0x497, 'WL', 'STM32WLE5/WL55', 256, [2 * K]),
  line(0x443, 'C0', 'STM32C011', 32, [2 * K]),
  line(0x453, 'C0', 'STM32C031', 32, [2 * K]),
];

export function findChip(pid: number): Stm32Chip | null {
  return STM32_CHIPS.find((c) => c.pid === pid) ?? null;
}

export function pidHex(pid: number): string {
  return `0x${pid.toString(16).padStart(3, '0')}`;
}

export interface EraseUnit {
  index: number;
  start: number;
  size: number;
}

/** The erase units of a chip's flash, in order. */
export function eraseUnits(chip: Stm32Chip): EraseUnit[] {
  const out: EraseUnit[] = [];
  let at = FLASH_BASE;
  const end = FLASH_BASE + chip.flashBytes;
  for (let i = 0; at < end; i++) {
    const size = chip.eraseUnits[Math.min(i, chip.eraseUnits.length - 1)];
    out.push({ index: i, start: at, size });
    at += size;
  }
  return out;
}

/** The units that hold any byte of the ranges [start, end), by index. */
export function unitsCovering(chip: Stm32Chip, ranges: readonly { start: number; end: number }[]): EraseUnit[] {
  return eraseUnits(chip).filter((u) => ranges.some((r) => r.start < u.start + u.size && r.end > u.start));
}
