// `ota flash FILE --port PATH --protocol quecthing|ymodem|esp [...]`: streams an image to a device on a serial port
// (or several: --port repeated flashes each board in parallel). Progress on stderr; with --json one final
// {protocol, bytes, seconds, bytesPerSecond, retries, result, verified, ...details} on stdout, or with several ports
// one such object per port, each on its own line with its `port`.
// Exit 0 only when the device got the whole image; the result says whether the device verified it. Ctrl-C cancels and
// the port is closed. Each protocol's own flags come from its `cliOptions`.
import { FLASH_PROTOCOLS, findProtocol } from '../../core/serial/protocols';
import type { FlashProtocol, ProtocolCliOption } from '../../core/serial/protocols/types';
import { FlashSession, checkFlashRequest } from '../../core/serial/session';
import type { CommandContext, CommandSpec } from '../support/command';
import { plural, size } from '../support/format';
import { EXIT_CANCELLED, UsageError } from '../support/io';
import { writeJson } from '../support/json';
import { checked, flag, integerOption, nonEmptyOption, positionals } from '../support/options';
import { FlashReporter, flashJson } from './flashReport';
import { FLASH_TARGET_OPTIONS, flashImage, flashPorts, usbIdsOf } from './flashTargets';

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

function optionalFile(ctx: CommandContext): string | undefined {
  if (ctx.args.length > 1) throw new UsageError(`unexpected argument '${ctx.args[1]}' for 'ota flash'.`);
  return ctx.args.length ? positionals(ctx, ['FILE'])[0] : undefined;
}

interface PortRun {
  port: string;
  session: FlashSession;
}

async function flash(ctx: CommandContext): Promise<number> {
  const file = optionalFile(ctx);
  const ports = flashPorts(ctx);
  const protocol = nonEmptyOption(ctx, 'protocol');
  if (protocol === undefined || !PROTOCOL_IDS.includes(protocol)) {
    throw new UsageError(`${protocol === undefined ? "'ota flash' needs --protocol" : `unknown protocol '${protocol}'`}: use --protocol ${PROTOCOL_IDS.join('|')}.`);
  }
  const chosen = findProtocol(protocol);
  const options = protocolOptions(ctx, chosen);
  const baudRate = integerOption(ctx, 'baud', 1, 20_000_000);
  const serial = baudRate === undefined ? {} : { baudRate };
  const { regions: image, name: imageName } = await flashImage(ctx, file, protocol);
  // Everything about the request is checked before any port is opened (an empty image too).
  await checked(() => checkFlashRequest({ protocol, image, options, serial })).catch((e: unknown) => {
    if (!(e instanceof UsageError)) throw e;
    throw new UsageError(cliOptionNames(e.message, chosen));
  });
  const usbIds = protocol === 'esp' ? await usbIdsOf(ports) : new Map<string, string>();
  const several = ports.length > 1;
  const runs: PortRun[] = ports.map((port) => {
    const usbId = usbIds.get(port);
    const session = new FlashSession({ protocol, image, imageName, port, serial, options: usbId ? { ...options, usbId } : options, signal: ctx.signal });
    // Several boards: every line says which one, and progress is printed by tenths rather than redrawn.
    const out = several ? { write: (text: string) => ctx.io.stderr.write(text.replace(/^(?=.)/gm, `[${port}] `)), isTTY: false } : ctx.io.stderr;
    session.onEvent(new FlashReporter(out).onEvent);
    return { port, session };
  });
  // One failing board does not stop the others.
  const results = await Promise.all(runs.map((r) => r.session.start()));
  const json = flag(ctx, 'json');
  let code = 0;
  for (const result of results) {
    const port = result.port;
    if (json) {
      if (several) ctx.io.stdout.write(`${JSON.stringify({ port, ...flashJson(result) })}\n`);
      else writeJson(ctx.io, flashJson(result));
    }
    if (result.result === 'ok') {
      if (!json) {
        const rate = result.bytesPerSecond > 0 ? `, ${size(result.bytesPerSecond)}/s` : '';
        const what = `${imageName} (${result.bytes} bytes) to ${port} with ${protocol} in ${result.seconds} s (${plural(result.retries, 'retry', 'retries')}${rate})`;
        ctx.io.stdout.write(result.verified ? `Flashed ${what}; the device verified it.\n` : `Sent ${what}; not verified by the device.\n${result.message}\n`);
      }
      continue;
    }
    // The error code is in the message for support; on a terminal it is noise.
    const message = result.errorCode ? result.message.split(` (code ${result.errorCode})`).join('') : result.message;
    const hint = result.errorCode === 'port-not-found' ? " Run 'ota ports' to see the serial ports." : '';
    ctx.io.stderr.write(`ota: ${several ? `${port}: ` : ''}${message.replace(/\s*[\r\n]+\s*/g, ' ')}${hint}\n`);
    const failed = result.result === 'cancelled' ? EXIT_CANCELLED : 1;
    code = code === 0 || code === EXIT_CANCELLED ? failed : code;
  }
  return code;
}

export const flashCommand: CommandSpec = {
  words: ['flash'],
  positionals: '[FILE]',
  summary:
    'Flash an image (.bin, or Intel .hex where the protocol writes at addresses) to a device on a serial port; exit 0 only when the device got the whole image. ' +
    'The result says verified only when the device reported a hash or read-back that matched; protocols without one (ymodem) say "sent, not verified by the device".',
  options: {
    ...FLASH_TARGET_OPTIONS,
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
