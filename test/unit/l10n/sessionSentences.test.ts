// Every sentence a flash session shows a person (its status, log, device facts, statistics, result, errors) can
// be retold in the display language: the core said it through say`…` (core/sentences.ts), so the VS Code front end
// finds its template. Checked on real sessions against the simulated devices, succeeding and failing, with a
// translator that keeps no letter of a template: whatever English is left came from a text the core did not say.
import assert from 'node:assert/strict';
import { retell, saidAs } from '../../../src/core/sentences';
import { type VirtualPort } from '../../../src/core/serial/ports';
import { FlashSession, type FlashSessionOptions } from '../../../src/core/serial/session';
import { type FlashFact, type FlashResult } from '../../../src/core/serial/sessionTypes';
import {
  createVirtualMcubootPort,
  createVirtualQuecthingPort,
  createVirtualStm32Port,
  createVirtualYmodemPort,
} from '../../../src/core/serial/virtual/virtualDevices';
import { buildMcubootImage } from '../../../src/core/serial/protocols/mcuboot/imageFormat';
import { simBoard } from '../serial/espHelpers';
import { l10nKeys } from './l10nKeys';

/**
 * A translator into a script without Latin letters, as vscode.l10n.t with a bundle of every key the extension has:
 * each letter of a known template becomes 字; an unknown one is filled in as it is.
 */
const KEYS = new Set(l10nKeys().keys());
const CHINESE_LIKE = (template: string, ...values: string[]): string =>
  (KEYS.has(template) ? template.replace(/[A-Za-z]/g, '字') : template).replace(/\{(\d+)\}/g, (m, i: string) => values[Number(i)] ?? m);

/**
 * English words in a row, the last two in lower case: a sentence. Not a name ("Read Memory", "Dual Core": ST's
 * command names and the chip features esptool-js reports stay as their makers write them), a number or a file.
 */
const ENGLISH = /[A-Za-z][a-z]+,? [a-z]{2,}[,:;]? [a-z]{2,}/;

/** An English word (not a command such as AT+QIOTEVT, nor a name with a dot such as esptool.js). */
const WORD = /(?<![\w.+])[A-Za-z][a-z]{2,}(?![\w.])/;

interface Shown {
  /** The session's own sentences: every one with a word in it must have been said. */
  texts: string[];
  /** Fact values: a chip's name, a version, a size; names may stay as their makers write them. */
  values: string[];
  result: FlashResult;
}

async function flash(options: Omit<FlashSessionOptions, 'progressIntervalMs'>, cancelAt?: number): Promise<Shown> {
  const session = new FlashSession({ ...options, progressIntervalMs: 0 });
  const texts: string[] = [];
  const values: string[] = [];
  const facts = (fs: readonly FlashFact[]): void => void fs.forEach((f) => (texts.push(f.label), values.push(f.value)));
  session.onEvent((e) => {
    if (e.type === 'phase') texts.push(e.status);
    if (e.type === 'log' && !e.line.fromDevice) texts.push(e.line.text);
    if (e.type === 'device' || e.type === 'stats') facts(e.facts);
    if (e.type === 'progress' && cancelAt !== undefined && e.bytesDone >= cancelAt) session.cancel();
  });
  texts.push(session.snapshot().status);
  const result = await session.start();
  texts.push(result.message);
  facts(result.device);
  return { texts, values, result };
}

function assertRetold(shown: Shown, what: string): void {
  for (const text of new Set(shown.texts)) {
    if (WORD.test(text)) assert.ok(saidAs(text) ?? KEYS.has(text), `${what}: "${text}" was not said through say\`…\``);
    const told = retell(text, CHINESE_LIKE);
    assert.doesNotMatch(told, ENGLISH, `${what}: "${text}" stays English in another language (retold: "${told}")`);
  }
  for (const value of new Set(shown.values)) {
    const told = retell(value, CHINESE_LIKE);
    assert.doesNotMatch(told, ENGLISH, `${what}: the fact "${value}" stays English in another language (retold: "${told}")`);
  }
}

function image(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff);
}

function virtual(port: VirtualPort, protocol: string, img: Uint8Array, options: Record<string, unknown> = {}): Omit<FlashSessionOptions, 'progressIntervalMs'> {
  return { protocol, image: img, imageName: 'app.bin', port: port.path, virtualPorts: [port], options };
}

describe('the sentences of a flash session, in another language', function () {
  this.timeout(60_000);

  it('quecthing: a flash to the virtual MCU, and one it refuses to confirm', async () => {
    const ok = await flash(virtual(createVirtualQuecthingPort({ paced: false, mcu: { flashWriteDelayMs: 0 } }), 'quecthing', image(20_000), { targetVersion: 'V3' }));
    assert.equal(ok.result.result, 'ok', ok.result.message);
    assertRetold(ok, 'quecthing ok');
    const cancelled = await flash(virtual(createVirtualQuecthingPort({ paced: false, mcu: { flashWriteDelayMs: 0 } }), 'quecthing', image(60_000), { targetVersion: 'V4' }), 10_000);
    assert.equal(cancelled.result.result, 'cancelled', cancelled.result.message);
    assertRetold(cancelled, 'quecthing cancelled');
  });

  it('ymodem: sent, not verified', async () => {
    const shown = await flash(virtual(createVirtualYmodemPort({ paced: false }), 'ymodem', image(9_000)));
    assert.equal(shown.result.result, 'ok', shown.result.message);
    assert.equal(shown.result.verified, false);
    assertRetold(shown, 'ymodem');
  });

  it('stm32: written and read back, and an image that does not fit the flash', async () => {
    const ok = await flash(virtual(createVirtualStm32Port({ paced: false }), 'stm32', image(12_000)));
    assert.equal(ok.result.result, 'ok', ok.result.message);
    assertRetold(ok, 'stm32 ok');
    const tooBig = await flash(virtual(createVirtualStm32Port({ paced: false }), 'stm32', image(4_000), { address: 0x0807ff00 }));
    assert.notEqual(tooBig.result.result, 'ok');
    assertRetold(tooBig, 'stm32 too big');
  });

  it('mcuboot: a signed image tested and confirmed, and a file that is not an MCUboot image', async () => {
    const port = createVirtualMcubootPort({ paced: false });
    const ok = await flash(virtual(port, 'mcuboot', buildMcubootImage(image(6_000), { version: { major: 1, minor: 2, revision: 3 } })));
    assert.equal(ok.result.result, 'ok', ok.result.message);
    assertRetold(ok, 'mcuboot ok');
    const notMcuboot = await flash(virtual(createVirtualMcubootPort({ paced: false }), 'mcuboot', image(3_000))).catch((e: Error) => ({ texts: [e.message], values: [], result: null }));
    assertRetold(notMcuboot as Shown, 'mcuboot not an image');
  });

  it('esp: the ROM loader writes and MD5-checks the image on the simulated ESP32', async () => {
    const board = simBoard();
    const shown = await flash({ protocol: 'esp', image: image(40_000), imageName: 'firmware.bin', port: board.host.name, connect: () => Promise.resolve(board.host), options: { flashBaud: 115200 } });
    assert.equal(shown.result.result, 'ok', shown.result.message);
    assertRetold(shown, 'esp');
  });

  it('a port that is not there', async () => {
    const shown = await flash({ protocol: 'ymodem', image: image(1_000), imageName: 'app.bin', port: '/dev/ota-no-such-port', options: {} });
    assert.equal(shown.result.errorCode, 'port-not-found');
    assertRetold(shown, 'missing port');
  });
});
