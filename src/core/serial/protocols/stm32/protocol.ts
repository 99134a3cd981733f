// Flashing through the STM32 system bootloader over its USART (ST AN3155): autobaud, Get Version / Get / Get ID,
// erase what will be written (Erase 0x43 or Extended Erase 0x44, whichever the chip offers; mass erase on
// request), Write Memory in 256-byte blocks, read everything back with Read Memory and compare, then Go. Each block
// is retried on NACK or silence; the result is verified only when every byte read back equals the image.

import { OtaError } from '../../../errors';
import { say } from '../../../sentences';
import { abortError } from '../../linkReader';
import { type FlashFact } from '../../sessionTypes';
import { failedOutcome } from '../outcome';
import { hex32 } from '../regions';
import { type FlashContext, type FlashOptionBag, type FlashProtocol, type FlashRegion, type ProtocolOutcome } from '../types';
import { type Stm32Chip, findChip, pidHex } from './chips';
import { BootloaderError, type BootloaderInfo, Stm32Client, isBootloaderError } from './client';
import { CMD, EXTENDED_ERASE_MAX_PAGES, LEGACY_ERASE_MAX_PAGES, commandName } from './frames';
import { chunks, inFlash, placeRegions, unitsToErase, type WriteBlock, writeBlocks } from './plan';
import { STM32_CLI_OPTIONS, resolveStm32Options, type Stm32Options } from './options';
import { runSignalSteps } from './resetSequence';

/** Line time per byte assumed when waiting out a resync burst: 9600 baud, slower than any bootloader is run at. */
const SLOW_LINE_MS_PER_BYTE = 10 / 9.6;
const SYNC_REPLY_MS = 250;
const MASS_ERASE_TIMEOUT_MS = 40_000;

class Stop extends Error {
  constructor(readonly outcome: ProtocolOutcome) {
    super(outcome.message);
  }
}

function versionText(v: number): string {
  return `v${v >> 4}.${v & 0xf}`;
}

function kib(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : say`${bytes} bytes`;
}

/** The chip's erase unit as a word for a sentence: "page" or "sector". */
function unitWord(chip: Stm32Chip | null): string {
  return chip?.unitName === 'sector' ? say`sector` : say`page`;
}

class Stm32Flasher {
  private readonly client: Stm32Client;
  private info: BootloaderInfo | null = null;
  private chip: Stm32Chip | null = null;
  private retries = 0;
  /** Send addresses and lengths ahead of the ACKs (see Stm32Client); off after the first error, for good. */
  private ahead: boolean;

  constructor(
    private readonly ctx: FlashContext,
    private readonly o: Stm32Options,
  ) {
    this.client = new Stm32Client(ctx.link, ctx.signal, { ackMs: o.ackTimeoutMs });
    this.ahead = o.sendAhead;
  }

