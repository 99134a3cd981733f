// Where the PlatformIO CLI is: the `ota.platformio.path` setting, else the copy the PlatformIO IDE extension installs
// (`~/.platformio/penv/bin/pio`, `Scripts\pio.exe` on Windows; `PLATFORMIO_CORE_DIR` moves `~/.platformio`), else
// `pio` or `platformio` on PATH.
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { OtaError } from '../errors';
import { say } from '../sentences';

export const PIO_PATH_SETTING = 'ota.platformio.path';
const installHint = (): string =>
  say`Install PlatformIO Core (https://docs.platformio.org/en/latest/core/installation/) or the PlatformIO IDE extension, or set \`${PIO_PATH_SETTING}\` to the pio executable.`;

export type PioSource = 'setting' | 'platformio-ide' | 'path';

export interface PioLocation {
  /** Absolute path of the executable. */
  path: string;
  source: PioSource;
}

export interface FindPioOptions {
  /** The `ota.platformio.path` setting (empty or undefined when unset). */
  configuredPath?: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homeDir: string;
}

/** Why `file` cannot be run, or undefined when it can (on Windows any existing file counts). */
async function whyNotExecutable(file: string, platform: NodeJS.Platform): Promise<string | undefined> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    return say`does not exist`;
  }
  if (!stat.isFile()) return say`is not a file`;
  if (platform === 'win32') return undefined;
  try {
    await fs.access(file, fsConstants.X_OK);
    return undefined;
  } catch {
    return say`is not executable`;
  }
}

function envValue(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/** File names a command may have: on Windows each PATHEXT extension (unless the name has one). */
function commandFileNames(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32') return [name];
  const extensions = (envValue(env, 'PATHEXT', platform) ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  if (path.extname(name)) return [name];
  return extensions.map((ext) => name + ext.toLowerCase());
}

/** The first runnable `name` in the PATH directories of `env`. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<string | undefined> {
  const delimiter = platform === 'win32' ? ';' : ':';
  const dirs = (envValue(env, 'PATH', platform) ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    for (const file of commandFileNames(name, env, platform)) {
      const candidate = path.resolve(dir.replace(/^"(.*)"$/, '$1'), file);
      if (!(await whyNotExecutable(candidate, platform))) return candidate;
    }
  }
  return undefined;
}

/** The places the PlatformIO IDE extension installs its own pio, in the order they are tried. */
export function platformioIdeCandidates(options: Pick<FindPioOptions, 'env' | 'platform' | 'homeDir'>): string[] {
  const coreDirs = [envValue(options.env, 'PLATFORMIO_CORE_DIR', options.platform), path.join(options.homeDir, '.platformio')]
    .filter((d): d is string => Boolean(d));
  const result: string[] = [];
  for (const core of coreDirs) {
    if (options.platform === 'win32') {
      result.push(path.join(core, 'penv', 'Scripts', 'pio.exe'), path.join(core, 'penv', 'Scripts', 'platformio.exe'));
    } else {
      result.push(path.join(core, 'penv', 'bin', 'pio'), path.join(core, 'penv', 'bin', 'platformio'));
    }
  }
  return [...new Set(result)];
}

/**
 * Finds the PlatformIO CLI. A configured path must be runnable (a bare name such as `pio` is looked up on PATH);
 * otherwise it is an error naming the setting. Throws OtaError 'not-found' when PlatformIO is nowhere.
 */
export async function findPio(options: FindPioOptions): Promise<PioLocation> {
  const { env, platform, homeDir } = options;
  const configured = options.configuredPath?.trim();
  if (configured) {
    const isBareName = !configured.includes('/') && !configured.includes('\\');
    if (isBareName) {
      const found = await findOnPath(configured, env, platform);
      if (found) return { path: found, source: 'setting' };
      throw new OtaError('not-found', say`\`${PIO_PATH_SETTING}\` is "${configured}", which is not on PATH.`, {
        hint: say`Set \`${PIO_PATH_SETTING}\` to the full path of the pio executable, or clear it to search automatically.`,
      });
    }
    const expanded = configured.startsWith('~') ? path.join(homeDir, configured.slice(1)) : configured;
    const absolute = path.resolve(expanded);
    const problem = await whyNotExecutable(absolute, platform);
    if (!problem) return { path: absolute, source: 'setting' };
    throw new OtaError(problem === 'does not exist' ? 'not-found' : 'invalid-input', say`\`${PIO_PATH_SETTING}\` is ${absolute}, which ${problem}.`, {
      hint: say`Point \`${PIO_PATH_SETTING}\` at the pio executable (e.g. ~/.platformio/penv/bin/pio), or clear it to search automatically.`,
    });
  }
  for (const candidate of platformioIdeCandidates(options)) {
    if (!(await whyNotExecutable(candidate, platform))) return { path: candidate, source: 'platformio-ide' };
  }
  for (const name of ['pio', 'platformio']) {
    const found = await findOnPath(name, env, platform);
    if (found) return { path: found, source: 'path' };
  }
  const ideDir = platform === 'win32' ? '~\\.platformio\\penv\\Scripts' : '~/.platformio/penv/bin';
  throw new OtaError('not-found', say`PlatformIO was not found: not set in \`${PIO_PATH_SETTING}\`, not in ${ideDir}, and neither pio nor platformio is on PATH.`, {
    hint: installHint(),
  });
}
