// multipart/form-data bodies, encoded by undici's own FormData (fields in the order given, which matters to OSS:
// the file must come last), and a body stream that reports upload progress as it is read.
import { Readable } from 'node:stream';
import { FormData, Response } from 'undici';
import { say } from '../sentences';

export type MultipartPart =
  | { name: string; value: string }
  | { name: string; fileName: string; data: Uint8Array; contentType?: string };

export interface MultipartBody {
  bytes: Uint8Array;
  contentType: string;
}

export async function encodeMultipart(parts: readonly MultipartPart[]): Promise<MultipartBody> {
  const form = new FormData();
  for (const part of parts) {
    if ('value' in part) form.append(part.name, part.value);
    else {
      const blob = new Blob([part.data], { type: part.contentType ?? 'application/octet-stream' });
      form.append(part.name, blob, part.fileName);
    }
  }
  const encoded = new Response(form);
  const contentType = encoded.headers.get('content-type');
  if (!contentType) throw new Error(say`FormData produced no content type`);
  return { bytes: new Uint8Array(await encoded.arrayBuffer()), contentType };
}

export type ProgressListener = (sentBytes: number, totalBytes: number) => void;

/** A stream over `bytes` in chunks, calling `onProgress` as each chunk is taken by the HTTP client. */
export function progressStream(bytes: Uint8Array, onProgress?: ProgressListener, chunkSize = 64 * 1024): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= bytes.length) {
        this.push(null);
        return;
      }
      const end = Math.min(bytes.length, offset + chunkSize);
      const chunk = Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset);
      offset = end;
      onProgress?.(offset, bytes.length);
      this.push(chunk);
    },
  });
}
