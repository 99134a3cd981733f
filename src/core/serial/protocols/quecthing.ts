// Quectel MCU OTA over AT commands, module side: the extension plays the Quectel module and the board's MCU reads
// the image from it exactly as it would from a module that downloaded it from the cloud.
//
// Framing (as a module with V1 result codes): every URC and final result is sent as CRLF <text> CRLF. A read answers
// CRLF "+QIOTOTARD: <start>,<n>" CRLF, then n raw bytes, then CRLF "OK" CRLF.
// 10701 carries `"<component>",<length>,"<md5>"`, and when the MCU asked with AT+QIOTOTAREQ=1 also
// `,<crc>,"<sha256>"`, where <crc> is the CRC-32 (ISO-HDLC, as zip) of the whole image in decimal.
// Success needs both: every byte of the image was read at least once, and after AT+QIOTUPDATE=3 the MCU reports
// the target version (or, when no target version was given, a version other than the one it reported before).

import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { failedOutcome } from './outcome';
import { crc32, md5Hex, sha256Hex } from '../checksums';
import { abortError, isLinkTimeout, LinkReader, writeWithin } from '../linkReader';
import { printable } from '../printable';
import { AT_STRING, type AtCommand, formatEvent, intArg, parseAtCommand, QuecEvent, quote } from './quecAt';
import { choiceOption, intOption, optionalIntOption, rejectUnknownOptions, stringOption } from './options';
import { requireSingleImage } from './regions';
import { type FlashContext, type FlashOptionBag, type FlashProtocol, type ProtocolOutcome } from './types';

export interface QuecthingOptions {
  /** Component name in the plan (what the MCU calls its firmware). Default "MCU". */
  component: string;
  /** Source version announced in the plan. Default "". */
  sourceVersion: string;
  /** The version the MCU must report after the update. Default "" (any version other than the one before). */
  targetVersion: string;
  minBattery: number;
  minSignal: number;
  /** Bytes per piece (10703). Default: the whole image in one piece. */
  pieceSize: number;
  /** Largest AT+QIOTOTARD length accepted. Default 4096. */
  maxReadLength: number;
  /** When 10704 (updating) is sent: right after the first 10703 (documented sequence) or on AT+QIOTUPDATE=3. */
  updatingEvent: 'after-first-piece' | 'on-update';
  /** Waiting for the device's first command. */
  waitTimeoutMs: number;
  /** Silence allowed between commands once the device has spoken. */
  idleTimeoutMs: number;
  /** After AT+QIOTUPDATE=3, time for the MCU to write, reboot and report its version. */
  verifyTimeoutMs: number;
}

const KNOWN = [
  'component',
  'sourceVersion',
  'targetVersion',
  'minBattery',
  'minSignal',
  'pieceSize',
  'maxReadLength',
  'updatingEvent',
  'timeoutMs',
  'waitTimeoutMs',
  'idleTimeoutMs',
  'verifyTimeoutMs',
] as const;

const HOUR = 3_600_000;

export function resolveQuecthingOptions(bag: FlashOptionBag, imageSize: number): QuecthingOptions {
  rejectUnknownOptions(bag, KNOWN, 'quecthing');
  const atText = say`must not contain quotes, commas or line breaks`;
  const component = stringOption(bag, 'component', 'MCU', AT_STRING, atText);
  if (!component) throw new OtaError('invalid-input', say`Option component must not be empty.`);
  const common = intOption(bag, 'timeoutMs', 0, 0, HOUR);
  const maxReadLength = intOption(bag, 'maxReadLength', 4096, 1, 65536);
  return {
    component,
    sourceVersion: stringOption(bag, 'sourceVersion', '', AT_STRING, atText),
    targetVersion: stringOption(bag, 'targetVersion', '', AT_STRING, atText),
    minBattery: intOption(bag, 'minBattery', 30, 0, 100),
    minSignal: intOption(bag, 'minSignal', -113, -200, 0),
    pieceSize: Math.min(optionalIntOption(bag, 'pieceSize', 1, 2 ** 31) ?? imageSize, Math.max(imageSize, 1)),
    maxReadLength,
    updatingEvent: choiceOption(bag, 'updatingEvent', 'after-first-piece', ['after-first-piece', 'on-update'] as const),
    waitTimeoutMs: intOption(bag, 'waitTimeoutMs', common || 60_000, 1, HOUR),
    idleTimeoutMs: intOption(bag, 'idleTimeoutMs', common || 10_000, 1, HOUR),
    verifyTimeoutMs: intOption(bag, 'verifyTimeoutMs', Math.max(common, 60_000), 1, HOUR),
  };
}

