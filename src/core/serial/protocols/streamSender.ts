// The host side of the stream protocol (docs/stream-protocol.md): HELLO until the agent answers, a START that
// resumes what the agent already committed, DATA frames kept in flight up to the agent's window (go-back-N on
// NAK or silence), then END until the agent's RESULT: success only when the agent's read-back SHA-256 equals ours.

import { deflateRawSync } from 'node:zlib';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { OtaError } from '../../errors';
import { say } from '../../sentences';
import { abortError, writeWithin } from '../linkReader';
import { failedOutcome } from './outcome';
import {
  agentErrorText,
  type AgentInfo,
  decodeAck,
  decodeError,
  decodeInfo,
  decodeNak,
  decodeReady,
  decodeResult,
  encodeFrame,
  encodeStart,
  type Frame,
  FRAME_OVERHEAD,
  FrameParser,
  NAK_REASONS,
  PROTOCOL_VERSION,
  RESULT_OK,
  RESULT_TEXT,
  T,
} from './streamFrames';
import { type FlashFact, type JsonValue } from '../sessionTypes';
import { type FlashContext, type ProtocolOutcome } from './types';

export interface StreamOptions {
  /** auto: compress when it makes the stream at least 3 % shorter. */
  compression: 'auto' | 'on' | 'off';
  /** zlib windowBits for compression (9..12; capped by what the agent can decode). */
  windowBits: number;
  /** Frames in flight at most (capped by the agent's window); 0 = the agent's window. */
  windowFrames: number;
  /** DATA payload bytes per frame (capped by the agent's limit); 0 = the agent's limit. */
  frameBytes: number;
  /** Continue from what the agent already committed of this image. */
  resume: boolean;
  /** Waiting for the agent's first answer (HELLO is repeated meanwhile). */
  startTimeoutMs: number;
  /** Silence after which the frames in flight are sent again. */
  ackTimeoutMs: number;
  /** Consecutive silences (or START / END tries) before giving up. */
  maxRetries: number;
  /** Waiting for the RESULT after the last frame (the agent hashes its flash meanwhile). */
  resultTimeoutMs: number;
}

/** When "auto" compresses: the compressed stream must be at most this fraction of the image. */
const AUTO_COMPRESS_BELOW = 0.97;
const HELLO_INTERVAL_MS = 300;
/** The agent's answer to DATA outside a session: before READY, it is about frames of an earlier run. */
const NO_SESSION = 8;
/** Live statistics at most this often (the panel redraws on each). */
const STATS_INTERVAL_MS = 200;

class Stop extends Error {
  constructor(readonly outcome: ProtocolOutcome) {
    super(outcome.message);
  }
}

interface Plan {
  offset: number;
  deflate: boolean;
  windowBits: number;
  frames: Buffer[];
  /** Image bytes per stream byte (1 without compression). */
  ratio: number;
  streamBytes: number;
}

export interface StreamRunFacts {
  agent: AgentInfo | null;
  resumedFrom: number;
  compressed: boolean;
  ratio: number;
  windowFrames: number;
  frameBytes: number;
  /** DATA payload bytes written, re-sent ones included (stream bytes: compressed when compressed). */
  streamBytesSent: number;
  /** Image bytes carried by the DATA frames written, re-sent ones included (exact without compression). */
  imageBytesSent: number;
  framesSent: number;
  framesResent: number;
  /** Image offset reached by the furthest frame sent (exact without compression, estimated with it). */
  sentUpTo: number;
  naks: number;
  timeouts: number;
  agentSha256: string | null;
}

