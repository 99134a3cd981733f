// The build environments of a PlatformIO project, as `pio project config --json-output` computes them; when pio is
// not available or fails, as this module computes them from `platformio.ini` itself.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { errorMessage, OtaError } from '../errors';
import { say } from '../sentences';
import { runCommand } from './process';
import {
  asComputedConfig,
  buildDirOf,
  computeProjectConfig,
  configList,
  configValue,
  PROJECT_FILE,
  type ComputedConfig,
  type ConfigValue,
} from './projectConfig';

export interface PioEnvironment {
  name: string;
  /** `build_flags` as PlatformIO lists them: one entry per line, an entry may hold several flags. */
  buildFlags: string[];
  platform: string | null;
  board: string | null;
  framework: string[];
}

export interface ProjectEnvironments {
  projectDir: string;
  /** In `platformio.ini` order. */
  environments: PioEnvironment[];
  /** `[platformio] default_envs` that name an existing environment. */
  defaultEnvs: string[];
  /** Absolute directory PlatformIO builds into (`.pio/build` unless `build_dir`/`workspace_dir` say otherwise). */
  buildDir: string;
  /** Who computed the configuration. */
  source: 'pio' | 'platformio.ini';
  /** Why pio's answer was not used, when a pio was given but the ini fallback was. */
  fallbackReason?: string;
}

export interface ReadEnvironmentsOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  signal?: AbortSignal;
  /** For `pio project config`; default 60 s (PlatformIO may be slow on its first run). */
  timeoutMs?: number;
}

function single(value: ConfigValue | undefined): string | null {
  if (value === undefined) return null;
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text.trim() || null;
}

/** Extracts the environments from a computed configuration (pio's JSON or the ini fallback's). */
export function environmentsFromConfig(config: ComputedConfig, projectDir: string, home?: string): Omit<ProjectEnvironments, 'source'> {
  const environments = config
    .filter(([section]) => section.startsWith('env:'))
    .map(([section]): PioEnvironment => ({
      name: section.slice(4),
      buildFlags: configList(configValue(config, section, 'build_flags')),
      platform: single(configValue(config, section, 'platform')),
      board: single(configValue(config, section, 'board')),
      framework: configList(configValue(config, section, 'framework')),
    }));
  const names = new Set(environments.map((e) => e.name));
  const defaultEnvs = configList(configValue(config, 'platformio', 'default_envs')).filter((e) => names.has(e));
  return { projectDir, environments, defaultEnvs, buildDir: buildDirOf(config, projectDir, home) };
}

/** Parses what `pio project config --json-output` printed (tolerating notices printed before the JSON). */
export function parsePioConfigOutput(stdout: string): ComputedConfig {
  const text = stdout.trim();
  const candidates = [text, ...text.split(/\r?\n/).filter((l) => l.trimStart().startsWith('[')).reverse()];
  for (const candidate of candidates) {
    try {
      return asComputedConfig(JSON.parse(candidate));
    } catch (e) {
      if (e instanceof OtaError) throw e;
    }
  }
  throw new OtaError('unexpected-response', say`pio project config --json-output printed no JSON.`);
}

/** Asks pio for the computed configuration. */
export async function pioProjectConfig(pio: string, projectDir: string, options: ReadEnvironmentsOptions = {}): Promise<ComputedConfig> {
  const result = await runCommand({
    command: pio,
    args: ['project', 'config', '--json-output', '-d', projectDir],
    cwd: projectDir,
    env: options.env,
    platform: options.platform,
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  if (result.cancelled) throw new OtaError('cancelled', say`Reading the PlatformIO environments was cancelled.`);
  if (result.timedOut) throw new OtaError('timeout', say`pio project config did not answer within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s.`);
  if (result.exitCode !== 0) {
    const said = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/).slice(-3).join(' ');
    throw new OtaError('failed', say`pio project config exited with code ${String(result.exitCode ?? result.signal)}${said ? `: ${said}` : ''}`);
  }
  return parsePioConfigOutput(result.stdout);
}

/**
 * The environments of the project in `projectDir`. With `pio`, from `pio project config --json-output`; when that
 * fails (or without `pio`), from `platformio.ini` read here. Throws OtaError 'not-found' without a `platformio.ini`,
 * 'invalid-input' when the project defines no `[env:NAME]`, 'cancelled' when the signal fires.
 */
export async function readEnvironments(projectDir: string, pio?: string, options: ReadEnvironmentsOptions = {}): Promise<ProjectEnvironments> {
  const dir = path.resolve(projectDir);
  const env = options.env ?? process.env;
  const home = env.HOME ?? env.USERPROFILE;
  try {
    await fs.access(path.join(dir, PROJECT_FILE));
  } catch {
    throw new OtaError('not-found', say`No ${PROJECT_FILE} in ${dir}: this is not a PlatformIO project.`, {
      hint: say`Open the folder that contains platformio.ini, or create a project with \`pio project init\`.`,
    });
  }
  let result: ProjectEnvironments | undefined;
  let fallbackReason: string | undefined;
  if (pio) {
    try {
      result = { ...environmentsFromConfig(await pioProjectConfig(pio, dir, options), dir, home), source: 'pio' };
    } catch (e) {
      if (e instanceof OtaError && e.kind === 'cancelled') throw e;
      fallbackReason = errorMessage(e);
    }
  }
  if (!result) {
    const config = await computeProjectConfig(dir, { env });
    result = { ...environmentsFromConfig(config, dir, home), source: PROJECT_FILE };
    if (fallbackReason !== undefined) result.fallbackReason = fallbackReason;
  }
  if (!result.environments.length) {
    throw new OtaError('invalid-input', say`${path.join(dir, PROJECT_FILE)} defines no build environment.`, {
      hint: say`Add an [env:NAME] section (e.g. [env:esp32dev] with platform, board and framework).`,
    });
  }
  return result;
}