type Stage = 'waiting' | 'negotiating' | 'transferring' | 'verifying';

interface Piece {
  start: number;
  end: number;
}

class QuecModule {
  private readonly reader: LinkReader;
  private stage: Stage = 'waiting';
  private echo = false;
  private shaRequested = false;
  private confirmed = false;
  private readonly pieces: Piece[] = [];
  private pieceIndex = -1;
  /** Whether the MCU has read from the current piece yet. */
  private pieceTouched = false;
  private updatingSent = false;
  private readonly covered: Uint8Array;
  private served = 0;
  private readonly readStarts = new Set<number>();
  private versionBefore: string | null = null;
  private ignoredLines = 0;
  private lastCommandAt = 0;
  private readonly digests: { md5: string; sha256: string; crc32: number };

  constructor(
    private readonly ctx: FlashContext,
    private readonly o: QuecthingOptions,
  ) {
    this.reader = new LinkReader(ctx.link, ctx.signal);
    const size = ctx.image.length;
    this.covered = new Uint8Array(size);
    for (let start = 0; start < size; start += o.pieceSize) this.pieces.push({ start, end: Math.min(size, start + o.pieceSize) });
    this.digests = { md5: md5Hex(ctx.image), sha256: sha256Hex(ctx.image), crc32: crc32(ctx.image) };
  }

  async run(): Promise<ProtocolOutcome> {
    try {
      this.phase('waiting', say`Waiting for the MCU on ${this.ctx.link.name}`);
      this.log('info', say`Image ${this.ctx.image.length} bytes, MD5 ${this.digests.md5}, ${this.pieces.length} piece(s)`);
      await this.announcePlan();
      this.lastCommandAt = Date.now();
      for (;;) {
        // Only commands count as signs of life: a device babbling noise (wrong baud rate) still times out.
        const left = this.lastCommandAt + this.currentTimeout() - Date.now();
        if (left <= 0) return await this.onSilence();
        let line: string;
        try {
          line = await this.reader.readLine(left, 8192);
        } catch (e) {
          if (isLinkTimeout(e)) return await this.onSilence();
          throw e;
        }
        const outcome = await this.handleLine(line);
        if (outcome) return outcome;
      }
    } catch (e) {
      if (this.ctx.signal.aborted) {
        if (this.confirmed) await this.sendBestEffort(formatEvent(QuecEvent.FAILED));
        return { result: 'cancelled', verified: false, message: abortError(this.ctx.signal).message };
      }
      return failedOutcome(e);
    } finally {
      this.reader.dispose();
    }
  }

  private currentTimeout(): number {
    if (this.stage === 'waiting') return this.o.waitTimeoutMs;
    if (this.stage === 'verifying') return this.o.verifyTimeoutMs;
    return this.o.idleTimeoutMs;
  }

  private async onSilence(): Promise<ProtocolOutcome> {
    const secs = (ms: number): string => say`${Math.round(ms / 100) / 10} s`;
    const size = this.ctx.image.length;
    switch (this.stage) {
      case 'waiting': {
        const what = this.ignoredLines ? say`sent only unreadable data` : say`sent nothing`;
        return {
          result: 'failed', verified: false,
          errorCode: 'device-silent',
          message: say`The MCU on ${this.ctx.link.name} ${what} within ${secs(this.o.waitTimeoutMs)}. Check the baud rate and the wiring, and that its firmware runs the Quectel OTA flow (AT+QIOTMCUVER / AT+QIOTOTAREQ).`,
        };
      }
      case 'negotiating':
        return {
          result: 'failed', verified: false,
          errorCode: 'device-silent',
          message: say`The MCU stopped answering before confirming the update (nothing for ${secs(this.o.idleTimeoutMs)}).`,
        };
      case 'transferring':
        await this.sendBestEffort(formatEvent(QuecEvent.FAILED));
        return {
          result: 'failed', verified: false,
          errorCode: 'device-silent',
          message: say`The MCU stopped reading at ${this.served} of ${size} bytes (nothing for ${secs(this.o.idleTimeoutMs)}).`,
        };
      case 'verifying':
        await this.sendBestEffort(formatEvent(QuecEvent.FAILED));
        return {
          result: 'failed', verified: false,
          errorCode: 'device-silent',
          message: say`The MCU did not report its new version within ${secs(this.o.verifyTimeoutMs)} after updating.`,
        };
    }
  }

