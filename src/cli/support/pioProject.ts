// The PlatformIO side of `ota build` and `ota deploy`: which pio (OTA_PIO, else the PlatformIO IDE's copy, else
// PATH), which project (--project, else the current folder) and which environment (--env, else the project's
// default, else its only one); the build's output streamed to stderr and its compiler errors collected.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { OtaError, isOtaError } from '../../core/errors';
import type { BuildPlan } from '../../core/deploy';
import {
  PIO_PATH_SETTING,
  findPio,
  formatDiagnostic,
  parseCompilerDiagnostics,
  readEnvironments,
  resolveVersion,
  type CompilerDiagnostic,
  type PioEnvironment,
} from '../../core/platformio';
import type { CommandContext, OptionSpec } from './command';
import { UsageError } from './io';
import { nonEmptyOption } from './options';

export const PIO_ENV_VAR = 'OTA_PIO';

export const BUILD_OPTIONS: Record<string, OptionSpec> = {
  env: { type: 'string', usage: '--env E', description: "PlatformIO environment to build (default: the project's default_envs, or its only one)." },
  project: { type: 'string', usage: '--project DIR', description: 'PlatformIO project folder (default: the current folder).' },
};

export interface PioProject {
  pio: string;
  projectDir: string;
  environment: PioEnvironment;
}

/** The core's messages name the extension's setting; on the command line the same thing is OTA_PIO. */
function forCli(e: unknown): unknown {
  if (!isOtaError(e)) return e;
  const swap = (text: string | undefined): string | undefined => text?.split(`\`${PIO_PATH_SETTING}\``).join(PIO_ENV_VAR);
  return new OtaError(e.kind, swap(e.message) ?? e.message, { hint: swap(e.hint), code: e.code, cause: e });
}

export async function resolvePioProject(ctx: CommandContext): Promise<PioProject> {
  const env = ctx.io.env;
  let pio: string;
  try {
    pio = (await findPio({ configuredPath: env[PIO_ENV_VAR], env, platform: process.platform, homeDir: env.HOME || env.USERPROFILE || homedir() })).path;
  } catch (e) {
    throw forCli(e);
  }
  const projectDir = resolve(nonEmptyOption(ctx, 'project') ?? process.cwd());
  const project = await readEnvironments(projectDir, pio, { env, signal: ctx.signal });
  const names = project.environments.map((e) => e.name);
  const wanted = nonEmptyOption(ctx, 'env');
  let environment: PioEnvironment | undefined;
  if (wanted !== undefined) {
    environment = project.environments.find((e) => e.name === wanted);
    if (!environment) throw new UsageError(`${projectDir}/platformio.ini has no environment '${wanted}': use one of ${names.join(', ')}.`);
  } else {
    const name = project.defaultEnvs[0] ?? (names.length === 1 ? names[0] : undefined);
    environment = project.environments.find((e) => e.name === name);
    if (!environment) {
      throw new UsageError(`${projectDir}/platformio.ini defines ${names.length} environments and no default_envs: choose one with --env (${names.join(', ')}).`);
    }
  }
  return { pio, projectDir: project.projectDir, environment };
}

/** The version a build will carry when --version is not given: a `-D FIRMWARE_VERSION` build flag, else git describe. */
export async function projectVersion(ctx: CommandContext, project: PioProject): Promise<{ version: string; from: string }> {
  const found = await resolveVersion({ buildFlags: project.environment.buildFlags, projectDir: project.projectDir, env: ctx.io.env, signal: ctx.signal });
  if (!found) {
    throw new UsageError(`no firmware version: give --version V, or define -D FIRMWARE_VERSION=V in the build_flags of environment '${project.environment.name}'.`);
  }
  return { version: found.version, from: found.detail };
}

/** Streams pio's output to stderr and keeps its compiler diagnostics. */
export class BuildOutput {
  readonly diagnostics: CompilerDiagnostic[] = [];

  constructor(
    private readonly ctx: CommandContext,
    private readonly projectDir: string,
  ) {}

  readonly onOutput = (line: string): void => {
    this.ctx.io.stderr.write(`${line}\n`);
    const d = parseCompilerDiagnostics(line, this.projectDir);
    if (d) this.diagnostics.push(d);
  };

  /** After a failed build: its compiler errors again, as `file:line:col: error: message`, under the output. */
  printErrors(): void {
    const errors = this.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length === 0) return;
    this.ctx.io.stderr.write(`\n${errors.length === 1 ? 'Compiler error' : `${errors.length} compiler errors`}:\n`);
    for (const d of errors) this.ctx.io.stderr.write(`${formatDiagnostic(d, this.projectDir)}\n`);
  }

  plan(project: PioProject): BuildPlan {
    return { pio: project.pio, projectDir: project.projectDir, env: project.environment.name, processEnv: this.ctx.io.env, onOutput: this.onOutput };
  }
}
