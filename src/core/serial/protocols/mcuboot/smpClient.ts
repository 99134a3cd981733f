// An SMP client over the serial console transport: one request at a time, each answered by the response with the
// same sequence number, group and id (late answers to earlier attempts are skipped); silence or a broken answer
// re-sends the request. Console lines between frames are passed on as device log.

import { OtaError } from '../../../errors';
import { say, sayList } from '../../../sentences';
import { type ByteLink } from '../../byteLink';
import { isLinkTimeout, LinkReader } from '../../linkReader';
import { printable } from '../../printable';
import { type CborModule, decodeMap, loadCbor, type SmpBody } from './cbor';
import {
  decodeSmpPacket,
  encodeSerialFrames,
  encodeSmpPacket,
  GROUP_IMAGE,
  GROUP_OS,
  IMAGE_STATE,
  OS_ECHO,
  OS_MCUMGR_PARAMS,
  OS_RESET,
  SerialFrameDecoder,
  SMP_OP_READ,
  SMP_OP_WRITE,
} from './smpFrames';

/** MGMT_ERR_* of mcumgr, for messages (said each time, so that the sentence holding it can be retold). */
function mgmtError(rc: number): string {
  switch (rc) {
    case 1: return say`unknown error`;
    case 2: return say`out of memory`;
    case 3: return say`invalid argument`;
    case 4: return say`timeout`;
    case 5: return say`no such entry`;
    case 6: return say`bad state`;
    case 7: return say`message too large`;
    case 8: return say`not supported`;
    case 9: return say`corrupt`;
    case 10: return say`busy`;
    case 11: return say`access denied`;
    default: return say`error`;
  }
}

/** "The device refused <what>: <error> (SMP rc <rc>[, group <group>])", without the final period. */
function refusalOf(what: string, rc: number, group: number | null): string {
  return say`The device refused ${what}: ${mgmtError(rc)} (SMP rc ${rc}${group !== null ? say`, group ${group}` : ''})`;
}

/** The device answered with an error code (SMP v1 `rc`, or v2 `err: {group, rc}`). */
export class SmpError extends Error {
  /** The message without its final period, for a sentence that goes on from it. */
  readonly refusal: string;

  constructor(
    readonly what: string,
    readonly rc: number,
    readonly group: number | null,
  ) {
    const refusal = refusalOf(what, rc, group);
    super(say`${refusal}.`);
    this.refusal = refusal;
    this.name = 'SmpError';
  }
}

export interface SmpRequestOptions {
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** What to do when the device stays silent (default: check that it runs an SMP server). */
  silentHint?: string;
  /** Said in messages: "the upload at offset 4096". */
  what: string;
  /** Called each time the request goes on the line. */
  onSend?: () => void;
}

export interface SmpClientEvents {
  /** A request is sent again (after silence or a broken answer). */
  onRetry?(reason: string): void;
  /** A console line from the device (already printable). */
  onText?(text: string): void;
  /** Something worth a debug line. */
  onDebug?(text: string): void;
}

export interface ImageSlotState {
  image: number;
  slot: number;
  version: string;
  hash: string | null;
  active: boolean;
  confirmed: boolean;
  pending: boolean;
  permanent: boolean;
  bootable: boolean;
}

/** A slot's state flag, as said in a list of slots. */
function flagWord(flag: 'active' | 'confirmed' | 'pending' | 'permanent'): string {
  switch (flag) {
    case 'active':
      return say`active`;
    case 'confirmed':
      return say`confirmed`;
    case 'pending':
      return say`pending`;
    case 'permanent':
      return say`permanent`;
  }
}

/** The slots for a person: "slot 0: 1.2.3 (active, confirmed); slot 1: …", or "no valid image". */
export function describeSlots(states: readonly ImageSlotState[]): string {
  if (!states.length) return say`no valid image`;
  return sayList(
    states.map((s) => {
      const flags = (['active', 'confirmed', 'pending', 'permanent'] as const).filter((f) => s[f]);
      return say`slot ${s.slot}: ${s.version}${flags.length ? say` (${sayList(flags.map(flagWord))})` : ''}`;
    }),
    '; ',
  );
}