export class StreamSender {
  private readonly parser = new FrameParser();
  private readonly inbox: Frame[] = [];
  private wake: (() => void) | null = null;
  private closed: Error | null = null;
  private readonly offs: (() => void)[] = [];
  private readonly sha: Uint8Array;
  readonly facts: StreamRunFacts = {
    agent: null,
    resumedFrom: 0,
    compressed: false,
    ratio: 1,
    windowFrames: 0,
    frameBytes: 0,
    streamBytesSent: 0,
    imageBytesSent: 0,
    framesSent: 0,
    framesResent: 0,
    sentUpTo: 0,
    naks: 0,
    timeouts: 0,
    agentSha256: null,
  };

  constructor(
    private readonly ctx: FlashContext,
    private readonly o: StreamOptions,
  ) {
    this.sha = sha256(ctx.image);
  }

  async run(): Promise<ProtocolOutcome> {
    const { link, signal } = this.ctx;
    this.offs.push(
      link.onData((chunk) => {
        for (const f of this.parser.push(chunk)) this.inbox.push(f);
        this.notify();
      }),
      link.onClose((e) => {
        this.closed = e ?? new OtaError('failed', say`The connection to ${link.name} was closed.`, { code: 'link-closed' });
        this.notify();
      }),
    );
    const onAbort = (): void => this.notify();
    signal.addEventListener('abort', onAbort);
    this.offs.push(() => signal.removeEventListener('abort', onAbort));
    try {
      this.phase('waiting', say`Waiting for the stream agent on ${link.name} to answer`);
      const info = await this.hello();
      this.facts.agent = info;
      this.ctx.report({ type: 'device', facts: agentFacts(info) });
      this.phase('negotiating', this.describeAgent(info));
      const plan = await this.start(info);
      this.phase('transferring', plan.deflate
        ? say`Sending ${plan.streamBytes} compressed bytes (${plan.ratio.toFixed(2)}x) from offset ${plan.offset}`
        : say`Sending ${this.ctx.image.length - plan.offset} bytes from offset ${plan.offset}`);
      const early = await this.transfer(plan);
      this.phase('verifying', say`Waiting for the agent to hash what it wrote`);
      return this.judge(early ?? (await this.result()));
    } catch (e) {
      if (e instanceof Stop) return { ...e.outcome, details: this.details() };
      if (signal.aborted) {
        await writeWithin(link, encodeFrame(T.ABORT, 0), 300);
        return { result: 'cancelled', verified: false, message: abortError(signal).message, details: this.details() };
      }
      return { ...failedOutcome(e), details: this.details() };
    } finally {
      for (const off of this.offs) off();
    }
  }

  // ---- phases ----

  private async hello(): Promise<AgentInfo> {
    const deadline = Date.now() + this.o.startTimeoutMs;
    const hello = encodeFrame(T.HELLO, 0, Uint8Array.of(PROTOCOL_VERSION));
    for (;;) {
      await this.write(hello);
      const until = Math.min(deadline, Date.now() + HELLO_INTERVAL_MS);
      for (;;) {
        const f = await this.next(until);
        if (!f) break;
        if (f.type === T.INFO) {
          const info = decodeInfo(f.payload);
          if (!info) continue;
          if (info.version !== PROTOCOL_VERSION) {
            throw this.stop('protocol-version', say`The agent speaks stream protocol version ${info.version}, not ${PROTOCOL_VERSION}; update the agent or this tool.`);
          }
          return info;
        }
        // An ERROR now answers something older (DATA of a run the agent no longer knows): not this HELLO.
      }
      if (Date.now() >= deadline) {
        throw this.stop('device-silent', say`The stream agent on ${this.ctx.link.name} did not answer within ${Math.round(this.o.startTimeoutMs / 1000)} s; start its bootloader and check the port and baud rate.`);
      }
    }
  }

