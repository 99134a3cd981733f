// Reading parsed options and positional arguments, with usage errors a person can act on.
import { isOtaError } from '../../core/errors';
import type { CommandContext } from './command';
import { UsageError } from './io';

/** A string option's value, or undefined when absent. Given twice, the last one wins. */
export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const value = ctx.options[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  if (last === undefined) return undefined;
  if (typeof last !== 'string') throw new UsageError(`--${name} needs a value.`);
  return last;
}

/** A string option that, when given, must not be empty. */
export function nonEmptyOption(ctx: CommandContext, name: string): string | undefined {
  const value = stringOption(ctx, name);
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} must not be empty.`);
  return value?.trim();
}

export function flag(ctx: CommandContext, name: string): boolean {
  return ctx.options[name] === true;
}

/** The command's positional arguments, exactly as many as `names` (e.g. ["FIRMWARE_ID"]). */
export function positionals(ctx: CommandContext, names: string[]): string[] {
  const command = `'ota ${ctx.words.join(' ')}'`;
  if (ctx.args.length < names.length) {
    throw new UsageError(`${command} needs ${names.slice(ctx.args.length).join(' ')}. Run ${command.slice(0, -1)} --help' for its usage.`);
  }
  if (ctx.args.length > names.length) {
    throw new UsageError(`unexpected argument '${ctx.args[names.length]}' for ${command}.`);
  }
  for (const [i, value] of ctx.args.entries()) {
    if (value.trim() === '') throw new UsageError(`${names[i]} must not be empty.`);
  }
  return ctx.args.map((a) => a.trim());
}

/** A whole number in [min, max] from a string option. */
export function integerOption(ctx: CommandContext, name: string, min: number, max: number): number | undefined {
  const value = stringOption(ctx, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got '${value}').`);
  }
  return Number(value);
}

/** Every value of a repeatable string option, each also split at commas; empty parts dropped. */
export function listOption(ctx: CommandContext, name: string): string[] {
  const value = ctx.options[name];
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const v of values) {
    if (typeof v !== 'string') throw new UsageError(`--${name} needs a value.`);
    out.push(...v.split(',').map((s) => s.trim()).filter(Boolean));
  }
  if (values.length > 0 && out.length === 0) throw new UsageError(`--${name} must not be empty.`);
  return out;
}

/** A decimal number in [min, max] from a string option. */
export function numberOption(ctx: CommandContext, name: string, min: number, max: number): number | undefined {
  const value = stringOption(ctx, name);
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max} (got '${value}').`);
  }
  return n;
}

/** The names of the given options that were used, as `--name`. */
export function usedOptions(ctx: CommandContext, names: readonly string[]): string[] {
  return names.filter((n) => ctx.options[n] !== undefined && ctx.options[n] !== false).map((n) => `--${n}`);
}

/** Runs a check of the core: its 'invalid-input' error becomes a usage error (exit 2; nothing was sent). */
export async function checked<T>(check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (e) {
    if (isOtaError(e) && e.kind === 'invalid-input') throw new UsageError(e.describe());
    throw e;
  }
}

/** A required option of a command, e.g. --version. */
export function requiredOption(ctx: CommandContext, name: string, usage: string): string {
  const value = nonEmptyOption(ctx, name);
  if (value === undefined) throw new UsageError(`'ota ${ctx.words.join(' ')}' needs ${usage}.`);
  return value;
}
