// A simulated Zephyr device with MCUboot and an mcumgr SMP server on its serial console, written from Zephyr's
// img_mgmt / os_mgmt and MCUboot's design notes:
// - os group: echo (0), reset (5), mcumgr params (6: buf_size, buf_count);
// - image group: state (0; read lists the valid images per slot with version, SHA-256 TLV hash and flags; write
//   {hash, confirm} marks slot 1 for test / permanent use, or confirms the running image) and upload (1: off, data,
//   len and sha in the first chunk; a chunk at another offset than expected gets the expected offset back; a first
//   chunk with the sha of the upload in progress resumes it; the last answer carries `match`, the SHA-256 check).
// - reset: MCUboot swaps slot 1 in when it is pending and valid (hash TLV checked), reverts an unconfirmed test
//   image, and erases an invalid one; the device prints a boot banner and is silent meanwhile.
// Frames and CRCs are checked as serial_util.c does: anything broken is dropped silently, and the host retries.
// The device keeps its flash across connections (`attach` may be called again).

import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { type ByteLink } from '../byteLink';
import { LinkReader, isLinkTimeout } from '../linkReader';
import { type CborModule, decodeMap, loadCbor, type SmpBody } from '../protocols/mcuboot/cbor';
import { buildMcubootImage, IMAGE_HEADER_SIZE, IMAGE_MAGIC, type ImageVersion, parseMcubootImage } from '../protocols/mcuboot/imageFormat';
import {
  decodeSmpPacket,
  encodeSerialFrames,
  encodeSmpPacket,
  GROUP_IMAGE,
  GROUP_OS,
  IMAGE_STATE,
  IMAGE_UPLOAD,
  OS_ECHO,
  OS_MCUMGR_PARAMS,
  OS_RESET,
  SerialFrameDecoder,
  SMP_OP_READ,
  SMP_OP_WRITE,
} from '../protocols/mcuboot/smpFrames';

const EOK = 0;
const EINVAL = 3;
const ENOENT = 5;
const EBADSTATE = 6;
const ENOTSUP = 8;

export interface SmpDeviceOptions {
  /** CONFIG_MCUMGR_TRANSPORT_NETBUF_SIZE: the largest packet (with CRC) it takes. Default 512. */
  bufSize?: number;
  bufCount?: number;
  /** Whether it answers mcumgr params (Zephyr 3.x+). Default true. */
  params?: boolean;
  /** Bytes per slot. Default 1 MiB. */
  slotSize?: number;
  /** Version of the image it runs at first. Default 1.0.0. */
  version?: Partial<ImageVersion>;
  /** Silence after a reset before the banner. Default 300 ms. */
  bootMs?: number;
  /** Time to erase the slot on the first chunk. Default 0. */
  eraseMs?: number;
  /** Time per KiB written. Default 0. */
  writeMsPerKiB?: number;
  /** Do not boot new images (a bad signature key): MCUboot erases slot 1 and boots the old one. */
  rejectImages?: boolean;
  log?: (text: string) => void;
}

interface Slot {
  data: Uint8Array;
  /** Bytes written by uploads (the rest is erased). */
  used: number;
}

type SwapState = 'none' | 'test' | 'perm' | 'revert';

export interface SmpDeviceStats {
  /** Upload requests handled (answered or not). */
  uploadRequests: number;
  /** Image bytes received in upload requests, re-sent ones included. */
  uploadBytesReceived: number;
  /** Image bytes written to slot 1. */
  uploadBytesWritten: number;
  /** First chunks that resumed an upload in progress. */
  resumes: number;
  resets: number;
  /** Frames dropped for bad base64, length or CRC. */
  badFrames: number;
}

export class SmpDevice {
  readonly slots: [Slot, Slot];
  readonly stats: SmpDeviceStats = { uploadRequests: 0, uploadBytesReceived: 0, uploadBytesWritten: 0, resumes: 0, resets: 0, badFrames: 0 };
  private swap: SwapState = 'none';
  /** The running image is confirmed (after a test swap, until the app or the host confirms it: false). */
  private upload: { size: number; off: number; sha: string } | null = null;
  private readonly o: Required<Omit<SmpDeviceOptions, 'log' | 'version'>>;
  private cbor: CborModule | null = null;

  constructor(private readonly options: SmpDeviceOptions = {}) {
    this.o = {
      bufSize: options.bufSize ?? 512,
      bufCount: options.bufCount ?? 4,
      params: options.params ?? true,
      slotSize: options.slotSize ?? 1 << 20,
      bootMs: options.bootMs ?? 300,
      eraseMs: options.eraseMs ?? 0,
      writeMsPerKiB: options.writeMsPerKiB ?? 0,
      rejectImages: options.rejectImages ?? false,
    };
    const running = buildMcubootImage(new Uint8Array(8192).map((_, i) => (i * 7) & 0xff), {
      version: { major: 1, minor: 0, revision: 0, build: 0, ...options.version },
    });
    this.slots = [this.erasedSlot(), this.erasedSlot()];
    this.slots[0].data.set(running);
    this.slots[0].used = running.length;
  }

