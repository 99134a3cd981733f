// OSS PostObject with the policy of an upload ticket: a multipart/form-data body with the fields in the order OSS
// wants (key, policy, OSSAccessKeyId, signature, success_action_status) and the file last, streamed from disk with
// byte progress. OSS answers errors as XML documents; an expired policy is told apart so that the caller can ask for
// a new ticket.
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { UploadTicket } from '../cloud/aliyun/otaWrites';
import { OtaError } from '../errors';
import { say } from '../sentences';
import { httpRequest } from '../net/http';

/** OtaError.code of an upload refused because its policy expired. */
export const POLICY_EXPIRED = 'PolicyExpired';

export interface PostObjectOptions {
  signal?: AbortSignal;
  /** Bytes of the file taken by the HTTP client so far. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  /** Default: 2 minutes, plus a second per 50 KB. */
  timeoutMs?: number;
  /** The name the form gives the file; default the file's own name. */
  fileName?: string;
  dispatcher?: Dispatcher;
  /** Bytes read from disk at a time; default 64 KB. */
  chunkBytes?: number;
}

/** The text fields of the form, in order. */
export function policyFields(ticket: UploadTicket): [string, string][] {
  return [
    ['key', ticket.key],
    ['policy', ticket.policy],
    ['OSSAccessKeyId', ticket.ossAccessKeyId],
    ['signature', ticket.signature],
    ['success_action_status', '200'],
  ];
}

/** A quoted-string for a Content-Disposition parameter, escaped as browsers do. */
function quoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

class FileChanged extends Error {}

export async function postObject(ticket: UploadTicket, file: { path: string; size: number }, options: PostObjectOptions = {}): Promise<void> {
  const boundary = `----OtaFormBoundary${randomBytes(12).toString('hex')}`;
  const head =
    policyFields(ticket)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(options.fileName ?? basename(file.path))}"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  const tail = `\r\n--${boundary}--\r\n`;
  const headBytes = Buffer.from(head, 'utf8');
  const tailBytes = Buffer.from(tail, 'utf8');
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  let changed: FileChanged | undefined;

  async function* body(): AsyncGenerator<Buffer> {
    yield headBytes;
    const handle = await open(file.path, 'r');
    try {
      let sent = 0;
      while (sent < file.size) {
        const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, file.size - sent));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, sent);
        if (bytesRead === 0) throw (changed = new FileChanged(say`shorter`));
        sent += bytesRead;
        options.onProgress?.(sent, file.size);
        yield buffer.subarray(0, bytesRead);
      }
      const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, sent);
      if (bytesRead > 0) throw (changed = new FileChanged(say`longer`));
    } finally {
      await handle.close();
    }
    yield tailBytes;
  }

  let res;
  try {
    res = await httpRequest({
      url: ticket.host,
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(headBytes.length + file.size + tailBytes.length),
      },
      body: Readable.from(body(), { objectMode: false }),
      timeoutMs: options.timeoutMs ?? 120_000 + Math.ceil(file.size / 50_000) * 1000,
      signal: options.signal,
      dispatcher: options.dispatcher,
      service: say`the OSS upload`,
      networkHint: () => say`Check your network connection (and proxy settings), then try again.`,
    });
  } catch (error) {
    if (changed) {
      throw new OtaError('invalid-input', say`The firmware file ${file.path} changed while it was uploaded (it got ${changed.message}).`, {
        hint: say`Wait until the build has finished writing it, then upload again.`,
      });
    }
    throw error;
  }
  if (res.status >= 200 && res.status < 300) return;
  throw ossError(res.status, res.text);
}

function xmlField(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  if (!m) return undefined;
  return m[1]
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** An OSS error answer as an OtaError; an expired policy carries code POLICY_EXPIRED. */
export function ossError(status: number, body: string): OtaError {
  const code = xmlField(body, 'Code');
  const message = xmlField(body, 'Message') ?? (body.trim().slice(0, 200) || `HTTP ${status}`);
  const requestId = xmlField(body, 'RequestId');
  const details = { httpStatus: status, requestId };
  if (status === 403 && /expired/i.test(message)) {
    return new OtaError('failed', say`OSS refused the upload: the upload policy expired (${message})`, {
      ...details,
      code: POLICY_EXPIRED,
      hint: say`Upload credentials are valid for one minute; ask for new ones and upload again.`,
    });
  }
  if (code === 'EntityTooLarge' || code === 'EntityTooSmall') {
    return new OtaError('invalid-input', say`OSS refused the upload: ${message}`, { ...details, code });
  }
  if (status >= 500) {
    return new OtaError('service-unavailable', say`OSS failed to take the upload: ${message}`, {
      ...details,
      code,
      hint: say`The storage service has a problem right now; try again in a minute.`,
    });
  }
  return new OtaError('failed', say`OSS refused the upload (HTTP ${status}${code ? ` ${code}` : ''}): ${message}`, {
    ...details,
    code,
    hint: say`Ask for a new upload URL and try again; if it keeps failing, the service may have changed its upload rules.`,
  });
}