  private async handleLine(line: string): Promise<ProtocolOutcome | null> {
    const cmd = parseAtCommand(line);
    if (!cmd) {
      if (line.trim()) {
        this.ignoredLines++;
        if (this.ignoredLines <= 20) this.log('debug', say`ignored: ${printable(line)}`, true);
        else if (this.ignoredLines === 21) this.log('debug', say`more ignored lines are not logged`);
      }
      return null;
    }
    this.lastCommandAt = Date.now();
    if (this.echo) await this.ctx.link.write(Buffer.from(`${cmd.text}\r\n`, 'latin1'));
    const quiet = cmd.name === '+QIOTOTARD' && cmd.form === 'set';
    if (!quiet) this.log('debug', say`MCU: ${printable(cmd.text)}`, true);
    if (this.stage === 'waiting') this.phase('negotiating', say`The MCU answered`);
    switch (cmd.name) {
      case '':
        return this.ok();
      case 'E0':
      case 'E1':
        this.echo = cmd.name === 'E1';
        return this.ok();
      case '+QIOTMCUVER':
        return this.onMcuVersion(cmd);
      case '+QIOTOTAREQ':
        return this.onOtaRequest(cmd);
      case '+QIOTUPDATE':
        return this.onUpdate(cmd);
      case '+QIOTOTARD':
        return this.onRead(cmd);
      default:
        return this.error(say`unknown command ${printable(cmd.text)}`);
    }
  }

  private async onMcuVersion(cmd: AtCommand): Promise<ProtocolOutcome | null> {
    if (cmd.form === 'test') return this.ok();
    if (cmd.form !== 'set' || cmd.args.length < 2) return this.error(say`AT+QIOTMCUVER needs "<component>","<version>"`);
    const [component, version] = cmd.args as [string, string];
    await this.ok();
    if (component !== this.o.component) {
      this.log('warn', say`The MCU names its component ${printable(component)}, the plan says ${this.o.component}`, true);
    }
    if (this.stage !== 'verifying') {
      if (!this.confirmed) {
        this.versionBefore = version;
        this.log('info', say`The MCU runs version ${printable(version)}`, true);
        return null;
      }
      if (this.served < this.ctx.image.length) {
        this.log('warn', say`The MCU reports version ${printable(version)} in the middle of the transfer (restarted?)`, true);
        return null;
      }
    }
    return this.finish(version);
  }

  private async finish(version: string): Promise<ProtocolOutcome> {
    const size = this.ctx.image.length;
    const shown = printable(version);
    if (this.served < size) {
      await this.sendEvent(QuecEvent.FAILED);
      return {
        result: 'failed', verified: false,
        errorCode: 'incomplete',
        message: say`The MCU reported version ${shown} but read only ${this.served} of ${size} bytes: the update is not trusted.`,
      };
    }
    const wanted = this.o.targetVersion;
    const before = this.versionBefore;
    // Installed means a version the device reports because of this image: the one asked for, or a change from the
    // version it reported before the transfer. A version first heard after the transfer proves nothing.
    const updated = wanted ? version === wanted : before !== null && version !== before;
    if (updated) {
      await this.sendEvent(QuecEvent.SUCCEEDED);
      // The MCU checked the MD5/SHA-256 it was given before installing; its new version is its word that it did.
      return {
        result: 'ok',
        verified: true,
        message: say`The MCU installed the image (${size} bytes, MD5 ${this.digests.md5}) and now runs ${shown}.`,
      };
    }
    await this.sendEvent(QuecEvent.FAILED);
    if (!wanted && before === null) {
      return {
        result: 'failed', verified: false,
        errorCode: 'not-confirmed',
        message: say`Sent ${size} bytes; the device did not confirm it installed the image: the MCU reported version ${shown} only after the transfer, so no change shows it; give the version it must report (--version) to check it.`,
      };
    }
    const expected = wanted ? say`expected ${wanted}` : say`unchanged`;
    return {
      result: 'failed', verified: false,
      errorCode: 'device-rejected',
      message: say`After the update the MCU reports version ${shown} (${expected}): it did not install the image, probably because its MD5/SHA-256 check failed.`,
    };
  }

