// Partner processes on a pty for the serial tests and benchmarks: the simulated MCU (quecMcuProcess.js), and
// lrzsz's rb / sz with stdin and stdout on the pty (`rb --ymodem < /dev/pts/N > /dev/pts/N`).

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import * as path from 'node:path';

export interface PartnerProcess<R> {
  pid: number;
  /** Settles when the process has exited. */
  done: Promise<R>;
  /** SIGTERM (if still running) and wait for the exit. */
  stop(): Promise<R>;
}

export interface McuProcessResult {
  code: number | null;
  /** The JSON line the MCU printed (null if it printed none). */
  report: {
    outcome: string;
    message: string;
    size: number | null;
    md5: string | null;
    sha256: string | null;
    expectedMd5: string | null;
    expectedSha256: string | null;
    md5Ok: boolean | null;
    sha256Ok: boolean | null;
    reads: number;
    retries: number;
    reportedVersion: string | null;
    finalEvent: number | null;
  } | null;
  stderr: string;
}

function parseReport(line: string | undefined): McuProcessResult['report'] {
  try {
    return line ? (JSON.parse(line) as McuProcessResult['report']) : null;
  } catch {
    return null;
  }
}

/** Starts test/sims/quecMcuProcess.js on `port` with extra arguments (see that file). */
export function startMcuProcess(port: string, args: string[] = []): PartnerProcess<McuProcessResult> {
  const script = path.join(__dirname, 'quecMcuProcess.js');
  const child = spawn(process.execPath, [script, '--port', port, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const done = new Promise<McuProcessResult>((resolve) => {
    child.once('close', (code) => {
      const line = stdout.trim().split('\n').pop();
      resolve({ code, report: parseReport(line), stderr });
    });
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

export interface LrzszResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs an lrzsz program (rb, sz) in `cwd` with stdin and stdout on the pty at `ptyPath`. */
export function startLrzsz(program: 'rb' | 'sz', args: string[], ptyPath: string, cwd: string): PartnerProcess<LrzszResult> {
  const fd = openSync(ptyPath, 'r+');
  const child = spawn(program, args, { cwd, stdio: [fd, fd, 'pipe'] });
  closeSync(fd);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const done = new Promise<LrzszResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
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

export interface SmpDeviceReport {
  slot0: { size: number; sha256: string };
  slot1: { size: number; sha256: string };
  runningVersion: string | null;
  stats: { uploadRequests: number; uploadBytesReceived: number; uploadBytesWritten: number; resumes: number; resets: number; badFrames: number };
}

export interface SmpDeviceProcess extends PartnerProcess<{ code: number | null; report: SmpDeviceReport | null; stderr: string }> {
  /** Resolves once the device listens on its port. */
  ready: Promise<void>;
}

/** Starts test/sims/smpDeviceProcess.js (the simulated MCUboot/SMP device) on `port`; stop() returns its report. */
export function startSmpDevice(port: string, args: string[] = []): SmpDeviceProcess {
  const script = path.join(__dirname, 'smpDeviceProcess.js');
  const child = spawn(process.execPath, [script, '--port', port, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => {
    stderr += t;
    if (stderr.includes('smp: ready')) markReady();
  });
  const done = new Promise<{ code: number | null; report: SmpDeviceReport | null; stderr: string }>((resolve) => {
    child.once('close', (code) => {
      markReady();
      const line = stdout.trim().split('\n').pop();
      let report: SmpDeviceReport | null;
      try {
        report = line ? (JSON.parse(line) as SmpDeviceReport) : null;
      } catch {
        report = null;
      }
      resolve({ code, report, stderr });
    });
  });
  return {
    pid: child.pid!,
    done,
    ready,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}
