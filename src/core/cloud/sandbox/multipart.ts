// multipart/form-data bodies, parsed by undici's spec-compliant FormData parser. Entries keep the order they were
// sent in, which OSS cares about (the file must come last).
import type { IncomingMessage } from 'node:http';
import { Response } from 'undici';
import { BodyTooLargeError, headerValue, limitedBody } from './http';

export type FormEntry = [name: string, value: string | File];

export class MalformedFormError extends Error {}

export function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\/form-data\s*;/i.test(headerValue(req, 'content-type') ?? '');
}

/** Parses the body; throws BodyTooLargeError past `limit` bytes, MalformedFormError when it is not a valid form. */
export async function readForm(req: IncomingMessage, limit: number): Promise<FormEntry[]> {
  const contentType = headerValue(req, 'content-type') ?? '';
  const response = new Response(limitedBody(req, limit), { headers: { 'content-type': contentType } });
  let form;
  try {
    form = await response.formData();
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw e;
    if (e instanceof Error && e.cause instanceof BodyTooLargeError) throw e.cause;
    throw new MalformedFormError(`not a valid multipart/form-data body: ${(e as Error).message}`);
  }
  return [...form.entries()] as FormEntry[];
}

export function isFile(value: string | File | undefined): value is File {
  return typeof value === 'object' && value !== null;
}