  private async start(info: AgentInfo): Promise<Plan> {
    const image = this.ctx.image;
    if (image.length > info.flashBytes) {
      throw this.stop('image-too-large', say`The image (${image.length} bytes) does not fit the agent's flash area (${info.flashBytes} bytes); build a smaller image or give the agent more flash.`);
    }
    const token = this.sha.subarray(0, 8);
    const s = info.session;
    let offset = 0;
    if (this.o.resume && s.state !== 'none' && s.size === image.length && Buffer.from(s.token).equals(Buffer.from(token)) &&
      Buffer.from(s.sha256).equals(Buffer.from(this.sha))) {
      offset = s.state === 'complete' ? image.length : s.committed;
    }
    const windowBits = Math.min(this.o.windowBits, info.maxWindowBits || 12);
    const deflate = this.o.compression !== 'off' && info.deflate && this.wantsCompression(windowBits);
    // Ready before START: the agent is waiting for data as soon as it answers.
    let planned = this.plan(info, offset, deflate, windowBits);
    const start = encodeFrame(T.START, 0, encodeStart({ deflate, windowBits, size: image.length, offset, token, sha256: this.sha }));
    for (let attempt = 0; ; attempt++) {
      if (attempt > this.o.maxRetries) throw this.stop('device-silent', say`The agent did not accept the transfer (no READY); reset it and run again.`);
      await this.write(start);
      const until = Date.now() + this.o.ackTimeoutMs;
      for (;;) {
        const f = await this.next(until);
        if (!f) break;
        if (f.type === T.ERROR && decodeError(f.payload)?.code !== NO_SESSION) this.agentError(f);
        if (f.type !== T.READY) continue;
        const ready = decodeReady(f.payload);
        if (!ready) continue;
        if (ready.offset > offset) throw this.stop('bad-start', say`The agent answered with offset ${ready.offset} to a start at ${offset}; reset it and run again.`);
        if (ready.offset) this.log('info', say`Resuming: the agent already has ${ready.offset} of ${image.length} bytes`);
        if (ready.offset !== planned.offset) planned = this.plan(info, ready.offset, deflate, windowBits);
        return planned;
      }
      this.ctx.report({ type: 'retry', reason: say`START: no answer` });
    }
  }

  /** Compresses from the offset the agent resumes at and cuts the stream into frames. */
  private plan(info: AgentInfo, offset: number, deflate: boolean, windowBits: number): Plan {
    const rest = this.ctx.image.subarray(offset);
    const stream = deflate && rest.length ? this.deflated(offset, windowBits) : Buffer.from(rest);
    const frameBytes = Math.max(1, Math.min(this.o.frameBytes || info.frameMax, info.frameMax));
    const frames: Buffer[] = [];
    for (let i = 0; i < stream.length; i += frameBytes) frames.push(stream.subarray(i, i + frameBytes));
    const ratio = stream.length ? rest.length / stream.length : 1;
    this.facts.resumedFrom = offset;
    this.facts.compressed = deflate;
    this.facts.ratio = ratio;
    this.facts.frameBytes = frameBytes;
    this.facts.windowFrames = Math.max(1, this.o.windowFrames ? Math.min(this.o.windowFrames, info.windowFrames) : info.windowFrames);
    return { offset, deflate, windowBits, frames, ratio, streamBytes: stream.length };
  }

  private wantsCompression(windowBits: number): boolean {
    if (this.o.compression === 'on') return true;
    const whole = this.deflated(0, windowBits);
    const pays = whole.length <= this.ctx.image.length * AUTO_COMPRESS_BELOW;
    this.log('debug', say`Compression would send ${whole.length} of ${this.ctx.image.length} bytes: ${pays ? say`on` : say`off`}`);
    return pays;
  }

  private deflatedCache: { offset: number; bits: number; data: Buffer } | null = null;

  /** The image from `offset` as one raw-deflate stream (kept: auto mode and the plan want the same one). */
  private deflated(offset: number, windowBits: number): Buffer {
    const c = this.deflatedCache;
    if (c && c.offset === offset && c.bits === windowBits) return c.data;
    const data = deflateRawSync(this.ctx.image.subarray(offset), { windowBits, level: 9, memLevel: 8 });
    this.deflatedCache = { offset, bits: windowBits, data };
    return data;
  }

