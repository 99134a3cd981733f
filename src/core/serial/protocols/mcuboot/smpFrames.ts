// SMP (the mcumgr Simple Management Protocol) packets and their serial console transport, as Zephyr's
// subsys/mgmt/mcumgr/transport/src/serial_util.c and MCUboot's boot_serial.c implement them:
//   packet  = 8-byte header (op, flags, length, group, seq, id; big-endian) + CBOR body
//   on the line: base64( u16 length of packet+CRC | packet | CRC-16/XMODEM of packet ), cut into frames of at most
//   127 bytes: a 2-byte marker (0x06 0x09 for the first frame, 0x04 0x14 for the others), up to 124 base64
//   characters (a multiple of 4, so that every frame decodes on its own) and a newline.

import { crc16Xmodem } from '../../checksums';
import { say } from '../../../sentences';

export const SMP_OP_READ = 0;
export const SMP_OP_READ_RSP = 1;
export const SMP_OP_WRITE = 2;
export const SMP_OP_WRITE_RSP = 3;
/** SMP version 2 (Zephyr 3.x+); version 1 devices answer in version 1, which we accept. */
export const SMP_VERSION = 1;

export const GROUP_OS = 0;
export const GROUP_IMAGE = 1;
export const OS_ECHO = 0;
export const OS_RESET = 5;
export const OS_MCUMGR_PARAMS = 6;
export const IMAGE_STATE = 0;
export const IMAGE_UPLOAD = 1;

export const SMP_HEADER_SIZE = 8;
export const FRAME_MAX = 127;
const FRAME_BASE64 = 124;
export const FIRST_MARKER = [0x06, 0x09] as const;
export const NEXT_MARKER = [0x04, 0x14] as const;
/** Length prefix and CRC around a packet on the serial line. */
export const SERIAL_OVERHEAD = 4;

export interface SmpHeader {
  op: number;
  version: number;
  flags: number;
  /** Length of the CBOR body. */
  length: number;
  group: number;
  seq: number;
  id: number;
}

export interface SmpPacket {
  header: SmpHeader;
  body: Uint8Array;
}

export function encodeSmpPacket(h: Omit<SmpHeader, 'length' | 'version' | 'flags'> & { version?: number; flags?: number }, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(SMP_HEADER_SIZE + body.length);
  out[0] = (h.op & 0x07) | (((h.version ?? SMP_VERSION) & 0x03) << 3);
  out[1] = h.flags ?? 0;
  out[2] = body.length >> 8;
  out[3] = body.length & 0xff;
  out[4] = h.group >> 8;
  out[5] = h.group & 0xff;
  out[6] = h.seq & 0xff;
  out[7] = h.id & 0xff;
  out.set(body, SMP_HEADER_SIZE);
  return out;
}

/** The packet, or null when it is shorter than its header says (or than a header). */
export function decodeSmpPacket(bytes: Uint8Array): SmpPacket | null {
  if (bytes.length < SMP_HEADER_SIZE) return null;
  const header: SmpHeader = {
    op: bytes[0] & 0x07,
    version: (bytes[0] >> 3) & 0x03,
    flags: bytes[1],
    length: (bytes[2] << 8) | bytes[3],
    group: (bytes[4] << 8) | bytes[5],
    seq: bytes[6],
    id: bytes[7],
  };
  if (bytes.length < SMP_HEADER_SIZE + header.length) return null;
  return { header, body: bytes.subarray(SMP_HEADER_SIZE, SMP_HEADER_SIZE + header.length) };
}

/** The frames of one packet, newlines included, ready to write. */
export function encodeSerialFrames(packet: Uint8Array): Uint8Array {
  const raw = Buffer.alloc(2 + packet.length + 2);
  raw.writeUInt16BE(packet.length + 2, 0);
  raw.set(packet, 2);
  raw.writeUInt16BE(crc16Xmodem(packet), 2 + packet.length);
  const text = raw.toString('base64');
  const parts: Buffer[] = [];
  for (let at = 0; at < text.length; at += FRAME_BASE64) {
    parts.push(Buffer.from(at === 0 ? FIRST_MARKER : NEXT_MARKER), Buffer.from(text.slice(at, at + FRAME_BASE64), 'latin1'), Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Bytes on the line for a packet of `packetSize` bytes (for sizing and for the benchmark's expectations). */
export function serialWireSize(packetSize: number): number {
  const chars = Math.ceil((packetSize + SERIAL_OVERHEAD) / 3) * 4;
  return chars + Math.ceil(chars / FRAME_BASE64) * 3;
}

const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

export type FrameResult =
  /** A whole packet arrived and its CRC is right (the CRC is stripped). */
  | { kind: 'packet'; packet: Uint8Array }
  /** A frame of a packet that is not complete yet. */
  | { kind: 'partial' }
  /** A frame that broke the packet (bad base64, wrong length, bad CRC, continuation without a start). */
  | { kind: 'bad'; reason: string; continuation?: true }
  /** A line that is not an SMP frame: console output. */
  | { kind: 'text'; line: string };

/** Reassembles packets from the lines of a serial console (each line without its newline, as latin1). */
export class SerialFrameDecoder {
  private parts: Buffer[] = [];
  private have = 0;
  private expected = -1;

  push(line: string): FrameResult {
    const m0 = line.charCodeAt(0);
    const m1 = line.charCodeAt(1);
    const first = m0 === FIRST_MARKER[0] && m1 === FIRST_MARKER[1];
    const next = m0 === NEXT_MARKER[0] && m1 === NEXT_MARKER[1];
    if (!first && !next) return { kind: 'text', line };
    if (first) this.reset();
    else if (this.expected < 0) return { kind: 'bad', reason: say`a continuation frame without a first frame`, continuation: true };
    const text = line.slice(2);
    if (!BASE64_LINE.test(text) || text.length % 4 !== 0) {
      this.reset();
      return { kind: 'bad', reason: say`a frame that is not base64` };
    }
    const bytes = Buffer.from(text, 'base64');
    this.parts.push(bytes);
    this.have += bytes.length;
    if (first) {
      if (this.have < 2) {
        this.reset();
        return { kind: 'bad', reason: say`a first frame without a length` };
      }
      this.expected = bytes.readUInt16BE(0) + 2;
    }
    if (this.have < this.expected) return { kind: 'partial' };
    const all = Buffer.concat(this.parts);
    const expected = this.expected;
    this.reset();
    if (all.length !== expected) return { kind: 'bad', reason: say`a packet of ${all.length - 2} bytes where its length says ${expected - 2}` };
    const packet = all.subarray(2);
    if (packet.length < 3 || crc16Xmodem(packet) !== 0) return { kind: 'bad', reason: say`a packet with a wrong CRC` };
    return { kind: 'packet', packet: packet.subarray(0, packet.length - 2) };
  }

  private reset(): void {
    this.parts = [];
    this.have = 0;
    this.expected = -1;
  }
}
