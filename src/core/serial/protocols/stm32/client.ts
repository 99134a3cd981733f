// The host side of the STM32 USART bootloader (AN3155), one command at a time: each method sends a command, waits
// for its ACKs and returns what the bootloader answered. A NACK, a silence or an unexpected byte is a
// BootloaderError; the protocol decides whether to retry. `resync` brings a bootloader that lost track of a frame
// back to waiting for a command.

import { LinkReader, isLinkTimeout, writeWithin } from '../../linkReader';
import { type ByteLink } from '../../byteLink';
import { say } from '../../../sentences';
import {
  ACK,
  BUSY,
  CMD,
  EXTENDED_MASS_ERASE,
  LEGACY_MASS_ERASE,
  NACK,
  SYNC,
  addressFrame,
  commandFrame,
  extendedEraseFrame,
  legacyEraseFrame,
  readLengthFrame,
  safeToSendAhead,
  writeDataFrame,
} from './frames';

export type BootloaderErrorKind = 'nack' | 'timeout' | 'garbage';

export class BootloaderError extends Error {
  constructor(
    readonly kind: BootloaderErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'BootloaderError';
  }
}

export function isBootloaderError(e: unknown): e is BootloaderError {
  return e instanceof BootloaderError;
}

export interface ClientTimeouts {
  /** For the ACK of a command, an address, a data frame, and for read data. */
  ackMs: number;
}

export interface BootloaderInfo {
  /** Get Version's byte (0x31 = v3.1). */
  version: number;
  option1: number;
  option2: number;
  /** Get's command codes, in the order listed. */
  commands: number[];
  pid: number;
}

export class Stm32Client {
  readonly reader: LinkReader;

  constructor(
    private readonly link: ByteLink,
    signal: AbortSignal,
    private readonly t: ClientTimeouts,
  ) {
    this.reader = new LinkReader(link, signal);
  }

  dispose(): void {
    this.reader.dispose();
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.link.write(bytes);
  }