  async run(): Promise<ProtocolOutcome> {
    const placed = placeRegions(this.ctx.regions, this.o.address);
    const blocks = writeBlocks(placed);
    try {
      await this.connect(false);
      const info = this.info!;
      const writeCode = this.pick([CMD.writeMemory], 'Write Memory');
      this.pick([CMD.readMemory], 'Read Memory');
      const eraseCode = this.pick([CMD.extendedErase, CMD.erase], 'Erase');
      const chip = this.chip;
      const units = chip ? unitsToErase(chip, blocks) : [];
      const touchesFlash = blocks.some((b) => (chip ? inFlash(chip, b.address) : b.address >= 0x08000000 && b.address < 0x0a000000));
      if (this.o.erase === 'pages' && touchesFlash && !chip) {
        throw this.stop('refused', 'unknown-chip', say`The chip's product id ${pidHex(info.pid)} is not in the table of STM32 lines, so its page layout is unknown.`, say`Flash again with --erase mass (erases the whole flash).`);
      }
      await this.checkReadout(blocks[0].address);

      this.phase('negotiating', this.o.erase === 'mass' ? say`Erasing the whole flash` : say`Erasing ${units.length} ${unitWord(chip)}(s)`);
      if (this.o.erase === 'mass') await this.massErase(eraseCode);
      else if (units.length) await this.erasePages(eraseCode, units.map((u) => u.index), units.reduce((n, u) => n + u.size, 0));

      this.phase('transferring', say`Writing ${this.ctx.image.length} bytes in ${blocks.length} blocks`);
      this.ctx.report({ type: 'progress', bytesDone: 0 });
      let done = 0;
      for (const b of blocks) {
        await this.writeBlock(b, writeCode);
        done += b.payload;
        this.ctx.report({ type: 'progress', bytesDone: done });
      }

      this.phase('verifying', say`Reading back ${blocks.length} blocks to compare`);
      let bad = await this.verifyAll(blocks);
      for (let round = 1; bad.length > 0 && round <= 2; round++) {
        bad = await this.repair(bad, blocks, eraseCode, writeCode);
      }
      if (bad.length > 0) {
        const b = bad[0];
        throw this.stop('failed', 'verify-failed', say`The flash at ${hex32(b.address)} does not hold the image after writing and repairing it (${bad.length} block(s) differ).`, say`Check the power and wiring of the board, then flash again with --erase mass.`);
      }

      const start = this.o.goAddress ?? blocks[0].address;
      let went = false;
      let goTrouble = '';
      if (this.o.go) {
        try {
          await this.client.go(start);
          went = true;
        } catch (e) {
          // The image is in flash and verified: a refused Go does not undo that.
          if (!isBootloaderError(e)) throw e;
          goTrouble = say` The bootloader did not start it (${e.message}): set BOOT0 low and press reset to run it.`;
        }
      }
      if (this.o.reset && this.o.reset.exit.length) await runSignalSteps(this.ctx.link, this.o.reset.exit, this.ctx.signal);
      const where = chip ? `${chip.name} (${pidHex(info.pid)})` : say`the chip with product id ${pidHex(info.pid)}`;
      return {
        result: 'ok',
        verified: true,
        message: say`Wrote ${this.ctx.image.length} bytes to ${where} and read them back: the flash matches the image.${went ? say` Started it at ${hex32(start)}.` : goTrouble || say` Left the chip in its bootloader (--no-go).`}`,
        details: this.details({ erase: this.o.erase, startAddress: hex32(blocks[0].address), blocks: blocks.length, started: went ? hex32(start) : null }),
      };
    } catch (e) {
      if (e instanceof Stop) return e.outcome;
      if (this.ctx.signal.aborted) return { result: 'cancelled', verified: false, message: abortError(this.ctx.signal).message };
      const out = failedOutcome(e);
      return this.info ? { ...out, details: this.details({}) } : out;
    } finally {
      this.client.dispose();
    }
  }

  private details(extra: Record<string, string | number | boolean | null>): Record<string, string | number | boolean | null> {
    const info = this.info;
    if (!info) return extra;
    return {
      pid: pidHex(info.pid),
      chip: this.chip?.name ?? null,
      family: this.chip?.family ?? null,
      bootloaderVersion: versionText(info.version),
      ...extra,
    };
  }

  private phase(phase: 'waiting' | 'negotiating' | 'transferring' | 'verifying', message: string): void {
    this.ctx.report({ type: 'phase', phase, message });
  }

  private stop(result: 'refused' | 'failed', errorCode: string, message: string, hint?: string): Stop {
    return new Stop({ result, verified: false, errorCode, message: hint ? say`${message} ${hint}` : message, details: this.details({}) });
  }

  private pick(codes: readonly number[], what: string): number {
    const found = codes.find((c) => this.info!.commands.includes(c));
    if (found === undefined) {
      throw this.stop('refused', 'unsupported-command', say`This bootloader does not offer ${what} (its commands: ${this.info!.commands.map(commandName).join(', ')}).`);
    }
    return found;
  }

  /** Resets into the bootloader (when wired), autobauds, and learns who the chip is. */
  private async connect(again: boolean): Promise<void> {
    const reset = this.o.reset;
    if (reset && reset.entry.length) {
      this.phase('waiting', say`Resetting the board into its bootloader (${this.o.resetName})`);
      await runSignalSteps(this.ctx.link, reset.entry, this.ctx.signal);
    } else if (!again) {
      this.phase('waiting', say`Set BOOT0 high and press reset on the board: waiting for the STM32 bootloader on ${this.ctx.link.name}`);
    }
    const deadline = Date.now() + (again ? Math.max(this.o.syncTimeoutMs, 5000) : this.o.syncTimeoutMs);
    let tries = 0;
    for (;;) {
      if (this.ctx.signal.aborted) throw abortError(this.ctx.signal);
      tries++;
      if (await this.client.trySync(SYNC_REPLY_MS)) break;
      if (Date.now() >= deadline) {
        const what = reset ? say`after resetting it with ${this.o.resetName}` : say`after BOOT0 high and reset`;
        throw this.stop('failed', 'no-bootloader', say`No STM32 bootloader answered on ${this.ctx.link.name} ${what} (${tries} autobaud tries).`, say`Check that BOOT0 is high, TX and RX are crossed and the board is powered, then press reset and flash again.`);
      }
    }
    this.phase('negotiating', say`Asking the bootloader who it is`);
    this.info = await this.withRetries(say`reading the chip identity`, () => this.client.info());
    this.chip = findChip(this.info.pid);
    const info = this.info;
    const facts: FlashFact[] = [
      { label: say`Chip`, value: this.chip ? `${this.chip.name} (${this.chip.family})` : say`not in the table of STM32 lines` },
      { label: say`Product ID`, value: pidHex(info.pid) },
      { label: say`Bootloader`, value: `${versionText(info.version)} (AN3155 USART)` },
      { label: say`Commands`, value: info.commands.map(commandName).join(', ') },
    ];
    if (this.chip) facts.push({ label: say`Flash size`, value: say`up to ${kib(this.chip.flashBytes)}` });
    this.ctx.report({ type: 'device', facts });
  }

