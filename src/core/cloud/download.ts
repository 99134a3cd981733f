// Downloads a firmware image and verifies it against what the cloud says of it (size and MD5 or SHA-256 sign)
// before it is saved: the bytes go to `<dest>.part` and are renamed only when they match, so a wrong or partial
// image is never left where the user asked for the firmware.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { md5 } from '@noble/hashes/legacy';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { request, type Dispatcher } from 'undici';
import { OtaError } from '../errors';
import type { Firmware } from '../model';
import { say } from '../sentences';

export interface DownloadOptions {
  signal?: AbortSignal;
  /** Called with bytes received so far and the expected total (null when unknown). */
  onProgress?: (received: number, total: number | null) => void;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export interface DownloadResult {
  path: string;
  size: number;
  md5: string;
  sha256: string;
  /** Which of the cloud's facts were checked: "size", "MD5"... */
  verified: string[];
}

export async function downloadFirmware(firmware: Firmware, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  if (!firmware.url) {
    throw new OtaError('invalid-input', say`Firmware ${firmware.name} ${firmware.version} has no download URL.`);
  }
  const part = `${dest}.part`;
  const md5h = md5.create();
  const sha = sha256.create();
  let size = 0;
  try {
    const res = await request(firmware.url, {
      method: 'GET',
      signal: options.signal ?? null,
      headersTimeout: options.timeoutMs ?? 30_000,
      bodyTimeout: options.timeoutMs ?? 30_000,
      maxRedirections: 3,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    } as Parameters<typeof request>[1]);
    if (res.statusCode !== 200) {
      const text = (await res.body.text()).slice(0, 200);
      const expired = res.statusCode === 403 && /expire/i.test(text);
      throw new OtaError(
        expired ? 'credentials' : 'failed',
        expired
          ? say`The download link of ${firmware.name} ${firmware.version} has expired; refresh the firmware and try again.`
          : say`Downloading ${firmware.name} ${firmware.version} failed with HTTP ${res.statusCode}.`,
        { httpStatus: res.statusCode },
      );
    }
    const total = firmware.size ?? (Number(res.headers['content-length']) || null);
    const out = createWriteStream(part);
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        md5h.update(chunk);
        sha.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
        options.onProgress?.(size, total);
      }
    } finally {
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    }
    const result: DownloadResult = { path: dest, size, md5: bytesToHex(md5h.digest()), sha256: bytesToHex(sha.digest()), verified: [] };
    verify(firmware, result);
    await rename(part, dest);
    return result;
  } catch (e) {
    await rm(part, { force: true });
    if (options.signal?.aborted) throw new OtaError('cancelled', say`The download was cancelled; nothing was saved.`);
    if (e instanceof OtaError) throw e;
    throw new OtaError('network', say`Downloading ${firmware.name} ${firmware.version} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function verify(firmware: Firmware, got: DownloadResult): void {
  const label = `${firmware.name} ${firmware.version}`;
  if (firmware.size !== null) {
    if (got.size !== firmware.size) {
      throw new OtaError('failed', say`${label}: downloaded ${got.size} bytes but the cloud says ${firmware.size}; nothing was saved.`);
    }
    got.verified.push('size');
  }
  if (firmware.sign) {
    const method = (firmware.signMethod ?? 'MD5').toUpperCase().replace('-', '');
    const expected = firmware.sign.toLowerCase();
    const actual = method === 'SHA256' ? got.sha256 : method === 'MD5' ? got.md5 : undefined;
    if (actual === undefined) return;
    if (actual !== expected) {
      throw new OtaError('failed', say`${label}: the ${method} of the download is ${actual}, but the cloud says ${expected}; nothing was saved.`);
    }
    got.verified.push(method === 'SHA256' ? 'SHA-256' : 'MD5');
  }
}
