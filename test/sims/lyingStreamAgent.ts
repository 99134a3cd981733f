// A stream agent that lies: it speaks the protocol well enough (INFO, READY, ACKs) and then reports success with
// a SHA-256 that is not the image's. The sender must never call that a success.

import { type ByteLink } from '../../src/core/serial/byteLink';
import { encodeFrame, type Frame, T } from '../../src/core/serial/protocols/streamFrames';
import { openSerialLink } from '../../src/core/serial/transport';

export interface LyingAgent {
  bytesReceived(): number;
  close(): Promise<void>;
}

/** The agent's side of the parser: DATA frames are far longer than what the host's parser accepts. */
function parseHostFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let i = 0;
  while (buf.length - i >= 12) {
    if (buf[i] !== 0xa5) {
      i++;
      continue;
    }
    const len = buf.readUInt16LE(i + 2);
    if (buf.length - i < 12 + len) break;
    frames.push({ type: buf[i + 1], seq: buf.readUInt32LE(i + 4), payload: buf.subarray(i + 8, i + 8 + len) });
    i += 12 + len;
  }
  return { frames, rest: buf.subarray(i) };
}

export async function startLyingAgent(port: string): Promise<LyingAgent> {
  const link: ByteLink = await openSerialLink(port);
  let buf: Buffer = Buffer.alloc(0);
  let expected = 0;
  let received = 0;
  let size = 0;
  const send = (type: number, payload: Buffer): void => void link.write(encodeFrame(type, 0, payload)).catch(() => undefined);
  link.onData((chunk) => {
    const parsed = parseHostFrames(Buffer.concat([buf, chunk]));
    buf = parsed.rest;
    for (const f of parsed.frames) {
      if (f.type === T.HELLO) {
        const info = Buffer.alloc(68);
        info[0] = 1;
        info[3] = 8;
        info.writeUInt16LE(1024, 4);
        info.writeUInt32LE(1024, 8);
        info.writeUInt32LE(1 << 22, 12);
        send(T.INFO, info);
      } else if (f.type === T.START) {
        size = f.payload.readUInt32LE(4);
        expected = 0;
        const ready = Buffer.alloc(8);
        ready[4] = 8;
        send(T.READY, ready);
      } else if (f.type === T.DATA && f.seq === expected) {
        expected++;
        received += f.payload.length;
        const ack = Buffer.alloc(8);
        ack.writeUInt32LE(expected, 0);
        ack.writeUInt32LE(Math.min(received, size), 4);
        send(T.ACK, ack);
      } else if (f.type === T.END) {
        const result = Buffer.alloc(40);
        result.writeUInt32LE(size, 4);
        result.fill(0x5a, 8); // "ok", with a hash of nothing in particular
        send(T.RESULT, result);
      }
    }
  });
  return {
    bytesReceived: () => received,
    close: () => link.close(),
  };
}
