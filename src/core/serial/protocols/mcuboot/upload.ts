// `image upload` over SMP: chunks sized to the device's buffer, each answered with the offset the device wants
// next. The device's offset rules: after a lost answer the same chunk goes again and the device answers with where
// it is; on a new connection the first request (offset 0 with the image's SHA-256) makes a device that kept an
// interrupted upload of the same image answer with its offset, and we carry on from there instead of restarting.

import { sha256 } from '@noble/hashes/sha2';
import { OtaError } from '../../../errors';
import { say } from '../../../sentences';
import { type SmpBody } from './cbor';
import { numberField, type SmpClient, SmpError } from './smpClient';
import { GROUP_IMAGE, IMAGE_UPLOAD, SERIAL_OVERHEAD, SMP_HEADER_SIZE, SMP_OP_WRITE } from './smpFrames';

export interface UploadPlan {
  image: Uint8Array;
  /** Largest SMP packet (header and CBOR) the device takes. */
  mtu: number;
  timeoutMs: number;
  eraseTimeoutMs: number;
  retries: number;
  signal: AbortSignal;
  onOffset(offset: number): void;
  onResume(offset: number): void;
}

export interface UploadResult {
  /** Image bytes put on the line (re-sent chunks count again). */
  dataBytesSent: number;
  requests: number;
  /** Where the device said it was at the first answer (0 for a fresh upload). */
  resumedFrom: number;
  /** The device's own SHA-256 check of what it stored, when it sends one (Zephyr `match`). */
  match: boolean | null;
  /** Largest chunk sent. */
  chunkSize: number;
}

/** A plain Uint8Array view (cbor2 encodes a Buffer as an object, not as a byte string). */
function bytesView(data: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset + start, end - start);
}

function bstrHeader(n: number): number {
  return n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;
}

/** How many image bytes fit in one request at `off` (4-byte aligned unless it is the last piece). */
export function chunkFits(client: SmpClient, fields: SmpBody, mtu: number, left: number): number {
  const budget = mtu - SERIAL_OVERHEAD - 1 - SMP_HEADER_SIZE;
  const overhead = client.encodedSize({ ...fields, data: new Uint8Array(0) }) - 1;
  let n = budget - overhead - 3;
  if (n + overhead + bstrHeader(n) > budget) n = budget - overhead - 5;
  if (n >= left) return left;
  return n - (n % 4);
}

export async function uploadImage(client: SmpClient, plan: UploadPlan): Promise<UploadResult> {
  const { image } = plan;
  const sha = sha256(image);
  let off = 0;
  let dataBytesSent = 0;
  let requests = 0;
  let resumedFrom = 0;
  let match: boolean | null = null;
  let chunkSize = 0;
  let slowest = 0;
  while (off < image.length) {
    if (plan.signal.aborted) throw new OtaError('cancelled', say`Cancelled.`);
    // Offset 0 always carries the length and the image's SHA-256: a device takes offset 0 without them as a new
    // upload (Zephyr) and, with them, resumes an interrupted upload of the same image.
    const first = off === 0;
    const fields: SmpBody = first ? { off, len: image.length, sha } : { off };
    const n = chunkFits(client, fields, plan.mtu, image.length - off);
    if (n < (first ? 32 : 4)) {
      throw new OtaError('invalid-input', say`An SMP packet of ${plan.mtu} bytes leaves no room for image data.`, { hint: say`Use a larger --mtu (128 or more).` });
    }
    chunkSize = Math.max(chunkSize, n);
    let sentAt = Date.now();
    const timeoutMs = first ? plan.eraseTimeoutMs : Math.max(plan.timeoutMs, slowest * 3);
    let reply: SmpBody;
    try {
      reply = await client.request(SMP_OP_WRITE, GROUP_IMAGE, IMAGE_UPLOAD, { ...fields, data: bytesView(image, off, off + n) }, {
        timeoutMs,
        retries: plan.retries,
        what: say`the upload at offset ${off}`,
        silentHint: say`Check the cable and the port, then flash again: the upload resumes where the device stopped.`,
        onSend: () => {
          dataBytesSent += n;
          sentAt = Date.now();
        },
      });
    } catch (e) {
      if (e instanceof SmpError && e.rc === 6) {
        throw new OtaError('failed', say`${e.refusal}: slot 1 is in use.`, {
          code: 'slot-busy',
          hint: say`An image is pending or runs in test mode: reset the device, or confirm the running image, then flash again.`,
        });
      }
      throw e;
    }
    // The answer's round trip (of the attempt that got it): slow devices get longer waits.
    if (!first) slowest = Math.max(slowest, Date.now() - sentAt);
    requests++;
    const next = numberField(reply, 'off');
    if (next === null || next < 0 || next > image.length) {
      throw new OtaError('failed', say`The device answered the upload at offset ${off} with ${next === null ? say`no offset` : say`offset ${next}`}.`, {
        code: 'protocol-error',
      });
    }
    if (typeof reply.match === 'boolean') match = reply.match;
    if (requests === 1 && next !== off + n && next > 0) {
      resumedFrom = next;
      plan.onResume(next);
    }
    off = next;
    plan.onOffset(off);
  }
  return { dataBytesSent, requests, resumedFrom, match, chunkSize };
}
