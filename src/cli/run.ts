// Parses the command line, finds the command and runs it. Exit codes: 0 success, 1 failure, 2 usage error,
// 130 cancelled (Ctrl-C). Global options may come before or after the command words.
import { parseArgs } from 'node:util';
import { errorMessage, isOtaError } from '../core/errors';
import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './support/command';
import { COMMANDS } from './commands';
import { commandHelp, generalHelp } from './help';
import { EXIT_CANCELLED, UsageError, type CliIO } from './support/io';
import { productVersion } from './version';

export { EXIT_CANCELLED };

interface Positional {
  token: string;
  index: number;
}

/** Option spellings that take a value (`--name`, `-x`), over the global options and every command's. */
function valuedOptions(): Set<string> {
  const names = new Set<string>();
  const add = (specs: Record<string, OptionSpec>): void => {
    for (const [name, spec] of Object.entries(specs)) {
      if (spec.type !== 'string') continue;
      names.add(`--${name}`);
      if (spec.short) names.add(`-${spec.short}`);
    }
  };
  add(GLOBAL_OPTIONS);
  for (const command of COMMANDS) add(command.options ?? {});
  return names;
}

/** The tokens that are not options nor option values, with where they stand. */
function positionalsOf(argv: string[]): Positional[] {
  const valued = valuedOptions();
  const out: Positional[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      for (let j = i + 1; j < argv.length; j++) out.push({ token: argv[j], index: j });
      break;
    }
    if (token.startsWith('-') && token !== '-') {
      if (!token.includes('=') && valued.has(token)) i++;
      continue;
    }
    out.push({ token, index: i });
  }
  return out;
}

function findCommand(argv: string[]): { command: CommandSpec; rest: string[] } | undefined {
  const words = positionalsOf(argv);
  let best: CommandSpec | undefined;
  for (const command of COMMANDS) {
    const n = command.words.length;
    if (words.length >= n && command.words.every((w, i) => words[i].token === w)) {
      if (!best || n > best.words.length) best = command;
    }
  }
  if (!best) return undefined;
  const used = new Set(words.slice(0, best.words.length).map((w) => w.index));
  return { command: best, rest: argv.filter((_, i) => !used.has(i)) };
}

function unknownCommand(argv: string[]): UsageError {
  const words = positionalsOf(argv).map((w) => w.token);
  if (words.length === 0) return new UsageError("no command given. Run 'ota --help' to see the commands.");
  const group = COMMANDS.filter((c) => c.words.length > 1 && c.words[0] === words[0]);
  if (group.length > 0) {
    const subs = [...new Set(group.map((c) => c.words[1]))].join(', ');
    const what = words.length > 1 ? `unknown command '${words.slice(0, 2).join(' ')}'` : `'ota ${words[0]}' needs a subcommand`;
    return new UsageError(`${what}: ${subs}. Run 'ota --help' to see the commands.`);
  }
  return new UsageError(`unknown command '${words.slice(0, 2).join(' ')}'. Run 'ota --help' to see the commands.`);
}

function toParseArgsOptions(specs: Record<string, OptionSpec>) {
  const out: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] = { type: spec.type };
    if (spec.multiple) out[name].multiple = true;
    if (spec.short) out[name].short = spec.short;
  }
  return out;
}

/** One line, whatever the error holds. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

export async function run(argv: string[], io: CliIO, signal: AbortSignal = new AbortController().signal): Promise<number> {
  try {
    const words = positionalsOf(argv);
    const wantsHelp = argv.includes('--help') || argv.includes('-h');
    if (words.length === 0 && (argv.length === 0 || wantsHelp)) {
      io.stdout.write(generalHelp(COMMANDS, productVersion()));
      return 0;
    }
    if (words[0]?.token === 'help' && words[0].index === 0) {
      const target = findCommand(argv.slice(1));
      io.stdout.write(target ? commandHelp(target.command) : generalHelp(COMMANDS, productVersion()));
      return 0;
    }
    if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
      io.stdout.write(`${productVersion()}\n`);
      return 0;
    }
    const found = findCommand(argv);
    if (!found) throw unknownCommand(argv);
    const { command, rest } = found;
    const specs = { ...GLOBAL_OPTIONS, ...(command.options ?? {}) };
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: toParseArgsOptions(specs), allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(`${errorMessage(e)}. Run 'ota ${command.words.join(' ')} --help' for its options.`);
    }
    if (parsed.values.help) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    return await command.run({ io, words: command.words, args: parsed.positionals, options: parsed.values, signal });
  } catch (e) {
    io.stderr.write(`ota: ${oneLine(errorMessage(e))}\n`);
    if (e instanceof UsageError) return e.exitCode;
    return signal.aborted || (isOtaError(e) && e.kind === 'cancelled') ? EXIT_CANCELLED : 1;
  }
}
