// `ota flash FILE --port PATH --protocol quecthing|ymodem [...]`: streams an image to a device on a serial port.
// Progress on stderr; with --json one final {protocol, bytes, seconds, bytesPerSecond, retries, result} on stdout.
// Exit 0 only when the device got the whole image; the result says whether the device verified it. Ctrl-C cancels and
// the port is closed. Each protocol's own flags come from its `cliOptions`.
import { isOtaError } from '../../core/errors';
import { readFlashImage } from '../../core/serial/imageFile';
import { basename } from 'node:path';
import { FLASH_PROTOCOLS, findProtocol } from '../../core/serial/protocols';
import type { FlashProtocol, FlashRegion, ProtocolCliOption } from '../../core/serial/protocols/types';
import { FlashSession, checkFlashRequest } from '../../core/serial/session';
import type { CommandContext, CommandSpec } from '../support/command';
import { plural, size } from '../support/format';
import { EXIT_CANCELLED, UsageError } from '../support/io';
import { writeJson } from '../support/json';
import { checked, flag, integerOption, nonEmptyOption, positionals } from '../support/options';
import { FlashReporter, flashJson } from './flashReport';

const PROTOCOL_IDS = FLASH_PROTOCOLS.map((p) => p.id);

/** Every protocol flag, once, with the protocols that take it (a flag such as --address may serve several). */
const PROTOCOL_FLAGS = new Map<string, { option: ProtocolCliOption; protocols: string[] }>();
for (const p of FLASH_PROTOCOLS) {
  for (const option of p.cliOptions ?? []) {
    const known = PROTOCOL_FLAGS.get(option.flag);
    if (known) known.protocols.push(p.id);
    else PROTOCOL_FLAGS.set(option.flag, { option, protocols: [p.id] });
  }
}

/** The protocols' messages name their own option keys ("Option targetVersion ..."): name the CLI's options instead. */
function cliOptionNames(message: string, protocol: FlashProtocol): string {
  let text = message;
  for (const o of protocol.cliOptions ?? []) text = text.split(`Option ${o.key} `).join(`--${o.flag} `);
  return text;
}

function protocolOptionValue(ctx: CommandContext, o: ProtocolCliOption): unknown {
  switch (o.kind) {
    case 'boolean':
      return flag(ctx, o.flag) ? true : undefined;
    case 'negated':
      return flag(ctx, o.flag) ? false : undefined;
    case 'integer':
      return integerOption(ctx, o.flag, 0, Number.MAX_SAFE_INTEGER);
    case 'address': {
      const text = nonEmptyOption(ctx, o.flag);
      if (text === undefined) return undefined;
      if (!/^(0x[0-9a-f]+|\d+)$/i.test(text) || Number(text) > 0xffffffff) {
        throw new UsageError(`--${o.flag} must be an address, decimal or 0x-hex up to 0xffffffff (got '${text}').`);
      }
      return Number(text);
    }
    case 'string':
      return nonEmptyOption(ctx, o.flag);
  }
}

function protocolOptions(ctx: CommandContext, protocol: FlashProtocol): Record<string, unknown> {
  const bag: Record<string, unknown> = {};
  const timeout = integerOption(ctx, 'timeout', 1, 3600);
  if (timeout !== undefined) bag.timeoutMs = timeout * 1000;
  for (const [name, { protocols }] of PROTOCOL_FLAGS) {
    if (protocols.includes(protocol.id) || ctx.options[name] === undefined || ctx.options[name] === false) continue;
    throw new UsageError(`--${name} applies to --protocol ${protocols.join('|')} only.`);
  }
  for (const option of protocol.cliOptions ?? []) {
    const value = protocolOptionValue(ctx, option);
    if (value !== undefined) bag[option.key] = value;
  }
  return bag;
}

async function readImage(file: string): Promise<FlashRegion[]> {
  try {
    return await readFlashImage(file);
  } catch (e) {
    if (isOtaError(e)) throw new UsageError(e.hint ? `${e.message} ${e.hint}` : e.message);
    const code = (e as { code?: unknown }).code;
    throw new UsageError(`cannot read the image ${file}${typeof code === 'string' ? ` (${code})` : ''}.`);
  }
}

async function flash(ctx: CommandContext): Promise<number> {
  const [file] = positionals(ctx, ['FILE']);
  const port = nonEmptyOption(ctx, 'port');
  if (port === undefined) throw new UsageError("'ota flash' needs --port PATH ('ota ports' lists them).");
  const protocol = nonEmptyOption(ctx, 'protocol');
  if (protocol === undefined || !PROTOCOL_IDS.includes(protocol)) {
    throw new UsageError(`${protocol === undefined ? "'ota flash' needs --protocol" : `unknown protocol '${protocol}'`}: use --protocol ${PROTOCOL_IDS.join('|')}.`);
  }
  const chosen = findProtocol(protocol);
  const options = protocolOptions(ctx, chosen);
  const baudRate = integerOption(ctx, 'baud', 1, 20_000_000);
  const serial = baudRate === undefined ? {} : { baudRate };
  const image = await readImage(file);
  // Everything about the request is checked before any port is opened (an empty image too).
  await checked(() => checkFlashRequest({ protocol, image, options, serial })).catch((e: unknown) => {
    if (!(e instanceof UsageError)) throw e;
    throw new UsageError(cliOptionNames(e.message, chosen));
  });

  const reporter = new FlashReporter(ctx.io.stderr);
  const session = new FlashSession({ protocol, image, imageName: basename(file), port, serial, options, signal: ctx.signal });
  session.onEvent(reporter.onEvent);
  const result = await session.start();
  if (flag(ctx, 'json')) writeJson(ctx.io, flashJson(result));
  if (result.result === 'ok') {
    if (!flag(ctx, 'json')) {
      const rate = result.bytesPerSecond > 0 ? `, ${size(result.bytesPerSecond)}/s` : '';
      const what = `${basename(file)} (${result.bytes} bytes) to ${port} with ${protocol} in ${result.seconds} s (${plural(result.retries, 'retry', 'retries')}${rate})`;
      ctx.io.stdout.write(result.verified ? `Flashed ${what}; the device verified it.\n` : `Sent ${what}; not verified by the device.\n${result.message}\n`);
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
  summary:
    'Flash an image (.bin, or Intel .hex where the protocol writes at addresses) to a device on a serial port; exit 0 only when the device got the whole image. ' +
    'The result says verified only when the device reported a hash or read-back that matched; protocols without one (ymodem) say "sent, not verified by the device".',
  options: {
    port: { type: 'string', usage: '--port PATH', description: "The serial port ('ota ports' lists them)." },
    protocol: {
      type: 'string',
      usage: `--protocol ${PROTOCOL_IDS.join('|')}`,
      description: FLASH_PROTOCOLS.map((p) => `${p.id}: ${p.label}`).join('; ') + '.',
    },
    baud: { type: 'string', usage: '--baud N', description: 'Baud rate (default 115200).' },
    ...Object.fromEntries(
      [...PROTOCOL_FLAGS].map(([name, { option, protocols }]) => [
        name,
        {
          type: option.kind === 'boolean' || option.kind === 'negated' ? ('boolean' as const) : ('string' as const),
          usage: option.usage,
          description: `${protocols.join(', ')}: ${option.description}`,
        },
      ]),
    ),
    timeout: { type: 'string', usage: '--timeout S', description: 'Seconds to wait for the device to answer (default: the protocol\'s own).' },
  },
  run: flash,
};