export interface McumgrParams {
  bufSize: number;
  bufCount: number;
}

export function numberField(body: SmpBody, key: string): number | null {
  const v = body[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

function hexOf(v: unknown): string | null {
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') : null;
}

export class SmpClient {
  private readonly reader: LinkReader;
  private readonly decoder = new SerialFrameDecoder();
  private seq = Math.floor(Math.random() * 256);
  /** Bytes written to the line, frames included. */
  bytesWritten = 0;

  private constructor(
    private readonly link: ByteLink,
    private readonly cbor: CborModule,
    signal: AbortSignal,
    private readonly events: SmpClientEvents,
  ) {
    this.reader = new LinkReader(link, signal);
  }

  static async open(link: ByteLink, signal: AbortSignal, events: SmpClientEvents = {}): Promise<SmpClient> {
    return new SmpClient(link, await loadCbor(), signal, events);
  }

  get cborModule(): CborModule {
    return this.cbor;
  }

  dispose(): void {
    this.reader.dispose();
  }

  /** Encoded size of a body, for fitting chunks into the device's buffer. */
  encodedSize(body: SmpBody): number {
    return this.cbor.encode(body).length;
  }

  /** Sends a request and returns the body of its answer; throws SmpError for an error code, OtaError when silent. */
  async request(op: number, group: number, id: number, body: SmpBody, o: SmpRequestOptions): Promise<SmpBody> {
    const payload = this.cbor.encode(body);
    for (let attempt = 0; ; attempt++) {
      const seq = this.seq;
      this.seq = (this.seq + 1) & 0xff;
      const frames = encodeSerialFrames(encodeSmpPacket({ op, group, id, seq }, payload));
      await this.link.write(frames);
      this.bytesWritten += frames.length;
      o.onSend?.();
      const reply = await this.awaitReply(op + 1, group, id, seq, o.timeoutMs);
      if (reply.kind === 'body') {
        const err = reply.body.err;
        const v2 = err instanceof Map ? Object.fromEntries(err as Map<string, unknown>) : (err as SmpBody | undefined);
        const rc = v2 && typeof v2 === 'object' ? numberField(v2, 'rc') : numberField(reply.body, 'rc');
        if (rc !== null && rc !== 0) throw new SmpError(o.what, rc, v2 && typeof v2 === 'object' ? numberField(v2, 'group') : null);
        return reply.body;
      }
      if (attempt >= o.retries) {
        throw new OtaError('timeout', say`The device did not answer ${o.what} (${o.retries + 1} attempts, ${o.timeoutMs} ms each).`, {
          code: 'device-silent',
          hint: o.silentHint ?? say`Check that the device runs an SMP server (mcumgr) or MCUboot serial recovery on this port at this baud rate.`,
        });
      }
      this.events.onRetry?.(say`${reply.reason} for ${o.what}`);
    }
  }

  private async awaitReply(op: number, group: number, id: number, seq: number, timeoutMs: number): Promise<{ kind: 'body'; body: SmpBody } | { kind: 'none'; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    const reason = say`no answer within ${timeoutMs} ms`;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'none', reason };
      let line: string;
      try {
        line = await this.reader.readLine(left, 512);
      } catch (e) {
        if (isLinkTimeout(e)) return { kind: 'none', reason };
        throw e;
      }
      const r = this.decoder.push(line);
      if (r.kind === 'text') {
        if (line.trim()) this.events.onText?.(printable(line));
        continue;
      }
      if (r.kind === 'bad') {
        this.events.onDebug?.(say`Dropped ${r.reason}`);
        if (r.continuation) continue;
        // The answer is lost (one packet per answer): let the rest of it go by, then re-send rather than wait
        // out the timeout.
        await this.reader.drainQuiet(30, 500);
        return { kind: 'none', reason: say`a broken answer (${r.reason})` };
      }
      if (r.kind === 'partial') continue;
      const packet = decodeSmpPacket(r.packet);
      if (!packet) return { kind: 'none', reason: say`an answer shorter than its header says` };
      const h = packet.header;
      if (h.seq !== seq || h.op !== op || h.group !== group || h.id !== id) {
        this.events.onDebug?.(say`Skipped an answer to an earlier request (seq ${h.seq}, group ${h.group}, id ${h.id})`);
        continue;
      }
      const body = decodeMap(this.cbor, packet.body);
      if (!body) return { kind: 'none', reason: say`an answer whose CBOR body is not a map` };
      return { kind: 'body', body };
    }
  }

  async echo(text: string, o: Omit<SmpRequestOptions, 'what'>): Promise<string> {
    const r = await this.request(SMP_OP_WRITE, GROUP_OS, OS_ECHO, { d: text }, { ...o, what: say`the echo request` });
    return typeof r.r === 'string' ? r.r : '';
  }

  /** The device's SMP buffer, or null when it does not support the request (older MCUboot, Zephyr without it). */
  async params(o: Omit<SmpRequestOptions, 'what'>): Promise<McumgrParams | null> {
    try {
      const r = await this.request(SMP_OP_READ, GROUP_OS, OS_MCUMGR_PARAMS, {}, { ...o, what: say`the mcumgr parameters request` });
      const bufSize = numberField(r, 'buf_size');
      if (bufSize === null) return null;
      return { bufSize, bufCount: numberField(r, 'buf_count') ?? 1 };
    } catch (e) {
      if (e instanceof SmpError && e.rc === 8) return null;
      throw e;
    }
  }

  async reset(o: Omit<SmpRequestOptions, 'what'>): Promise<void> {
    await this.request(SMP_OP_WRITE, GROUP_OS, OS_RESET, {}, { ...o, what: say`the reset request` });
  }

  async readState(o: Omit<SmpRequestOptions, 'what'>): Promise<ImageSlotState[]> {
    return parseImageStates(await this.request(SMP_OP_READ, GROUP_IMAGE, IMAGE_STATE, {}, { ...o, what: say`the image state request` }));
  }

  /** Marks the image with this hash for test (confirm false) or confirms it (true); returns the new state. */
  async setState(hash: string, confirm: boolean, o: Omit<SmpRequestOptions, 'what'>): Promise<ImageSlotState[]> {
    const body = { hash: new Uint8Array(Buffer.from(hash, 'hex')), confirm };
    return parseImageStates(
      await this.request(SMP_OP_WRITE, GROUP_IMAGE, IMAGE_STATE, body, { ...o, what: confirm ? say`confirming the image` : say`marking the image for test` }),
    );
  }

  /** Drops what arrived unread (e.g. a boot banner). */
  discardInput(): void {
    this.reader.discard();
  }

  /** Reads and drops input until the line is quiet. */
  async drainQuiet(quietMs: number, maxMs: number): Promise<void> {
    const text = await this.reader.drainQuiet(quietMs, maxMs);
    for (const line of text.toString('latin1').split(/\r?\n/)) if (line.trim() && line.charCodeAt(0) !== 0x04 && line.charCodeAt(0) !== 0x06) this.events.onText?.(printable(line));
  }
}

export function parseImageStates(body: SmpBody): ImageSlotState[] {
  const images = body.images;
  if (!Array.isArray(images)) return [];
  const out: ImageSlotState[] = [];
  for (const item of images as unknown[]) {
    const entry: SmpBody = item instanceof Map ? Object.fromEntries(item as Map<string, unknown>) : (item as SmpBody);
    if (!entry || typeof entry !== 'object') continue;
    out.push({
      image: numberField(entry, 'image') ?? 0,
      slot: numberField(entry, 'slot') ?? 0,
      version: typeof entry.version === 'string' ? entry.version : '?',
      hash: hexOf(entry.hash),
      active: entry.active === true,
      confirmed: entry.confirmed === true,
      pending: entry.pending === true,
      permanent: entry.permanent === true,
      bootable: entry.bootable === true,
    });
  }
  return out;
}
