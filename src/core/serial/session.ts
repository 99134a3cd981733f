// A flash session: opens the port, runs one protocol over it, tracks phase, bytes, smoothed rate, ETA, retries and a
// log, and emits plain events (sessionTypes.ts) that the progress panel, the status bar and the CLI render. It can be
// cancelled at any point (cancel() or an AbortSignal), never throws from start(), and always closes the port.

import { randomUUID } from 'node:crypto';
import { isOtaError, OtaError } from '../errors';
import { say, sayList } from '../sentences';
import { failedOutcome, userMessage } from './protocols/outcome';
import { type ByteLink } from './byteLink';
import { openPort, type VirtualPort } from './ports';
import { findProtocol } from './protocols';
import { joinRegions, toRegions } from './protocols/regions';
import { type FlashOptionBag, type FlashProtocol, type FlashRegion, type ProtocolEvent, type ProtocolOutcome } from './protocols/types';
import {
  FLASH_LOG_LIMIT,
  type FlashFact,
  type FlashLogLevel,
  type FlashLogLine,
  type FlashPhase,
  type FlashProgress,
  type FlashResult,
  type FlashSessionEvent,
  type FlashSessionEventType,
  type FlashSnapshot,
} from './sessionTypes';
import { DEFAULT_BAUD_RATE, normalizeSerialSettings, type SerialSettings } from './transport';

export interface FlashSessionOptions {
  /** A protocol id from protocols/index.ts, or a protocol object. */
  protocol: string | FlashProtocol;
  /** The bytes of one image (a .bin), or regions at addresses (an Intel HEX file, a PlatformIO ESP32 image set). */
  image: Uint8Array | readonly FlashRegion[];
  /** Shown in the panel and sent by protocols that carry a name. Default "image.bin". */
  imageName?: string;
  /** Port path (or a virtual port's path). */
  port: string;
  serial?: Partial<SerialSettings>;
  /** Virtual devices that `port` may name. */
  virtualPorts?: readonly VirtualPort[];
  /** Opens the link instead of `openPort(port, serial, virtualPorts)`. */
  connect?: () => Promise<ByteLink>;
  /** Protocol options (see each protocol's resolve*Options). */
  options?: FlashOptionBag;
  signal?: AbortSignal;
  /** Least time between two progress events; the last one always goes out. Default 100 ms. */
  progressIntervalMs?: number;
  /** Time constant of the smoothed rate. Default 2000 ms. */
  rateWindowMs?: number;
}

type EventOf<T extends FlashSessionEventType> = Extract<FlashSessionEvent, { type: T }>;

const EMPTY_IMAGE_MESSAGE =
  say`The image is empty (0 bytes): there is nothing to flash. Build the firmware first, or pick another file.`;

/**
 * Checks a request without touching any port: protocol known, image not empty, options and serial settings
 * valid. Throws an `invalid-input` OtaError (code `empty-image` for a 0-byte image).
 */
export function checkFlashRequest(options: Pick<FlashSessionOptions, 'protocol' | 'image' | 'options' | 'serial' | 'imageName'>): FlashProtocol {
  const protocol = typeof options.protocol === 'string' ? findProtocol(options.protocol) : options.protocol;
  const regions = toRegions(options.image, options.imageName ?? 'image.bin');
  if (regions.length === 0 || regions.every((r) => r.data.length === 0)) {
    throw new OtaError('invalid-input', EMPTY_IMAGE_MESSAGE, { code: 'empty-image' });
  }
  const empty = regions.find((r) => r.data.length === 0);
  if (empty) throw new OtaError('invalid-input', say`${empty.name} is empty (0 bytes): build it again or leave it out.`, { code: 'empty-image' });
  protocol.checkOptions(options.options ?? {}, joinRegions(regions), regions);
  normalizeSerialSettings(options.serial);
  return protocol;
}

