// Frames of the stream protocol (docs/stream-protocol.md): SOF, type, length, sequence, payload, CRC-32, all
// little-endian. Encoding, an incremental parser that resynchronises after damage, and the payload layouts.

import { say } from '../../sentences';
import { crc32 } from '../checksums';

export const SOF = 0xa5;
export const PROTOCOL_VERSION = 1;
export const FRAME_OVERHEAD = 12;
const HEADER = 8;
/** Longest payload the host accepts from the agent (its frames are under 100 bytes): a damaged length resyncs fast. */
const PARSER_MAX = 1024;

export const T = {
  HELLO: 0x01,
  START: 0x02,
  DATA: 0x03,
  END: 0x04,
  ABORT: 0x05,
  INFO: 0x81,
  READY: 0x82,
  ACK: 0x83,
  NAK: 0x84,
  RESULT: 0x85,
  ERROR: 0x86,
} as const;

export const CAP_DEFLATE = 0x01;
export const START_DEFLATE = 0x01;

export interface Frame {
  type: number;
  seq: number;
  payload: Buffer;
}

export function encodeFrame(type: number, seq: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.alloc(HEADER + payload.length + 4);
  out[0] = SOF;
  out[1] = type;
  out.writeUInt16LE(payload.length, 2);
  out.writeUInt32LE(seq >>> 0, 4);
  out.set(payload, HEADER);
  out.writeUInt32LE(crc32(out.subarray(1, HEADER + payload.length)), HEADER + payload.length);
  return out;
}

/** Splits a byte stream into frames; damaged frames are counted and skipped (resynchronising on the next SOF). */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  crcErrors = 0;
  /** Bytes that were not part of any frame (line noise, a boot banner). */
  noiseBytes = 0;

  push(chunk: Uint8Array): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const frames: Frame[] = [];
    let i = 0;
    while (i < this.buf.length) {
      if (this.buf[i] !== SOF) {
        i++;
        this.noiseBytes++;
        continue;
      }
      if (this.buf.length - i < HEADER) break;
      const len = this.buf.readUInt16LE(i + 2);
      if (len > PARSER_MAX) {
        i++;
        continue;
      }
      const total = HEADER + len + 4;
      if (this.buf.length - i < total) break;
      const crc = this.buf.readUInt32LE(i + HEADER + len);
      if (crc32(this.buf.subarray(i + 1, i + HEADER + len)) !== crc) {
        this.crcErrors++;
        i++;
        continue;
      }
      frames.push({ type: this.buf[i + 1], seq: this.buf.readUInt32LE(i + 4), payload: Buffer.from(this.buf.subarray(i + HEADER, i + HEADER + len)) });
      i += total;
    }
    this.buf = this.buf.subarray(i);
    return frames;
  }
}

export type SessionState = 'none' | 'partial' | 'complete';

export interface AgentInfo {
  version: number;
  deflate: boolean;
  maxWindowBits: number;
  windowFrames: number;
  frameMax: number;
  pageBytes: number;
  flashBytes: number;
  session: { state: SessionState; token: Buffer; size: number; committed: number; sha256: Buffer };
}

export function decodeInfo(p: Buffer): AgentInfo | null {
  if (p.length < 68) return null;
  const state = p[16] === 2 ? 'complete' : p[16] === 1 ? 'partial' : 'none';
  return {
    version: p[0],
    deflate: (p[1] & CAP_DEFLATE) !== 0,
    maxWindowBits: p[2],
    windowFrames: p[3],
    frameMax: p.readUInt16LE(4),
    pageBytes: p.readUInt32LE(8),
    flashBytes: p.readUInt32LE(12),
    session: { state, token: p.subarray(20, 28), size: p.readUInt32LE(28), committed: p.readUInt32LE(32), sha256: p.subarray(36, 68) },
  };
}

export interface StartRequest {
  deflate: boolean;
  windowBits: number;
  size: number;
  offset: number;
  token: Uint8Array;
  sha256: Uint8Array;
}

