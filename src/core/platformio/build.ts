// Building one environment: `pio run -e ENV -d DIR`, its output streamed line by line, compiler diagnostics
// collected, cancellable (the whole process tree ends).
import * as path from 'node:path';
import { OtaError } from '../errors';
import { say } from '../sentences';
import { clearArtifact } from './artifact';
import { formatDiagnostic, parseCompilerDiagnostics, type CompilerDiagnostic } from './diagnostics';
import { LineSplitter, runProcess } from './process';

export interface BuildCommandInput {
  /** The pio executable (see findPio). */
  pio: string;
  projectDir: string;
  /** The environment name. */
  env: string;
}

export interface BuildCommand {
  command: string;
  args: string[];
  cwd: string;
}

/** The command line of a build, for a VS Code task or a spawn. */
export function buildCommand(input: BuildCommandInput): BuildCommand {
  const cwd = path.resolve(input.projectDir);
  return { command: input.pio, args: ['run', '-e', input.env, '-d', cwd], cwd };
}

/** Environment variables added to pio's: no progress bars, whose carriage returns would flood the output. */
export const BUILD_ENV_OVERRIDES: Readonly<Record<string, string>> = { PLATFORMIO_DISABLE_PROGRESSBAR: 'true' };

export interface RunBuildOptions extends BuildCommandInput {
  signal?: AbortSignal;
  /** Every output line (without its line break), as it arrives. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Environment variables for pio; default process.env. */
  processEnv?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** The project's build directory (ProjectEnvironments.buildDir); read from platformio.ini when omitted. */
  buildDir?: string;
  /** Delete the previous firmware.bin first (see clearArtifact). Default true. */
  clearPrevious?: boolean;
  /** How long after SIGTERM a cancelled build gets SIGKILL (POSIX). Default 3000 ms. */
  killGraceMs?: number;
}

export interface BuildResult {
  projectDir: string;
  env: string;
  exitCode: number | null;
  /** The signal that ended pio, when one did. */
  signal: NodeJS.Signals | null;
  succeeded: boolean;
  /** Taken just before pio started: an image older than this is stale. */
  startedAt: Date;
  finishedAt: Date;
  diagnostics: CompilerDiagnostic[];
}

/**
 * Runs the build to its end and resolves with how it ended (a failed build resolves too: see buildFailure).
 * Rejects with OtaError 'cancelled' once a cancelled build's processes are gone, 'not-found' when pio cannot start.
 */
export async function runBuild(options: RunBuildOptions): Promise<BuildResult> {
  const { command, args, cwd } = buildCommand(options);
  const cancelled = () => new OtaError('cancelled', say`The build of environment "${options.env}" was cancelled.`);
  if (options.signal?.aborted) throw cancelled();
  if (options.clearPrevious !== false) {
    await clearArtifact(cwd, options.env, { buildDir: options.buildDir, env: options.processEnv });
  }
  if (options.signal?.aborted) throw cancelled();

  const diagnostics: CompilerDiagnostic[] = [];
  const splitterFor = (stream: 'stdout' | 'stderr') =>
    new LineSplitter((line) => {
      const diagnostic = parseCompilerDiagnostics(line, cwd);
      if (diagnostic) diagnostics.push(diagnostic);
      options.onOutput?.(line, stream);
    });
  const splitters = { stdout: splitterFor('stdout'), stderr: splitterFor('stderr') };
  const startedAt = new Date();
  const outcome = await runProcess({
    command,
    args,
    cwd,
    env: { ...(options.processEnv ?? process.env), ...BUILD_ENV_OVERRIDES },
    platform: options.platform,
    signal: options.signal,
    killGraceMs: options.killGraceMs,
    onData: (text, stream) => splitters[stream].push(text),
  });
  splitters.stdout.flush();
  splitters.stderr.flush();
  if (outcome.cancelled) throw cancelled();
  return {
    projectDir: cwd,
    env: options.env,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    succeeded: outcome.exitCode === 0,
    startedAt,
    finishedAt: new Date(),
    diagnostics,
  };
}

/** The error to report for a failed build: its exit and the first compiler error, if any. */
export function buildFailure(result: BuildResult): OtaError {
  const how = result.exitCode === null ? say`was ended by ${result.signal ?? say`a signal`}` : say`exited with code ${result.exitCode}`;
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const env = result.env;
  const first = errors.length ? formatDiagnostic(errors[0], result.projectDir) : '';
  const message =
    errors.length === 0
      ? say`The build of environment "${env}" failed: pio ${how}.`
      : errors.length === 1
        ? say`The build of environment "${env}" failed: pio ${how}. ${first}`
        : errors.length === 2
          ? say`The build of environment "${env}" failed: pio ${how}. ${first} (and 1 more error)`
          : say`The build of environment "${env}" failed: pio ${how}. ${first} (and ${errors.length - 1} more errors)`;
  return new OtaError('failed', message, { hint: say`Fix the errors shown in the build output (the Problems view in VS Code) and build again.` });
}
