// MCUboot images over SMP (mcumgr) on a serial console: what Zephyr's SMP server (img_mgmt, os_mgmt) and MCUboot's
// serial recovery answer. Checks the file is an MCUboot image, asks the device for its buffer size (mcumgr params)
// and image state, uploads into slot 1 (resuming where the device is), checks that the device's slot holds the
// image's SHA-256, marks it for test, resets, and reads the state again to report what now runs; with `confirm`
// it confirms the new image once it runs.

import { OtaError } from '../../../errors';
import { say } from '../../../sentences';
import { abortError } from '../../linkReader';
import { failedOutcome } from '../outcome';
import { requireSingleImage } from '../regions';
import { type FlashContext, type FlashOptionBag, type FlashProtocol, type FlashRegion, type ProtocolOutcome } from '../types';
import { type McubootImage, parseMcubootImage } from './imageFormat';
import { MCUBOOT_CLI_OPTIONS, type McubootOptions, resolveMcubootOptions } from './options';
import { describeSlots, type ImageSlotState, SmpClient, SmpError } from './smpClient';
import { uploadImage } from './upload';

const DEFAULT_MTU = 128;

const short = (hash: string): string => `${hash.slice(0, 16)}…`;

class Stop extends Error {
  constructor(readonly outcome: ProtocolOutcome) {
    super(outcome.message);
  }
}

class McubootFlasher {
  private client!: SmpClient;
  private readonly details: Record<string, string | number | boolean | null> = {};

  constructor(
    private readonly ctx: FlashContext,
    private readonly o: McubootOptions,
    private readonly image: McubootImage,
  ) {
    this.details.hash = image.hash;
    this.details.imageVersion = image.versionText;
  }

  private get req(): { timeoutMs: number; retries: number } {
    return { timeoutMs: this.o.timeoutMs, retries: this.o.retries };
  }

  private phase(phase: 'waiting' | 'negotiating' | 'transferring' | 'verifying', message: string): void {
    this.ctx.report({ type: 'phase', phase, message });
  }

  private log(level: 'debug' | 'info' | 'warn', text: string): void {
    this.ctx.report({ type: 'log', level, text });
  }

  private fail(message: string, errorCode: string): never {
    throw new Stop({ result: 'failed', verified: false, message, errorCode, details: { ...this.details } });
  }

  async run(): Promise<ProtocolOutcome> {
    const { ctx, image } = this;
    try {
      this.client = await SmpClient.open(ctx.link, ctx.signal, {
        onRetry: (reason) => ctx.report({ type: 'retry', reason }),
        onText: (text) => ctx.report({ type: 'log', level: 'info', text, fromDevice: true }),
        onDebug: (text) => this.log('debug', text),
      });
      this.log('info', say`MCUboot image ${ctx.imageName}: version ${image.versionText}, SHA-256 ${image.hash}, ${image.size} bytes`);
      this.phase('waiting', say`Waiting for the SMP server on ${ctx.link.name}`);
      await this.waitForDevice();
      this.phase('negotiating', say`Reading the device’s buffer size and image state`);
      const mtu = await this.chooseMtu();
      const before = await this.client.readState(this.req);
      this.log('info', say`Image state: ${describeSlots(before)}`);
      const running = before.find((s) => s.active && s.slot === 0) ?? before.find((s) => s.active);
      this.ctx.report({
        type: 'device',
        facts: [
          { label: say`Running version`, value: running ? running.version : say`unknown` },
          { label: say`Slots`, value: before.length ? describeSlots(before) : say`no valid image` },
        ],
      });
      if (running?.hash === image.hash) return this.alreadyRunning(running);
      return await this.upload(mtu);
    } catch (e) {
      if (e instanceof Stop) return e.outcome;
      if (ctx.signal.aborted) return { result: 'cancelled', verified: false, message: abortError(ctx.signal).message };
      return { ...failedOutcome(e), details: { ...this.details } };
    } finally {
      this.client?.dispose();
    }
  }

  private async waitForDevice(): Promise<void> {
    const perTry = Math.min(this.o.timeoutMs, 1000);
    try {
      const answer = await this.client.echo('ota', { timeoutMs: perTry, retries: Math.max(0, Math.ceil(this.o.startTimeoutMs / perTry) - 1) });
      this.log('debug', say`Echo answered "${answer}"`);
    } catch (e) {
      if (e instanceof SmpError) return; // It answered: echo may be turned off (MCUboot without MCUBOOT_BOOT_MGMT_ECHO).
      if (e instanceof OtaError && e.code === 'device-silent') {
        this.fail(
          say`No SMP answer from ${this.ctx.link.name} within ${Math.round(this.o.startTimeoutMs / 1000)} s: the device runs no mcumgr SMP server on its console, or is not in MCUboot serial recovery.`,
          'device-silent',
        );
      }
      throw e;
    }
  }