export function encodeStart(s: StartRequest): Buffer {
  const p = Buffer.alloc(52);
  p[0] = s.deflate ? START_DEFLATE : 0;
  p[1] = s.deflate ? s.windowBits : 0;
  p.writeUInt32LE(s.size, 4);
  p.writeUInt32LE(s.offset, 8);
  p.set(s.token.subarray(0, 8), 12);
  p.set(s.sha256.subarray(0, 32), 20);
  return p;
}

export const decodeReady = (p: Buffer): { offset: number; windowFrames: number } | null =>
  p.length >= 8 ? { offset: p.readUInt32LE(0), windowFrames: p[4] } : null;

export const decodeAck = (p: Buffer): { next: number; committed: number } | null =>
  p.length >= 8 ? { next: p.readUInt32LE(0), committed: p.readUInt32LE(4) } : null;

// Getters: each use says the words again, so that a front end can retell them inside the sentence they go into.
export const NAK_REASONS: Record<number, string> = {
  get 1() {
    return say`CRC error`;
  },
  get 2() {
    return say`a frame was missing`;
  },
  get 3() {
    return say`the line went quiet`;
  },
};

export const decodeNak = (p: Buffer): { expected: number; reason: number } | null =>
  p.length >= 5 ? { expected: p.readUInt32LE(0), reason: p[4] } : null;

export const RESULT_OK = 0;
export const RESULT_TEXT: Record<number, string> = {
  get 0() {
    return say`the SHA-256 of the flash matches the image`;
  },
  get 1() {
    return say`the SHA-256 the agent read back from flash differs from the image (a flash write went wrong)`;
  },
  get 2() {
    return say`the integrator's mark-bootable hook failed`;
  },
  get 3() {
    return say`the agent could not read its flash back`;
  },
};

export const decodeResult = (p: Buffer): { status: number; size: number; sha256: Buffer } | null =>
  p.length >= 40 ? { status: p[0], size: p.readUInt32LE(4), sha256: p.subarray(8, 40) } : null;

export const decodeError = (p: Buffer): { code: number; detail: number } | null =>
  p.length >= 8 ? { code: p[0], detail: p.readUInt32LE(4) } : null;

/** A sentence for each ERROR code the agent can send, with what to do. */
export function agentErrorText(code: number, detail: number, size: number): { code: string; text: string } {
  switch (code) {
    case 1:
      return { code: 'protocol-version', text: say`The agent speaks stream protocol version ${detail}, not ${PROTOCOL_VERSION}; update the agent or this tool.` };
    case 2:
      return { code: 'image-too-large', text: say`The image (${size} bytes) does not fit the agent's flash area (${detail} bytes); build a smaller image or give the agent more flash.` };
    case 3:
      return { code: 'bad-start', text: say`The agent refused to resume (it has ${detail} bytes of this image); run again with resume off to start over.` };
    case 4:
      return { code: 'flash-erase-failed', text: say`The agent could not erase flash at offset ${detail}; check the flash driver of its HAL.` };
    case 5:
      return { code: 'flash-write-failed', text: say`The agent could not write flash at offset ${detail}; check the flash driver of its HAL.` };
    case 6:
      return { code: 'inflate-failed', text: say`The agent could not decompress the image (inflater error ${detail}); run again with compression off.` };
    case 7:
      return { code: 'size-mismatch', text: say`The data did not add up to the announced size (${detail} bytes); run again.` };
    case 8:
      return { code: 'no-session', text: say`The agent has no transfer open (it restarted?); run again to resume.` };
    case 9:
      return { code: 'unsupported', text: say`The agent cannot decompress this stream (it supports window bits up to ${detail}); run again with compression off.` };
    case 10:
      return { code: 'state-save-failed', text: say`The agent could not save its resume state at offset ${detail}; check the state functions of its HAL.` };
    default:
      return { code: 'agent-error', text: say`The agent reported error ${code} (detail ${detail}).` };
  }
}
