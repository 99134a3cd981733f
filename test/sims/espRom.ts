// A simulated ESP32 (ESP32-D0WD-V3, revision 3) as esptool talks to it: the ROM serial loader and, once esptool has
// loaded it into RAM and started it, the flasher stub. Written from Espressif's published serial protocol (esptool
// docs/en/advanced-topics/serial-protocol.rst) and esptool's own ROM/stub differences:
//  - SLIP frames; requests `00 op len16 chk32 data`, responses `01 op len16 val32 data status`;
//  - the ESP32 ROM ends every response with 4 status bytes (status, error, 0, 0), the stub with 2;
//  - the ROM answers SYNC eight times with a non-zero value, the stub once with 0;
//  - the ROM needs SPI_ATTACH (8 bytes of payload on the ESP32 ROM) before any flash command; the stub attaches
//    itself when it starts;
//  - the ROM erases the whole region at FLASH_BEGIN / FLASH_DEFL_BEGIN, the stub erases 4 KiB sectors as it writes;
//  - the ROM's receive buffer holds a RAM block (0x1800 bytes) plus header, so esptool writes flash in 1 KiB blocks
//    without the stub; a larger packet is refused as an invalid message (error 0x05);
//  - SPI_FLASH_MD5: 32 hex ASCII digits from the ROM, 16 raw bytes from the stub;
//  - the ESP32 ROM has no GET_SECURITY_INFO: like any command it does not know, it answers with an
//    "invalid message" response (`01 00 ... 01 05`, eight times), which esptool reads as "unsupported command";
//  - the stub is accepted only when what was loaded into RAM is byte for byte esptool-js's ESP32 stub, and it says
//    "OHAI" when it starts.
// Flash is a byte array (NOR: writing only clears bits; erasing sets 0xFF). Reset follows the DTR/RTS wiring of
// Espressif's dev boards (RTS low -> EN low; DTR -> IO0, inverted) or, with `usbJtag`, the USB-Serial/JTAG
// peripheral's latch; where the host cannot toggle lines, pressReset() stands for a person's hands.

import { createHash } from 'node:crypto';
import { Inflate } from 'pako';
import { type ByteLink, type ControlSignals } from '../../src/core/serial/byteLink';

export type EspSimMode = 'app' | 'rom' | 'stub';

export interface EspRomSimOptions {
  /** Where the chip starts: in its application (needs a reset into download mode) or already in the ROM loader. */
  boot?: EspSimMode;
  /** MAC address, six hex bytes separated by colons. */
  mac?: string;
  /** Flash size in MiB (1, 2, 4, 8 or 16). Default 4. */
  flashMiB?: number;
  /** A board whose loader never answers (wrong wiring, wrong port). */
  neverSync?: boolean;
  /** Reset wiring: the USB-Serial/JTAG peripheral's sequence instead of the classic two-transistor circuit. */
  usbJtag?: boolean;
  /** A flash cell that always reads with this bit cleared: what a worn or faulty flash does (address, bit). */
  stuckBit?: { address: number; bit: number };
  /** Called after CHANGE_BAUDRATE was answered, with the new rate. */
  onBaudRate?: (baud: number) => void;
  log?: (text: string) => void;
}

export interface EspSimStats {
  syncs: number;
  boots: { mode: EspSimMode; at: number }[];
  stubStarted: boolean;
  spiAttached: boolean;
  commands: Record<string, number>;
  checksumErrors: number;
  rejectedPackets: number;
  flashWrites: number;
  /** Largest flash data block accepted. */
  largestBlock: number;
  md5Requests: number;
  baudRate: number;
}

const SLIP_END = 0xc0;
const SLIP_ESC = 0xdb;

const MAGIC_REG = 0x40001000;
const ESP32_MAGIC = 0x00f01d83;
const EFUSE_BASE = 0x3ff5a000;
const APB_CTL_DATE = 0x3ff66000 + 0x7c;
const UART_CLKDIV_REG = 0x3ff40014;
const SPI_BASE = 0x3ff42000;
const SPI_CMD_USR = 1 << 18;
const SECTOR = 0x1000;
/** The ROM's receive buffer: the RAM block esptool uses with the ROM (0x1800) plus the data header. */
const ROM_MAX_PAYLOAD = 0x1800 + 16;
const STUB_MAX_PAYLOAD = 0x4000 + 16 + 64;