  /** Keeps the window full until every frame is acknowledged. Returns a RESULT that came early, if one did. */
  private async transfer(plan: Plan): Promise<Frame | null> {
    const frames = plan.frames;
    const n = frames.length;
    const w = this.facts.windowFrames;
    const image = this.ctx.image.length;
    const imageBytesPerStreamByte = plan.deflate ? plan.ratio : 1;
    let base = 0;
    let next = 0;
    let committed = plan.offset;
    let silences = 0;
    let lastProgress = Date.now();
    let furthest = 0;
    let streamSent = 0;
    this.facts.sentUpTo = plan.offset;
    this.ctx.report({ type: 'progress', bytesDone: committed });
    this.stats(0, plan);
    while (base < n) {
      if (next < n && next - base < w) {
        const upto = Math.min(n, base + w);
        const batch = frames.slice(next, upto).map((p, i) => encodeFrame(T.DATA, next + i, p));
        for (let i = next; i < upto; i++) {
          this.facts.streamBytesSent += frames[i].length;
          this.facts.imageBytesSent += plan.deflate ? frames[i].length * imageBytesPerStreamByte : frames[i].length;
        }
        this.facts.framesSent += upto - next;
        if (upto > furthest) {
          for (let i = furthest; i < upto; i++) streamSent += frames[i].length;
          furthest = upto;
          this.facts.sentUpTo = Math.min(image, plan.offset + Math.round(streamSent * imageBytesPerStreamByte));
        }
        next = upto;
        await this.write(batch.length === 1 ? batch[0] : Buffer.concat(batch));
        this.stats(next - base, plan);
      }
      const f = await this.next(lastProgress + this.o.ackTimeoutMs);
      if (!f) {
        if (++silences > this.o.maxRetries) {
          throw this.stop('too-many-retries', say`The agent stopped answering at ${committed} of ${image} bytes; check the cable and run again to resume from there.`);
        }
        this.facts.timeouts++;
        this.facts.framesResent += next - base;
        this.ctx.report({ type: 'retry', reason: say`no acknowledgement for ${this.o.ackTimeoutMs} ms: sending from frame ${base} again` });
        next = base;
        lastProgress = Date.now();
        continue;
      }
      if (f.type === T.ACK || f.type === T.NAK) {
        const ack = f.type === T.ACK ? decodeAck(f.payload) : null;
        const nak = f.type === T.NAK ? decodeNak(f.payload) : null;
        const upTo = ack ? ack.next : nak ? nak.expected : base;
        if (upTo > base && upTo <= next) {
          for (let i = base; i < upTo; i++) this.noteDelivered(frames[i].length + FRAME_OVERHEAD);
          base = upTo;
          silences = 0;
          lastProgress = Date.now();
        }
        if (ack && ack.committed > committed && ack.committed <= image) {
          committed = ack.committed;
          this.ctx.report({ type: 'progress', bytesDone: committed });
        }
        if (nak && nak.expected >= base && nak.expected < next) {
          this.facts.naks++;
          this.facts.framesResent += next - nak.expected;
          this.ctx.report({ type: 'retry', reason: say`the agent asks for frame ${nak.expected} again (${NAK_REASONS[nak.reason] ?? say`reason ${nak.reason}`})` });
          next = nak.expected;
        }
        this.stats(next - base, plan);
      } else if (f.type === T.RESULT) {
        return f;
      } else if (f.type === T.ERROR) {
        this.agentError(f);
      }
    }
    return null;
  }

