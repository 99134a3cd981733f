// The MCUboot image format (mcuboot docs/design.md, "Image format"), as imgtool writes it: a little-endian header
// (magic 0x96f3b83d, header size, protected TLV size, image size, flags, version), the image, then TLV areas (an
// optional protected one with magic 0x6908, then the unprotected one with magic 0x6907). The SHA-256 TLV (type 0x10)
// is the hash of the header, the image and the protected TLVs: what the device reports for the slot.

import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { OtaError } from '../../../errors';
import { say } from '../../../sentences';

export const IMAGE_MAGIC = 0x96f3b83d;
export const IMAGE_HEADER_SIZE = 32;
export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;
export const TLV_SHA256 = 0x10;
export const IMAGE_F_NON_BOOTABLE = 0x10;

export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  build: number;
}

export interface McubootImage {
  version: ImageVersion;
  /** "1.2.3" or "1.2.3.4" when there is a build number, as MCUboot and Zephyr print it. */
  versionText: string;
  headerSize: number;
  imageSize: number;
  protectedTlvSize: number;
  flags: number;
  loadAddress: number;
  /** The SHA-256 TLV, lower-case hex. */
  hash: string;
  /** Total bytes: header, image and TLVs. */
  size: number;
}

/** The imgtool command that turns a plain binary into an MCUboot image. */
export const IMGTOOL_HINT =
  say`Flash the signed image of your build (Zephyr: build/zephyr/zephyr.signed.bin), or sign it: imgtool sign --version 1.0.0 --header-size 0x200 --pad-header --align 4 --slot-size <slot size> --key <key.pem> firmware.bin firmware.signed.bin`;

export function versionText(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}${v.build ? `.${v.build}` : ''}`;
}

function invalid(name: string, what: string): OtaError {
  return new OtaError('invalid-input', say`${name} is not a valid MCUboot image: ${what}.`, { hint: IMGTOOL_HINT, code: 'not-mcuboot-image' });
}

interface TlvArea {
  start: number;
  end: number;
}

/** Reads the header and TLVs and checks the SHA-256 TLV against the bytes; throws `invalid-input` otherwise. */
export function parseMcubootImage(bytes: Uint8Array, name: string): McubootImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < IMAGE_HEADER_SIZE || view.getUint32(0, true) !== IMAGE_MAGIC) {
    throw new OtaError('invalid-input', say`${name} is not an MCUboot image (it does not start with the magic 0x96f3b83d).`, {
      hint: IMGTOOL_HINT,
      code: 'not-mcuboot-image',
    });
  }
  const loadAddress = view.getUint32(4, true);
  const headerSize = view.getUint16(8, true);
  const protectedTlvSize = view.getUint16(10, true);
  const imageSize = view.getUint32(12, true);
  const flags = view.getUint32(16, true);
  const version: ImageVersion = {
    major: bytes[20],
    minor: bytes[21],
    revision: view.getUint16(22, true),
    build: view.getUint32(24, true),
  };
  if (headerSize < IMAGE_HEADER_SIZE) throw invalid(name, say`its header size ${headerSize} is below ${IMAGE_HEADER_SIZE}`);
  const tlvStart = headerSize + imageSize;
  const area = (at: number, magic: number): TlvArea | null => {
    if (at + 4 > bytes.length || view.getUint16(at, true) !== magic) return null;
    return { start: at + 4, end: at + view.getUint16(at + 2, true) };
  };
  let at = tlvStart;
  if (protectedTlvSize > 0) {
    if (!area(at, TLV_PROT_INFO_MAGIC) || at + protectedTlvSize > bytes.length) throw invalid(name, say`its protected TLV area is missing or cut short`);
    at += protectedTlvSize;
  }
  const tlvs = area(at, TLV_INFO_MAGIC);
  if (!tlvs) throw invalid(name, say`no TLV area after the ${imageSize}-byte image (the file is cut short or was not signed)`);
  if (tlvs.end > bytes.length) throw invalid(name, say`its TLV area is cut short`);
  let hash: Uint8Array | null = null;
  for (let p = tlvs.start; p + 4 <= tlvs.end; ) {
    const type = view.getUint16(p, true);
    const len = view.getUint16(p + 2, true);
    if (p + 4 + len > tlvs.end) throw invalid(name, say`a TLV runs past its area`);
    if (type === TLV_SHA256) {
      if (len !== 32) throw invalid(name, say`its SHA-256 TLV is ${len} bytes long`);
      hash = bytes.subarray(p + 4, p + 4 + len);
    }
    p += 4 + len;
  }
  if (!hash) throw invalid(name, say`it has no SHA-256 TLV (MCUboot images signed with SHA-384/512 are not supported)`);
  const actual = sha256(bytes.subarray(0, tlvStart + protectedTlvSize));
  if (bytesToHex(actual) !== bytesToHex(hash)) throw invalid(name, say`its SHA-256 TLV does not match its contents (the file was changed after signing)`);
  return {
    version,
    versionText: versionText(version),
    headerSize,
    imageSize,
    protectedTlvSize,
    flags,
    loadAddress,
    hash: bytesToHex(hash),
    size: tlvs.end,
  };
}

export interface BuildImageOptions {
  version?: Partial<ImageVersion>;
  headerSize?: number;
  /** Protected TLVs to add (type, value), e.g. a security counter (0x50). */
  protectedTlvs?: readonly { type: number; value: Uint8Array }[];
  flags?: number;
  loadAddress?: number;
}

/**
 * Builds an MCUboot image from a body, as `imgtool sign --pad-header` does without a key: header, body, the
 * protected TLVs when asked, and an unprotected TLV area holding the SHA-256. For the simulators and tests.
 */
export function buildMcubootImage(body: Uint8Array, o: BuildImageOptions = {}): Uint8Array {
  const headerSize = o.headerSize ?? 0x200;
  const prot = o.protectedTlvs ?? [];
  const protSize = prot.length ? 4 + prot.reduce((n, t) => n + 4 + t.value.length, 0) : 0;
  const total = headerSize + body.length + protSize + 4 + 4 + 32;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, IMAGE_MAGIC, true);
  view.setUint32(4, o.loadAddress ?? 0, true);
  view.setUint16(8, headerSize, true);
  view.setUint16(10, protSize, true);
  view.setUint32(12, body.length, true);
  view.setUint32(16, o.flags ?? 0, true);
  out[20] = o.version?.major ?? 1;
  out[21] = o.version?.minor ?? 0;
  view.setUint16(22, o.version?.revision ?? 0, true);
  view.setUint32(24, o.version?.build ?? 0, true);
  out.set(body, headerSize);
  let at = headerSize + body.length;
  if (prot.length) {
    view.setUint16(at, TLV_PROT_INFO_MAGIC, true);
    view.setUint16(at + 2, protSize, true);
    at += 4;
    for (const t of prot) {
      view.setUint16(at, t.type, true);
      view.setUint16(at + 2, t.value.length, true);
      out.set(t.value, at + 4);
      at += 4 + t.value.length;
    }
  }
  const hash = sha256(out.subarray(0, at));
  view.setUint16(at, TLV_INFO_MAGIC, true);
  view.setUint16(at + 2, 4 + 4 + 32, true);
  view.setUint16(at + 4, TLV_SHA256, true);
  view.setUint16(at + 6, 32, true);
  out.set(hash, at + 8);
  return out;
}