  private async onOtaRequest(cmd: AtCommand): Promise<ProtocolOutcome | null> {
    if (cmd.form === 'test') return this.respond('+QIOTOTAREQ: (0,1)');
    let mode = 0;
    if (cmd.form === 'set') {
      const m = intArg(cmd.args[0]);
      if (m === null || m > 1) return this.error(say`AT+QIOTOTAREQ mode must be 0 or 1`);
      mode = m;
    } else if (cmd.form !== 'exec') {
      return this.error(say`unsupported AT+QIOTOTAREQ form`);
    }
    this.shaRequested = mode === 1;
    await this.ok();
    await this.announcePlan();
    return null;
  }

  private async onUpdate(cmd: AtCommand): Promise<ProtocolOutcome | null> {
    if (cmd.form === 'test') return this.respond('+QIOTUPDATE: (0-3)');
    const action = cmd.form === 'set' ? intArg(cmd.args[0]) : null;
    const size = this.ctx.image.length;
    switch (action) {
      case 0:
        await this.ok();
        if (!this.confirmed) {
          return { result: 'refused', verified: false, errorCode: 'device-refused', message: say`The device refused the update (AT+QIOTUPDATE=0).` };
        }
        await this.sendEvent(QuecEvent.FAILED);
        return {
          result: 'failed', verified: false,
          errorCode: 'device-aborted',
          message: say`The MCU abandoned the update after reading ${this.served} of ${size} bytes (AT+QIOTUPDATE=0).`,
        };
      case 1:
        await this.ok();
        if (this.confirmed) {
          // The MCU missed the announcements (a noisy line): say them again.
          await this.sendEvent(QuecEvent.STARTED, this.startedData());
          await this.sendEvent(QuecEvent.DOWNLOADING);
          await this.sendEvent(QuecEvent.PIECE_READY, this.pieceData());
          return null;
        }
        this.confirmed = true;
        this.phase('transferring', say`The MCU is reading the image`);
        await this.sendEvent(QuecEvent.STARTED, this.startedData());
        await this.sendEvent(QuecEvent.DOWNLOADING);
        this.pieceIndex = 0;
        await this.sendEvent(QuecEvent.PIECE_READY, this.pieceData());
        if (this.o.updatingEvent === 'after-first-piece') await this.sendUpdating();
        this.ctx.report({ type: 'progress', bytesDone: 0 });
        return null;
      case 2:
        if (!this.confirmed) return this.error(say`AT+QIOTUPDATE=2 before the update was confirmed`);
        if (!this.pieceTouched) {
          // Nothing of this piece was read yet: a repeated request (its OK was lost), not a skip.
          await this.ok();
          await this.sendEvent(QuecEvent.PIECE_READY, this.pieceData());
          return null;
        }
        if (this.pieceIndex + 1 >= this.pieces.length) return this.error(say`AT+QIOTUPDATE=2 but there is no next piece`);
        await this.ok();
        this.pieceIndex++;
        this.pieceTouched = false;
        this.log('info', say`Piece ${this.pieceIndex + 1} of ${this.pieces.length}`);
        await this.sendEvent(QuecEvent.PIECE_READY, this.pieceData());
        return null;
      case 3:
        if (!this.confirmed) return this.error(say`AT+QIOTUPDATE=3 before the update was confirmed`);
        await this.ok();
        await this.sendUpdating();
        if (this.served < size) this.log('warn', say`The MCU says it is updating after reading only ${this.served} of ${size} bytes`);
        this.phase('verifying', say`The MCU is writing the image and restarting`);
        return null;
      default:
        return this.error(say`AT+QIOTUPDATE action must be 0, 1, 2 or 3`);
    }
  }