const OP = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
} as const;

const OP_NAMES = new Map<number, string>(Object.entries(OP).map(([k, v]) => [v, k]));

// ROM error codes (serial-protocol.rst) and stub error codes (flasher_stub/include/stub_flasher.h).
const ROM_ERR = { invalidParam: 0x01, invalidMessage: 0x05, wrongResult: 0x06, checksum: 0x07, deflate: 0x0b } as const;
const STUB_ERR = { badLen: 0xc0, checksum: 0xc1, badBlockSize: 0xc2, notInFlashMode: 0xc6, inflate: 0xc7, tooMuch: 0xc9, unimplemented: 0xff } as const;

/** What was loaded into RAM with MEM_BEGIN/MEM_DATA. */
interface RamSegment {
  address: number;
  data: Uint8Array;
  blockSize: number;
  blocks: number;
  received: number;
}

interface FlashWrite {
  offset: number;
  blockSize: number;
  blocks: number;
  nextSeq: number;
  lastBlock: Uint8Array | null;
  /** Compressed writes: the inflater and where its output has got to. */
  inflate: Inflate | null;
  written: number;
  size: number;
  erasedSectors: Set<number>;
}

function u32(data: Uint8Array, at: number): number {
  return (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
}

function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function xorChecksum(data: Uint8Array): number {
  let state = 0xef;
  for (const b of data) state ^= b;
  return state;
}

export function slipEncode(packet: Uint8Array): Uint8Array {
  const out: number[] = [SLIP_END];
  for (const b of packet) {
    if (b === SLIP_END) out.push(SLIP_ESC, 0xdc);
    else if (b === SLIP_ESC) out.push(SLIP_ESC, 0xdd);
    else out.push(b);
  }
  out.push(SLIP_END);
  return Uint8Array.from(out);
}

export class EspRomSim {
  readonly flash: Uint8Array;
  readonly stats: EspSimStats;
  private mode: EspSimMode;
  private readonly mac: number[];
  private readonly regs = new Map<number, number>();
  private inPacket = false;
  private escaping = false;
  private packet: number[] = [];
  private oversize = false;
  private synced = false;
  private attached = false;
  private ram: RamSegment | null = null;
  private readonly loaded: { address: number; data: Uint8Array }[] = [];
  private write: FlashWrite | null = null;
  private lines: ControlSignals = { dtr: false, rts: false };
  private jtagDownloadLatched = false;
  private expectedStub: { text: Uint8Array; textStart: number; data: Uint8Array; dataStart: number; entry: number } | null = null;
  private readonly unsubscribe: () => void;
  private outQueue: Promise<void> = Promise.resolve();

  constructor(
    private readonly link: ByteLink,
    private readonly options: EspRomSimOptions = {},
  ) {
    const mib = options.flashMiB ?? 4;
    this.flash = new Uint8Array(mib * 1024 * 1024).fill(0xff);
    this.mac = (options.mac ?? '24:0a:c4:12:34:56').split(':').map((h) => parseInt(h, 16));
    this.mode = options.boot ?? 'rom';
    this.stats = {
      syncs: 0,
      boots: [],
      stubStarted: false,
      spiAttached: false,
      commands: {},
      checksumErrors: 0,
      rejectedPackets: 0,
      flashWrites: 0,
      largestBlock: 0,
      md5Requests: 0,
      baudRate: 115200,
    };
    this.resetRegisters();
    this.unsubscribe = link.onData((chunk) => this.receive(chunk));
    void import('esptool-js').then((esp) => esp.getStubJsonByChipName('ESP32')).then((s) => {
      if (s) this.expectedStub = { text: s.decodedText, textStart: s.text_start, data: s.decodedData, dataStart: s.data_start, entry: s.entry };
    });
  }

  get currentMode(): EspSimMode {
    return this.mode;
  }

  stop(): void {
    this.unsubscribe();
  }

  /** The host changed DTR/RTS (a link with modem lines). */
  onSignals(state: ControlSignals): void {
    const before = { dtr: this.lines.dtr ?? false, rts: this.lines.rts ?? false };
    this.lines = { ...this.lines, ...state };
    const dtr = this.lines.dtr ?? false;
    const rts = this.lines.rts ?? false;
    if (this.options.usbJtag) {
      // USB-Serial/JTAG: DTR=1 RTS=0 asks for download boot; RTS=1 DTR=0 holds the chip in reset; RTS=0 releases.
      if (dtr && !rts) this.jtagDownloadLatched = true;
      if (before.rts && !rts && !dtr) {
        this.boot(this.jtagDownloadLatched ? 'rom' : 'app');
        this.jtagDownloadLatched = false;
      }
      return;
    }
    // Classic auto-reset circuit: EN = !(RTS && !DTR), IO0 = !(DTR && !RTS). The chip boots when EN rises and
    // samples IO0 then.
    const enBefore = !(before.rts && !before.dtr);
    const en = !(rts && !dtr);
    const io0Low = dtr && !rts;
    if (!enBefore && en) this.boot(io0Low ? 'rom' : 'app');
  }

  /** A person pressed RESET, holding BOOT (download mode) or not (the application starts). */
  pressReset(holdingBoot: boolean): void {
    this.boot(holdingBoot ? 'rom' : 'app');
  }

  md5Of(address: number, size: number): string {
    return createHash('md5').update(this.readFlash(address, size)).digest('hex');
  }

  private readFlash(address: number, size: number): Uint8Array {
    const out = this.flash.slice(address, address + size);
    const stuck = this.options.stuckBit;
    if (stuck && stuck.address >= address && stuck.address < address + size) out[stuck.address - address] &= ~(1 << stuck.bit);
    return out;
  }

  private boot(mode: EspSimMode): void {
    this.mode = mode;
    this.synced = false;
    this.attached = false;
    this.write = null;
    this.ram = null;
    this.loaded.length = 0;
    this.inPacket = false;
    this.packet = [];
    this.resetRegisters();
    this.stats.boots.push({ mode, at: Date.now() });
    this.log(`boot into ${mode}`);
    if (mode === 'rom') {
      this.send(new TextEncoder().encode('ets Jul 29 2019 12:21:46\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n'));
    } else {
      this.send(new TextEncoder().encode('ets Jul 29 2019 12:21:46\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nentry 0x400806a8\r\nHello from the application\r\n'));
    }
  }

  private resetRegisters(): void {
    this.regs.clear();
    const m = this.mac;
    this.regs.set(MAGIC_REG, ESP32_MAGIC);
    this.regs.set(EFUSE_BASE + 4 * 1, ((m[2] << 24) | (m[3] << 16) | (m[4] << 8) | m[5]) >>> 0);
    this.regs.set(EFUSE_BASE + 4 * 2, ((m[0] << 8) | m[1]) >>> 0);
    // Package ESP32-D0WD (1 << 9), revision bit 0 (bit 15); word 5 bit 20 and APB_CTL_DATE bit 31: revision 3.
    this.regs.set(EFUSE_BASE + 4 * 3, (1 << 9) | (1 << 15));
    this.regs.set(EFUSE_BASE + 4 * 5, 1 << 20);
    this.regs.set(APB_CTL_DATE, 0x80000000);
    this.regs.set(UART_CLKDIV_REG, Math.round(40e6 / 115200));
  }

  private log(text: string): void {
    this.options.log?.(text);
  }

  private receive(chunk: Uint8Array): void {
    if (this.mode === 'app' || this.options.neverSync) return;
    const max = this.mode === 'stub' ? STUB_MAX_PAYLOAD : ROM_MAX_PAYLOAD;
    for (const byte of chunk) {
      if (!this.inPacket) {
        if (byte === SLIP_END) {
          this.inPacket = true;
          this.packet = [];
          this.oversize = false;
        }
        continue;
      }
      if (byte === SLIP_END) {
        if (this.packet.length === 0) continue; // back-to-back frame markers
        const packet = Uint8Array.from(this.packet);
        this.inPacket = false;
        this.packet = [];
        if (this.oversize) this.rejectOversize(packet);
        else this.handle(packet);
        continue;
      }
      let value = byte;
      if (this.escaping) {
        this.escaping = false;
        if (byte === 0xdc) value = SLIP_END;
        else if (byte === 0xdd) value = SLIP_ESC;
        else {
          this.inPacket = false; // broken escape: the frame is dropped
          continue;
        }
      } else if (byte === SLIP_ESC) {
        this.escaping = true;
        continue;
      }
      if (this.packet.length < 8 + max) this.packet.push(value);
      else this.oversize = true;
    }
  }

  private rejectOversize(head: Uint8Array): void {
    this.stats.rejectedPackets++;
    this.log(`packet for op 0x${head[1]?.toString(16)} longer than the receive buffer: refused`);
    this.respond(head[1] ?? 0, 0, [], ROM_ERR.invalidMessage);
  }

  private respond(op: number, value: number, data: readonly number[], error = 0): void {
    const rom = this.mode === 'rom';
    const status = error ? [1, error] : [0, 0];
    const body = [...data, ...status, ...(rom ? [0, 0] : [])];
    const packet = Uint8Array.from([0x01, op, body.length & 0xff, body.length >> 8, ...le32(value), ...body]);
    this.send(slipEncode(packet));
  }

  private send(bytes: Uint8Array): void {
    this.outQueue = this.outQueue.then(() => this.link.write(bytes)).catch(() => undefined);
  }

  private handle(p: Uint8Array): void {
    if (p.length < 8 || p[0] !== 0x00) return;
    const op = p[1];
    const size = p[2] | (p[3] << 8);
    const chk = u32(p, 4);
    const data = p.subarray(8, 8 + size);
    if (data.length < size) return;
    const name = OP_NAMES.get(op) ?? `0x${op.toString(16)}`;
    this.stats.commands[name] = (this.stats.commands[name] ?? 0) + 1;
    const rom = this.mode === 'rom';
    if (op === OP.SYNC) return this.sync(data);
    if (rom && !this.synced) return; // the ROM only listens once it has seen a sync
    switch (op) {
      case OP.READ_REG:
        return this.respond(op, this.readReg(u32(data, 0)), []);
      case OP.WRITE_REG:
        for (let at = 0; at + 16 <= data.length; at += 16) this.writeReg(u32(data, at), u32(data, at + 4), u32(data, at + 8));
        return this.respond(op, 0, []);
      case OP.SPI_ATTACH:
        if (rom && data.length !== 8) return this.respond(op, 0, [], ROM_ERR.invalidParam);
        this.attached = true;
        this.stats.spiAttached = true;
        return this.respond(op, 0, []);
      case OP.SPI_SET_PARAMS:
        return this.respond(op, 0, []);
      case OP.CHANGE_BAUDRATE: {
        const baud = u32(data, 0);
        this.respond(op, 0, []);
        this.stats.baudRate = baud;
        void this.outQueue.then(() => this.options.onBaudRate?.(baud));
        return;
      }
      case OP.MEM_BEGIN:
        return this.memBegin(op, data);
      case OP.MEM_DATA:
        return this.memData(op, data, chk);
      case OP.MEM_END:
        return this.memEnd(op, data);
      case OP.FLASH_BEGIN:
      case OP.FLASH_DEFL_BEGIN:
        return this.flashBegin(op, data, op === OP.FLASH_DEFL_BEGIN);
      case OP.FLASH_DATA:
      case OP.FLASH_DEFL_DATA:
        return this.flashData(op, data, chk, op === OP.FLASH_DEFL_DATA);
      case OP.FLASH_END:
      case OP.FLASH_DEFL_END: {
        this.write = null;
        this.respond(op, 0, []);
        if (data.length >= 4 && u32(data, 0) === 0) void this.outQueue.then(() => this.boot('app'));
        return;
      }
      case OP.SPI_FLASH_MD5:
        return this.md5(op, data);
      case OP.ERASE_FLASH:
      case OP.ERASE_REGION:
        if (rom) return this.unsupported(op);
        if (op === OP.ERASE_FLASH) this.flash.fill(0xff);
        else this.flash.fill(0xff, u32(data, 0), u32(data, 0) + u32(data, 4));
        return this.respond(op, 0, []);
      default:
        return rom ? this.unsupported(op) : this.respond(op, 0, [], STUB_ERR.unimplemented);
    }
  }

  private sync(data: Uint8Array): void {
    const expected = [0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)];
    if (data.length !== 36 || expected.some((b, i) => data[i] !== b)) return;
    this.stats.syncs++;
    if (this.mode === 'stub') {
      this.respond(OP.SYNC, 0, []);
      return;
    }
    this.synced = true;
    for (let i = 0; i < 8; i++) this.respond(OP.SYNC, 0x20120707, []);
  }

  /** What the ROM sends for a command it does not know: an invalid-message response, eight times. */
  private unsupported(op: number): void {
    this.log(`unsupported command 0x${op.toString(16)}`);
    const packet = Uint8Array.from([0x01, 0x00, 4, 0, 0, 0, 0, 0, 1, ROM_ERR.invalidMessage, 0, 0]);
    for (let i = 0; i < 8; i++) this.send(slipEncode(packet));
  }

  private readReg(address: number): number {
    return this.regs.get(address) ?? 0;
  }

  private writeReg(address: number, value: number, mask: number): void {
    const old = this.regs.get(address) ?? 0;
    this.regs.set(address, ((old & ~mask) | (value & mask)) >>> 0);
    if (address === SPI_BASE && value & SPI_CMD_USR) {
      // A user SPI command: only RDID (0x9F) is modelled. Without SPI_ATTACH the ROM has no flash to talk to.
      const command = (this.regs.get(SPI_BASE + 0x24) ?? 0) & 0xff;
      const flashReady = this.mode === 'stub' || this.attached;
      const sizeCode = 0x14 + Math.log2(this.flash.length / (1024 * 1024));
      this.regs.set(SPI_BASE + 0x80, command === 0x9f && flashReady ? ((sizeCode << 16) | (0x40 << 8) | 0xef) >>> 0 : 0xffffffff);
      this.regs.set(SPI_BASE, 0);
    }
  }

  private memBegin(op: number, data: Uint8Array): void {
    if (this.mode !== 'rom') return this.respond(op, 0, [], STUB_ERR.unimplemented);
    const size = u32(data, 0);
    this.ram = { blocks: u32(data, 4), blockSize: u32(data, 8), address: u32(data, 12), data: new Uint8Array(size), received: 0 };
    this.respond(op, 0, []);
  }

  private memData(op: number, data: Uint8Array, chk: number): void {
    const ram = this.ram;
    if (!ram) return this.respond(op, 0, [], ROM_ERR.wrongResult);
    const len = u32(data, 0);
    const seq = u32(data, 4);
    const block = data.subarray(16, 16 + len);
    if (xorChecksum(block) !== (chk & 0xff)) {
      this.stats.checksumErrors++;
      return this.respond(op, 0, [], ROM_ERR.checksum);
    }
    if (seq * ram.blockSize + block.length > ram.data.length) return this.respond(op, 0, [], ROM_ERR.invalidParam);
    ram.data.set(block, seq * ram.blockSize);
    ram.received++;
    if (ram.received === ram.blocks) this.loaded.push({ address: ram.address, data: ram.data });
    this.respond(op, 0, []);
  }

  private memEnd(op: number, data: Uint8Array): void {
    this.respond(op, 0, []);
    const execute = u32(data, 0) === 0;
    const entry = u32(data, 4);
    if (!execute) return;
    const stub = this.expectedStub;
    const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
    const ok =
      stub !== null &&
      entry === stub.entry &&
      this.loaded.some((s) => s.address === stub.textStart && same(s.data, stub.text)) &&
      this.loaded.some((s) => s.address === stub.dataStart && same(s.data, stub.data));
    if (!ok) {
      this.log('jumped into code that is not the ESP32 stub: the chip hangs');
      this.mode = 'app';
      return;
    }
    this.mode = 'stub';
    this.attached = true;
    this.stats.stubStarted = true;
    this.write = null;
    void this.outQueue.then(() => this.send(slipEncode(new TextEncoder().encode('OHAI'))));
  }

  private flashBegin(op: number, data: Uint8Array, deflated: boolean): void {
    const rom = this.mode === 'rom';
    if (rom && !this.attached) {
      this.log('flash command before SPI_ATTACH: the ROM has no flash attached');
      return this.respond(op, 0, [], ROM_ERR.wrongResult);
    }
    if (data.length < 16) return this.respond(op, 0, [], rom ? ROM_ERR.invalidParam : STUB_ERR.badLen);
    const size = u32(data, 0);
    const blocks = u32(data, 4);
    const blockSize = u32(data, 8);
    const offset = u32(data, 12);
    if (offset + size > this.flash.length) return this.respond(op, 0, [], rom ? ROM_ERR.invalidParam : STUB_ERR.tooMuch);
    if (!rom && blockSize > 0x4000) return this.respond(op, 0, [], STUB_ERR.badBlockSize);
    if (rom) {
      // The ROM erases what it is told at once (rounded to sectors).
      const end = Math.min(this.flash.length, Math.ceil((offset + size) / SECTOR) * SECTOR);
      this.flash.fill(0xff, Math.floor(offset / SECTOR) * SECTOR, end);
    }
    let inflate: Inflate | null = null;
    if (deflated) {
      inflate = new Inflate({ chunkSize: 0x4000 });
      inflate.onData = (chunk: Uint8Array) => this.writeAt(chunk);
    }
    this.write = { offset, blockSize, blocks, nextSeq: 0, lastBlock: null, inflate, written: 0, size, erasedSectors: new Set() };
    this.respond(op, 0, []);
  }

  private writeAt(chunk: Uint8Array): void {
    const w = this.write;
    if (!w) return;
    const start = w.offset + w.written;
    const end = Math.min(this.flash.length, start + chunk.length);
    if (this.mode === 'stub') {
      for (let sector = Math.floor(start / SECTOR); sector * SECTOR < end; sector++) {
        if (!w.erasedSectors.has(sector)) {
          w.erasedSectors.add(sector);
          this.flash.fill(0xff, sector * SECTOR, (sector + 1) * SECTOR);
        }
      }
    }
    for (let i = start; i < end; i++) this.flash[i] &= chunk[i - start];
    w.written += chunk.length;
    this.stats.flashWrites++;
  }

  private flashData(op: number, data: Uint8Array, chk: number, deflated: boolean): void {
    const rom = this.mode === 'rom';
    const w = this.write;
    if (!w || (w.inflate !== null) !== deflated) return this.respond(op, 0, [], rom ? ROM_ERR.wrongResult : STUB_ERR.notInFlashMode);
    const len = u32(data, 0);
    const seq = u32(data, 4);
    const block = data.subarray(16, 16 + len);
    if (block.length !== len) return this.respond(op, 0, [], rom ? ROM_ERR.invalidMessage : STUB_ERR.badLen);
    if (xorChecksum(block) !== (chk & 0xff)) {
      this.stats.checksumErrors++;
      this.log(`block ${seq}: checksum error`);
      return this.respond(op, 0, [], rom ? ROM_ERR.checksum : STUB_ERR.checksum);
    }
    if (seq + 1 === w.nextSeq && w.lastBlock && w.lastBlock.length === block.length && w.lastBlock.every((b, i) => b === block[i])) {
      // The host did not see our answer and sent the same block again: it is already written.
      return this.respond(op, 0, []);
    }
    if (seq !== w.nextSeq) return this.respond(op, 0, [], rom ? ROM_ERR.invalidParam : STUB_ERR.badLen);
    if (!deflated && len !== w.blockSize) return this.respond(op, 0, [], rom ? ROM_ERR.invalidParam : STUB_ERR.badBlockSize);
    this.stats.largestBlock = Math.max(this.stats.largestBlock, len);
    if (w.inflate) {
      w.inflate.push(block, false);
      if (w.inflate.err) {
        this.log(`inflate error: ${w.inflate.msg}`);
        return this.respond(op, 0, [], rom ? ROM_ERR.deflate : STUB_ERR.inflate);
      }
    } else {
      this.writeAt(block);
    }
    w.nextSeq++;
    w.lastBlock = Uint8Array.from(block);
    this.respond(op, 0, []);
  }

  private md5(op: number, data: Uint8Array): void {
    const rom = this.mode === 'rom';
    if (rom && !this.attached) return this.respond(op, 0, [], ROM_ERR.wrongResult);
    const address = u32(data, 0);
    const size = u32(data, 4);
    if (address + size > this.flash.length) return this.respond(op, 0, [], rom ? ROM_ERR.invalidParam : STUB_ERR.tooMuch);
    this.stats.md5Requests++;
    const digest = createHash('md5').update(this.readFlash(address, size)).digest();
    const body = rom ? [...new TextEncoder().encode(digest.toString('hex'))] : [...digest];
    this.respond(op, 0, body);
  }
}
