// A YMODEM receiver over any ByteLink: the sandbox's virtual bootloader, and a partner for fast in-process tests.
// It behaves like lrzsz's rb: asks with 'C' until block 0 comes, ACKs good blocks (and duplicates of the last one),
// NAKs damaged ones after the line goes quiet, NAKs the first EOT and ACKs the second, asks for the next file with
// 'C', and stops at the empty block 0. Two CANs cancel; too many errors make it send CANs itself.

import { OtaError } from '../../errors';
import { type ByteLink } from '../byteLink';
import { isLinkTimeout, LinkReader, writeWithin } from '../linkReader';
import {
  ACK,
  CAN,
  checkBlock,
  CRC_REQUEST,
  EOT,
  NAK,
  parseHeaderPayload,
  payloadSize,
  SOH,
  STX,
} from '../protocols/ymodemFrames';

export interface YmodemReceiverOptions {
  /** How often 'C' is repeated while waiting for a file. Default 1000 ms. */
  startIntervalMs?: number;
  /** How many 'C's before giving up. Default 60. */
  startAttempts?: number;
  /** Waiting for the rest of a block, or for the next block. Default 3000 ms. */
  blockTimeoutMs?: number;
  /** Errors in a row before cancelling. Default 10. */
  maxErrors?: number;
  /** Time spent "writing flash" per data block. Default 0. */
  flashWriteDelayMs?: number;
  /** Cancel (CAN CAN) once this many data blocks were received. */
  cancelAfterBlocks?: number;
  signal?: AbortSignal;
  log?: (text: string) => void;
}

export interface ReceivedFile {
  name: string;
  /** From block 0 (null when the sender gave none: then the padding is kept). */
  size: number | null;
  mtime: number | null;
  data: Uint8Array;
}

export interface YmodemReceiveResult {
  outcome: 'ok' | 'cancelled-by-sender' | 'cancelled' | 'failed';
  message: string;
  files: ReceivedFile[];
  /** Blocks NAKed. */
  naks: number;
}

class Stop extends Error {
  constructor(
    readonly outcome: YmodemReceiveResult['outcome'],
    message: string,
  ) {
    super(message);
  }
}

class Receiver {
  private readonly reader: LinkReader;
  private readonly files: ReceivedFile[] = [];
  private naks = 0;
  private blocks = 0;

  constructor(
    private readonly link: ByteLink,
    private readonly o: YmodemReceiverOptions,
  ) {
    this.reader = new LinkReader(link, o.signal);
  }

  private get blockTimeout(): number {
    return this.o.blockTimeoutMs ?? 3000;
  }

  async run(): Promise<YmodemReceiveResult> {
    try {
      for (;;) {
        const header = await this.receiveHeader();
        if (!header) return this.done('ok', `Received ${this.files.length} file(s).`);
        await this.receiveFile(header);
      }
    } catch (e) {
      if (e instanceof Stop) {
        if (e.outcome === 'failed' || e.outcome === 'cancelled') await writeWithin(this.link, Uint8Array.of(CAN, CAN, CAN, CAN, CAN), 300);
        return this.done(e.outcome, e.message);
      }
      if (e instanceof OtaError && e.kind === 'cancelled') {
        await writeWithin(this.link, Uint8Array.of(CAN, CAN, CAN, CAN, CAN), 300);
        return this.done('cancelled', e.message);
      }
      return this.done('failed', e instanceof Error ? e.message : String(e));
    } finally {
      this.reader.dispose();
    }
  }

  private done(outcome: YmodemReceiveResult['outcome'], message: string): YmodemReceiveResult {
    this.o.log?.(`${outcome}: ${message}`);
    return { outcome, message, files: this.files, naks: this.naks };
  }

  /** Asks with 'C' until block 0 arrives; null for the end-of-batch block. */
  private async receiveHeader(): Promise<{ name: string; size: number | null; mtime: number | null } | null> {
    const attempts = this.o.startAttempts ?? 60;
    for (let i = 0; i < attempts; i++) {
      await this.link.write(Uint8Array.of(CRC_REQUEST));
      const frame = await this.readFrame(this.o.startIntervalMs ?? 1000);
      if (frame === 'timeout' || frame === 'bad') continue;
      if (frame === 'eot') {
        await this.link.write(Uint8Array.of(ACK));
        continue;
      }
      if (frame.seq !== 0) {
        // A data block from a file we already finished (our ACK was lost): acknowledge it again.
        await this.link.write(Uint8Array.of(ACK));
        continue;
      }
      await this.link.write(Uint8Array.of(ACK));
      const header = parseHeaderPayload(frame.payload);
      if (header) this.o.log?.(`file ${header.name}, ${header.size ?? '?'} bytes`);
      return header;
    }
    throw new Stop('failed', `No file header after ${attempts} requests.`);
  }