  private async chooseMtu(): Promise<number> {
    const params = await this.client.params(this.req);
    let mtu: number;
    if (params) {
      this.ctx.report({ type: 'device', facts: [{ label: say`SMP buffer`, value: say`${params.bufSize} bytes × ${params.bufCount}` }] });
      mtu = this.o.mtu ?? params.bufSize;
      if (mtu > params.bufSize) {
        this.log('warn', say`--mtu ${mtu} is larger than the device's ${params.bufSize}-byte buffer: using ${params.bufSize}`);
        mtu = params.bufSize;
      }
    } else {
      mtu = this.o.mtu ?? DEFAULT_MTU;
      this.log('info', say`The device does not tell its buffer size (no mcumgr params): using ${mtu}-byte packets`);
    }
    this.details.mtu = mtu;
    return mtu;
  }

  private alreadyRunning(running: ImageSlotState): ProtocolOutcome {
    this.ctx.report({ type: 'progress', bytesDone: this.ctx.image.length });
    this.details.activeVersion = running.version;
    this.details.dataBytesSent = 0;
    return {
      result: 'ok',
      verified: true,
      message: say`The device already runs this image (version ${running.version}, SHA-256 ${short(this.image.hash)}): nothing to upload.`,
      details: { ...this.details },
    };
  }

  private async upload(mtu: number): Promise<ProtocolOutcome> {
    const { ctx, image } = this;
    this.phase('transferring', say`Uploading version ${image.versionText} (SHA-256 ${short(image.hash)}) in packets of up to ${mtu} bytes`);
    ctx.report({ type: 'progress', bytesDone: 0 });
    const result = await uploadImage(this.client, {
      image: ctx.image,
      mtu,
      timeoutMs: this.o.timeoutMs,
      eraseTimeoutMs: this.o.eraseTimeoutMs,
      retries: this.o.retries,
      signal: ctx.signal,
      onOffset: (off) => ctx.report({ type: 'progress', bytesDone: off }),
      onResume: (off) => this.log('info', say`The device kept ${off} bytes of an interrupted upload of this image: resuming there`),
    });
    ctx.report({
      type: 'stats',
      facts: [
        { label: say`MTU`, value: say`${mtu} B` },
        { label: say`Chunk`, value: say`${result.chunkSize} B` },
        { label: say`Requests`, value: String(result.requests) },
        ...(result.resumedFrom ? [{ label: say`Resumed at`, value: String(result.resumedFrom) }] : []),
      ],
    });
    Object.assign(this.details, { chunkSize: result.chunkSize, dataBytesSent: result.dataBytesSent, resumedFrom: result.resumedFrom });
    if (result.match === false) {
      this.fail(say`The device checked the uploaded data and its SHA-256 does not match the file: the image is damaged in its slot; flash again.`, 'hash-mismatch');
    }
    return this.verifyAndActivate();
  }

  private async verifyAndActivate(): Promise<ProtocolOutcome> {
    const { image } = this;
    this.phase('verifying', say`Checking the device’s image state`);
    const after = await this.client.readState(this.req);
    this.log('info', say`Image state: ${describeSlots(after)}`);
    const stored = after.find((s) => s.hash === image.hash);
    if (!stored) {
      const other = after.find((s) => s.slot === 1) ?? after.find((s) => !s.active);
      this.fail(
        say`The device does not list the uploaded image (${describeSlots(after)}${other?.hash ? say`; slot ${other.slot} has SHA-256 ${short(other.hash)}` : ''}), so it did not store it intact: flash again.`,
        'hash-mismatch',
      );
    }
    this.details.slot = stored.slot;
    this.ctx.report({ type: 'device', facts: [{ label: say`Slots`, value: describeSlots(after) }] });
    // Serial recovery writes the primary slot directly: nothing to mark; the bootloader boots it on reset.
    if (stored.slot !== 0) {
      const marked = await this.client.setState(image.hash, !this.o.reset && this.o.confirm, this.req);
      this.log('info', say`Marked for ${!this.o.reset && this.o.confirm ? say`permanent use` : say`test`}: ${describeSlots(marked)}`);
      this.ctx.report({ type: 'device', facts: [{ label: say`Slots`, value: describeSlots(marked) }] });
    }
    if (!this.o.reset) {
      return {
        result: 'ok',
        verified: true,
        message: say`Slot ${stored.slot} holds version ${image.versionText} with the image's SHA-256 ${short(image.hash)}; ${stored.slot === 0 ? say`it` : this.o.confirm ? say`it is marked permanent and` : say`it is marked for test and`} runs after the next reset.`,
        details: { ...this.details, activeVersion: null },
      };
    }
    return this.resetAndCheck(stored.slot);
  }

