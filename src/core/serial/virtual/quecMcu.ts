// A simulated MCU running the device side of Quectel's MCU OTA AT flow, over any ByteLink: the sandbox's virtual
// MCU, the in-process test partner, and (through test/sims/quecMcuProcess.ts) a separate process on a pty.
//
// It states its version, asks for the plan (with SHA-256 when `requestSha`), confirms (or refuses), reads every
// piece with AT+QIOTOTARD in `readSize` reads (re-reading a range whose answer is late, short, misframed or
// answered with ERROR), asks for next pieces, reports "updating", checks MD5, SHA-256 and CRC-32 of what it read
// against 10701, and then reports the new version (all matched) or its old one (mismatch): what a careful
// bootloader does.

import { OtaError } from '../../errors';
import { mulberry32 } from '../../prng';
import { crc32, md5Hex, sha256Hex } from '../checksums';
import { type ByteLink } from '../byteLink';
import { isLinkTimeout, LinkReader, LinkTimeoutError } from '../linkReader';
import { intArg, parseEvent, QuecEvent, type QuecEventLine } from '../protocols/quecAt';

export interface QuecMcuStyle {
  /** Send command names in lower case (`at+qiotototard=...`). */
  lowercase?: boolean;
  /** Default '\r'. */
  lineEnding?: '\r' | '\r\n' | '\n';
  /** Send stray bytes and blank lines between commands. */
  noise?: boolean;
  /** Seed of the noise. */
  seed?: number;
}

export interface QuecMcuOptions {
  /** Default "MCU". */
  component?: string;
  /** Version before the update. Default "V1_0". */
  currentVersion?: string;
  /** Version reported after a good update. Default: the plan's target version, or "V2_0" when it is empty. */
  newVersion?: string;
  /** Bytes per AT+QIOTOTARD. Default 4096. */
  readSize?: number;
  /** Ask for SHA-256 (AT+QIOTOTAREQ=1). Default true. */
  requestSha?: boolean;
  /** Answer the plan with AT+QIOTUPDATE=0. */
  refuse?: boolean;
  /** Time spent "writing flash" after each read. Default 0. */
  flashWriteDelayMs?: number;
  /** Time between "updating" and reporting the new version (reboot). Default 0. */
  rebootDelayMs?: number;
  /** Waiting for an answer or an event. Default 3000 ms (what public MCU drivers allow). */
  responseTimeoutMs?: number;
  /** Re-tries of one command or read before giving up. Default 5. */
  maxRetries?: number;
  /** Ask AT+QIOTOTARD=? before reading. Default false. */
  probeReadRange?: boolean;
  /** Report this version after the update whatever the checks say (to test the module's verdict). */
  reportVersion?: string;
  style?: QuecMcuStyle;
  signal?: AbortSignal;
  log?: (text: string) => void;
}

export interface QuecPlan {
  component: string;
  sourceVersion: string;
  targetVersion: string;
  minBattery: number | null;
  minSignal: number | null;
  size: number;
}

export type QuecMcuOutcome = 'updated' | 'refused' | 'rejected' | 'failed';

export interface QuecMcuResult {
  /** updated: checks passed and the module confirmed (10705); rejected: checks failed; failed: anything else. */
  outcome: QuecMcuOutcome;
  message: string;
  plan: QuecPlan | null;
  /** From 10701. */
  expectedMd5: string | null;
  expectedSha256: string | null;
  expectedCrc32: number | null;
  /** What was read (null when nothing was). */
  image: Uint8Array | null;
  md5Ok: boolean | null;
  sha256Ok: boolean | null;
  reads: number;
  retries: number;
  reportedVersion: string | null;
  /** 10705 or 10706 from the module, or null. */
  finalEvent: number | null;
}

class Failure extends Error {}


const NOISE_BYTES = [0x00, 0xff, 0x7e, 0x80, 0x23, 0x1b, 0x55, 0xaa, 0x3f];

