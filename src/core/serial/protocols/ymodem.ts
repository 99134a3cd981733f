// YMODEM sender (CRC-16, 1 KiB blocks), as accepted by most MCU serial bootloaders and by lrzsz's `rb --ymodem`.
// The receiver's 'C' starts it; block 0 carries "name NUL size [mtime]"; data blocks are STX/1024 (a tail of at
// most 128 bytes goes as SOH/128), padded with 0x1A; NAK or silence re-sends the block (up to maxRetries times);
// CAN CAN from the receiver cancels; our cancel sends CAN five times; the file ends with EOT (NAK) EOT (ACK) and
// the batch with an empty block 0.
//
// Telling a receiver from noise (a board at the wrong baud, or not in its bootloader, answers with garbage that
// contains every byte value): a 'C' starts the transfer only when the line then stays quiet (or another 'C'
// follows), as a receiver waiting for a block does; a reply counts only when nothing else came between our block
// and it, and nothing right after it; a real receiver sends nothing between replies, so stray bytes after the
// start (or a flood of binary before it) mean the device is not answering YMODEM, and the transfer stops.

import { say } from '../../sentences';
import { failedOutcome } from './outcome';
import { abortError, isLinkTimeout, LinkReader, writeWithin } from '../linkReader';
import { printable } from '../printable';
import { boolOption, choiceOption, intOption, rejectUnknownOptions, stringOption } from './options';
import { requireSingleImage } from './regions';
import { type FlashContext, type FlashOptionBag, type FlashProtocol, type ProtocolOutcome } from './types';
import {
  ACK,
  buildBlock,
  buildEndOfBatchBlock,
  buildHeaderBlock,
  CAN,
  CRC_REQUEST,
  EOT,
  NAK,
} from './ymodemFrames';

export interface YmodemOptions {
  blockSize: 128 | 1024;
  /** Send a last chunk of at most 128 bytes as a 128-byte block (less padding on the wire). Default true. */
  shortTail: boolean;
  /** Re-sends of one block before giving up. Default 10. */
  maxRetries: number;
  /** Waiting for the receiver's first 'C'. Default 60 s. */
  startTimeoutMs: number;
  /** Waiting for the ACK of a block. Default 10 s (as sz). */
  blockTimeoutMs: number;
  /** Name in block 0 (default: the image's file name). */
  fileName: string;
  /** Modification time in block 0, seconds since 1970 (sent in octal as sz does); none by default. */
  mtime: number | null;
  /**
   * Pause after each answer before the next block. 0 by default. lrzsz's rb flushes its input just after it
   * answers; on a pseudo-terminal our next block can arrive inside that window and be flushed (rb then waits 5 s).
   * A millisecond avoids it there; real UARTs never need it.
   */
  turnaroundDelayMs: number;
}

const KNOWN = [
  'blockSize',
  'shortTail',
  'maxRetries',
  'timeoutMs',
  'startTimeoutMs',
  'blockTimeoutMs',
  'fileName',
  'mtime',
  'turnaroundDelayMs',
] as const;
const HOUR = 3_600_000;
/**
 * Receivers make sure an EOT is not line noise by waiting for silence after it (lrzsz waits up to a second, and an
 * EOT repeated within that time makes it treat both as garbage), so the answer to EOT gets at least this long.
 */
const EOT_MIN_WAIT_MS = 3000;
/** lrzsz sends a run of CANs so that a receiver in any state sees at least two in a row. */
const CANCEL_SEQUENCE = new Uint8Array([CAN, CAN, CAN, CAN, CAN]);
/** A 'C' is the start request when no other byte follows it within this time (a receiver then waits for a block). */
const START_QUIET_MS = 20;
/** Binary bytes (not text a bootloader prints, not 'C'/NAK) before the start that mean the line carries noise. */
const START_NOISE_LIMIT = 256;
/** Stray bytes after the start (a real receiver sends none; a damaged reply or two) before giving up. */
const TRANSFER_NOISE_LIMIT = 16;