  /** What slot N holds as written (its used bytes). */
  slotBytes(n: 0 | 1): Uint8Array {
    return this.slots[n].data.subarray(0, this.slots[n].used);
  }

  /** The version of the image in slot 0, which is what runs. */
  get runningVersion(): string | null {
    return this.imageInfo(0)?.version ?? null;
  }

  private erasedSlot(): Slot {
    return { data: new Uint8Array(this.o.slotSize).fill(0xff), used: 0 };
  }

  private log(text: string): void {
    this.options.log?.(text);
  }

  /** Serves SMP on `link` until it closes or `signal` aborts. Resolves (never rejects) then. */
  async attach(link: ByteLink, signal?: AbortSignal): Promise<void> {
    this.cbor ??= await loadCbor();
    const reader = new LinkReader(link, signal);
    const decoder = new SerialFrameDecoder();
    try {
      await link.write(Buffer.from(`*** Booting Zephyr OS ***\r\napp ${this.runningVersion ?? '?'} ready\r\n`));
      for (;;) {
        let line: string;
        try {
          line = await reader.readLine(3_600_000, 1024);
        } catch (e) {
          if (isLinkTimeout(e)) continue;
          return;
        }
        const r = decoder.push(line);
        if (r.kind === 'bad') {
          this.stats.badFrames++;
          this.log(`dropped ${r.reason}`);
          continue;
        }
        if (r.kind !== 'packet') continue;
        if (r.packet.length + 2 > this.o.bufSize) {
          this.stats.badFrames++;
          this.log(`dropped a ${r.packet.length}-byte packet: larger than the ${this.o.bufSize}-byte buffer`);
          continue;
        }
        const packet = decodeSmpPacket(r.packet);
        if (!packet) continue;
        const h = packet.header;
        if (h.op !== SMP_OP_READ && h.op !== SMP_OP_WRITE) continue;
        const body = decodeMap(this.cbor, packet.body);
        const { reply, after } = await this.handle(h.group, h.id, h.op, body ?? {});
        const out = encodeSmpPacket({ op: h.op + 1, version: h.version, group: h.group, id: h.id, seq: h.seq }, this.cbor.encode(reply));
        await link.write(encodeSerialFrames(out));
        if (after) await after(link);
      }
    } catch {
      // The link went away.
    } finally {
      reader.dispose();
    }
  }

  private async handle(group: number, id: number, op: number, body: SmpBody): Promise<{ reply: SmpBody; after?: (link: ByteLink) => Promise<void> }> {
    if (group === GROUP_OS) {
      if (id === OS_ECHO && op === SMP_OP_WRITE) return { reply: { r: typeof body.d === 'string' ? body.d : '' } };
      if (id === OS_MCUMGR_PARAMS && op === SMP_OP_READ && this.o.params) return { reply: { buf_size: this.o.bufSize, buf_count: this.o.bufCount } };
      if (id === OS_RESET && op === SMP_OP_WRITE) return { reply: {}, after: (link) => this.reboot(link) };
      return { reply: { rc: ENOTSUP } };
    }
    if (group === GROUP_IMAGE) {
      if (id === IMAGE_STATE) return { reply: op === SMP_OP_READ ? this.stateReply() : this.setState(body) };
      if (id === IMAGE_UPLOAD && op === SMP_OP_WRITE) return { reply: await this.onUpload(body) };
    }
    return { reply: { rc: ENOTSUP } };
  }

  private imageInfo(n: 0 | 1): { version: string; hash: string } | null {
    const bytes = this.slotBytes(n);
    try {
      const image = parseMcubootImage(bytes, `slot ${n}`);
      return { version: image.versionText, hash: image.hash };
    } catch {
      return null;
    }
  }

  private stateReply(): SmpBody {
    const images: SmpBody[] = [];
    for (const n of [0, 1] as const) {
      const info = this.imageInfo(n);
      if (!info) continue;
      const entry: SmpBody = { image: 0, slot: n, version: info.version, hash: Uint8Array.from(Buffer.from(info.hash, 'hex')), bootable: true };
      // As Zephyr's img_mgmt_state_read derives the flags from MCUboot's swap type.
      if (n === 0) {
        entry.active = true;
        if (this.swap !== 'revert') entry.confirmed = true;
      } else if (this.swap === 'test' || this.swap === 'perm') {
        entry.pending = true;
        if (this.swap === 'perm') entry.permanent = true;
      } else if (this.swap === 'revert') {
        entry.confirmed = true;
      }
      images.push(entry);
    }
    return { images, splitStatus: 0 };
  }

