// A connected pair of pseudo-terminals made by socat (`socat -d -d pty,raw,echo=0 pty,raw,echo=0`): what one side
// writes the other reads, as over a null-modem cable. Used by the serial tests and benchmarks.

import { type ChildProcess, spawn } from 'node:child_process';

export interface PtyPair {
  /** The two /dev/pts paths. */
  a: string;
  b: string;
  /** Kills socat (both ends then see the line go away) and waits for it to exit. Idempotent. */
  close(): Promise<void>;
}

export function openPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const child: ChildProcess = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise<PtyPair>((resolve, reject) => {
    const paths: string[] = [];
    let stderr = '';
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`socat did not make a pty pair within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      stderr += text;
      for (const m of text.matchAll(/PTY is (\S+)/g)) paths.push(m[1]);
      if (paths.length >= 2 && /starting data transfer loop/.test(stderr)) {
        clearTimeout(timer);
        resolve({ a: paths[0], b: paths[1], close });
      }
    });
  });
}
