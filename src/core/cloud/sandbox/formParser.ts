// A push parser for multipart/form-data (RFC 7578) that works on the bytes as they arrive: it reports each part's
// headers, then its body in pieces, then its end, and never holds more than one chunk plus a boundary's length, so
// an upload of any size goes through in bounded memory.
import type { IncomingMessage } from 'node:http';
import { headerValue } from './http';

export class MalformedFormError extends Error {}

export interface PartHeaders {
  name: string;
  /** Present for a file part. */
  fileName?: string;
  contentType?: string;
}

export type FormEvent =
  | { type: 'part'; part: PartHeaders }
  | { type: 'data'; data: Buffer }
  | { type: 'partEnd' }
  | { type: 'done' };

const HEADER_END = Buffer.from('\r\n\r\n');
/** Headers of one part larger than this are not a form a client sends. */
const MAX_HEADER_BYTES = 16 * 1024;

export function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\/form-data\s*;/i.test(headerValue(req, 'content-type') ?? '');
}

/** The boundary of a `multipart/form-data; boundary=...` content type; undefined when there is none. */
export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function param(disposition: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s"]+))`, 'i').exec(disposition);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

function parseHeaders(block: string): PartHeaders {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MalformedFormError(`a part header line has no name: "${line.slice(0, 60)}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw new MalformedFormError('a part has no "Content-Disposition: form-data" header');
  const name = param(disposition, 'name');
  if (name === undefined) throw new MalformedFormError('a part has no name');
  const fileName = param(disposition, 'filename');
  return { name, fileName, contentType };
}

type State = 'preamble' | 'afterBoundary' | 'headers' | 'body' | 'done';

export class FormParser {
  private readonly delimiter: Buffer;
  /** Starts with CRLF so that the first boundary, at the very start of the body, is found like the others. */
  private pending: Buffer = Buffer.from('\r\n');
  private state: State = 'preamble';

  constructor(boundary: string) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** The events the chunk completes, in order. Data events share memory with the parser's buffer: use them at once. */
  push(chunk: Uint8Array): FormEvent[] {
    if (this.state === 'done') return [];
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const events: FormEvent[] = [];
    for (;;) {
      if (this.state === 'preamble') {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          this.keepTail();
          return events;
        }
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.state = 'afterBoundary';
      } else if (this.state === 'afterBoundary') {
        if (this.pending.length < 2) return events;
        const two = this.pending.toString('latin1', 0, 2);
        if (two === '--') {
          this.state = 'done';
          this.pending = Buffer.alloc(0);
          events.push({ type: 'done' });
          return events;
        }
        if (two !== '\r\n') throw new MalformedFormError('a boundary is not followed by a line break');
        this.pending = this.pending.subarray(2);
        this.state = 'headers';
      } else if (this.state === 'headers') {
        // A part without headers starts with the blank line at once.
        const at = this.pending.subarray(0, 2).toString('latin1') === '\r\n' ? -2 : this.pending.indexOf(HEADER_END);
        if (at === -1) {
          if (this.pending.length > MAX_HEADER_BYTES) throw new MalformedFormError('the headers of a part are too long');
          return events;
        }
        const block = at === -2 ? '' : this.pending.toString('utf8', 0, at);
        events.push({ type: 'part', part: parseHeaders(block) });
        this.pending = this.pending.subarray(at === -2 ? 2 : at + HEADER_END.length);
        this.state = 'body';
      } else if (this.state === 'body') {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          const keep = Math.min(this.pending.length, this.delimiter.length - 1);
          const data = this.pending.subarray(0, this.pending.length - keep);
          if (data.length > 0) events.push({ type: 'data', data });
          this.pending = this.pending.subarray(this.pending.length - keep);
          return events;
        }
        if (at > 0) events.push({ type: 'data', data: this.pending.subarray(0, at) });
        events.push({ type: 'partEnd' });
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.state = 'afterBoundary';
      } else {
        return events;
      }
    }
  }

  /** At the end of the body: a form that did not reach its closing boundary is malformed. */
  end(): void {
    if (this.state !== 'done') throw new MalformedFormError('the body ends before the closing boundary of the form');
  }

  private keepTail(): void {
    const keep = Math.min(this.pending.length, this.delimiter.length - 1);
    this.pending = Buffer.from(this.pending.subarray(this.pending.length - keep));
  }
}
