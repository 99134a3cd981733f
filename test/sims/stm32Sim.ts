// Partners for the STM32 tests and benchmark on a pty: the simulated bootloader process (stm32BootProcess.js) and
// Debian's stm32flash.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { type PartnerProcess } from './processes';
import { type Stm32SimReport } from './stm32BootProcess';

export interface Stm32SimProcess extends PartnerProcess<Stm32SimResult> {
  /** Resolves once the simulator has its port open (rejects if it exits before). */
  ready: Promise<void>;
}

export interface Stm32SimResult {
  code: number | null;
  report: Stm32SimReport | null;
  stderr: string;
}

function parseReport(line: string | undefined): Stm32SimReport | null {
  try {
    return line ? (JSON.parse(line) as Stm32SimReport) : null;
  } catch {
    return null;
  }
}

/** Starts test/sims/stm32BootProcess.js on `port` (see that file for the arguments). */
export function startStm32Sim(port: string, args: string[] = []): Stm32SimProcess {
  const child = spawn(process.execPath, [path.join(__dirname, 'stm32BootProcess.js'), '--port', port, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  let markReady: () => void = () => undefined;
  let failReady: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  child.stderr.setEncoding('utf8').on('data', (t: string) => {
    stderr += t;
    if (/stm32sim: ready/.test(stderr)) markReady();
  });
  const done = new Promise<Stm32SimResult>((resolve) => {
    child.once('close', (code) => {
      failReady(new Error(`the STM32 simulator exited (${code}) before it was ready: ${stderr.trim()}`));
      const line = stdout.trim().split('\n').pop();
      resolve({ code, report: parseReport(line), stderr });
    });
  });
  return {
    pid: child.pid!,
    ready,
    done,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}

export interface Stm32flashResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs Debian's stm32flash with `args` then the port (a pty needs `-m 8n1`: it cannot keep PARENB). */
export function startStm32flash(args: string[], port: string, cwd: string): PartnerProcess<Stm32flashResult> {
  const child = spawn('stm32flash', [...args, port], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (output += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (output += t));
  const done = new Promise<Stm32flashResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, output }));
  });
  return {
    pid: child.pid!,
    done,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}
