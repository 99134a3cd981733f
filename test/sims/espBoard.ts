// A simulated ESP32 board on a pseudo-terminal, as the tests and the benchmark flash it:
//
//   host ── ptyA =socat= ptyA' ── relay ── ptyB' =socat= ptyB ── espRomProcess (own process)
//
// The relay is test/sims/relay.ts, either in this process (RelayOptions: exact fault positions) or as its own
// process (paced at a baud rate, for the benchmark). stop() ends everything and returns what the board's flash holds.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPtyPair, type PtyPair } from './ptyPair';
import { Relay, type RelayOptions } from './relay';

export interface EspBoardReport {
  mode: string;
  syncs: number;
  stubStarted: boolean;
  spiAttached: boolean;
  checksumErrors: number;
  rejectedPackets: number;
  largestBlock: number;
  baudRate: number;
  boots: { mode: string }[];
  commands: Record<string, number>;
}

export interface EspPtyBoard {
  /** The port the host opens. */
  port: string;
  /** RESET pressed, holding BOOT or not (a pty has no DTR/RTS). */
  pressReset(holdingBoot: boolean): void;
  /** Pulls the cable: the host's pty goes away. */
  unplug(): Promise<void>;
  /** The in-process relay (null when the relay is a process). */
  relay: Relay | null;
  stop(): Promise<{ report: EspBoardReport | null; flash: Buffer | null; stderr: string }>;
}

export interface EspBoardOptions {
  /** Extra arguments of espRomProcess (--boot app, --never-sync, --mac ...). */
  simArgs?: string[];
  /** In-process relay with these faults; or `{ process: baud }` for a paced relay process. */
  relay?: RelayOptions | { process: number };
  verbose?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startEspPtyBoard(options: EspBoardOptions = {}): Promise<EspPtyBoard> {
  const dir = await mkdtemp(join(tmpdir(), 'ota-esp-'));
  // What was started so far, undone should the board not come up.
  const undo: (() => unknown)[] = [() => rm(dir, { recursive: true, force: true })];
  try {
    return await start(dir, options, undo);
  } catch (e) {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
    throw e;
  }
}

async function start(dir: string, options: EspBoardOptions, undo: (() => unknown)[]): Promise<EspPtyBoard> {
  const flashFile = join(dir, 'flash.bin');
  const pairs: PtyPair[] = [];
  undo.push(async () => {
    for (const p of pairs) await p.close();
  });
  const host = await openPtyPair();
  pairs.push(host);
  const dev = await openPtyPair();
  pairs.push(dev);
  let relay: Relay | null = null;
  let relayProcess: ReturnType<typeof spawn> | null = null;
  const relayOpt = options.relay ?? {};
  if ('process' in relayOpt) {
    const child = spawn(process.execPath, [join(__dirname, 'relay.js'), '--a', host.b, '--b', dev.b, '--baud', String(relayOpt.process)], { stdio: ['ignore', 'ignore', 'pipe'] });
    relayProcess = child;
    undo.push(() => child.kill('SIGKILL'));
    let text = '';
    relayProcess.stderr!.setEncoding('utf8').on('data', (t: string) => (text += t));
    for (let i = 0; i < 250 && !/ready/.test(text); i++) await sleep(20);
    if (!/ready/.test(text)) throw new Error(`the relay did not start: ${text}`);
  } else {
    const opened = await Relay.open(host.b, dev.b, relayOpt);
    relay = opened;
    undo.push(() => opened.close());
  }
  const sim = spawn(process.execPath, [join(__dirname, 'espRomProcess.js'), '--port', dev.a, '--flash-file', flashFile, ...(options.simArgs ?? []), ...(options.verbose ? ['--verbose'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  undo.push(() => sim.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  sim.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  sim.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<void>((resolve) => sim.once('close', () => resolve()));
  for (let i = 0; i < 250 && !/ready/.test(stderr); i++) await sleep(20);
  if (!/ready/.test(stderr)) throw new Error(`the simulated ESP32 did not start: ${stderr}`);
  let stopped = false;
  return {
    port: host.a,
    relay,
    pressReset(holdingBoot) {
      sim.kill(holdingBoot ? 'SIGUSR1' : 'SIGUSR2');
    },
    async unplug() {
      await host.close();
    },
    async stop() {
      if (!stopped) {
        stopped = true;
        if (sim.exitCode === null) sim.kill('SIGTERM');
        await exited;
        await relay?.close().catch(() => undefined);
        if (relayProcess && relayProcess.exitCode === null) {
          const gone = new Promise((r) => relayProcess.once('close', r));
          relayProcess.kill('SIGTERM');
          await gone;
        }
        for (const p of pairs) await p.close();
      }
      let report: EspBoardReport | null;
      try {
        report = JSON.parse(stdout.trim().split('\n').pop() ?? '') as EspBoardReport;
      } catch {
        report = null;
      }
      const flash = await readFile(flashFile).catch(() => null);
      await rm(dir, { recursive: true, force: true });
      return { report, flash, stderr };
    },
  };
}
