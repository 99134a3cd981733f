// The bytes of ST's USART bootloader protocol (AN3155): command codes, the ACK/NACK answers and the frames a host
// sends. Every frame ends with a checksum: a command is followed by its complement, other frames by the XOR of
// their bytes (a single byte by its complement).

export const SYNC = 0x7f;
export const ACK = 0x79;
export const NACK = 0x1f;
/** Some bootloaders (I2C mostly) answer "busy, wait" to long operations. */
export const BUSY = 0x76;

export const CMD = {
  get: 0x00,
  getVersion: 0x01,
  getId: 0x02,
  readMemory: 0x11,
  go: 0x21,
  writeMemory: 0x31,
  writeMemoryNoStretch: 0x32,
  erase: 0x43,
  extendedErase: 0x44,
  extendedEraseNoStretch: 0x45,
  writeProtect: 0x63,
  writeUnprotect: 0x73,
  readoutProtect: 0x82,
  readoutUnprotect: 0x92,
  getChecksum: 0xa1,
} as const;

const COMMAND_NAMES: Readonly<Record<number, string>> = {
  0x00: 'Get',
  0x01: 'Get Version',
  0x02: 'Get ID',
  0x11: 'Read Memory',
  0x21: 'Go',
  0x31: 'Write Memory',
  0x32: 'No-Stretch Write Memory',
  0x43: 'Erase',
  0x44: 'Extended Erase',
  0x45: 'No-Stretch Erase',
  0x63: 'Write Protect',
  0x64: 'No-Stretch Write Protect',
  0x73: 'Write Unprotect',
  0x74: 'No-Stretch Write Unprotect',
  0x82: 'Readout Protect',
  0x83: 'No-Stretch Readout Protect',
  0x92: 'Readout Unprotect',
  0x93: 'No-Stretch Readout Unprotect',
  0xa1: 'Get Checksum',
};

/**
 * Whether bytes sent after a command, before its ACK, are harmless should the command be refused: the bootloader
 * then reads them as commands, and no two neighbours may make a command with its complement (a stray Readout
 * Protect would lock the chip). Bytes that are no command are NACKed, which the host's resync absorbs.
 */
export function safeToSendAhead(bytes: ArrayLike<number>): boolean {
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] in COMMAND_NAMES && (bytes[i] ^ bytes[i + 1]) === 0xff) return false;
  }
  return true;
}

export function commandName(code: number): string {
  return COMMAND_NAMES[code] ?? `0x${code.toString(16).padStart(2, '0')}`;
}

/** Most data a Write Memory or Read Memory moves in one command. */
export const MAX_BLOCK = 256;
/** Pages per legacy Erase command (its count is one byte) and per Extended Erase command (as stm32flash). */
export const LEGACY_ERASE_MAX_PAGES = 255;
export const EXTENDED_ERASE_MAX_PAGES = 512;

function xor(bytes: ArrayLike<number>, from = 0): number {
  let x = from;
  for (let i = 0; i < bytes.length; i++) x ^= bytes[i];
  return x & 0xff;
}

/** A command: its code and the complement. */
export function commandFrame(code: number): Uint8Array {
  return Uint8Array.of(code, code ^ 0xff);
}

/** A 32-bit address, MSB first, then the XOR of its four bytes. */
export function addressFrame(address: number): Uint8Array {
  const b = Uint8Array.of((address >>> 24) & 0xff, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff);
  return Uint8Array.of(...b, xor(b));
}

/** Read Memory's length: N-1 and its complement. */
export function readLengthFrame(length: number): Uint8Array {
  return commandFrame(length - 1);
}

/**
 * Write Memory's data: N-1, the bytes, the XOR of all of them. The length must be a multiple of 4: `data` is
 * padded with 0xFF (what erased flash holds, so the padding changes nothing).
 */
export function writeDataFrame(data: Uint8Array): Uint8Array {
  const padded = (data.length + 3) & ~3;
  const out = new Uint8Array(padded + 2);
  out[0] = padded - 1;
  out.set(data, 1);
  out.fill(0xff, 1 + data.length, 1 + padded);
  out[padded + 1] = xor(out.subarray(0, padded + 1));
  return out;
}

/** Legacy Erase (0x43) of pages (each < 256): N-1, the page numbers, the XOR. */
export function legacyEraseFrame(pages: readonly number[]): Uint8Array {
  const body = Uint8Array.of(pages.length - 1, ...pages);
  return Uint8Array.of(...body, xor(body));
}

/** Legacy Erase's global erase: 0xFF and its complement. */
export const LEGACY_MASS_ERASE = Uint8Array.of(0xff, 0x00);

/** Extended Erase (0x44): N-1 and the page numbers on two bytes each, MSB first, then the XOR. */
export function extendedEraseFrame(pages: readonly number[]): Uint8Array {
  const body = new Uint8Array(2 + pages.length * 2);
  body[0] = ((pages.length - 1) >> 8) & 0xff;
  body[1] = (pages.length - 1) & 0xff;
  pages.forEach((p, i) => {
    body[2 + i * 2] = (p >> 8) & 0xff;
    body[3 + i * 2] = p & 0xff;
  });
  return Uint8Array.of(...body, xor(body));
}

/** Extended Erase's mass erase: the special count 0xFFFF and its checksum. */
export const EXTENDED_MASS_ERASE = Uint8Array.of(0xff, 0xff, 0x00);