  private setState(body: SmpBody): SmpBody {
    const confirm = body.confirm === true;
    const hash = body.hash instanceof Uint8Array ? bytesToHex(body.hash) : null;
    const slot = hash === null ? (confirm ? 0 : -1) : ([0, 1] as const).find((n) => this.imageInfo(n)?.hash === hash);
    if (slot === undefined || slot < 0) return { rc: hash === null ? EINVAL : ENOENT };
    if (slot === 0) {
      if (!confirm) return { rc: EBADSTATE };
      if (this.swap === 'revert') this.swap = 'none';
    } else {
      if (this.swap === 'revert') return { rc: EBADSTATE };
      this.swap = confirm ? 'perm' : 'test';
    }
    this.log(`state: slot ${slot} ${confirm ? 'confirmed' : 'marked for test'}`);
    return this.stateReply();
  }

  private slotInUse(): boolean {
    return this.swap === 'revert' || this.swap === 'test' || this.swap === 'perm';
  }

  private async onUpload(body: SmpBody): Promise<SmpBody> {
    this.stats.uploadRequests++;
    const off = typeof body.off === 'number' ? body.off : null;
    const data = body.data instanceof Uint8Array ? body.data : null;
    if (off === null || data === null) return { rc: EINVAL };
    this.stats.uploadBytesReceived += data.length;
    const slot = this.slots[1];
    if (off === 0) {
      const len = typeof body.len === 'number' ? body.len : null;
      const sha = body.sha instanceof Uint8Array ? bytesToHex(body.sha) : '';
      if (len === null) return { rc: EINVAL };
      if (this.upload && sha && this.upload.sha === sha && this.upload.size === len) {
        this.stats.resumes++;
        this.log(`upload: resuming at ${this.upload.off}`);
        return { rc: EOK, off: this.upload.off };
      }
      if (this.slotInUse()) return { rc: EBADSTATE };
      if (len > this.o.slotSize) return { rc: EINVAL };
      if (data.length < IMAGE_HEADER_SIZE || Buffer.from(data.buffer, data.byteOffset, 4).readUInt32LE(0) !== IMAGE_MAGIC) return { rc: EINVAL };
      if (this.o.eraseMs) await delay(this.o.eraseMs);
      slot.data.fill(0xff);
      slot.used = 0;
      this.upload = { size: len, off: 0, sha };
    } else if (!this.upload || off !== this.upload.off) {
      // A chunk at another offset: answer where we are (or 0 with no upload in progress).
      return { rc: EOK, off: this.upload?.off ?? 0 };
    }
    const upload = this.upload;
    if (upload.off + data.length > upload.size) return { rc: EINVAL };
    if (this.o.writeMsPerKiB) await delay((data.length / 1024) * this.o.writeMsPerKiB);
    slot.data.set(data, upload.off);
    upload.off += data.length;
    slot.used = upload.off;
    this.stats.uploadBytesWritten += data.length;
    const reply: SmpBody = { rc: EOK, off: upload.off };
    if (upload.off === upload.size) {
      reply.match = upload.sha.length === 64 ? bytesToHex(sha256(slot.data.subarray(0, upload.size))) === upload.sha : false;
      this.log(`upload: complete, ${upload.size} bytes, match ${String(reply.match)}`);
      this.upload = null;
    }
    return reply;
  }

  /** MCUboot at boot: swap in a pending image if it validates, revert an unconfirmed test image. */
  private async reboot(link: ByteLink): Promise<void> {
    this.stats.resets++;
    this.upload = null;
    await delay(this.o.bootMs);
    let note = '';
    if (this.swap === 'test' || this.swap === 'perm') {
      const valid = this.imageInfo(1) !== null && !this.o.rejectImages;
      if (valid) {
        [this.slots[0], this.slots[1]] = [this.slots[1], this.slots[0]];
        note = `swapped in ${this.runningVersion ?? '?'}`;
        this.swap = this.swap === 'test' ? 'revert' : 'none';
      } else {
        this.slots[1] = this.erasedSlot();
        note = 'image in slot 1 is not valid: erased';
        this.swap = 'none';
      }
    } else if (this.swap === 'revert') {
      [this.slots[0], this.slots[1]] = [this.slots[1], this.slots[0]];
      note = `reverted to ${this.runningVersion ?? '?'}`;
      this.swap = 'none';
    }
    this.log(`reset: ${note || 'nothing to swap'}`);
    await link.write(Buffer.from(`*** Booting MCUboot ***\r\nI: ${note || 'Bootloader chainload'}\r\n*** Booting Zephyr OS ***\r\napp ${this.runningVersion ?? '?'} ready\r\n`)).catch(() => undefined);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