  /** Waits for an ACK; BUSY bytes extend the wait. */
  async expectAck(what: string, timeoutMs = this.t.ackMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let b: number;
      try {
        b = await this.reader.readByte(Math.max(1, deadline - Date.now()));
      } catch (e) {
        if (isLinkTimeout(e)) throw new BootloaderError('timeout', say`no answer to ${what} within ${timeoutMs} ms`);
        throw e;
      }
      if (b === ACK) return;
      if (b === NACK) throw new BootloaderError('nack', say`NACK to ${what}`);
      if (b === BUSY) continue;
      throw new BootloaderError('garbage', say`${`0x${b.toString(16).padStart(2, '0')}`} instead of ACK to ${what}`);
    }
  }

  async command(code: number, what: string): Promise<void> {
    await this.link.write(commandFrame(code));
    await this.expectAck(what);
  }

  private async readBytes(n: number, what: string): Promise<Buffer> {
    try {
      return await this.reader.readExact(n, this.t.ackMs + n);
    } catch (e) {
      if (isLinkTimeout(e)) throw new BootloaderError('timeout', say`${what} ended early`);
      throw e;
    }
  }

  /**
   * One autobaud attempt: 0x7F, then ACK (the bootloader locked on our baud rate) or NACK (it was already locked
   * from an earlier session and took 0x7F for a command). Returns false on silence or anything else.
   */
  async trySync(replyMs: number): Promise<boolean> {
    this.reader.discard();
    await this.link.write(Uint8Array.of(SYNC));
    try {
      const b = await this.reader.readByte(replyMs);
      if (b === ACK || b === NACK) return true;
      await this.reader.drainQuiet(20, 200);
      return false;
    } catch (e) {
      if (isLinkTimeout(e)) return false;
      throw e;
    }
  }

  /**
   * Brings the bootloader back to waiting for a command after a frame went wrong (a lost byte leaves it waiting for
   * more). 0xFF bytes fill whatever frame it is in: none of them can complete an erase (that would need 0x00), and
   * a Write Memory they complete writes 0xFF, which leaves flash as it is. Then a single 0xFF at a time until one
   * is NACKed: from there it waits for a command. Returns false when it never answered.
   */
  async resync(lineMsPerByte: number): Promise<boolean> {
    await this.reader.drainQuiet(20, 500);
    await this.link.write(new Uint8Array(262).fill(0xff));
    const burstMs = Math.ceil(262 * lineMsPerByte * 2);
    await this.reader.drainQuiet(30 + Math.ceil(lineMsPerByte * 4), 500 + burstMs);
    for (let i = 0; i < 4; i++) {
      await this.link.write(Uint8Array.of(0xff));
      try {
        const b = await this.reader.readByte(100 + Math.ceil(lineMsPerByte * 4));
        if (b === NACK) {
          await this.reader.drainQuiet(10 + Math.ceil(lineMsPerByte * 2), 200);
          return true;
        }
      } catch (e) {
        if (!isLinkTimeout(e)) throw e;
      }
    }
    return false;
  }

  async getVersion(): Promise<{ version: number; option1: number; option2: number }> {
    await this.command(CMD.getVersion, 'Get Version');
    const b = await this.readBytes(3, say`the Get Version answer`);
    await this.expectAck('Get Version');
    return { version: b[0], option1: b[1], option2: b[2] };
  }

  async get(): Promise<{ version: number; commands: number[] }> {
    await this.command(CMD.get, 'Get');
    const n = (await this.readBytes(1, say`the Get answer`))[0];
    const b = await this.readBytes(n + 1, say`the Get answer`);
    await this.expectAck('Get');
    return { version: b[0], commands: [...b.subarray(1)] };
  }

  async getId(): Promise<number> {
    await this.command(CMD.getId, 'Get ID');
    const n = (await this.readBytes(1, say`the Get ID answer`))[0];
    const b = await this.readBytes(n + 1, say`the Get ID answer`);
    await this.expectAck('Get ID');
    return (b[0] << 8) | b[1];
  }

  async info(): Promise<BootloaderInfo> {
    const v = await this.getVersion();
    const g = await this.get();
    const pid = await this.getId();
    return { version: g.version || v.version, option1: v.option1, option2: v.option2, commands: g.commands, pid };
  }

  /**
   * Reads 1..256 bytes. `ahead`: send the address and the length right behind the command, without waiting for
   * the ACKs in between (one round trip instead of three), when safeToSendAhead allows it.
   */
  async readMemory(address: number, length: number, ahead = false): Promise<Buffer> {
    const tail = Uint8Array.of(...addressFrame(address), ...readLengthFrame(length));
    if (ahead && safeToSendAhead(tail)) {
      await this.link.write(Uint8Array.of(...commandFrame(CMD.readMemory), ...tail));
      await this.expectAck('Read Memory');
      await this.expectAck(say`the Read Memory address`);
      await this.expectAck(say`the Read Memory length`);
      return this.readBytes(length, say`the Read Memory data`);
    }
    await this.command(CMD.readMemory, 'Read Memory');
    await this.link.write(addressFrame(address));
    await this.expectAck(say`the Read Memory address`);
    await this.link.write(readLengthFrame(length));
    await this.expectAck(say`the Read Memory length`);
    return this.readBytes(length, say`the Read Memory data`);
  }

  /**
   * Writes 1..256 bytes at a 4-byte aligned address (padded with 0xFF to a multiple of 4). `ahead`: the address
   * goes right behind the command when safeToSendAhead allows it; the data always waits for the address's ACK (a
   * refused address would make the bootloader read the data as commands).
   */
  async writeMemory(address: number, data: Uint8Array, writeCode: number, ahead = false): Promise<void> {
    const where = addressFrame(address);
    if (ahead && safeToSendAhead(where)) {
      await this.link.write(Uint8Array.of(...commandFrame(writeCode), ...where));
      await this.expectAck('Write Memory');
    } else {
      await this.command(writeCode, 'Write Memory');
      await this.link.write(where);
    }
    await this.expectAck(say`the Write Memory address`);
    await this.link.write(writeDataFrame(data));
    await this.expectAck(say`the Write Memory data`);
  }

  async erasePages(code: number, pages: readonly number[], timeoutMs: number): Promise<void> {
    await this.command(code, code === CMD.erase ? 'Erase' : 'Extended Erase');
    await this.link.write(code === CMD.erase ? legacyEraseFrame(pages) : extendedEraseFrame(pages));
    await this.expectAck(say`erasing ${pages.length} page(s)`, timeoutMs);
  }

  async massErase(code: number, timeoutMs: number): Promise<void> {
    await this.command(code, code === CMD.erase ? 'Erase' : 'Extended Erase');
    await this.link.write(code === CMD.erase ? LEGACY_MASS_ERASE : EXTENDED_MASS_ERASE);
    await this.expectAck(say`the mass erase`, timeoutMs);
  }

  async go(address: number): Promise<void> {
    await this.command(CMD.go, 'Go');
    await this.link.write(addressFrame(address));
    await this.expectAck(say`the Go address`);
  }

  /** Removes readout protection: the chip mass-erases its flash, then resets (autobaud again afterwards). */
  async readoutUnprotect(timeoutMs: number): Promise<void> {
    await this.command(CMD.readoutUnprotect, 'Readout Unprotect');
    await this.expectAck(say`Readout Unprotect (mass erase)`, timeoutMs);
  }

  /** Last words on a link that may be gone. */
  writeWithin(bytes: Uint8Array, ms: number): Promise<void> {
    return writeWithin(this.link, bytes, ms);
  }
}