export function resolveYmodemOptions(bag: FlashOptionBag, imageName: string): YmodemOptions {
  rejectUnknownOptions(bag, KNOWN, 'ymodem');
  const common = intOption(bag, 'timeoutMs', 0, 0, HOUR);
  const rawSize = bag.blockSize;
  const blockSize = choiceOption({ blockSize: typeof rawSize === 'number' ? String(rawSize) : rawSize }, 'blockSize', '1024', ['128', '1024'] as const);
  const mtime = bag.mtime === undefined || bag.mtime === null ? null : intOption(bag, 'mtime', 0, 0, 2 ** 40);
  return {
    blockSize: blockSize === '128' ? 128 : 1024,
    shortTail: boolOption(bag, 'shortTail', true),
    maxRetries: intOption(bag, 'maxRetries', 10, 0, 1000),
    startTimeoutMs: intOption(bag, 'startTimeoutMs', common || 60_000, 1, HOUR),
    blockTimeoutMs: intOption(bag, 'blockTimeoutMs', common ? Math.min(common, 10_000) : 10_000, 1, HOUR),
    fileName: stringOption(bag, 'fileName', imageName, /^[^\0\r\n]+$/, say`must be a non-empty file name`),
    mtime,
    turnaroundDelayMs: intOption(bag, 'turnaroundDelayMs', 0, 0, 1000),
  };
}

type Reply = 'ack' | 'nak' | 'c' | 'can' | 'timeout';

/** Bytes a bootloader prints as text (its menu, "Waiting for the file..."): not noise before the start. */
function isText(b: number): boolean {
  return (b >= 0x20 && b < 0x7f) || b === 0x0d || b === 0x0a || b === 0x09;
}

/** Ends the run early with this outcome. */
class Stop extends Error {
  constructor(readonly outcome: ProtocolOutcome) {
    super(outcome.message);
  }
}

class YmodemSender {
  private readonly reader: LinkReader;
  private acked = 0;
  /** Stray bytes since the start request (none from a real receiver). */
  private noise = 0;
  /** Binary bytes before the start request. */
  private startNoise = 0;
  /** Whether stray bytes came in during the current wait for a reply (the reply is then not trusted). */
  private tainted = false;
  private started = false;
  /** A byte looked at and not consumed yet. */
  private pending: number | null = null;

  constructor(
    private readonly ctx: FlashContext,
    private readonly o: YmodemOptions,
  ) {
    this.reader = new LinkReader(ctx.link, ctx.signal);
  }

  async run(): Promise<ProtocolOutcome> {
    const image = this.ctx.image;
    try {
      this.phase('waiting', say`Waiting for the receiver on ${this.ctx.link.name} to ask for the file`);
      await this.waitForStart();
      this.phase('negotiating', say`Sending the file header`);
      await this.sendBlock(buildHeaderBlock({ name: this.o.fileName, size: image.length, mtime: this.o.mtime }), 0, say`header block 0`);
      await this.waitForByte(CRC_REQUEST, this.o.blockTimeoutMs);
      this.phase('transferring', say`Sending data blocks`);
      this.ctx.report({ type: 'progress', bytesDone: 0 });
      let seq = 1;
      for (let off = 0; off < image.length; seq++) {
        const left = image.length - off;
        const size = this.o.blockSize === 128 || (this.o.shortTail && left <= 128) ? 128 : 1024;
        const chunk = image.subarray(off, off + size);
        await this.sendBlock(buildBlock(seq, chunk, size), seq, say`block ${seq}`);
        off += chunk.length;
        this.acked = off;
        this.ctx.report({ type: 'progress', bytesDone: off });
      }
      this.phase('verifying', say`Ending the transfer`);
      await this.sendEot();
      await this.endBatch();
      // YMODEM checks each block's CRC, never the stored image: the device has not proved it holds it.
      return {
        result: 'ok',
        verified: false,
        message: say`The receiver acknowledged all ${image.length} bytes of ${this.o.fileName}; YMODEM has no end-to-end check, so the device has not verified what it stored.`,
      };
    } catch (e) {
      if (e instanceof Stop) {
        if (e.outcome.errorCode === 'too-many-retries' || e.outcome.errorCode === 'not-ymodem') await this.sendCancel();
        return e.outcome;
      }
      if (this.ctx.signal.aborted) {
        await this.sendCancel();
        this.log('info', say`Sent CAN to the receiver`);
        return { result: 'cancelled', verified: false, message: abortError(this.ctx.signal).message };
      }
      return failedOutcome(e);
    } finally {
      this.reader.dispose();
    }
  }

