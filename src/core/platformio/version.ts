// The version to give a firmware image, first found wins: the setting, a `-D FIRMWARE_VERSION=...` (or
// `APP_VERSION`) build flag, `git describe --tags --always --dirty`. Undefined means: ask the user. Values are
// returned as found; the version rules judge them.
import { OtaError } from '../errors';
import { say } from '../sentences';
import { runCommand } from './process';

/** Macros read as the firmware version, in order of preference. */
export const VERSION_MACROS = ['FIRMWARE_VERSION', 'APP_VERSION'] as const;
export const GIT_DESCRIBE_ARGS = ['describe', '--tags', '--always', '--dirty'];

export type VersionSource = 'setting' | 'build-flag' | 'git';

export interface ResolvedVersion {
  version: string;
  source: VersionSource;
  /** Where exactly: `-D FIRMWARE_VERSION`, `git describe --tags --always --dirty`, the setting. */
  detail: string;
}

/**
 * Splits a flags line the way PlatformIO (through SCons and Python's shlex) does: whitespace separates, single
 * quotes keep everything, double quotes keep all but `\"`, `\\`, `\$` and `` \` `` escapes, a backslash outside
 * quotes takes the next character literally.
 */
export function splitFlags(line: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) current += line[++i];
      else current += c;
    } else if (/\s/.test(c)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      inToken = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\' && i + 1 < line.length) current += line[++i];
      else current += c;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

/** A macro value without the string quotes C needs around it (`"1.2.3"` or `\"1.2.3\"`). */
function unquoteMacroValue(value: string): string {
  const quoted = /^\\?"(.*?)\\?"$/s.exec(value.trim());
  return (quoted ? quoted[1] : value).trim();
}

/** The `-D NAME=VALUE` definitions in build flags, in order (dynamic `!command` entries skipped). */
export function macroDefinitions(buildFlags: string[]): Array<{ name: string; value: string | undefined }> {
  const result: Array<{ name: string; value: string | undefined }> = [];
  for (const item of buildFlags) {
    if (item.trimStart().startsWith('!')) continue;
    const tokens = splitFlags(item);
    for (let i = 0; i < tokens.length; i++) {
      let definition: string | undefined;
      if (tokens[i] === '-D') definition = tokens[++i];
      else if (tokens[i].startsWith('-D')) definition = tokens[i].slice(2).trimStart();
      if (!definition) continue;
      const match = /^([A-Za-z_]\w*)(?:=(.*))?$/s.exec(definition);
      if (match) result.push({ name: match[1], value: match[2] === undefined ? undefined : unquoteMacroValue(match[2]) });
    }
  }
  return result;
}

/** The version a build flag defines (FIRMWARE_VERSION before APP_VERSION; the last definition of a macro wins). */
export function versionFromBuildFlags(buildFlags: string[]): { version: string; macro: string } | undefined {
  const definitions = macroDefinitions(buildFlags);
  for (const macro of VERSION_MACROS) {
    const last = definitions.filter((d) => d.name === macro).pop();
    if (last?.value) return { version: last.value, macro };
  }
  return undefined;
}

export interface GitDescribeOptions {
  /** The git executable; default `git` on PATH. */
  git?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Default 10 s. */
  timeoutMs?: number;
}

/** `git describe --tags --always --dirty` in `dir`, or undefined when git is missing or `dir` has no commit. */
export async function gitDescribe(dir: string, options: GitDescribeOptions = {}): Promise<string | undefined> {
  let result;
  try {
    result = await runCommand({
      command: options.git ?? 'git',
      args: GIT_DESCRIBE_ARGS,
      cwd: dir,
      env: options.env,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
  } catch (e) {
    if (e instanceof OtaError && e.kind === 'not-found') return undefined;
    throw e;
  }
  if (result.cancelled) throw new OtaError('cancelled', say`Reading the version from git was cancelled.`);
  if (result.exitCode !== 0) return undefined;
  return result.stdout.trim() || undefined;
}

export interface ResolveVersionOptions extends GitDescribeOptions {
  /** The version setting (empty or undefined when unset). */
  setting?: string;
  /** The chosen environment's build_flags (PioEnvironment.buildFlags). */
  buildFlags?: string[];
  projectDir: string;
  /** Ask git when nothing else gives a version. Default true. */
  gitDescribe?: boolean;
}

/** The version, or undefined when the front end must ask for one. */
export async function resolveVersion(options: ResolveVersionOptions): Promise<ResolvedVersion | undefined> {
  const setting = options.setting?.trim();
  if (setting) return { version: setting, source: 'setting', detail: 'setting' };
  const fromFlags = versionFromBuildFlags(options.buildFlags ?? []);
  if (fromFlags) return { version: fromFlags.version, source: 'build-flag', detail: `-D ${fromFlags.macro}` };
  if (options.gitDescribe === false) return undefined;
  const described = await gitDescribe(options.projectDir, options);
  if (described) return { version: described, source: 'git', detail: `git ${GIT_DESCRIBE_ARGS.join(' ')}` };
  return undefined;
}

/** A version in an image's file name ("blink-esp32dev-1.4.2.bin" → 1.4.2; "app_v2.0.1-rc1.hex" → 2.0.1-rc1). */
export function versionFromFileName(fileName: string): string | undefined {
  const stem = fileName.replace(/\.(bin|hex|elf|img|zip|tar\.gz|gz)$/i, '');
  const m = /(?:^|[-_ ]v?)(\d+\.\d+(?:\.\d+)*(?:-[\w.]+)?)$/i.exec(stem);
  return m?.[1];
}

/** The firmware name for an image file: its name without the extension and the version ("blink-esp32dev"). */
export function firmwareNameFromFile(fileName: string, version: string): string {
  let stem = fileName.replace(/\.(bin|hex|elf|img|zip|tar\.gz|gz)$/i, '');
  if (stem.endsWith(version)) stem = stem.slice(0, -version.length).replace(/[-_ ]v?$/i, '');
  return (stem || version).slice(0, 40);
}
