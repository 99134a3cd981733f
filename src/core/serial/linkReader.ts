// Pull-style reading over a ByteLink: exact byte counts, lines, single bytes, each with a deadline and the
// protocol's abort signal. Protocols are written as straight-line code on top of this.

import { OtaError } from '../errors';
import { say } from '../sentences';
import { type ByteLink } from './byteLink';

/** A read did not complete in time. Protocols catch it to retry; it never reaches a user as is. */
export class LinkTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(say`No ${what} within ${timeoutMs} ms`);
    this.name = 'LinkTimeoutError';
  }
}

export function isLinkTimeout(e: unknown): e is LinkTimeoutError {
  return e instanceof LinkTimeoutError;
}

/** The error thrown by a wait that the signal aborted. */
export function abortError(signal: AbortSignal): OtaError {
  const reason: unknown = signal.reason;
  if (reason instanceof OtaError && reason.kind === 'cancelled') return reason;
  const text = reason instanceof Error && reason.name !== 'AbortError' ? reason.message : say`Cancelled.`;
  return new OtaError('cancelled', text);
}

/** Writes, but gives up waiting after `ms`; never throws. For last words on a link that may be gone. */
export async function writeWithin(link: ByteLink, data: Uint8Array, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    link.write(data).catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

const CR = 0x0d;
const LF = 0x0a;

/** One reader per protocol run; reads are sequential (one pending read at a time). */
export class LinkReader {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private wake: (() => void) | null = null;
  private closedError: Error | null = null;
  /** A line ended with CR as the last byte we had: drop the LF of a CRLF pair if it comes next. */
  private skipLf = false;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly link: ByteLink,
    private readonly signal?: AbortSignal,
  ) {
    this.unsubscribe = [
      link.onData((chunk) => this.push(chunk)),
      link.onClose((error) => {
        this.closedError =
          error ?? new OtaError('failed', say`The connection to ${link.name} was closed.`, { code: 'link-closed' });
        this.notify();
      }),
    ];
    if (signal) {
      const onAbort = (): void => this.notify();
      signal.addEventListener('abort', onAbort);
      this.unsubscribe.push(() => signal.removeEventListener('abort', onAbort));
    }
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.buf.length - this.start;
  }

  /** Stops listening to the link. */
  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe.length = 0;
    this.closedError ??= new OtaError('failed', say`Stopped reading from ${this.link.name}.`, { code: 'link-closed' });
    this.notify();
  }

  /** Drops everything buffered; returns the bytes dropped. */
  discard(): Buffer {
    const dropped = Buffer.from(this.buf.subarray(this.start));
    this.buf = Buffer.alloc(0);
    this.start = 0;
    return dropped;
  }

  /** Waits until the line has been quiet for `quietMs` (at most `maxMs`), then drops what came in. */
  async drainQuiet(quietMs: number, maxMs: number): Promise<Buffer> {
    const parts: Buffer[] = [this.discard()];
    const until = Date.now() + maxMs;
    for (;;) {
      const left = until - Date.now();
      if (left <= 0) break;
      const got = await this.waitData(Math.min(quietMs, left), 'quiet');
      if (!got) break;
      parts.push(this.discard());
    }
    return Buffer.concat(parts);
  }

  async readByte(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    this.takeSkippedLf();
    while (this.buffered < 1) {
      await this.waitUntil(deadline, timeoutMs, 'byte');
      this.takeSkippedLf();
    }
    return this.buf[this.start++];
  }

  /** Exactly `n` bytes, all within `timeoutMs`. */
  async readExact(n: number, timeoutMs: number): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    this.takeSkippedLf();
    while (this.buffered < n) {
      await this.waitUntil(deadline, timeoutMs, `${n} bytes`);
      this.takeSkippedLf();
    }
    const out = Buffer.from(this.buf.subarray(this.start, this.start + n));
    this.start += n;
    return out;
  }

  /**
   * The next line without its terminator (CR, LF or CRLF), decoded as latin1 so that every byte survives. Empty
   * lines are returned as ''. A line longer than `maxLength` is returned cut at that length.
   */
  async readLine(timeoutMs: number, maxLength = 4096): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.takeSkippedLf();
      const view = this.buf.subarray(this.start);
      let end = -1;
      for (let i = 0; i < view.length && i < maxLength; i++) {
        const b = view[i];
        if (b === CR || b === LF) {
          end = i;
          break;
        }
      }
      if (end >= 0) {
        const line = view.toString('latin1', 0, end);
        let used = end + 1;
        if (view[end] === CR) {
          if (end + 1 < view.length) {
            if (view[end + 1] === LF) used++;
          } else {
            this.skipLf = true;
          }
        }
        this.start += used;
        return line;
      }
      if (view.length >= maxLength) {
        this.start += maxLength;
        return view.toString('latin1', 0, maxLength);
      }
      await this.waitUntil(deadline, timeoutMs, 'line');
    }
  }

  private takeSkippedLf(): void {
    if (this.skipLf && this.buffered > 0) {
      this.skipLf = false;
      if (this.buf[this.start] === LF) this.start++;
    }
  }

  private push(chunk: Uint8Array): void {
    const incoming = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const rest = this.buf.subarray(this.start);
    this.buf = rest.length ? Buffer.concat([rest, incoming]) : Buffer.from(incoming);
    this.start = 0;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async waitUntil(deadline: number, timeoutMs: number, what: string): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0 || !(await this.waitData(left, what))) throw new LinkTimeoutError(what, timeoutMs);
  }

  /** Resolves true when new bytes arrive, false on timeout; throws when closed or aborted. */
  private waitData(timeoutMs: number, _what: string): Promise<boolean> {
    if (this.signal?.aborted) return Promise.reject(abortError(this.signal));
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.wake) return Promise.reject(new Error('LinkReader: one read at a time'));
    const before = this.buf.length - this.start;
    return new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        if (this.signal?.aborted) reject(abortError(this.signal));
        else if (this.buf.length - this.start > before) resolve(true);
        else if (this.closedError) reject(this.closedError);
        else resolve(true);
      };
    });
  }
}