  /**
   * CAN five times, twice, a tenth of a second apart: a receiver that flushes its input just after answering
   * (rb does) could lose a single burst sent at that moment, and would then wait for data for a long time.
   */
  private async sendCancel(): Promise<void> {
    await writeWithin(this.ctx.link, CANCEL_SEQUENCE, 300);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await writeWithin(this.ctx.link, CANCEL_SEQUENCE, 300);
  }

  private async waitForStart(): Promise<void> {
    const deadline = Date.now() + this.o.startTimeoutMs;
    let saidChecksum = false;
    for (;;) {
      const b = await this.nextByte(deadline);
      if (b === null) {
        if (this.startNoise > 0) throw this.notYmodem();
        throw new Stop({
          result: 'failed', verified: false,
          errorCode: 'device-silent',
          message: say`The receiver on ${this.ctx.link.name} did not ask for the file within ${Math.round(this.o.startTimeoutMs / 1000)} s (no 'C'). Start its YMODEM receive mode (bootloader menu, rb --ymodem...) and check the baud rate.`,
        });
      }
      if (b === CAN) throw this.cancelledByReceiver();
      if (b === CRC_REQUEST) {
        // A receiver asking for the file then waits for it: the line goes quiet, or it asks again.
        const next = await this.peekWithin(Math.min(START_QUIET_MS, Math.max(0, deadline - Date.now())));
        if (next === null || next === CRC_REQUEST) {
          this.discard();
          this.started = true;
          return;
        }
        continue; // text such as "Copy..." or noise: keep listening
      }
      if (b === NAK) {
        if (!saidChecksum) {
          saidChecksum = true;
          this.log('warn', say`The receiver asks for checksum mode (NAK); waiting for it to ask for CRC mode (C)`);
        }
        continue;
      }
      if (!isText(b)) {
        this.startNoise++;
        if (this.startNoise <= 5) this.log('debug', say`ignored byte before the start: ${printable(Uint8Array.of(b))}`, true);
        if (this.startNoise >= START_NOISE_LIMIT) throw this.notYmodem();
      }
    }
  }

  /** The next byte if one arrives within `ms`, left unread; null when the line stays quiet. */
  private async peekWithin(ms: number): Promise<number | null> {
    if (this.pending === null) this.pending = await this.readBefore(Date.now() + ms);
    return this.pending;
  }

  /** The next byte if it is already here, left unread. */
  private async peekNow(): Promise<number | null> {
    if (this.pending === null && this.reader.buffered > 0) this.pending = await this.readBefore(Date.now() + 1000);
    return this.pending;
  }

  /** Drops everything received and not read yet. */
  private discard(): Buffer {
    const dropped = this.reader.discard();
    if (this.pending === null) return dropped;
    const withPending = Buffer.concat([Buffer.of(this.pending), dropped]);
    this.pending = null;
    return withPending;
  }

  private notYmodem(): Stop {
    const stray = this.started ? this.noise : this.startNoise;
    return new Stop({
      result: 'failed', verified: false,
      errorCode: 'not-ymodem',
      message: say`The device on ${this.ctx.link.name} is not answering YMODEM: wrong baud or not in its bootloader? (it sent ${stray} bytes that are not YMODEM replies${this.acked ? say` after ${this.acked} bytes were acknowledged` : ''})`,
    });
  }

