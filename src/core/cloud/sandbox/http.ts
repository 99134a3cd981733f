// Small node:http helpers shared by the sandbox's handlers: bounded body reading, JSON/XML replies, request ids.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export function requestId(): string {
  return randomUUID().toUpperCase();
}

/** The request body as chunks, failing once more than `limit` bytes arrived. */
export async function* limitedBody(req: IncomingMessage, limit: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new BodyTooLargeError(limit);
    yield chunk;
  }
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of limitedBody(req, limit)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Before an early reply: discards what is left of the request body so the connection can be reused, or, when the
 * body stream was already abandoned (an oversized upload), makes the reply close the connection.
 */
export function drain(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  if (req.destroyed) {
    if (!res.headersSent) res.setHeader('connection', 'close');
  } else {
    req.resume();
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Escapes element text (the documents carry no attributes). */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function sendXml(res: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