class QuecMcu {
  private readonly reader: LinkReader;
  private readonly events: QuecEventLine[] = [];
  private readonly random: () => number;
  private readonly timeout: number;
  private readonly maxRetries: number;
  private reads = 0;
  private retries = 0;
  private bytesRead = 0;
  private plan: QuecPlan | null = null;
  private started: QuecEventLine | null = null;
  private image: Uint8Array | null = null;
  private reportedVersion: string | null = null;

  constructor(
    private readonly link: ByteLink,
    private readonly o: QuecMcuOptions,
  ) {
    this.reader = new LinkReader(link, o.signal);
    this.random = mulberry32(o.style?.seed ?? 1);
    this.timeout = o.responseTimeoutMs ?? 3000;
    this.maxRetries = o.maxRetries ?? 5;
  }

  async run(): Promise<QuecMcuResult> {
    try {
      return await this.flow();
    } catch (e) {
      if (e instanceof OtaError && e.kind === 'cancelled') throw e;
      return this.result('failed', e instanceof Error ? e.message : String(e), null);
    } finally {
      this.reader.dispose();
    }
  }

  private async flow(): Promise<QuecMcuResult> {
    const component = this.o.component ?? 'MCU';
    const current = this.o.currentVersion ?? 'V1_0';
    await this.command(`AT+QIOTMCUVER="${component}","${current}"`);
    const request = this.o.requestSha === false ? 'AT+QIOTOTAREQ' : 'AT+QIOTOTAREQ=1';
    await this.command(request);
    const planEvent = await this.expectEvent(QuecEvent.PLAN, request);
    this.plan = parsePlan(planEvent);
    this.dropEvents(QuecEvent.PLAN);
    this.log(`plan: ${this.plan.component} ${this.plan.sourceVersion || '-'} -> ${this.plan.targetVersion || '-'}, ${this.plan.size} bytes`);
    if (this.o.refuse) {
      await this.command('AT+QIOTUPDATE=0');
      return this.result('refused', 'Refused the update (AT+QIOTUPDATE=0).', null);
    }
    if (this.o.probeReadRange) await this.command('AT+QIOTOTARD=?');
    await this.command('AT+QIOTUPDATE=1');
    this.started = await this.expectEvent(QuecEvent.STARTED, 'AT+QIOTUPDATE=1');
    const length = intArg(this.started.args[1]);
    if (length === null || length !== this.plan.size) throw new Failure(`10701 length ${this.started.args[1]} does not match the plan`);
    const image = new Uint8Array(length);
    this.image = image;
    while (this.bytesRead < length) {
      if (this.bytesRead > 0) {
        this.dropEvents(QuecEvent.PIECE_READY); // repeats of the piece just read
        await this.command('AT+QIOTUPDATE=2');
      }
      let start: number | null = null;
      let pieceLength: number | null = null;
      while (start !== this.bytesRead) {
        // A repeated confirmation makes the module announce the current piece again.
        const piece = await this.expectEvent(QuecEvent.PIECE_READY, 'AT+QIOTUPDATE=1');
        start = intArg(piece.args[2]);
        pieceLength = intArg(piece.args[3]);
        if (start === null || pieceLength === null || start + pieceLength > length || pieceLength === 0) {
          throw new Failure(`bad piece ${piece.args.join(',')}`);
        }
      }
      if (pieceLength === null) throw new Failure('no piece');
      const end = start + pieceLength;
      for (let off = start; off < end; ) {
        const n = Math.min(this.o.readSize ?? 4096, end - off);
        const data = await this.readRange(off, n);
        image.set(data, off);
        off += data.length;
        this.bytesRead += data.length;
        if (this.o.flashWriteDelayMs) await sleep(this.o.flashWriteDelayMs);
      }
    }
    await this.command('AT+QIOTUPDATE=3');
    const md5Ok = md5Hex(image) === (this.started.args[2] ?? '').toLowerCase();
    const shaText = this.started.args[4];
    const sha256Ok = shaText === undefined ? null : sha256Hex(image) === shaText.toLowerCase();
    const crcText = this.started.args[3];
    const crcOk = crcText === undefined ? true : intArg(crcText) === crc32(image);
    const good = md5Ok && sha256Ok !== false && crcOk;
    this.log(`checks: md5 ${md5Ok ? 'ok' : 'MISMATCH'}, sha256 ${sha256Ok === null ? 'not sent' : sha256Ok ? 'ok' : 'MISMATCH'}, crc32 ${crcOk ? 'ok' : 'MISMATCH'}`);
    if (this.o.rebootDelayMs) await sleep(this.o.rebootDelayMs);
    const newVersion = this.o.newVersion ?? (this.plan.targetVersion || 'V2_0');
    const version = this.o.reportVersion ?? (good ? newVersion : current);
    this.reportedVersion = version;
    await this.command(`AT+QIOTMCUVER="${component}","${version}"`);
    const final = await this.expectEvent([QuecEvent.SUCCEEDED, QuecEvent.FAILED]);
    const outcome: QuecMcuOutcome = !good ? 'rejected' : final.code === QuecEvent.SUCCEEDED ? 'updated' : 'failed';
    const message = !good
      ? 'The image read does not match the hashes of 10701; kept the old firmware.'
      : final.code === QuecEvent.SUCCEEDED
        ? `Updated to ${version}.`
        : `The module reported failure (10706) after the update to ${version}.`;
    return { ...this.result(outcome, message, final.code), md5Ok, sha256Ok };
  }

