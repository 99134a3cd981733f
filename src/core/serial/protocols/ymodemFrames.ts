// YMODEM framing, shared by the sender (ymodem.ts) and the virtual receiver (virtual/ymodemReceiver.ts).
// A block is SOH|STX, seq, ~seq, 128|1024 payload bytes, CRC-16/XMODEM big-endian. Block 0 carries
// "name NUL size(decimal) [mtime(octal)]"; an all-zero block 0 ends the batch.

import { say } from '../../sentences';
import { crc16Xmodem } from '../checksums';

export const SOH = 0x01;
export const STX = 0x02;
export const EOT = 0x04;
export const ACK = 0x06;
export const NAK = 0x15;
export const CAN = 0x18;
/** The receiver's request for CRC mode. */
export const CRC_REQUEST = 0x43; // 'C'
/** Padding of the last data block. */
export const SUB = 0x1a;

export function payloadSize(header: number): 128 | 1024 | 0 {
  return header === SOH ? 128 : header === STX ? 1024 : 0;
}

/** A whole block: header, sequence and its complement, payload padded with `pad`, CRC. */
export function buildBlock(seq: number, payload: Uint8Array, size: 128 | 1024, pad = SUB): Uint8Array {
  const frame = new Uint8Array(3 + size + 2);
  frame[0] = size === 128 ? SOH : STX;
  frame[1] = seq & 0xff;
  frame[2] = ~seq & 0xff;
  frame.set(payload.subarray(0, size), 3);
  if (payload.length < size) frame.fill(pad, 3 + payload.length, 3 + size);
  const crc = crc16Xmodem(frame, 3, 3 + size);
  frame[3 + size] = crc >> 8;
  frame[4 + size] = crc & 0xff;
  return frame;
}

export interface FileHeader {
  name: string;
  size: number | null;
  /** Seconds since 1970, when the sender gave one. */
  mtime: number | null;
}

/**
 * Block 0 for a file: `name NUL size [mtime]`, zero-padded. 128 bytes when it fits (as sz does), 1024 otherwise.
 * The name is reduced to its last path segment.
 */
export function buildHeaderBlock(header: FileHeader): Uint8Array {
  const name = header.name.split(/[\\/]/).pop() || 'image.bin';
  let info = header.size === null ? '' : String(header.size);
  if (header.mtime !== null && header.size !== null) info += ` ${Math.floor(header.mtime).toString(8)}`;
  const body = Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0]), Buffer.from(info, 'latin1')]);
  const size = body.length + 1 <= 128 ? 128 : 1024;
  return buildBlock(0, body.subarray(0, size - 1), size, 0);
}

/** The all-zero block 0 that ends a batch. */
export function buildEndOfBatchBlock(): Uint8Array {
  return buildBlock(0, new Uint8Array(0), 128, 0);
}

/** Parses a block-0 payload; null for the end-of-batch block (empty name). */
export function parseHeaderPayload(payload: Uint8Array): FileHeader | null {
  const nul = payload.indexOf(0);
  const nameEnd = nul < 0 ? payload.length : nul;
  if (nameEnd === 0) return null;
  const name = Buffer.from(payload.subarray(0, nameEnd)).toString('utf8');
  const restEnd = payload.indexOf(0, nameEnd + 1);
  const rest = Buffer.from(payload.subarray(nameEnd + 1, restEnd < 0 ? payload.length : restEnd)).toString('latin1');
  const fields = rest.trim().split(/\s+/);
  const size = /^\d+$/.test(fields[0] ?? '') ? Number(fields[0]) : null;
  const mtime = /^[0-7]+$/.test(fields[1] ?? '') ? parseInt(fields[1], 8) : null;
  return { name, size, mtime };
}

/** Checks a received block (header byte included); returns its sequence number and payload, or why it is bad. */
export function checkBlock(frame: Uint8Array): { ok: true; seq: number; payload: Uint8Array } | { ok: false; why: string } {
  const size = payloadSize(frame[0] ?? 0);
  if (!size) return { ok: false, why: say`not a block header` };
  if (frame.length !== size + 5) return { ok: false, why: say`expected ${size + 5} bytes, got ${frame.length}` };
  const seq = frame[1];
  if ((seq ^ frame[2]) !== 0xff) return { ok: false, why: say`sequence ${seq} and its complement ${frame[2]} disagree` };
  const crc = (frame[3 + size] << 8) | frame[4 + size];
  if (crc16Xmodem(frame, 3, 3 + size) !== crc) return { ok: false, why: say`CRC error in block ${seq}` };
  return { ok: true, seq, payload: frame.subarray(3, 3 + size) };
}