  /** Runs one exchange; on NACK, silence or garbage, resyncs and tries again, up to maxRetries times. */
  private async withRetries<T>(what: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (e) {
        if (!isBootloaderError(e)) throw e;
        if (this.ahead) {
          this.ahead = false;
          this.ctx.report({ type: 'log', level: 'info', text: say`From here on, waiting for each ACK before the next frame.` });
        }
        if (attempt >= this.o.maxRetries) {
          const how = e.kind === 'nack' ? say`refused it (NACK)` : e.kind === 'timeout' ? say`stopped answering` : say`answered garbage`;
          throw this.stop('failed', 'too-many-retries', say`The bootloader ${how} ${what}, ${attempt + 1} times (${e.message}).`, say`Check the wiring and try a lower baud rate, then flash again.`);
        }
        this.retries++;
        this.ctx.report({ type: 'retry', reason: say`${what}: ${e.message}` });
        // Back to waiting for a command; a chip that reset meanwhile needs autobaud again. If neither answers, the
        // next try times out and counts like any other.
        if (!(await this.client.resync(SLOW_LINE_MS_PER_BYTE))) await this.client.trySync(SYNC_REPLY_MS);
      }
    }
  }

  /**
   * Readout protection makes Read Memory answer NACK to the command itself. Either removes it (--unprotect: the chip
   * mass-erases and resets) or refuses, saying how.
   */
  private async checkReadout(address: number): Promise<void> {
    let protectedChip = false;
    await this.withRetries(say`the readout-protection check`, async () => {
      try {
        await this.client.readMemory(address, 4);
      } catch (e) {
        if (e instanceof BootloaderError && e.kind === 'nack' && /NACK to Read Memory$/.test(e.message)) {
          protectedChip = true;
          return;
        }
        throw e;
      }
    });
    this.ctx.report({ type: 'device', facts: [{ label: say`Readout protection`, value: protectedChip ? say`on` : say`off` }] });
    if (!protectedChip) return;
    if (!this.o.unprotect) {
      throw this.stop('refused', 'read-protected', say`The chip is readout-protected: its bootloader will not read or write the flash.`, say`Flash again with --unprotect (in VS Code: Unprotect and Flash) to remove it; WARNING: that mass-erases the whole flash.`);
    }
    this.ctx.report({ type: 'log', level: 'warn', text: say`Removing readout protection: the chip mass-erases its whole flash and resets.` });
    this.phase('negotiating', say`Removing readout protection (mass erase)`);
    this.pick([CMD.readoutUnprotect], 'Readout Unprotect');
    await this.client.readoutUnprotect(MASS_ERASE_TIMEOUT_MS);
    // The chip resets after the erase: autobaud again.
    await new Promise((r) => setTimeout(r, 100));
    await this.connect(true);
    this.ctx.report({ type: 'device', facts: [{ label: say`Readout protection`, value: say`removed (flash mass-erased)` }] });
  }

  private async massErase(code: number): Promise<void> {
    await this.withRetries(say`the mass erase`, () => this.client.massErase(code, MASS_ERASE_TIMEOUT_MS));
  }

  private async erasePages(code: number, pages: readonly number[], bytes: number): Promise<void> {
    if (code === CMD.erase && pages.some((p) => p > 0xff)) {
      throw this.stop('refused', 'erase-range', say`Legacy Erase can only name pages 0-255, and this image needs page ${Math.max(...pages)}.`, say`Flash again with --erase mass.`);
    }
    const max = code === CMD.erase ? LEGACY_ERASE_MAX_PAGES : EXTENDED_ERASE_MAX_PAGES;
    for (const part of chunks(pages, max)) {
      // About 40 ms per 2 KiB page and up to 2 s per 128 KiB sector on the slowest lines, with a margin.
      const timeout = 5000 + Math.ceil((bytes / pages.length) * part.length / 1024) * 40;
      await this.withRetries(say`erasing ${part.length} ${unitWord(this.chip)}(s) from ${part[0]}`, () => this.client.erasePages(code, part, timeout));
    }
  }

  private async writeBlock(b: WriteBlock, code: number): Promise<void> {
    await this.withRetries(say`the block at ${hex32(b.address)}`, async (attempt) => {
      // After a lost ACK the block may be written already: flash cannot take it twice, so look first.
      if (attempt > 0 && (await this.matches(b))) return;
      await this.client.writeMemory(b.address, b.data, code, this.ahead);
    });
  }

  private async matches(b: WriteBlock): Promise<boolean> {
    const got = await this.client.readMemory(b.address, b.data.length, this.ahead);
    return Buffer.compare(got, Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)) === 0;
  }

  /**
   * The blocks whose flash differs from the image. Read Memory has no checksum, so a read-back that differs is read
   * again: one read equal to the image proves the block (noise does not make the image), and a block counts as bad
   * only when two reads agree with each other and not with the image.
   */
  private async verifyAll(blocks: readonly WriteBlock[]): Promise<WriteBlock[]> {
    const bad: WriteBlock[] = [];
    let checked = 0;
    for (const b of blocks) {
      const want = Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength);
      const seen: Buffer[] = [];
      let verdict: 'good' | 'bad' | null = null;
      for (let look = 0; verdict === null; look++) {
        const got = await this.withRetries(say`reading back ${hex32(b.address)}`, () => this.client.readMemory(b.address, b.data.length, this.ahead));
        if (got.equals(want)) verdict = 'good';
        else if (seen.some((s) => s.equals(got)) || look >= this.o.maxRetries + 1) verdict = 'bad';
        else {
          seen.push(got);
          this.retries++;
          this.ctx.report({ type: 'retry', reason: say`the read-back at ${hex32(b.address)} differs from the image; reading it again` });
        }
      }
      if (verdict === 'bad') bad.push(b);
      checked += b.payload;
      this.ctx.report({ type: 'stats', facts: [{ label: say`Verified`, value: say`${checked} of ${this.ctx.image.length} bytes` }] });
    }
    return bad;
  }

  /** Erases the units holding bad blocks, writes every block in them again, and returns what still differs. */
  private async repair(bad: readonly WriteBlock[], blocks: readonly WriteBlock[], eraseCode: number, writeCode: number): Promise<WriteBlock[]> {
    const chip = this.chip;
    this.ctx.report({ type: 'log', level: 'warn', text: say`${bad.length} block(s) differ from the image (first at ${hex32(bad[0].address)}): erasing and writing them again.` });
    let again: readonly WriteBlock[];
    if (!chip || this.o.erase === 'mass') {
      await this.massErase(eraseCode);
      again = blocks;
    } else {
      const units = unitsToErase(chip, bad);
      await this.erasePages(eraseCode, units.map((u) => u.index), units.reduce((n, u) => n + u.size, 0));
      again = blocks.filter((b) => units.some((u) => b.address < u.start + u.size && b.address + b.data.length > u.start));
    }
    for (const b of again) await this.writeBlock(b, writeCode);
    return this.verifyAll(again);
  }
}

