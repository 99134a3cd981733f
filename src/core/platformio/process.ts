// Running the tools the build needs (pio, git) as child processes that can be cancelled as a whole: on POSIX the
// child leads its own process group and the group is signalled; on Windows `taskkill /T /F` ends the tree. A Windows
// `.cmd`/`.bat` shim runs through cmd.exe, since Node refuses to spawn one directly.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as path from 'node:path';
import { OtaError } from '../errors';
import { say } from '../sentences';

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

export interface SpawnPlan {
  command: string;
  args: string[];
  options: SpawnOptions;
}

function quoteForCmd(arg: string): string {
  if (arg && !/[\s"&|<>^()%!,;=]/.test(arg)) return arg;
  return `"${arg.replace(/"/g, '""')}"`;
}

/** How to spawn `spec`: detached (own process group) on POSIX, through cmd.exe for a Windows batch shim. */
export function planSpawn(spec: ProcessSpec): SpawnPlan {
  const platform = spec.platform ?? process.platform;
  const options: SpawnOptions = { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] };
  if (platform !== 'win32') return { command: spec.command, args: spec.args, options: { ...options, detached: true } };
  options.windowsHide = true;
  if (!/\.(cmd|bat)$/i.test(spec.command)) return { command: spec.command, args: spec.args, options };
  const line = [spec.command, ...spec.args].map(quoteForCmd).join(' ');
  const comspec = spec.env?.ComSpec ?? process.env.ComSpec ?? 'cmd.exe';
  return { command: comspec, args: ['/d', '/s', '/c', `"${line}"`], options: { ...options, windowsVerbatimArguments: true } };
}

/** Ends `child` and everything it started. */
export function killProcessTree(child: ChildProcess, platform: NodeJS.Platform = process.platform, signal: NodeJS.Signals = 'SIGTERM'): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (platform === 'win32') {
    const killer = spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    killer.on('error', () => child.kill());
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Splits streamed text into lines (`\n`, `\r\n` or a lone `\r` end one), holding back an unfinished line. */
export class LineSplitter {
  private buffer = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(text: string): void {
    this.buffer += text;
    const pattern = /\r\n|\n|\r(?!$)/g;
    let start = 0;
    for (let m = pattern.exec(this.buffer); m; m = pattern.exec(this.buffer)) {
      this.onLine(this.buffer.slice(start, m.index));
      start = m.index + m[0].length;
    }
    this.buffer = this.buffer.slice(start);
  }

  /** Emits what is left (a last line without a line break). */
  flush(): void {
    const rest = this.buffer.replace(/\r$/, '');
    this.buffer = '';
    if (rest) this.onLine(rest);
  }
}

export interface RunProcessOptions extends ProcessSpec {
  signal?: AbortSignal;
  /** Ends the process tree (as a cancellation does) when it runs longer than this. */
  timeoutMs?: number;
  onData?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** How long after SIGTERM the tree gets SIGKILL (POSIX). Default 3000 ms. */
  killGraceMs?: number;
  /** How long to wait for output pipes held open by leftover descendants once the process exited. Default 1000 ms. */
  drainMs?: number;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Ended because the AbortSignal fired. */
  cancelled: boolean;
  timedOut: boolean;
}

/**
 * Runs a process to its end. Resolves with how it ended (including when cancelled or timed out: the caller decides
 * what that means; an already aborted signal starts nothing); rejects with an OtaError when it cannot be started.
 */
export function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  const platform = options.platform ?? process.platform;
  const plan = planSpawn(options);
  if (options.signal?.aborted) return Promise.resolve({ exitCode: null, signal: null, cancelled: true, timedOut: false });
  return new Promise<ProcessOutcome>((resolve, reject) => {
    let cancelled = false;
    let timedOut = false;
    let exited = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    const timers: NodeJS.Timeout[] = [];
    let child: ChildProcess;
    try {
      child = spawn(plan.command, plan.args, plan.options);
    } catch (e) {
      reject(startError(options.command, e));
      return;
    }

    const stop = () => {
      if (exited) return;
      killProcessTree(child, platform, 'SIGTERM');
      if (platform !== 'win32') {
        timers.push(setTimeout(() => !exited && killProcessTree(child, platform, 'SIGKILL'), options.killGraceMs ?? 3000));
      }
    };
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    const cleanup = () => {
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
    };

    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => options.onData?.(text, 'stdout'));
    child.stderr?.on('data', (text: string) => options.onData?.(text, 'stderr'));
    child.on('error', (e) => {
      cleanup();
      if (child.pid === undefined) reject(startError(options.command, e));
    });
    child.on('exit', (code, signal) => {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      timers.push(
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, options.drainMs ?? 1000),
      );
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      resolve({ exitCode: exited ? exitCode : code, signal: exited ? exitSignal : signal, cancelled, timedOut });
    });

    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          stop();
        }, options.timeoutMs),
      );
    }
  });
}

function startError(command: string, e: unknown): OtaError {
  const code = (e as NodeJS.ErrnoException).code;
  const name = path.basename(command);
  if (code === 'ENOENT') {
    return new OtaError('not-found', say`Could not start ${name}: ${command} does not exist.`, { cause: e });
  }
  if (code === 'EACCES') {
    return new OtaError('invalid-input', say`Could not start ${name}: ${command} is not executable.`, { cause: e });
  }
  return new OtaError('failed', say`Could not start ${name} (${command}): ${(e as Error).message}`, { cause: e });
}

export interface CommandResult extends ProcessOutcome {
  stdout: string;
  stderr: string;
}

/** Runs a command and collects its output. */
export async function runCommand(options: Omit<RunProcessOptions, 'onData'>): Promise<CommandResult> {
  let stdout = '';
  let stderr = '';
  const outcome = await runProcess({
    ...options,
    onData: (text, stream) => {
      if (stream === 'stdout') stdout += text;
      else stderr += text;
    },
  });
  return { ...outcome, stdout, stderr };
}
