// The image a build produced: `<build_dir>/<env>/firmware.bin`, refused when missing, empty, or older than the
// build that should have written it.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { OtaError } from '../errors';
import { say } from '../sentences';
import { buildDirOf, computeProjectConfig } from './projectConfig';

export const FIRMWARE_FILE = 'firmware.bin';

/**
 * How much older than the build start a fresh image may look: file systems keep times coarser than the clock
 * (FAT: 2 s; Linux stamps files from a clock that lags by up to a few ms), so a file written just after the start
 * can carry a time just before it.
 */
export const MTIME_SLACK_MS = 2000;

export interface Artifact {
  path: string;
  /** Bytes. */
  size: number;
  mtime: Date;
}

export interface ArtifactOptions {
  /** The build directory (`ProjectEnvironments.buildDir`); read from `platformio.ini` when omitted. */
  buildDir?: string;
  env?: NodeJS.ProcessEnv;
}

export interface FindArtifactOptions extends ArtifactOptions {
  /** When the build that should have written the image started; omit only when no build ran. */
  buildStartedAt?: Date;
}

/** The build directory of the project: the one given, else `[platformio] build_dir`/`workspace_dir`, else `.pio/build`. */
export async function resolveBuildDir(projectDir: string, options: ArtifactOptions = {}): Promise<string> {
  if (options.buildDir) return path.resolve(projectDir, options.buildDir);
  const env = options.env ?? process.env;
  try {
    return buildDirOf(await computeProjectConfig(projectDir, { env }), projectDir, env.HOME ?? env.USERPROFILE);
  } catch (e) {
    if (e instanceof OtaError && e.kind === 'not-found') return path.resolve(projectDir, '.pio', 'build');
    throw e;
  }
}

/** Where the image of `env` lands. */
export async function artifactPath(projectDir: string, env: string, options: ArtifactOptions = {}): Promise<string> {
  return path.join(await resolveBuildDir(projectDir, options), env, FIRMWARE_FILE);
}

/**
 * Deletes the previous image of `env` so that a successful build must write a fresh one: PlatformIO does not rewrite
 * an up-to-date `firmware.bin`, which would then look stale. Run it just before the build.
 */
export async function clearArtifact(projectDir: string, env: string, options: ArtifactOptions = {}): Promise<void> {
  await fs.rm(await artifactPath(projectDir, env, options), { force: true });
}

/**
 * The image of `env`. Throws OtaError 'invalid-input' when it is missing, empty, or (given `buildStartedAt`) older
 * than the build start.
 */
export async function findArtifact(projectDir: string, env: string, options: FindArtifactOptions = {}): Promise<Artifact> {
  const file = await artifactPath(projectDir, env, options);
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new OtaError('invalid-input', say`No ${FIRMWARE_FILE} at ${file}: did the build of environment "${env}" succeed?`, {
      hint: say`Check the build output; the image is written only when compiling and linking succeed.`,
    });
  }
  if (!stat.isFile()) throw new OtaError('invalid-input', say`${file} is not a file.`);
  if (stat.size === 0) {
    throw new OtaError('invalid-input', say`${file} is empty (0 bytes): the build did not produce an image.`, {
      hint: say`Rebuild environment "${env}" and check its output.`,
    });
  }
  const started = options.buildStartedAt;
  if (started && stat.mtimeMs < started.getTime() - MTIME_SLACK_MS) {
    throw new OtaError(
      'invalid-input',
      say`${file} is stale: written ${stat.mtime.toISOString()}, before the build started at ${started.toISOString()}, so the build did not produce it.`,
      { hint: say`Rebuild environment "${env}"; refusing to ship an old image.` },
    );
  }
  return { path: file, size: stat.size, mtime: stat.mtime };
}