  private async resetAndCheck(slot: number): Promise<ProtocolOutcome> {
    const { image } = this;
    this.phase('verifying', say`Resetting the device and waiting for it to boot`);
    await this.client.reset(this.req);
    // A booting device prints its banner and answers nothing for a while.
    await this.client.drainQuiet(200, 2000);
    const perTry = Math.min(this.o.timeoutMs, 1000);
    let now: ImageSlotState[];
    try {
      now = await this.client.readState({ timeoutMs: perTry, retries: Math.max(0, Math.ceil(this.o.startTimeoutMs / perTry) - 1) });
    } catch (e) {
      if (e instanceof OtaError && e.code === 'device-silent') {
        this.fail(
          say`Slot ${slot} held the image (SHA-256 ${short(image.hash)}), but after the reset the device did not answer within ${Math.round(this.o.startTimeoutMs / 1000)} s: check its console; the new image may not start its SMP server.`,
          'device-silent',
        );
      }
      throw e;
    }
    this.log('info', say`Image state after the reset: ${describeSlots(now)}`);
    const active = now.find((s) => s.active);
    this.ctx.report({
      type: 'device',
      facts: [
        { label: say`Running version`, value: active ? active.version : say`unknown` },
        { label: say`Slots`, value: describeSlots(now) },
      ],
    });
    this.details.activeVersion = active?.version ?? null;
    if (!active || active.hash !== image.hash) {
      this.fail(
        say`The image reached slot ${slot} intact, but after the reset the device runs ${active ? say`version ${active.version} (SHA-256 ${active.hash ? short(active.hash) : say`unknown`})` : say`no listed image`}: MCUboot did not boot the new image (check its signature key and slot size).`,
        'not-booted',
      );
    }
    let confirmed = active.confirmed;
    if (this.o.confirm && !confirmed) {
      const after = await this.client.setState(image.hash, true, this.req);
      confirmed = after.find((s) => s.hash === image.hash)?.confirmed === true;
      this.ctx.report({ type: 'device', facts: [{ label: say`Slots`, value: describeSlots(after) }] });
      if (!confirmed) this.fail(say`The device runs version ${active.version} but did not confirm it: ${describeSlots(after)}.`, 'not-confirmed');
    }
    this.details.confirmed = confirmed;
    return {
      result: 'ok',
      verified: true,
      message: confirmed
        ? say`The device runs version ${active.version} (SHA-256 ${short(image.hash)}), confirmed: MCUboot keeps it.`
        : say`The device runs version ${active.version} (SHA-256 ${short(image.hash)}) in test mode: MCUboot reverts on the next reset unless the app confirms it; flash with --confirm to make it permanent.`,
      details: { ...this.details },
    };
  }
}

export const mcubootProtocol: FlashProtocol = {
  id: 'mcuboot',
  label: 'MCUboot (SMP)',
  description: 'mcumgr image upload over the serial console (Zephyr SMP server, MCUboot serial recovery): checks the slot hash, tests, resets',
  cliOptions: MCUBOOT_CLI_OPTIONS,
  checkOptions(options: FlashOptionBag, image: Uint8Array, regions: readonly FlashRegion[]): void {
    resolveMcubootOptions(options);
    requireSingleImage(regions, 'mcuboot');
    parseMcubootImage(image, regions[0]?.name ?? say`The image`);
  },
  async run(ctx: FlashContext): Promise<ProtocolOutcome> {
    let o: McubootOptions;
    let image: McubootImage;
    try {
      o = resolveMcubootOptions(ctx.options);
      image = parseMcubootImage(ctx.image, ctx.imageName);
    } catch (e) {
      return { ...failedOutcome(e), result: 'refused' };
    }
    return new McubootFlasher(ctx, o, image).run();
  },
};
