// The firmware file as the upload sees it: its size and MD5 (hex), hashed while streaming it from disk.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { md5 } from '@noble/hashes/legacy';
import { bytesToHex } from '@noble/hashes/utils';
import { OtaError } from '../errors';
import { say } from '../sentences';
import { cancelledError } from '../net/clock';

/** OSS takes at most this much through an OTA upload policy. */
export const MAX_UPLOAD_BYTES = 1000 * 1024 * 1024;

export interface FileDigest {
  path: string;
  size: number;
  /** Lower-case hex. */
  md5: string;
}

/** The size of a readable, non-empty regular file; OtaError 'invalid-input' otherwise. */
export async function firmwareFileSize(path: string, maxBytes = MAX_UPLOAD_BYTES): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new OtaError('invalid-input', say`Cannot read the firmware file ${path}${typeof code === 'string' ? ` (${code})` : ''}.`, {
      hint: say`Check the path; build the project first if the image comes from PlatformIO.`,
      cause: error,
    });
  }
  if (!info.isFile()) throw new OtaError('invalid-input', say`${path} is not a file.`);
  if (info.size === 0) throw new OtaError('invalid-input', say`The firmware file ${path} is empty (0 bytes).`, { hint: say`Rebuild it.` });
  if (info.size > maxBytes) {
    throw new OtaError('invalid-input', say`The firmware file ${path} has ${info.size} bytes: uploads take at most ${maxBytes} bytes (1000 MB).`);
  }
  return info.size;
}

/** Streams the file once; `onProgress` gets the bytes read so far. */
export async function digestFile(
  path: string,
  options: { signal?: AbortSignal; onProgress?: (readBytes: number, totalBytes: number) => void } = {},
): Promise<FileDigest> {
  const total = await firmwareFileSize(path);
  if (options.signal?.aborted) throw cancelledError();
  const hash = md5.create();
  let size = 0;
  const stream = createReadStream(path, { highWaterMark: 256 * 1024, signal: options.signal });
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      options.onProgress?.(size, total);
    }
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError();
    throw new OtaError('invalid-input', say`Reading the firmware file ${path} failed: ${(error as Error).message}.`, { cause: error });
  }
  return { path, size, md5: bytesToHex(hash.digest()) };
}
