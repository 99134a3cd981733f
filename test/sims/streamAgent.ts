// The C stream agent (agent/) as a partner process on a pty: built once per test run with make, started with
// its flash in a file, its JSON event lines collected.
//   const agent = startStreamAgent({ port: pair.b, out: '/tmp/x/flash.bin', writeUsPerKib: 2000 });

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const AGENT_DIR = path.join(__dirname, '..', '..', '..', 'agent');
export const AGENT_HOST = path.join(AGENT_DIR, 'build', 'ota-agent-host');
export const AGENT_HOST_ASAN = path.join(AGENT_DIR, 'build', 'ota-agent-host-asan');
export const INFLATE_TOOL_ASAN = path.join(AGENT_DIR, 'build', 'inflate-tool-asan');

let built: string | null = null;

/** Runs `make -C agent host host-asan tools` once per process; throws with make's output when it fails. */
export function buildAgent(): void {
  if (built === 'ok') return;
  const r = spawnSync('make', ['-C', AGENT_DIR, 'host', 'host-asan', 'tools'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`make -C agent host host-asan tools failed: ${r.error?.message ?? ''}${r.stdout}${r.stderr}`);
  }
  built = 'ok';
}

export interface AgentEvent {
  event: string;
  [key: string]: unknown;
}

export interface StreamAgentOptions {
  port: string;
  out: string;
  flashKib?: number;
  pageBytes?: number;
  eraseBytes?: number;
  writeUsPerKib?: number;
  flipBitAt?: number;
  once?: boolean;
  /** Run the AddressSanitizer / UBSan build. */
  sanitized?: boolean;
}

export interface StreamAgentProcess {
  child: ChildProcess;
  events: AgentEvent[];
  stderr(): string;
  /** The first event of this kind (waiting for it up to timeoutMs). */
  waitFor(kind: string, timeoutMs?: number, after?: number): Promise<AgentEvent>;
  /** Settles with the exit code (or signal name). */
  done: Promise<number | string>;
  /** SIGTERM, or SIGKILL with `hard` (a reset in the middle of anything); waits for the exit. */
  stop(hard?: boolean): Promise<number | string>;
}

export function startStreamAgent(o: StreamAgentOptions): StreamAgentProcess {
  const args = ['--port', o.port, '--out', o.out];
  if (o.flashKib !== undefined) args.push('--flash-kib', String(o.flashKib));
  if (o.pageBytes !== undefined) args.push('--page-bytes', String(o.pageBytes));
  if (o.eraseBytes !== undefined) args.push('--erase-bytes', String(o.eraseBytes));
  if (o.writeUsPerKib !== undefined) args.push('--write-us-per-kib', String(o.writeUsPerKib));
  if (o.flipBitAt !== undefined) args.push('--flip-bit-at', String(o.flipBitAt));
  if (o.once) args.push('--once');
  const child = spawn(o.sanitized ? AGENT_HOST_ASAN : AGENT_HOST, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: AgentEvent[] = [];
  let stderr = '';
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (t: string) => {
    partial += t;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as AgentEvent);
      } catch {
        events.push({ event: 'unparsed', line });
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const done = new Promise<number | string>((resolve) => {
    child.once('close', (code, signal) => {
      for (const w of [...waiters]) w();
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const waitFor = (kind: string, timeoutMs = 10_000, after = 0): Promise<AgentEvent> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = events.slice(after).find((e) => e.event === kind);
        if (found) {
          finish();
          resolve(found);
          return true;
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          finish();
          reject(new Error(`the agent exited (${child.exitCode ?? child.signalCode}) before "${kind}": ${stderr.trim()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`the agent sent no "${kind}" within ${timeoutMs} ms: ${stderr.trim()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        waiters.delete(onEvent);
      };
      const onEvent = (): void => {
        check();
      };
      if (!check()) waiters.add(onEvent);
    });
  return {
    child,
    events,
    stderr: () => stderr,
    waitFor,
    done,
    stop(hard = false) {
      if (child.exitCode === null && child.signalCode === null) child.kill(hard ? 'SIGKILL' : 'SIGTERM');
      return done;
    },
  };
}
