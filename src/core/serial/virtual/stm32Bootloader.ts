// A simulated STM32 system bootloader on any ByteLink, written from ST's AN3155 (USART protocol): waits for the
// 0x7F autobaud byte, then serves Get, Get Version, Get ID, Read Memory, Write Memory, Erase (0x43) or Extended
// Erase (0x44), Go, Readout Protect/Unprotect and Write Protect/Unprotect, with the checksums and NACKs of the
// note. Flash behaves as NOR flash: erase sets 0xFF, writing can only clear bits. With readout protection on,
// Read/Write/Erase/Go are NACKed. It stops at Go (the firmware "runs"), when the link closes, or on abort.
// Used by the sandbox's virtual device, the pty simulator process (checked against Debian's stm32flash) and tests.

import { type ByteLink, type ControlSignals } from '../byteLink';
import { LinkReader, isLinkTimeout } from '../linkReader';
import { FLASH_BASE, type Stm32Chip, eraseUnits, findChip } from '../protocols/stm32/chips';
import { ACK, CMD, NACK, SYNC } from '../protocols/stm32/frames';

export type Stm32ChipModel = 'f103' | 'f411' | 'l476';

/** Bootloader lines as shipped: F1 with v2.2 and legacy Erase, F4 and L4 with v3.1 and Extended Erase. */
const MODELS: Record<Stm32ChipModel, { pid: number; version: number; erase: number }> = {
  f103: { pid: 0x414, version: 0x22, erase: CMD.erase },
  f411: { pid: 0x431, version: 0x31, erase: CMD.extendedErase },
  l476: { pid: 0x415, version: 0x31, erase: CMD.extendedErase },
};

export interface Stm32BootloaderOptions {
  /** Default f103 (legacy Erase). */
  model?: Stm32ChipModel;
  readProtected?: boolean;
  /** Time to program 256 bytes. Default 0. */
  writeMsPer256?: number;
  /** Time to erase one page or sector. Default 0. */
  eraseMsPerUnit?: number;
  /** NACK these Write Memory data frames (0 = the first one received), once each. */
  nackWrites?: readonly number[];
  /** Keep serving after Go (default: stop, as the chip leaves its bootloader). */
  stayAfterGo?: boolean;
  /**
   * Wired like an adapter's DTR# to NRST and RTS# to BOOT0: only a reset with BOOT0 high starts the bootloader
   * (it answers nothing before), a reset with BOOT0 low runs the firmware. Needs a link end with onSignals().
   */
  wiredReset?: boolean;
  signal?: AbortSignal;
  log?: (text: string) => void;
}

export interface Stm32BootloaderResult {
  outcome: 'went' | 'closed' | 'aborted' | 'reset-to-firmware';
  pid: number;
  /** The whole flash as it ends. */
  flash: Uint8Array;
  /** The highest flash address written + 1 (FLASH_BASE when nothing was). */
  writtenEnd: number;
  goAddress: number | null;
  writes: number;
  reads: number;
  /** Page or sector numbers erased, in order; 'mass' for a mass erase. */
  erased: (number | 'mass')[];
  eraseCommand: number | null;
  nacks: number;
  /** Autobaud locks (a reset after Readout Unprotect makes a second one). */
  syncs: number;
  readProtected: boolean;
  /** performance.now() of the first Write Memory and of the end of the last Read Memory answer. */
  firstWriteAt: number | null;
  lastReadAt: number | null;
}

const RAM_BASE = 0x20000000;
const RAM_BYTES = 64 * 1024;
const FOREVER = 3_600_000;