  private async onRead(cmd: AtCommand): Promise<ProtocolOutcome | null> {
    if (cmd.form === 'test') return this.respond(`+QIOTOTARD: (1-${this.o.maxReadLength})`);
    if (cmd.form !== 'set' || cmd.args.length !== 2) return this.error(say`malformed read ${printable(cmd.text)}`);
    const start = intArg(cmd.args[0]);
    const len = intArg(cmd.args[1]);
    const piece = this.pieces[this.pieceIndex];
    if (!this.confirmed || !piece) return this.error(say`read before the update was confirmed`);
    if (start === null || len === null) return this.error(say`malformed read ${printable(cmd.text)}`);
    if (len < 1 || len > this.o.maxReadLength || start < piece.start || start >= piece.end) {
      return this.error(say`read ${start},${len} outside piece ${piece.start}..${piece.end - 1} or longer than ${this.o.maxReadLength}`);
    }
    const n = Math.min(len, piece.end - start);
    const header = Buffer.from(`\r\n+QIOTOTARD: ${start},${n}\r\n`, 'latin1');
    const tail = Buffer.from('\r\nOK\r\n', 'latin1');
    await this.ctx.link.write(Buffer.concat([header, this.ctx.image.subarray(start, start + n), tail]));
    if (this.readStarts.has(start)) {
      this.ctx.report({ type: 'retry', reason: say`The MCU read ${start},${len} again` });
    }
    this.readStarts.add(start);
    this.pieceTouched = true;
    let fresh = 0;
    for (let i = start; i < start + n; i++) {
      if (!this.covered[i]) {
        this.covered[i] = 1;
        fresh++;
      }
    }
    if (fresh) {
      this.served += fresh;
      this.ctx.report({ type: 'progress', bytesDone: this.served });
    }
    return null;
  }

  private startedData(): string {
    const { component } = this.o;
    const base = `${quote(component)},${this.ctx.image.length},${quote(this.digests.md5)}`;
    return this.shaRequested ? `${base},${this.digests.crc32},${quote(this.digests.sha256)}` : base;
  }

  private pieceData(): string {
    const piece = this.pieces[this.pieceIndex];
    return `${quote(this.o.component)},${this.ctx.image.length},${piece.start},${piece.end - piece.start}`;
  }

  private async announcePlan(): Promise<void> {
    const o = this.o;
    const data = [quote(o.component), quote(o.sourceVersion), quote(o.targetVersion), o.minBattery, o.minSignal, this.ctx.image.length];
    await this.sendEvent(QuecEvent.PLAN, data.join(','));
  }

  private async sendUpdating(): Promise<void> {
    if (this.updatingSent) return;
    this.updatingSent = true;
    await this.sendEvent(QuecEvent.UPDATING);
  }

  private async sendEvent(code: number, data?: string): Promise<void> {
    const text = formatEvent(code, data);
    this.log(code === QuecEvent.FAILED ? 'warn' : 'info', `→ ${text}`);
    await this.ctx.link.write(Buffer.from(`\r\n${text}\r\n`, 'latin1'));
  }

  private async respond(line: string): Promise<null> {
    await this.ctx.link.write(Buffer.from(`\r\n${line}\r\n\r\nOK\r\n`, 'latin1'));
    return null;
  }

  private async ok(): Promise<null> {
    await this.ctx.link.write(Buffer.from('\r\nOK\r\n', 'latin1'));
    return null;
  }

  private async error(why: string): Promise<null> {
    this.log('warn', say`ERROR: ${why}`);
    await this.ctx.link.write(Buffer.from('\r\nERROR\r\n', 'latin1'));
    return null;
  }

  /** For endings where the link may already be gone: never throws, never waits long. */
  private async sendBestEffort(text: string): Promise<void> {
    if (this.ctx.link.isClosed) return;
    await writeWithin(this.ctx.link, Buffer.from(`\r\n${text}\r\n`, 'latin1'), 300);
  }

  private phase(phase: Stage, message: string): void {
    this.stage = phase;
    this.ctx.report({ type: 'phase', phase, message });
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', text: string, fromDevice = false): void {
    this.ctx.report({ type: 'log', level, text, fromDevice });
  }
}

export const quecthingProtocol: FlashProtocol = {
  id: 'quecthing',
  label: 'Quectel MCU OTA (AT)',
  description:
    'Plays the Quectel module: the MCU reads the image with AT+QIOTOTARD and reports its new version when done.',
  cliOptions: [
    { flag: 'component', key: 'component', kind: 'string', usage: '--component NAME', description: 'The component name the MCU expects (default MCU).' },
    { flag: 'version', key: 'targetVersion', kind: 'string', usage: '--version V', description: 'The version the MCU must report after the update.' },
    { flag: 'piece-size', key: 'pieceSize', kind: 'integer', usage: '--piece-size N', description: 'Bytes per announced piece (default: the whole image).' },
  ],
  checkOptions(options, image, regions) {
    requireSingleImage(regions, 'quecthing');
    resolveQuecthingOptions(options, image.length);
  },
  run(ctx: FlashContext) {
    return new QuecModule(ctx, resolveQuecthingOptions(ctx.options, ctx.image.length)).run();
  },
};