export class FlashSession {
  readonly id = randomUUID();
  private readonly controller = new AbortController();
  private readonly listeners = new Set<(event: FlashSessionEvent) => void>();
  private readonly logLines: FlashLogLine[] = [];
  private readonly protocolId: string;
  private readonly regions: readonly FlashRegion[];
  private readonly image: Uint8Array;
  private device: FlashFact[] = [];
  private stats: FlashFact[] = [];
  private protocolLabel: string;
  private phase: FlashPhase = 'waiting';
  private status: string;
  private bytesDone = 0;
  private retries = 0;
  private rate = 0;
  private startedAt: number | null = null;
  private endedAt: number | null = null;
  private transferStart: number | null = null;
  private transferEnd: number | null = null;
  private sample = { at: 0, bytes: 0 };
  private lastProgressEmit = 0;
  private progressTimer: NodeJS.Timeout | null = null;
  private result: FlashResult | null = null;
  private running: Promise<FlashResult> | null = null;
  private detach: () => void = () => undefined;

  constructor(private readonly opts: FlashSessionOptions) {
    this.protocolId = typeof opts.protocol === 'string' ? opts.protocol : opts.protocol.id;
    this.protocolLabel = typeof opts.protocol === 'string' ? opts.protocol : opts.protocol.label;
    this.regions = toRegions(opts.image, this.imageName);
    this.image = joinRegions(this.regions);
    this.status = say`Ready to flash ${this.imageName} to ${opts.port}`;
    const external = opts.signal;
    if (external) {
      if (external.aborted) this.cancel();
      else {
        const onAbort = (): void => this.cancel();
        external.addEventListener('abort', onAbort, { once: true });
        this.detach = () => external.removeEventListener('abort', onAbort);
      }
    }
  }