  private async receiveFile(header: { name: string; size: number | null; mtime: number | null }): Promise<void> {
    const parts: Uint8Array[] = [];
    let expected = 1;
    let errors = 0;
    let eots = 0;
    await this.link.write(Uint8Array.of(CRC_REQUEST));
    for (;;) {
      const frame = await this.readFrame(this.blockTimeout);
      if (frame === 'eot') {
        if (eots++ === 0) {
          await this.link.write(Uint8Array.of(NAK));
          continue;
        }
        await this.link.write(Uint8Array.of(ACK));
        break;
      }
      if (frame === 'timeout' || frame === 'bad') {
        if (++errors > (this.o.maxErrors ?? 10)) throw new Stop('failed', `Too many errors at block ${expected}.`);
        this.naks++;
        await this.reader.drainQuiet(20, 500);
        await this.link.write(Uint8Array.of(NAK));
        continue;
      }
      errors = 0;
      eots = 0;
      if (frame.seq === ((expected - 1) & 0xff)) {
        await this.link.write(Uint8Array.of(ACK)); // a repeat of the block we already have
        continue;
      }
      if (frame.seq !== (expected & 0xff)) {
        throw new Stop('failed', `Block ${frame.seq} arrived where block ${expected & 0xff} was expected.`);
      }
      parts.push(Uint8Array.from(frame.payload));
      this.blocks++;
      expected++;
      if (this.o.flashWriteDelayMs) await new Promise((resolve) => setTimeout(resolve, this.o.flashWriteDelayMs));
      if (this.o.cancelAfterBlocks !== undefined && this.blocks >= this.o.cancelAfterBlocks) {
        throw new Stop('cancelled', `Cancelled on purpose after ${this.blocks} blocks.`);
      }
      await this.link.write(Uint8Array.of(ACK));
    }
    const all = Buffer.concat(parts);
    const data = header.size === null ? all : all.subarray(0, header.size);
    if (header.size !== null && all.length < header.size) {
      throw new Stop('failed', `File ${header.name} ended after ${all.length} of ${header.size} bytes.`);
    }
    this.files.push({ ...header, data: Uint8Array.from(data) });
  }

  /** One block, an EOT, or what went wrong. Two CANs in a row stop the receiver. */
  private async readFrame(timeoutMs: number): Promise<{ seq: number; payload: Uint8Array } | 'eot' | 'timeout' | 'bad'> {
    let first: number;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        first = await this.reader.readByte(Math.max(1, deadline - Date.now()));
      } catch (e) {
        if (isLinkTimeout(e)) return 'timeout';
        throw e;
      }
      while (first === CAN) {
        // Two in a row cancel; after a lone CAN (noise) the next byte counts as usual.
        const second = await this.reader.readByte(1000).catch((e: unknown) => {
          if (isLinkTimeout(e)) return -1;
          throw e;
        });
        if (second === CAN) throw new Stop('cancelled-by-sender', 'The sender cancelled (CAN CAN).');
        first = second;
      }
      if (first === SOH || first === STX || first === EOT) break;
      // anything else before a block header is line noise
    }
    if (first === EOT) return 'eot';
    try {
      const rest = await this.reader.readExact(payloadSize(first) + 4, this.blockTimeout);
      const checked = checkBlock(Buffer.concat([Uint8Array.of(first), rest]));
      if (!checked.ok) {
        this.o.log?.(checked.why);
        return 'bad';
      }
      return { seq: checked.seq, payload: checked.payload };
    } catch (e) {
      if (isLinkTimeout(e)) return 'bad';
      throw e;
    }
  }
}

/** Receives one YMODEM batch over `link`. Never rejects for protocol trouble; see the outcome. */
export function receiveYmodem(link: ByteLink, options: YmodemReceiverOptions = {}): Promise<YmodemReceiveResult> {
  return new Receiver(link, options).run();
}
