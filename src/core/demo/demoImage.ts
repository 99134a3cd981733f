// Demo firmware images: what the sandbox's demo firmware and the `npm start` demo project carry instead of a program.
// Each starts with a text header that says it is a demo, so every front end can tell a user "this is a demo image"
// from the bytes alone; the rest is pseudo-random from a seed, so the same demo gives the same bytes (and MD5).
import { mulberry32 } from '../prng';

/** The first bytes of every demo image (the sandbox has written this header since its first release). */
export const DEMO_IMAGE_HEADER = 'SANDBOX-FIRMWARE ';

/** A demo image of `size` bytes: the header with `label`, then bytes from `next` (a [0, 1) generator). */
export function demoImageFrom(next: () => number, label: string, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const header = Buffer.from(`${DEMO_IMAGE_HEADER}${label}\n`, 'utf8');
  bytes.set(header.subarray(0, Math.min(header.length, size)));
  for (let i = header.length; i < size; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

/** The same demo image for the same label, size and seed. */
export function demoImage(label: string, size: number, seed: number): Uint8Array {
  return demoImageFrom(mulberry32(seed), label, size);
}

/** Whether these first bytes of an image are a demo image's. */
export function isDemoImage(head: Uint8Array): boolean {
  const magic = Buffer.from(DEMO_IMAGE_HEADER, 'utf8');
  return head.length >= magic.length && Buffer.from(head.buffer, head.byteOffset, magic.length).equals(magic);
}
