// `ota flash FILE --port PATH --protocol quecthing|ymodem [...]`: streams an image to a device on a serial port.
// Progress on stderr; with --json one final {protocol, bytes, seconds, bytesPerSecond, retries, result} on stdout.
// Exit 0 only when the device got the whole image and its hash matched; Ctrl-C cancels and the port is closed.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { FLASH_PROTOCOLS } from '../../core/serial/protocols';
import { FlashSession, checkFlashRequest } from '../../core/serial/session';
import type { CommandContext, CommandSpec } from '../support/command';
import { plural, size } from '../support/format';
import { EXIT_CANCELLED, UsageError } from '../support/io';
import { writeJson } from '../support/json';
import { checked, flag, integerOption, nonEmptyOption, positionals, usedOptions } from '../support/options';
import { FlashReporter, flashJson } from './flashReport';

const PROTOCOL_IDS = FLASH_PROTOCOLS.map((p) => p.id);

/** Command-line options that become options of the quecthing protocol. */
const QUECTHING_OPTIONS: Record<string, string> = { component: 'component', version: 'targetVersion', 'piece-size': 'pieceSize' };

/** The protocols' messages name their own option keys ("Option targetVersion ..."): name the CLI's options instead. */
function cliOptionNames(message: string): string {
  let text = message;
  for (const [cli, key] of Object.entries(QUECTHING_OPTIONS)) text = text.split(`Option ${key} `).join(`--${cli} `);
  return text;
}

async function readImage(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new UsageError(`cannot read the image ${file}${typeof code === 'string' ? ` (${code})` : ''}.`);
  }
}

function protocolOptions(ctx: CommandContext, protocol: string): Record<string, unknown> {
  const bag: Record<string, unknown> = {};
  const timeout = integerOption(ctx, 'timeout', 1, 3600);
  if (timeout !== undefined) bag.timeoutMs = timeout * 1000;
  const quecOnly = usedOptions(ctx, Object.keys(QUECTHING_OPTIONS));
  if (protocol !== 'quecthing') {
    if (quecOnly.length) throw new UsageError(`${quecOnly.join(' and ')} appl${quecOnly.length > 1 ? 'y' : 'ies'} to --protocol quecthing only.`);
    return bag;
  }
  const component = nonEmptyOption(ctx, 'component');
  if (component !== undefined) bag.component = component;
  const version = nonEmptyOption(ctx, 'version');
  if (version !== undefined) bag.targetVersion = version;
  const pieceSize = integerOption(ctx, 'piece-size', 1, 2 ** 31);
  if (pieceSize !== undefined) bag.pieceSize = pieceSize;
  return bag;
}

async function flash(ctx: CommandContext): Promise<number> {
  const [file] = positionals(ctx, ['FILE']);
  const port = nonEmptyOption(ctx, 'port');
  if (port === undefined) throw new UsageError("'ota flash' needs --port PATH ('ota ports' lists them).");
  const protocol = nonEmptyOption(ctx, 'protocol');
  if (protocol === undefined || !PROTOCOL_IDS.includes(protocol)) {
    throw new UsageError(`${protocol === undefined ? "'ota flash' needs --protocol" : `unknown protocol '${protocol}'`}: use --protocol ${PROTOCOL_IDS.join('|')}.`);
  }
  const options = protocolOptions(ctx, protocol);
  const baudRate = integerOption(ctx, 'baud', 1, 20_000_000);
  const serial = baudRate === undefined ? {} : { baudRate };
  const image = await readImage(file);
  // Everything about the request is checked before any port is opened (an empty image too).
  await checked(() => checkFlashRequest({ protocol, image, options, serial })).catch((e: unknown) => {
    if (!(e instanceof UsageError)) throw e;
    throw new UsageError(cliOptionNames(e.message));
  });

  const reporter = new FlashReporter(ctx.io.stderr);
  const session = new FlashSession({ protocol, image, imageName: basename(file), port, serial, options, signal: ctx.signal });
  session.onEvent(reporter.onEvent);
  const result = await session.start();
  if (flag(ctx, 'json')) writeJson(ctx.io, flashJson(result));
  if (result.result === 'ok') {
    if (!flag(ctx, 'json')) {
      const rate = result.bytesPerSecond > 0 ? `, ${size(result.bytesPerSecond)}/s` : '';
      ctx.io.stdout.write(
        `Flashed ${basename(file)} (${result.bytes} bytes) to ${port} with ${protocol} in ${result.seconds} s (${plural(result.retries, 'retry', 'retries')}${rate}).\n`,
      );
    }
    return 0;
  }
  // The error code is in the message for support; on a terminal it is noise.
  const message = result.errorCode ? result.message.split(` (code ${result.errorCode})`).join('') : result.message;
  const hint = result.errorCode === 'port-not-found' ? " Run 'ota ports' to see the serial ports." : '';
  ctx.io.stderr.write(`ota: ${message.replace(/\s*[\r\n]+\s*/g, ' ')}${hint}\n`);
  return result.result === 'cancelled' ? EXIT_CANCELLED : 1;
}

export const flashCommand: CommandSpec = {
  words: ['flash'],
  positionals: 'FILE',
  summary: 'Flash an image to a device on a serial port; exit 0 only when it got the whole image and its hash matched.',
  options: {
    port: { type: 'string', usage: '--port PATH', description: "The serial port ('ota ports' lists them)." },
    protocol: {
      type: 'string',
      usage: `--protocol ${PROTOCOL_IDS.join('|')}`,
      description: FLASH_PROTOCOLS.map((p) => `${p.id}: ${p.label}`).join('; ') + '.',
    },
    baud: { type: 'string', usage: '--baud N', description: 'Baud rate (default 115200).' },
    component: { type: 'string', usage: '--component NAME', description: 'quecthing: the component name the MCU expects (default MCU).' },
    version: { type: 'string', usage: '--version V', description: 'quecthing: the version the MCU must report after the update.' },
    'piece-size': { type: 'string', usage: '--piece-size N', description: 'quecthing: bytes per announced piece (default: the whole image).' },
    timeout: { type: 'string', usage: '--timeout S', description: 'Seconds to wait for the device to answer (default: the protocol\'s own).' },
  },
  run: flash,
};