class Ended extends Error {
  constructor(readonly outcome: Stm32BootloaderResult['outcome']) {
    super(outcome);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => (ms >= 1 ? setTimeout(r, ms) : setImmediate(r)));

function xor(bytes: ArrayLike<number>): number {
  let x = 0;
  for (let i = 0; i < bytes.length; i++) x ^= bytes[i];
  return x;
}

class Bootloader {
  private readonly reader: LinkReader;
  private readonly chip: Stm32Chip;
  private readonly model: (typeof MODELS)[Stm32ChipModel];
  private readonly flash: Uint8Array;
  private readonly ram = new Uint8Array(RAM_BYTES);
  private readonly nackWrites: Set<number>;
  private synced = false;
  private inBootloader: boolean;
  private readProtected: boolean;
  private writeFrames = 0;
  private lines = { dtr: false, rts: false };
  private endedBy: Stm32BootloaderResult['outcome'] | null = null;
  readonly r: Omit<Stm32BootloaderResult, 'outcome' | 'flash' | 'readProtected'> = {
    pid: 0,
    writtenEnd: FLASH_BASE,
    goAddress: null,
    writes: 0,
    reads: 0,
    erased: [],
    eraseCommand: null,
    nacks: 0,
    syncs: 0,
    firstWriteAt: null,
    lastReadAt: null,
  };

  constructor(
    private readonly link: ByteLink & { onSignals?: (l: (s: ControlSignals) => void) => () => void },
    private readonly o: Stm32BootloaderOptions,
  ) {
    this.model = MODELS[o.model ?? 'f103'];
    this.chip = findChip(this.model.pid)!;
    this.r.pid = this.model.pid;
    this.flash = new Uint8Array(this.chip.flashBytes).fill(0xff);
    this.readProtected = o.readProtected ?? false;
    this.nackWrites = new Set(o.nackWrites ?? []);
    this.inBootloader = !o.wiredReset;
    this.reader = new LinkReader(link, o.signal);
    if (o.wiredReset) link.onSignals?.((s) => this.onSignals(s));
  }

  result(outcome: Stm32BootloaderResult['outcome']): Stm32BootloaderResult {
    return { outcome, flash: this.flash, readProtected: this.readProtected, ...this.r };
  }

  private log(text: string): void {
    this.o.log?.(text);
  }

  /** NRST follows DTR# (asserted = held in reset), BOOT0 follows RTS# (released = high). */
  private onSignals(s: ControlSignals): void {
    const wasReset = this.lines.dtr;
    if (s.dtr !== undefined) this.lines.dtr = s.dtr;
    if (s.rts !== undefined) this.lines.rts = s.rts;
    if (this.lines.dtr && !wasReset) {
      this.inBootloader = false;
      this.synced = false;
    }
    if (wasReset && !this.lines.dtr) {
      const boot0High = !this.lines.rts;
      this.inBootloader = boot0High;
      this.synced = false;
      this.reader.discard();
      this.log(`reset released with BOOT0 ${boot0High ? 'high: bootloader' : 'low: firmware'}`);
      if (!boot0High && this.r.syncs > 0) {
        // Flashed, then reset into the firmware: this bootloader session is over.
        this.endedBy = 'reset-to-firmware';
        this.reader.dispose();
      }
    }
  }

  async run(): Promise<Stm32BootloaderResult> {
    try {
      for (;;) await this.step();
    } catch (e) {
      if (e instanceof Ended) return this.result(e.outcome);
      if (this.endedBy) return this.result(this.endedBy);
      if (this.o.signal?.aborted) return this.result('aborted');
      return this.result('closed');
    } finally {
      this.reader.dispose();
    }
  }

  private async byte(): Promise<number> {
    for (;;) {
      try {
        return await this.reader.readByte(FOREVER);
      } catch (e) {
        if (!isLinkTimeout(e)) throw e;
      }
    }
  }

  private async bytes(n: number): Promise<Buffer> {
    return this.reader.readExact(n, FOREVER);
  }

  private send(...bytes: number[]): Promise<void> {
    return this.link.write(Uint8Array.from(bytes));
  }

  private async nack(why: string): Promise<void> {
    this.r.nacks++;
    this.log(`NACK: ${why}`);
    await this.send(NACK);
  }

  private commands(): number[] {
    return [CMD.get, CMD.getVersion, CMD.getId, CMD.readMemory, CMD.go, CMD.writeMemory, this.model.erase, CMD.writeProtect, CMD.writeUnprotect, CMD.readoutProtect, CMD.readoutUnprotect];
  }