  /** END until the agent's RESULT arrives. */
  private async result(): Promise<Frame> {
    const end = encodeFrame(T.END, 0);
    const deadline = Date.now() + this.o.resultTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      await this.write(end);
      const until = Math.min(deadline, Date.now() + Math.max(this.o.ackTimeoutMs, 1000));
      for (;;) {
        const f = await this.next(until);
        if (!f) break;
        if (f.type === T.RESULT) return f;
        if (f.type === T.ERROR) this.agentError(f);
      }
      if (Date.now() >= deadline || attempt >= this.o.maxRetries) {
        throw this.stop('no-result', say`The agent received all ${this.ctx.image.length} bytes but reported no result; run again (it resumes and only checks the hash).`);
      }
      this.ctx.report({ type: 'retry', reason: say`END: no result yet` });
    }
  }

  private judge(f: Frame): ProtocolOutcome {
    const r = decodeResult(f.payload);
    const size = this.ctx.image.length;
    if (!r) throw this.stop('bad-result', say`The agent sent a malformed RESULT; run again.`);
    const theirs = bytesToHex(r.sha256);
    this.facts.agentSha256 = theirs;
    const ours = bytesToHex(this.sha);
    if (r.status !== RESULT_OK) {
      return {
        result: 'failed',
        verified: false,
        details: this.details(),
        errorCode: r.status === 1 ? 'hash-mismatch' : 'agent-result',
        message: say`The agent wrote ${size} bytes but ${RESULT_TEXT[r.status] ?? say`reported status ${r.status}`} (SHA-256 ${theirs.slice(0, 16)}..., image ${ours.slice(0, 16)}...); run again, and check its flash driver if it repeats.`,
      };
    }
    if (theirs !== ours || r.size !== size) {
      return {
        result: 'failed',
        verified: false,
        details: this.details(),
        errorCode: 'hash-mismatch',
        message: say`The agent reported success for ${r.size} bytes with SHA-256 ${theirs.slice(0, 16)}..., which is not this image (${size} bytes, ${ours.slice(0, 16)}...); do not boot it, run again.`,
      };
    }
    this.ctx.report({ type: 'progress', bytesDone: size });
    const how = this.facts.resumedFrom ? say`, resumed from ${this.facts.resumedFrom}` : '';
    const comp = this.facts.compressed ? say`, compressed ${this.facts.ratio.toFixed(2)}x` : '';
    return {
      result: 'ok',
      verified: true,
      details: this.details(),
      message: say`The agent wrote ${size} bytes and its SHA-256 of the flash matches the image (${ours.slice(0, 16)}...${how}${comp}).`,
    };
  }

  // ---- helpers ----

  /**
   * Writes, but not forever: a device that stopped reading (reset, hung) with flow control in the way, or a pty
   * nobody reads, can block a write for good. Allows the bytes' time at the rate seen so far (9600 baud before
   * there is one) plus the ack timeouts.
   */
  private async write(data: Uint8Array): Promise<void> {
    const limit = this.o.ackTimeoutMs * (this.o.maxRetries + 1) + Math.ceil(data.length / this.lineBytesPerMs());
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        this.ctx.link.write(data),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(this.stop('line-blocked', say`The line to ${this.ctx.link.name} took more than ${Math.round(limit / 1000)} s to take ${data.length} bytes (the agent stopped reading?); reset the device and run again to resume.`)), limit);
          onAbort = () => reject(abortError(this.ctx.signal));
          this.ctx.signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort) this.ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  /** The next frame from the agent, or null once `deadline` passes. */
  private async next(deadline: number): Promise<Frame | null> {
    for (;;) {
      const f = this.inbox.shift();
      if (f) return f;
      if (this.ctx.signal.aborted) throw abortError(this.ctx.signal);
      if (this.closed) throw this.closed;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = null;
          resolve();
        }, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  private notify(): void {
    this.wake?.();
  }

  private agentError(f: Frame): never {
    const e = decodeError(f.payload);
    const t = agentErrorText(e?.code ?? 0, e?.detail ?? 0, this.ctx.image.length);
    throw this.stop(t.code, t.text);
  }

  private stop(code: string, message: string): Stop {
    return new Stop({ result: 'failed', verified: false, errorCode: code, message });
  }

  private describeAgent(info: AgentInfo): string {
    return say`Agent: window ${info.windowFrames} x ${info.frameMax} B frames, ${info.pageBytes} B pages, ${Math.round(info.flashBytes / 1024)} KiB flash${
      info.deflate ? say`, deflate up to ${info.maxWindowBits} window bits` : say`, no compression`
    }`;
  }

  /** The live facts the panel shows: frames in flight against the window, and the compression ratio. */
  private stats(inFlight: number, plan: Plan): void {
    const now = Date.now();
    // At most every STATS_INTERVAL_MS, but never skipping the line going busy or idle.
    if (now - this.statsAt < STATS_INTERVAL_MS && (inFlight === 0) === (this.statsInFlight === 0)) return;
    this.statsAt = now;
    this.statsInFlight = inFlight;
    const facts = [
      { label: say`Window`, value: say`${inFlight} of ${this.facts.windowFrames} frames in flight (${this.facts.frameBytes} B each)` },
      { label: say`Compression`, value: plan.deflate ? say`${plan.ratio.toFixed(2)}x (deflate, window ${2 ** plan.windowBits} B)` : say`off (1.00x)` },
    ];
    if (this.facts.resumedFrom) facts.push({ label: say`Resumed from`, value: say`${this.facts.resumedFrom} bytes` });
    if (this.facts.framesResent) facts.push({ label: say`Frames sent again`, value: String(this.facts.framesResent) });
    this.ctx.report({ type: 'stats', facts });
  }

  /** Bytes the agent acknowledged and since when: the line's rate as seen so far. */
  private delivered = { bytes: 0, since: 0 };

  private noteDelivered(bytes: number): void {
    if (!this.delivered.since) this.delivered.since = Date.now();
    else this.delivered.bytes += bytes;
  }

  /** The line rate seen so far (bytes per ms), or 9600 baud's before there is a measure. */
  private lineBytesPerMs(): number {
    const ms = Date.now() - this.delivered.since;
    const seen = this.delivered.since && ms >= 100 && this.delivered.bytes >= 4096 ? this.delivered.bytes / ms : 0;
    return Math.max(0.96, seen);
  }

  private statsAt = 0;
  private statsInFlight = -1;

  /** What the CLI's --json and the result keep. */
  private details(): { [key: string]: JsonValue } {
    const f = this.facts;
    return {
      resumedFrom: f.resumedFrom,
      compressed: f.compressed,
      compressionRatio: Math.round(f.ratio * 1000) / 1000,
      windowFrames: f.windowFrames,
      frameBytes: f.frameBytes,
      streamBytesSent: f.streamBytesSent,
      imageBytesSent: Math.round(f.imageBytesSent),
      framesSent: f.framesSent,
      framesResent: f.framesResent,
      sentUpTo: f.sentUpTo,
      naks: f.naks,
      timeouts: f.timeouts,
      agentSha256: f.agentSha256,
    };
  }

  private phase(phase: 'waiting' | 'negotiating' | 'transferring' | 'verifying', message: string): void {
    this.ctx.report({ type: 'phase', phase, message });
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', text: string): void {
    this.ctx.report({ type: 'log', level, text });
  }
}

/** Bytes on the line per DATA frame beyond its payload. */
export const DATA_FRAME_OVERHEAD = FRAME_OVERHEAD;

/** The agent's identity facts, from its INFO. */
export function agentFacts(info: AgentInfo): FlashFact[] {
  return [
    { label: say`Agent`, value: say`stream protocol v${info.version}` },
    { label: say`Receive window`, value: say`${info.windowFrames} frames of ${info.frameMax} B` },
    { label: say`Flash size`, value: say`${Math.round(info.flashBytes / 1024)} KiB, ${info.pageBytes} B pages` },
    { label: say`Inflater`, value: info.deflate ? say`deflate, window up to ${2 ** info.maxWindowBits} B` : say`none` },
  ];
}