  /** Counts bytes that no receiver would send here; too many end the transfer. */
  private stray(count: number): void {
    if (count <= 0) return;
    this.tainted = true;
    this.noise += count;
    if (this.noise > TRANSFER_NOISE_LIMIT) throw this.notYmodem();
  }

  /** Sends a block until it is ACKed; NAK or silence re-sends it. A 'C' counts as a NAK for blocks 0 and 1. */
  private async sendBlock(
    frame: Uint8Array,
    seq: number,
    what: string,
    maxRetries = this.o.maxRetries,
    timeoutMs = this.o.blockTimeoutMs,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      // A fast receiver's answer is often here before we look: check the cancel before every block, not only in waits.
      if (this.ctx.signal.aborted) throw abortError(this.ctx.signal);
      if (attempt > 0) {
        if (attempt > maxRetries) {
          throw new Stop({
            result: 'failed', verified: false,
            errorCode: 'too-many-retries',
            message: say`The receiver did not acknowledge ${what} after ${attempt} tries; gave up at ${this.acked} of ${this.ctx.image.length} bytes.`,
          });
        }
      }
      if (this.o.turnaroundDelayMs) await delay(this.o.turnaroundDelayMs, this.ctx.signal);
      this.discardStray(seq);
      await this.ctx.link.write(frame);
      const deadline = Date.now() + timeoutMs;
      let r: Reply;
      do r = await this.reply(deadline - Date.now());
      while (r === 'c' && seq > 1);
      if (r === 'ack') return;
      if (r === 'can') throw this.cancelledByReceiver();
      this.ctx.report({ type: 'retry', reason: say`${what}: ${r === 'timeout' ? say`no answer` : r === 'c' ? say`receiver asked again` : 'NAK'}` });
    }
  }

  private async sendEot(): Promise<void> {
    let naks = 0;
    for (let attempt = 0; ; attempt++) {
      if (attempt - naks > this.o.maxRetries || naks > this.o.maxRetries + 1) {
        throw new Stop({
          result: 'failed', verified: false,
          errorCode: 'too-many-retries',
          message: say`All ${this.ctx.image.length} bytes were sent but the receiver never acknowledged the end of the file (EOT).`,
        });
      }
      this.discardStray(-1);
      await this.ctx.link.write(Uint8Array.of(EOT));
      const r = await this.reply(Math.max(this.o.blockTimeoutMs, EOT_MIN_WAIT_MS));
      if (r === 'ack') return;
      if (r === 'can') throw this.cancelledByReceiver();
      if (r === 'nak') {
        // The first NAK is the normal answer (the receiver makes sure the EOT is real); more are retries.
        if (++naks > 1) this.ctx.report({ type: 'retry', reason: 'EOT: NAK' });
      } else {
        this.ctx.report({ type: 'retry', reason: say`EOT: no answer` });
      }
    }
  }

  /**
   * The receiver asks for the next file with 'C'; an empty block 0 says there is none. The file itself is already
   * acknowledged, so this waits at most a second per try and tries three times: a receiver that quits right after
   * its last ACK (rb does) may lose that ACK on the way out, and the file must not wait long for it.
   */
  private async endBatch(): Promise<void> {
    if (!(await this.waitForByte(CRC_REQUEST, this.o.blockTimeoutMs))) {
      this.log('debug', say`No 'C' after the file; ending the batch anyway`);
    }
    try {
      await this.sendBlock(buildEndOfBatchBlock(), 0, say`end-of-batch block`, Math.min(2, this.o.maxRetries), Math.min(this.o.blockTimeoutMs, 1000));
    } catch (e) {
      if (!(e instanceof Stop) || e.outcome.errorCode !== 'too-many-retries') throw e;
      this.log('warn', say`The receiver did not acknowledge the end of the batch; the file itself was acknowledged`);
    }
  }

  /** Waits for one specific byte; false on timeout. CAN CAN still cancels. */
  private async waitForByte(wanted: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const b = await this.nextByte(deadline);
      if (b === null) return false;
      if (b === wanted) return true;
      if (b === CAN) throw this.cancelledByReceiver();
      this.stray(1);
    }
  }

  /**
   * Drops what came in since the last reply before sending. A receiver sends nothing there, except that one asking
   * for block 0 or 1 may repeat its 'C' (and an empty end-of-batch block answers a 'C'): anything else is stray.
   */
  private discardStray(seq: number): void {
    const dropped = this.discard();
    const stray = seq === 0 || seq === 1 ? dropped.filter((b) => b !== CRC_REQUEST).length : dropped.length;
    this.stray(stray);
  }

  /**
   * The receiver's answer. Two CANs in a row mean cancel. Other bytes are stray: counted, and an answer after them
   * or followed at once by more bytes is not trusted (a NAK for ACK, so the block goes again).
   */
  private async reply(timeoutMs: number): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    this.tainted = false;
    for (;;) {
      const b = await this.nextByte(deadline);
      if (b === null) return 'timeout';
      if (b === CAN) return 'can';
      if (b === ACK || b === NAK || b === CRC_REQUEST) {
        const r: Reply = b === ACK ? 'ack' : b === NAK ? 'nak' : 'c';
        // An ACK may be followed by the 'C' that asks for the next file (block 0, EOT); nothing else.
        const trailing = await this.peekNow();
        const followedByNoise = trailing !== null && !(r === 'ack' && trailing === CRC_REQUEST) && trailing !== CAN;
        if (r === 'ack' && (this.tainted || followedByNoise)) {
          this.log('debug', say`an ACK among stray bytes is not trusted`, true);
          return 'nak';
        }
        return r;
      }
      if (this.noise < 5) this.log('debug', say`ignored byte from the receiver: ${printable(Uint8Array.of(b))}`, true);
      this.stray(1);
    }
  }

  /**
   * The next byte before the deadline (null on timeout). A CAN is returned only when a second CAN follows within
   * a second; a lone CAN is dropped as noise and the byte after it is returned instead.
   */
  private async nextByte(deadline: number): Promise<number | null> {
    let b = await this.readBefore(deadline);
    while (b === CAN) {
      const second = await this.readBefore(Math.min(deadline, Date.now() + 1000));
      if (second === CAN) return CAN;
      if (second === null) b = await this.readBefore(deadline);
      else b = second;
    }
    return b;
  }

  private async readBefore(deadline: number): Promise<number | null> {
    if (this.pending !== null) {
      const b = this.pending;
      this.pending = null;
      return b;
    }
    const left = deadline - Date.now();
    if (left <= 0) return null;
    try {
      return await this.reader.readByte(left);
    } catch (e) {
      if (isLinkTimeout(e)) return null;
      throw e;
    }
  }

  private cancelledByReceiver(): Stop {
    // Two CANs in a row turn up in noise too; a receiver that cancels has not been babbling before.
    if ((this.started ? this.noise : this.startNoise) >= 8) return this.notYmodem();
    return new Stop({
      result: 'failed', verified: false,
      errorCode: 'device-cancelled',
      message: say`The receiver cancelled the transfer (CAN CAN) after ${this.acked} of ${this.ctx.image.length} bytes.`,
    });
  }

  private phase(phase: 'waiting' | 'negotiating' | 'transferring' | 'verifying', message: string): void {
    this.ctx.report({ type: 'phase', phase, message });
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', text: string, fromDevice = false): void {
    this.ctx.report({ type: 'log', level, text, fromDevice });
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const ymodemProtocol: FlashProtocol = {
  id: 'ymodem',
  label: 'YMODEM',
  description: 'YMODEM batch sender with CRC-16 and 1 KiB blocks, for serial bootloaders that receive YMODEM.',
  checkOptions(options, _image, regions) {
    requireSingleImage(regions, 'ymodem');
    resolveYmodemOptions(options, 'image.bin');
  },
  run(ctx: FlashContext) {
    return new YmodemSender(ctx, resolveYmodemOptions(ctx.options, ctx.imageName || 'image.bin')).run();
  },
};