  /** The chip resets (after a protection change): it waits for autobaud again. */
  private reset(): void {
    this.synced = false;
    this.reader.discard();
  }

  private async step(): Promise<void> {
    const b = await this.byte();
    if (!this.inBootloader) return; // held in reset, or running the firmware: nobody listens
    if (!this.synced) {
      if (b === SYNC) {
        this.synced = true;
        this.r.syncs++;
        await this.send(ACK);
      }
      return;
    }
    const c = await this.byte();
    if ((b ^ c) !== 0xff) return this.nack(`command 0x${b.toString(16)} with a bad complement`);
    switch (b) {
      case CMD.get: {
        const cmds = this.commands();
        return this.send(ACK, cmds.length, this.model.version, ...cmds, ACK);
      }
      case CMD.getVersion:
        return this.send(ACK, this.model.version, 0x00, 0x00, ACK);
      case CMD.getId:
        return this.send(ACK, 1, this.model.pid >> 8, this.model.pid & 0xff, ACK);
      case CMD.readMemory:
        return this.readMemory();
      case CMD.writeMemory:
        return this.writeMemory();
      case CMD.erase:
      case CMD.extendedErase:
        if (b !== this.model.erase) return this.nack('erase command not offered');
        return b === CMD.erase ? this.legacyErase() : this.extendedErase();
      case CMD.go:
        return this.go();
      case CMD.readoutProtect:
        await this.send(ACK);
        this.readProtected = true;
        await this.send(ACK);
        this.reset();
        return;
      case CMD.readoutUnprotect:
        await this.send(ACK);
        this.flash.fill(0xff);
        this.r.erased.push('mass');
        await sleep((this.o.eraseMsPerUnit ?? 0) * 4);
        this.readProtected = false;
        await this.send(ACK);
        this.reset();
        return;
      case CMD.writeProtect:
      case CMD.writeUnprotect:
        if (this.readProtected) return this.nack('readout protection is on');
        await this.send(ACK);
        if (b === CMD.writeProtect) await this.bytes((await this.byte()) + 2);
        await this.send(ACK);
        this.reset();
        return;
      default:
        return this.nack(`unknown command 0x${b.toString(16)}`);
    }
  }

  private async address(): Promise<number | null> {
    const a = await this.bytes(5);
    if (xor(a.subarray(0, 4)) !== a[4]) return null;
    return a.readUInt32BE(0);
  }

  /** The memory holding [address, address + n), or null. */
  private memory(address: number, n: number): { mem: Uint8Array; at: number; flash: boolean } | null {
    if (address >= FLASH_BASE && address + n <= FLASH_BASE + this.flash.length) return { mem: this.flash, at: address - FLASH_BASE, flash: true };
    if (address >= RAM_BASE && address + n <= RAM_BASE + RAM_BYTES) return { mem: this.ram, at: address - RAM_BASE, flash: false };
    return null;
  }

  private async readMemory(): Promise<void> {
    if (this.readProtected) return this.nack('Read Memory with readout protection on');
    await this.send(ACK);
    const address = await this.address();
    if (address === null) return this.nack('Read Memory address checksum');
    if (!this.memory(address, 1)) return this.nack(`Read Memory at unmapped 0x${address.toString(16)}`);
    await this.send(ACK);
    const [n, nc] = await this.bytes(2);
    if ((n ^ nc) !== 0xff) return this.nack('Read Memory length complement');
    const m = this.memory(address, n + 1);
    if (!m) return this.nack('Read Memory past the end of memory');
    this.r.reads++;
    await this.link.write(Uint8Array.of(ACK, ...m.mem.subarray(m.at, m.at + n + 1)));
    this.r.lastReadAt = performance.now();
  }

