// Espressif's ROM loader protocol (ESP32, -S2, -S3, -C3, -C6, ESP8266) through esptool-js: reset into download
// mode, sync, identify, load the stub, switch baud, write every region (deflated), verify each region's MD5 read
// back from the chip, hard reset. esptool-js does the protocol; this module drives it, reports phases, progress and
// device facts, works around what it gets wrong without the stub (romFixes.ts), and keeps every wait cancellable.

import { esptoolLine } from './esptoolLines';
import { OtaError, errorMessage } from '../../../errors';
import { say } from '../../../sentences';
import { type ByteLink } from '../../byteLink';
import { type FlashFact, type JsonValue } from '../../sessionTypes';
import { failedOutcome } from '../outcome';
import { hex32 } from '../regions';
import { type FlashContext, type FlashOptionBag, type FlashProtocol, type FlashRegion, type ProtocolOutcome } from '../types';
import { chipIdOf, chipNameOf, isUsbSerialJtag } from './chips';
import { ESP_CLI_OPTIONS, type EspOptions, resolveEspOptions } from './espOptions';
import { LinkSerialPort } from './linkSerialPort';
import { attachSpiFlash, paddedMd5, PulseReset, romAwareMd5, ROM_FLASH_BLOCK } from './romFixes';
import type { ESPLoader, HardReset, Transport } from 'esptool-js' with { 'resolution-mode': 'import' };

/** A placed region: where it goes and what it is. */
interface Placed {
  address: number;
  data: Uint8Array;
  name: string;
}

export function placeRegions(regions: readonly FlashRegion[], appOffset: number): Placed[] {
  const placed = regions.map((r) => ({ address: r.address ?? appOffset, data: r.data, name: r.name }));
  const sorted = [...placed].sort((a, b) => a.address - b.address);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev.address + prev.data.length > cur.address) {
      throw new OtaError(
        'invalid-input',
        say`${prev.name} (${hex32(prev.address)}, ${prev.data.length} bytes) overlaps ${cur.name} at ${hex32(cur.address)}.`,
        { hint: say`Give each image its own offset (--image HEX:FILE) or use --address for a single .bin.` },
      );
    }
  }
  for (const p of placed) {
    if (p.address % 0x1000 !== 0) {
      throw new OtaError('invalid-input', say`${p.name} is placed at ${hex32(p.address)}, which is not on a 4 KiB flash sector boundary.`, {
        hint: say`ESP flash is erased in 4 KiB sectors: use an offset that is a multiple of 0x1000.`,
      });
    }
  }
  return placed;
}

class Stop extends Error {
  constructor(readonly outcome: ProtocolOutcome) {
    super(outcome.message);
  }
}