  get imageName(): string {
    return this.opts.imageName ?? 'image.bin';
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Every event. Returns an unsubscribe function. */
  onEvent(listener: (event: FlashSessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Events of one type. Returns an unsubscribe function. */
  on<T extends FlashSessionEventType>(type: T, listener: (event: EventOf<T>) => void): () => void {
    return this.onEvent((event) => {
      if (event.type === type) listener(event as EventOf<T>);
    });
  }

  /** Stops the session as soon as possible; the result will be `cancelled` (unless it had already ended). */
  cancel(reason = say`Cancelled by the user.`): void {
    if (!this.controller.signal.aborted) this.controller.abort(new OtaError('cancelled', reason));
  }

  /** Starts once; later calls return the same promise. Never rejects. */
  start(): Promise<FlashResult> {
    this.running ??= this.execute();
    return this.running;
  }

  snapshot(): FlashSnapshot {
    const now = this.endedAt ?? Date.now();
    return {
      sessionId: this.id,
      protocol: this.protocolId,
      protocolLabel: this.protocolLabel,
      port: this.opts.port,
      imageName: this.imageName,
      phase: this.phase,
      status: this.status,
      startedAt: this.startedAt === null ? null : new Date(this.startedAt).toISOString(),
      elapsedSeconds: this.startedAt === null ? 0 : round3((now - this.startedAt) / 1000),
      ...this.progress(),
      log: [...this.logLines],
      device: [...this.device],
      stats: [...this.stats],
      result: this.result,
    };
  }

  private progress(): FlashProgress {
    const total = this.image.length;
    const left = total - this.bytesDone;
    return {
      bytesDone: this.bytesDone,
      bytesTotal: total,
      percent: total ? Math.floor((this.bytesDone / total) * 1000) / 10 : 0,
      bytesPerSecond: Math.round(this.rate),
      etaSeconds: left <= 0 ? 0 : this.rate > 0 ? Math.ceil(left / this.rate) : null,
      retries: this.retries,
    };
  }

  private async execute(): Promise<FlashResult> {
    this.startedAt = Date.now();
    let protocol: FlashProtocol;
    try {
      protocol = checkFlashRequest(this.opts);
    } catch (e) {
      return this.end({ result: 'failed', verified: false, message: userMessage(e), errorCode: (isOtaError(e) && e.code) || 'invalid-input' });
    }
    this.protocolLabel = protocol.label;
    if (this.signal.aborted) return this.end(this.cancelledOutcome());
    const serial = { baudRate: DEFAULT_BAUD_RATE, ...protocol.serial, ...this.opts.serial };
    this.setPhase('waiting', say`Opening ${this.opts.port}`);
    this.log('info', say`Flashing ${this.imageName} (${this.image.length} bytes) to ${this.opts.port} at ${serial.baudRate} baud with ${protocol.label}`);
    let link: ByteLink;
    try {
      link = this.opts.connect ? await this.opts.connect() : await openPort(this.opts.port, serial, this.opts.virtualPorts);
    } catch (e) {
      return this.end(failedOutcome(e));
    }
    let outcome: ProtocolOutcome;
    try {
      if (this.signal.aborted) {
        outcome = this.cancelledOutcome();
      } else {
        outcome = await protocol.run({
          link,
          image: this.image,
          regions: this.regions,
          imageName: this.imageName,
          options: this.opts.options ?? {},
          signal: this.signal,
          report: (event) => this.onProtocolEvent(event),
        });
      }
    } catch (e) {
      outcome = this.signal.aborted ? this.cancelledOutcome() : failedOutcome(e);
    } finally {
      await link.close().catch(() => undefined);
      this.log('debug', say`Closed ${this.opts.port}`);
    }
    // A failure caused by the cancel (a wait cut short) is a cancel; a result that was already reached stands.
    if (outcome.result === 'failed' && this.signal.aborted) outcome = this.cancelledOutcome();
    return this.end(outcome);
  }

  private cancelledOutcome(): ProtocolOutcome {
    const reason: unknown = this.signal.reason;
    return { result: 'cancelled', verified: false, message: reason instanceof Error ? reason.message : say`Cancelled.` };
  }

  private onProtocolEvent(event: ProtocolEvent): void {
    if (this.result) return;
    switch (event.type) {
      case 'phase':
        this.setPhase(event.phase, event.message ?? this.status);
        break;
      case 'progress':
        this.onBytes(event.bytesDone);
        break;
      case 'retry':
        this.retries++;
        this.log('warn', `Retry ${this.retries}: ${event.reason}`);
        this.emitProgress(false);
        break;
      case 'log':
        this.log(event.level, event.text, event.fromDevice ?? false);
        break;
      case 'device':
        this.device = mergeFacts(this.device, event.facts);
        this.log('info', say`Device: ${sayList(event.facts.map((f) => say`${f.label} ${f.value}`))}`);
        this.emit({ type: 'device', sessionId: this.id, facts: [...this.device] });
        break;
      case 'stats':
        this.stats = event.facts.map((f) => ({ label: f.label, value: f.value }));
        this.emit({ type: 'stats', sessionId: this.id, facts: [...this.stats] });
        break;
      default: {
        const unknown: never = event;
        this.log('debug', `Unknown protocol event ${JSON.stringify(unknown)}`);
      }
    }
  }

  private onBytes(bytes: number): void {
    const now = Date.now();
    const total = this.image.length;
    const done = Math.max(0, Math.min(total, bytes));
    if (this.transferStart === null) {
      this.transferStart = now;
      this.sample = { at: now, bytes: done };
    }
    if (done > this.bytesDone) this.transferEnd = now;
    this.bytesDone = done;
    const tau = this.opts.rateWindowMs ?? 2000;
    const dt = now - this.sample.at;
    if (dt >= 200) {
      const instant = ((done - this.sample.bytes) * 1000) / dt;
      this.rate = this.rate === 0 ? instant : this.rate + (1 - Math.exp(-dt / tau)) * (instant - this.rate);
      this.sample = { at: now, bytes: done };
    } else if (this.rate === 0 && now > this.transferStart) {
      this.rate = (done * 1000) / (now - this.transferStart);
    }
    this.emitProgress(done >= total);
  }

  private emitProgress(force: boolean): void {
    const interval = this.opts.progressIntervalMs ?? 100;
    const now = Date.now();
    if (!force && now - this.lastProgressEmit < interval) {
      this.progressTimer ??= setTimeout(() => {
        this.progressTimer = null;
        if (!this.result) this.emitProgress(true);
      }, interval - (now - this.lastProgressEmit));
      return;
    }
    if (this.progressTimer) {
      clearTimeout(this.progressTimer);
      this.progressTimer = null;
    }
    this.lastProgressEmit = now;
    this.emit({ type: 'progress', sessionId: this.id, ...this.progress() });
  }

  private setPhase(phase: FlashPhase, status: string, level: FlashLogLevel = 'info'): void {
    this.status = status;
    const previous = this.phase;
    this.phase = phase;
    this.log(level, status);
    this.emit({ type: 'phase', sessionId: this.id, phase, previous, status });
  }

  private log(level: FlashLogLevel, text: string, fromDevice = false): void {
    const line: FlashLogLine = { time: new Date().toISOString(), level, fromDevice, text };
    this.logLines.push(line);
    if (this.logLines.length > FLASH_LOG_LIMIT) this.logLines.splice(0, this.logLines.length - FLASH_LOG_LIMIT);
    this.emit({ type: 'log', sessionId: this.id, line });
  }

  private end(outcome: ProtocolOutcome): FlashResult {
    const total = this.image.length;
    if (outcome.result === 'ok' && this.bytesDone < total) {
      outcome = {
        result: 'failed',
        verified: false,
        errorCode: 'incomplete',
        message: say`The protocol reported success but only ${this.bytesDone} of ${total} bytes were delivered.`,
      };
    }
    this.endedAt = Date.now();
    const transferSeconds =
      this.transferStart !== null && this.transferEnd !== null ? (this.transferEnd - this.transferStart) / 1000 : 0;
    const result: FlashResult = {
      protocol: this.protocolId,
      port: this.opts.port,
      bytes: this.bytesDone,
      totalBytes: total,
      seconds: round3((this.endedAt - (this.startedAt ?? this.endedAt)) / 1000),
      transferSeconds: round3(transferSeconds),
      bytesPerSecond: transferSeconds > 0 ? Math.round(this.bytesDone / transferSeconds) : 0,
      retries: this.retries,
      result: outcome.result,
      // Verified means the device proved it holds this image: never for anything but a complete success.
      verified: outcome.result === 'ok' && outcome.verified,
      message: outcome.message,
      errorCode: outcome.errorCode ?? null,
      device: [...this.device],
      details: { ...(outcome.details ?? {}) },
    };
    const phase: FlashPhase = outcome.result === 'ok' ? 'done' : outcome.result === 'cancelled' ? 'cancelled' : 'failed';
    this.emitProgress(true);
    this.setPhase(phase, outcome.message, outcome.result === 'ok' ? 'info' : outcome.result === 'cancelled' ? 'warn' : 'error');
    this.result = result;
    this.detach();
    this.emit({ type: 'end', sessionId: this.id, result });
    return result;
  }

  private emit(event: FlashSessionEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A broken renderer must not break the flash.
      }
    }
  }
}

/** Runs one session to its end, passing every event to `onEvent`. */
export function runFlashSession(options: FlashSessionOptions, onEvent?: (event: FlashSessionEvent) => void): Promise<FlashResult> {
  const session = new FlashSession(options);
  if (onEvent) session.onEvent(onEvent);
  return session.start();
}

/** Facts learnt later replace earlier ones of the same label; new labels are added in order. */
function mergeFacts(known: readonly FlashFact[], facts: readonly FlashFact[]): FlashFact[] {
  const out = known.map((f) => ({ ...f }));
  for (const f of facts) {
    const same = out.find((k) => k.label === f.label);
    if (same) same.value = f.value;
    else out.push({ label: f.label, value: f.value });
  }
  return out;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