  private async writeMemory(): Promise<void> {
    if (this.readProtected) return this.nack('Write Memory with readout protection on');
    this.r.firstWriteAt ??= performance.now();
    await this.send(ACK);
    const address = await this.address();
    if (address === null) return this.nack('Write Memory address checksum');
    if (address % 4 !== 0 || !this.memory(address, 1)) return this.nack(`Write Memory at 0x${address.toString(16)}`);
    await this.send(ACK);
    const n = (await this.byte()) + 1;
    const data = await this.bytes(n);
    const cs = await this.byte();
    const frame = this.writeFrames++;
    if ((xor(data) ^ (n - 1)) !== cs) return this.nack(`Write Memory data checksum at 0x${address.toString(16)}`);
    if (this.nackWrites.delete(frame)) return this.nack(`Write Memory data frame ${frame} (injected)`);
    const m = this.memory(address, n);
    if (!m) return this.nack('Write Memory past the end of memory');
    if (m.flash) {
      for (let i = 0; i < n; i++) m.mem[m.at + i] &= data[i];
      this.r.writtenEnd = Math.max(this.r.writtenEnd, address + n);
    } else {
      m.mem.set(data, m.at);
    }
    this.r.writes++;
    await sleep(((this.o.writeMsPer256 ?? 0) * n) / 256);
    await this.send(ACK);
  }

  private eraseUnit(index: number): boolean {
    const unit = eraseUnits(this.chip)[index];
    if (!unit) return false;
    this.flash.fill(0xff, unit.start - FLASH_BASE, unit.start - FLASH_BASE + unit.size);
    this.r.erased.push(index);
    return true;
  }

  private async finishErase(units: number[] | 'mass'): Promise<void> {
    this.r.eraseCommand = this.model.erase;
    if (units === 'mass') {
      this.flash.fill(0xff);
      this.r.erased.push('mass');
      await sleep((this.o.eraseMsPerUnit ?? 0) * 4);
    } else {
      for (const u of units) {
        if (!this.eraseUnit(u)) return this.nack(`erase of page ${u}, which this chip does not have`);
      }
      await sleep((this.o.eraseMsPerUnit ?? 0) * units.length);
    }
    await this.send(ACK);
  }

  private async legacyErase(): Promise<void> {
    if (this.readProtected) return this.nack('Erase with readout protection on');
    await this.send(ACK);
    const n = await this.byte();
    if (n === 0xff) {
      const cs = await this.byte();
      if (cs !== 0x00) return this.nack('global erase checksum');
      return this.finishErase('mass');
    }
    const pages = await this.bytes(n + 1);
    const cs = await this.byte();
    if ((xor(pages) ^ n) !== cs) return this.nack('Erase checksum');
    return this.finishErase([...pages]);
  }

  private async extendedErase(): Promise<void> {
    if (this.readProtected) return this.nack('Extended Erase with readout protection on');
    await this.send(ACK);
    const head = await this.bytes(2);
    const n = head.readUInt16BE(0);
    if (n >= 0xfffd) {
      const cs = await this.byte();
      if (cs !== (head[0] ^ head[1])) return this.nack('special erase checksum');
      return this.finishErase('mass');
    }
    const body = await this.bytes((n + 1) * 2);
    const cs = await this.byte();
    if ((xor(head) ^ xor(body)) !== cs) return this.nack('Extended Erase checksum');
    const pages: number[] = [];
    for (let i = 0; i <= n; i++) pages.push(body.readUInt16BE(i * 2));
    return this.finishErase(pages);
  }

  private async go(): Promise<void> {
    if (this.readProtected) return this.nack('Go with readout protection on');
    await this.send(ACK);
    const address = await this.address();
    if (address === null || !this.memory(address, 1)) return this.nack('Go address');
    await this.send(ACK);
    this.r.goAddress = address;
    this.log(`Go 0x${address.toString(16)}`);
    if (!this.o.stayAfterGo) throw new Ended('went');
    this.inBootloader = false;
  }
}

/** Serves one chip over `link` until Go, the link closes, or the signal aborts. */
export function runStm32Bootloader(link: ByteLink, options: Stm32BootloaderOptions = {}): Promise<Stm32BootloaderResult> {
  return new Bootloader(link, options).run();
}

/** The flash from its start to the highest address written. */
export function writtenFlash(result: Stm32BootloaderResult): Uint8Array {
  return result.flash.subarray(0, result.writtenEnd - FLASH_BASE);
}