/** Waits for `work`, but ends at once when the user cancels or the link goes away (esptool-js waits do not). */
function guard<T>(ctx: FlashContext, work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Stop({ result: 'cancelled', verified: false, message: say`Cancelled.` }));
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const offClose = ctx.link.onClose((error) => {
      if (error) reject(error);
    });
    work.then(
      (v) => {
        ctx.signal.removeEventListener('abort', onAbort);
        offClose();
        resolve(v);
      },
      (e: unknown) => {
        ctx.signal.removeEventListener('abort', onAbort);
        offClose();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

function usbIds(usbId: string | null): { usbVendorId?: number; usbProductId?: number } {
  if (!usbId) return {};
  const [vid, pid] = usbId.split(':');
  return { usbVendorId: parseInt(vid, 16), usbProductId: parseInt(pid, 16) };
}

class EspRun {
  private loader!: ESPLoader;
  private transport!: Transport;
  private port!: LinkSerialPort;
  private chipName = '';
  private readonly facts: FlashFact[] = [];
  private lastStats = 0;
  /** What a cancel now leaves on the board, in words. */
  private state = say`Nothing was written: the board is unchanged.`;

  constructor(
    private readonly ctx: FlashContext,
    private readonly opts: EspOptions,
    private readonly regions: Placed[],
  ) {}

  private phase(phase: 'waiting' | 'negotiating' | 'transferring' | 'verifying', message: string): void {
    this.ctx.report({ type: 'phase', phase, message });
  }

  private log(text: string, level: 'debug' | 'info' | 'warn' = 'debug'): void {
    const line = text.replace(/[\r\n]+/g, ' ').trim();
    if (line) this.ctx.report({ type: 'log', level, text: line });
  }

  async run(): Promise<ProtocolOutcome> {
    const esp = await import('esptool-js');
    const { link } = this.ctx;
    this.port = new LinkSerialPort(link, usbIds(this.opts.usbId));
    this.transport = new esp.Transport(this.port, false);
    // esptool-js prints some trace lines to the console whatever its tracing flag says ("readLoop exited"): keep the
    // ones that tell of trouble in our log, drop the rest.
    this.transport.trace = (message: string) => {
      if (/error|lost/i.test(message)) this.log(message, 'warn');
    };
    this.loader = new esp.ESPLoader({
      transport: this.transport,
      baudrate: this.opts.flashBaud,
      romBaudrate: this.opts.romBaud,
      terminal: { clean: () => undefined, write: (t: string) => this.log(esptoolLine(t)), writeLine: (t: string) => this.log(esptoolLine(t)) },
      // PulseReset has HardReset's shape where it matters (reset()); esptool-js only calls that.
      resetConstructors: { hardReset: (transport: Transport, usbOtg?: boolean) => new PulseReset(transport, usbOtg) as unknown as HardReset },
    });
    try {
      await this.connect(link);
      await this.identify();
      await this.prepare();
      const written = await this.writeAll();
      const checked = await this.verify(written);
      const restart = await this.restart();
      return this.outcome(checked, restart);
    } catch (e) {
      if (this.ctx.signal.aborted || (e instanceof Stop && e.outcome.result === 'cancelled')) {
        return { result: 'cancelled', verified: false, message: say`Cancelled. ${this.state}` };
      }
      if (e instanceof Stop) return e.outcome;
      return failedOutcome(this.explain(e));
    } finally {
      await Promise.race([this.transport.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
  }

  /** esptool-js's errors, in words a person can act on. */
  private explain(e: unknown): unknown {
    if (e instanceof OtaError) return e;
    const text = errorMessage(e);
    if (/Failed to connect/i.test(text)) {
      return new OtaError('failed', say`No ESP bootloader answered on ${this.ctx.link.name}.`, {
        code: 'no-sync',
        hint: say`Check the port and the cable, then hold BOOT, press RESET and try again.`,
      });
    }
    return new OtaError('failed', say`The ESP loader on ${this.ctx.link.name} stopped answering correctly: ${text.replace(/\s+/g, ' ').replace(/[.\s]+$/, '')}.`, {
      code: 'esp-protocol',
      hint: say`Try again; if it keeps failing, lower --flash-baud or try --no-compress.`,
    });
  }

  private async connect(link: ByteLink): Promise<void> {
    const jtag = this.opts.usbId !== null && isUsbSerialJtag(...(this.opts.usbId.split(':') as [string, string]));
    this.phase('waiting', say`Connecting to the ESP bootloader on ${link.name}: resetting it into download mode${jtag ? ' (USB-Serial/JTAG)' : ''}`);
    // Both lines released: no reset, and it tells us whether this port can drive them at all.
    await this.port.setSignals({ dataTerminalReady: false, requestToSend: false });
    const canReset = this.port.signalsWork === true;
    const mode = canReset ? (jtag ? 'usb_reset' : 'default_reset') : 'no_reset';
    try {
      await guard(this.ctx, this.loader.connect(mode, canReset ? 7 : 1, true));
      return;
    } catch (e) {
      if (e instanceof Stop || link.isClosed || canReset || this.opts.waitForBootMs === 0) throw e;
    }
    // The lines cannot be toggled here: a person has to do it.
    this.phase('waiting', say`Hold BOOT and press RESET on the board at ${link.name} (this port cannot reset it), then let go of BOOT`);
    const deadline = Date.now() + this.opts.waitForBootMs;
    for (;;) {
      await guard(this.ctx, this.transport.disconnect().catch(() => undefined));
      try {
        await guard(this.ctx, this.loader.connect('no_reset', 1, true));
        return;
      } catch (e) {
        if (e instanceof Stop || link.isClosed) throw e;
        if (Date.now() >= deadline) {
          throw new OtaError('failed', say`No ESP bootloader answered on ${link.name} within ${Math.round(this.opts.waitForBootMs / 1000)} s.`, {
            code: 'no-sync',
            hint: say`Hold BOOT, press RESET, release BOOT, then flash again; check that this is the board's port.`,
          });
        }
        await sleep(200, this.ctx.signal);
      }
    }
  }

  private async identify(): Promise<void> {
    const { loader } = this;
    this.chipName = loader.chip.CHIP_NAME;
    this.phase('negotiating', say`Identifying the chip: ${this.chipName}`);
    if (this.opts.chip !== 'auto' && chipNameOf(this.opts.chip) !== this.chipName) {
      throw new Stop({
        result: 'refused',
        verified: false,
        errorCode: 'wrong-chip',
        message: say`The board on ${this.ctx.link.name} is an ${this.chipName}, not an ${chipNameOf(this.opts.chip)}: nothing was written. Flash a build for ${this.chipName}, or pick the right port.`,
      });
    }
    this.fact(say`Chip`, this.chipName);
    if (loader.secureDownloadMode) {
      this.fact(say`Mode`, say`Secure Download Mode`);
    } else {
      const chip = loader.chip;
      this.fact(say`Chip`, await guard(this.ctx, chip.getChipDescription(loader)));
      if (chip.getChipRevision) this.fact(say`Revision`, String(await guard(this.ctx, chip.getChipRevision(loader))));
      const features = await guard(this.ctx, chip.getChipFeatures(loader));
      this.fact(say`Features`, (Array.isArray(features) ? features : [String(features)]).map((f: string) => f.trim()).join(', '));
      this.fact(say`Crystal`, `${await guard(this.ctx, chip.getCrystalFreq(loader))} MHz`);
      this.fact(say`MAC`, await guard(this.ctx, chip.readMac(loader)));
      if (chip.postConnect) await guard(this.ctx, chip.postConnect(loader));
    }
    this.ctx.report({ type: 'device', facts: [...this.facts] });
  }

  private fact(label: string, value: string): void {
    const same = this.facts.find((f) => f.label === label);
    if (same) same.value = value;
    else this.facts.push({ label, value });
  }

  private async prepare(): Promise<void> {
    const { loader } = this;
    if (this.opts.stub && !loader.secureDownloadMode) {
      this.phase('negotiating', say`Loading the stub flasher into the ${this.chipName}'s RAM`);
      await guard(this.ctx, loader.runStub());
    }
    if (!loader.IS_STUB) {
      loader.FLASH_WRITE_SIZE = ROM_FLASH_BLOCK;
      if (this.chipName !== 'ESP8266') {
        this.phase('negotiating', say`Attaching the SPI flash (ROM loader)`);
        await guard(this.ctx, attachSpiFlash(loader));
      }
    }
    this.fact(say`Loader`, loader.IS_STUB ? 'stub' : 'ROM');
    if (this.opts.flashBaud !== this.opts.romBaud) {
      this.phase('negotiating', say`Switching to ${this.opts.flashBaud} baud`);
      await guard(this.ctx, loader.changeBaud());
      this.fact(say`Baud`, String(this.opts.flashBaud));
    }
    if (!loader.secureDownloadMode) {
      const size = await guard(this.ctx, loader.detectFlashSize());
      if (size) {
        this.fact(say`Flash size`, size);
        const bytes = loader.flashSizeBytes(size as Parameters<ESPLoader['flashSizeBytes']>[0]);
        const tooBig = this.regions.find((r) => r.address + r.data.length > bytes);
        if (tooBig) {
          throw new Stop({
            result: 'refused',
            verified: false,
            errorCode: 'too-big',
            message: say`${tooBig.name} at ${hex32(tooBig.address)} (${tooBig.data.length} bytes) does not fit in the board's ${size} flash: nothing was written. Check the partition table and the build's board.`,
          });
        }
      } else {
        this.log(say`The flash chip did not answer the ID command; its size is unknown.`, 'warn');
      }
    }
    this.ctx.report({ type: 'device', facts: [...this.facts] });
  }

  private get compress(): boolean {
    // The ESP8266 ROM has no compressed download.
    return this.opts.compress && !(this.chipName === 'ESP8266' && !this.loader.IS_STUB);
  }

  private async writeAll(): Promise<{ sent: number }> {
    const total = this.regions.reduce((n, r) => n + r.data.length, 0);
    let before = 0;
    let sentBefore = 0;
    const n = this.regions.length;
    for (const [i, region] of this.regions.entries()) {
      const label = say`${region.name} (${i + 1} of ${n}) at ${hex32(region.address)}`;
      this.phase('transferring', say`Erasing and writing ${label}`);
      this.state = say`The flash is partly written (cancelled at ${region.name}, ${hex32(region.address)}): flash again before starting the board.`;
      let sentHere = 0;
      let wireTotal = region.data.length;
      await guard(
        this.ctx,
        this.loader.writeFlash({
          fileArray: [{ data: region.data, address: region.address }],
          flashMode: 'keep',
          flashFreq: 'keep',
          flashSize: 'keep',
          eraseAll: false,
          compress: this.compress,
          reportProgress: (_file: number, written: number, wire: number) => {
            if (written === 0) this.phase('transferring', say`Writing ${label}`);
            sentHere = written;
            wireTotal = wire;
            const done = before + Math.min(region.data.length, Math.round((region.data.length * written) / Math.max(1, wire)));
            this.ctx.report({ type: 'progress', bytesDone: done });
            this.stats(i, region, sentBefore + written, done, wire, total);
          },
        }),
      );
      before += region.data.length;
      sentBefore += sentHere || wireTotal;
      this.ctx.report({ type: 'progress', bytesDone: before });
      this.stats(i, region, sentBefore, before, wireTotal, total, true);
    }
    return { sent: sentBefore };
  }

  private stats(i: number, region: Placed, sent: number, done: number, wire: number, total: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastStats < 250) return;
    this.lastStats = now;
    const facts: FlashFact[] = [
      { label: say`Region`, value: say`${i + 1} of ${this.regions.length}: ${region.name} at ${hex32(region.address)}` },
      { label: say`Sent`, value: say`${sent} bytes on the wire for ${done} of ${total} image bytes` },
    ];
    if (this.compress) facts.push({ label: say`Compressed`, value: say`${region.name}: ${region.data.length} -> ${wire} bytes (${((100 * wire) / Math.max(1, region.data.length)).toFixed(0)}%)` });
    facts.push({ label: say`Block`, value: say`${this.loader.FLASH_WRITE_SIZE} bytes` });
    this.ctx.report({ type: 'stats', facts });
  }

  private async verify(written: { sent: number }): Promise<{ regions: { address: number; bytes: number; md5: string; verified: boolean; name: string }[]; sent: number; reason: string | null }> {
    this.state = say`Everything was written but not verified: flash again to be sure of it.`;
    this.phase('verifying', say`Verifying ${this.regions.length === 1 ? say`the image` : say`${this.regions.length} regions`}: MD5 read back from the chip`);
    const out: { address: number; bytes: number; md5: string; verified: boolean; name: string }[] = [];
    let reason: string | null = null;
    for (const region of this.regions) {
      const local = paddedMd5(region.data);
      if (this.chipName === 'ESP8266' && !this.loader.IS_STUB) {
        reason = say`the ESP8266 ROM loader cannot compute an MD5; flash with the stub to verify`;
        out.push({ address: region.address, bytes: region.data.length, md5: local.md5, verified: false, name: region.name });
        continue;
      }
      let chipMd5: string;
      try {
        chipMd5 = await guard(this.ctx, romAwareMd5(this.loader, region.address, local.length));
      } catch (e) {
        if (e instanceof Stop || this.ctx.link.isClosed) throw e;
        if (this.loader.secureDownloadMode) {
          reason = say`the chip is in Secure Download Mode, which does not compute MD5s`;
          out.push({ address: region.address, bytes: region.data.length, md5: local.md5, verified: false, name: region.name });
          continue;
        }
        throw e;
      }
      const ok = chipMd5 === local.md5;
      out.push({ address: region.address, bytes: region.data.length, md5: local.md5, verified: ok, name: region.name });
      this.log(say`${region.name} at ${hex32(region.address)}: chip MD5 ${chipMd5}, image MD5 ${local.md5}${ok ? '' : say` (MISMATCH)`}`, ok ? 'info' : 'warn');
      if (!ok) {
        throw new Stop({
          result: 'failed',
          verified: false,
          errorCode: 'md5-mismatch',
          details: this.details(out),
          message: say`The flash of the ${this.chipName} does not hold ${region.name} at ${hex32(region.address)}: its MD5 (${chipMd5}) differs from the image's (${local.md5}). Flash again; if it repeats, the board's flash or power is faulty.`,
        });
      }
    }
    return { regions: out, sent: written.sent, reason };
  }

  private async restart(): Promise<string> {
    if (!this.opts.reset) return say`The board stays in the bootloader (no reset): press RESET to start the new firmware.`;
    this.state = say`The new firmware is written and verified; press RESET to start it.`;
    this.phase('verifying', say`Restarting into the new firmware`);
    if (this.port.signalsWork) {
      await guard(this.ctx, this.loader.after('hard_reset'));
      return say`Restarted it into the new firmware.`;
    }
    // No RTS here: ask the loader to reboot itself (FLASH_END with "reboot").
    try {
      await guard(this.ctx, this.loader.flashBegin(0, 0));
      await guard(this.ctx, this.loader.flashFinish(true));
      return say`Restarted it with a software reset (this port cannot toggle RESET).`;
    } catch (e) {
      if (e instanceof Stop) throw e;
      return say`Press RESET to start the new firmware (this port cannot toggle the reset line).`;
    }
  }

  private details(regions: { address: number; bytes: number; md5: string; verified: boolean }[]): { [key: string]: JsonValue } {
    return {
      chip: this.facts.find((f) => f.label === 'Chip')?.value ?? this.chipName,
      chipId: chipIdOf(this.chipName),
      mac: this.facts.find((f) => f.label === 'MAC')?.value ?? null,
      flashSize: this.facts.find((f) => f.label === 'Flash size')?.value ?? null,
      stub: this.loader.IS_STUB,
      compressed: this.compress,
      regions: regions.map((r) => ({ address: hex32(r.address), bytes: r.bytes, md5: r.md5, verified: r.verified })),
    };
  }

  private outcome(checked: Awaited<ReturnType<EspRun['verify']>>, restart: string): ProtocolOutcome {
    const verified = checked.regions.every((r) => r.verified);
    const bytes = checked.regions.reduce((n, r) => n + r.bytes, 0);
    const what = checked.regions.length === 1 ? say`${bytes} bytes` : say`${checked.regions.length} regions (${bytes} bytes)`;
    const chip = this.facts.find((f) => f.label === 'Chip')?.value ?? this.chipName;
    const details = { ...this.details(checked.regions), wireBytes: checked.sent };
    if (!verified) {
      return { result: 'ok', verified: false, details, message: say`Wrote ${what} to the ${chip} but could not verify them: ${checked.reason ?? say`no MD5`}. ${restart}` };
    }
    return { result: 'ok', verified: true, details, message: say`Wrote and verified ${what} on the ${chip} (MD5 read back from the chip). ${restart}` };
  }
}

export const espProtocol: FlashProtocol = {
  id: 'esp',
  label: 'ESP ROM loader (esptool)',
  description: 'ESP32, ESP32-S2/S3/C3/C6 and ESP8266 over their ROM bootloader, with the stub flasher and compression; every region MD5-verified.',
  cliOptions: ESP_CLI_OPTIONS,
  checkOptions(options: FlashOptionBag, _image: Uint8Array, regions: readonly FlashRegion[]): void {
    const opts = resolveEspOptions(options);
    placeRegions(regions, opts.appOffset);
  },
  async run(ctx: FlashContext): Promise<ProtocolOutcome> {
    let opts: EspOptions;
    let placed: Placed[];
    try {
      opts = resolveEspOptions(ctx.options);
      placed = placeRegions(ctx.regions, opts.appOffset);
    } catch (e) {
      return failedOutcome(e);
    }
    return new EspRun(ctx, opts, placed).run();
  },
};