  private result(outcome: QuecMcuOutcome, message: string, finalEvent: number | null): QuecMcuResult {
    this.log(`${outcome}: ${message}`);
    return {
      outcome,
      message,
      plan: this.plan,
      expectedMd5: this.started?.args[2] ?? null,
      expectedSha256: this.started?.args[4] ?? null,
      expectedCrc32: intArg(this.started?.args[3]),
      image: this.image,
      md5Ok: null,
      sha256Ok: null,
      reads: this.reads,
      retries: this.retries,
      reportedVersion: this.reportedVersion,
      finalEvent,
    };
  }

  /** Sends a command until it gets OK; ERROR or silence re-send it, up to maxRetries times. */
  private async command(text: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > this.maxRetries) throw new Failure(`no OK for ${text} after ${attempt} tries`);
      if (attempt > 0) {
        this.retries++;
        await this.reader.drainQuiet(30, 300);
      }
      await this.send(text);
      const deadline = Date.now() + this.timeout;
      try {
        for (;;) {
          const line = (await this.nextLine(deadline)).trim();
          if (line === 'OK') return;
          if (line === 'ERROR') break;
        }
      } catch (e) {
        if (!isLinkTimeout(e)) throw e;
      }
    }
  }

  /** One AT+QIOTOTARD, re-read until its answer is well framed. */
  private async readRange(off: number, n: number): Promise<Uint8Array> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > this.maxRetries) throw new Failure(`could not read ${off},${n} after ${attempt} tries`);
      if (attempt > 0) {
        this.retries++;
        await this.reader.drainQuiet(30, 300);
      }
      this.reads++;
      await this.send(`AT+QIOTOTARD=${off},${n}`);
      const deadline = Date.now() + this.timeout;
      try {
        const data = await this.readAnswer(off, n, deadline);
        if (data) return data;
      } catch (e) {
        if (!isLinkTimeout(e)) throw e;
        this.log(`read ${off},${n}: no complete answer`);
      }
    }
  }

  /** The framed answer to a read, or null when it is wrong (ERROR, other range, bad framing). */
  private async readAnswer(off: number, n: number, deadline: number): Promise<Uint8Array | null> {
    let header: RegExpExecArray | null = null;
    while (!header) {
      const line = await this.nextLine(deadline);
      if (line.trim() === 'ERROR') return null;
      header = /\+QIOTOTARD:\s*(\d+)\s*,\s*(\d+)\s*$/.exec(line);
    }
    if (Number(header[1]) !== off || Number(header[2]) !== n) {
      this.log(`read ${off},${n}: answer is for ${header[1]},${header[2]}`);
      return null;
    }
    const data = await this.reader.readExact(n, Math.max(1, deadline - Date.now()));
    const crlf = await this.reader.readExact(2, Math.max(1, deadline - Date.now()));
    if (crlf[0] !== 0x0d || crlf[1] !== 0x0a) {
      this.log(`read ${off},${n}: data not followed by CRLF`);
      return null;
    }
    for (;;) {
      const line = (await this.nextLine(deadline)).trim();
      if (line === 'OK') return data;
      if (line !== '') {
        this.log(`read ${off},${n}: expected OK after the data`);
        return null;
      }
    }
  }

  /** Waits for an event; when it does not come, sends `again` (if given) to have it sent again. */
  private async expectEvent(codes: number | number[], again?: string): Promise<QuecEventLine> {
    const wanted = Array.isArray(codes) ? codes : [codes];
    for (let attempt = 0; ; attempt++) {
      const deadline = Date.now() + this.timeout;
      try {
        for (;;) {
          const i = this.events.findIndex((e) => wanted.includes(e.code));
          if (i >= 0) return this.events.splice(i, 1)[0];
          await this.nextLine(deadline);
        }
      } catch (e) {
        if (!isLinkTimeout(e)) throw e;
        if (!again || attempt >= this.maxRetries) {
          throw new Failure(`no +QIOTEVT ${wanted.join('/')} within ${this.timeout} ms`);
        }
        this.log(`no +QIOTEVT ${wanted.join('/')}: sending ${again} again`);
        await this.command(again);
      }
    }
  }

  private dropEvents(code: number): void {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].code === code) this.events.splice(i, 1);
  }

  /** The next line; +QIOTEVT lines are also queued for expectEvent. */
  private async nextLine(deadline: number): Promise<string> {
    const left = deadline - Date.now();
    if (left <= 0) throw new LinkTimeoutError('line', this.timeout);
    const line = await this.reader.readLine(left);
    const event = parseEvent(line);
    if (event && event.type === 7) this.events.push(event);
    return line;
  }

  private async send(command: string): Promise<void> {
    const style = this.o.style ?? {};
    let text = command;
    if (style.lowercase) {
      const eq = text.indexOf('=');
      text = eq < 0 ? text.toLowerCase() : text.slice(0, eq).toLowerCase() + text.slice(eq);
    }
    const parts: Buffer[] = [];
    if (style.noise) {
      const r = this.random();
      if (r < 0.3) parts.push(Buffer.from('\r\n\r\n'));
      const junk = Array.from({ length: 1 + Math.floor(this.random() * 6) }, () => NOISE_BYTES[Math.floor(this.random() * NOISE_BYTES.length)]);
      parts.push(Buffer.from(junk));
      if (r > 0.6) parts.push(Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(text + (style.lineEnding ?? '\r'), 'latin1'));
    await this.link.write(Buffer.concat(parts));
  }

  private log(text: string): void {
    this.o.log?.(text);
  }
}

function parsePlan(event: QuecEventLine): QuecPlan {
  const [component, sourceVersion, targetVersion, minBattery, minSignal, size] = event.args;
  const bytes = intArg(size);
  if (component === undefined || bytes === null) throw new Failure(`malformed plan ${event.args.join(',')}`);
  const num = (s: string | undefined): number | null => (s !== undefined && /^-?\d+$/.test(s.trim()) ? Number(s) : null);
  return {
    component,
    sourceVersion: sourceVersion ?? '',
    targetVersion: targetVersion ?? '',
    minBattery: num(minBattery),
    minSignal: num(minSignal),
    size: bytes,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the MCU side of the flow once over `link`. Resolves with what happened; rejects only when aborted. */
export function runQuecMcu(link: ByteLink, options: QuecMcuOptions = {}): Promise<QuecMcuResult> {
  return new QuecMcu(link, options).run();
}