export const stm32Protocol: FlashProtocol = {
  id: 'stm32',
  label: 'STM32 system bootloader (USART, AN3155)',
  description: 'Writes through the ROM bootloader every STM32 has (BOOT0 high, reset), reads it all back to verify, then starts it.',
  serial: { parity: 'even', dataBits: 8, stopBits: 1 },
  cliOptions: STM32_CLI_OPTIONS,
  checkOptions(options: FlashOptionBag, _image: Uint8Array, regions: readonly FlashRegion[]): void {
    const o = resolveStm32Options(options);
    if (options.address !== undefined && regions.some((r) => r.address !== null)) {
      throw new OtaError('invalid-input', say`An Intel HEX file says where each segment goes, so --address cannot be used with it.`, {
        hint: say`Leave out --address, or flash the .bin instead.`,
      });
    }
    const blocks = writeBlocks(placeRegions(regions, o.address));
    const unaligned = blocks.find((b) => b.address % 4 !== 0);
    if (unaligned) throw new OtaError('invalid-input', say`Block at ${hex32(unaligned.address)} is not 4-byte aligned.`);
  },
  async run(ctx: FlashContext): Promise<ProtocolOutcome> {
    let o: Stm32Options;
    try {
      o = resolveStm32Options(ctx.options);
    } catch (e) {
      return failedOutcome(e);
    }
    return new Stm32Flasher(ctx, o).run();
  },
};
