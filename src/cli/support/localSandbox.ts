// The local sandbox as the CLI uses it: its default data folder, the note a running `ota sandbox` leaves in that
// folder so that other commands use it instead of starting their own, and a sandbox started in-process for the
// duration of one command.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, posix, resolve, win32 } from 'node:path';
import {
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_SECRET,
  SANDBOX_IOTAAP_TOKEN,
  SANDBOX_REGION_ID,
  startSandbox,
} from '../../core/cloud/sandbox';

/** Written by `ota sandbox` into its data folder while it runs. */
export const RUNNING_NOTE_FILE = 'cli-server.json';

export interface RunningNote {
  pid: number;
  url: string;
  iotInstanceId: string | null;
  startedAt: string;
}

/** Where the sandbox keeps its state unless --data says otherwise. */
export function defaultSandboxDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const base = env.LOCALAPPDATA || win32.join(env.USERPROFILE || homedir(), 'AppData', 'Local');
    return win32.join(base, 'firmware-ota', 'sandbox');
  }
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && posix.isAbsolute(xdg) ? xdg : posix.join(env.HOME || homedir(), '.local', 'share');
  return posix.join(base, 'firmware-ota', 'sandbox');
}

export function sandboxDir(data: string | undefined, env: NodeJS.ProcessEnv): string {
  return data ? resolve(data) : defaultSandboxDir(env);
}

export async function writeRunningNote(dir: string, note: RunningNote): Promise<void> {
  await writeFile(join(dir, RUNNING_NOTE_FILE), `${JSON.stringify(note, null, 2)}\n`);
}

export async function removeRunningNote(dir: string): Promise<void> {
  await rm(join(dir, RUNNING_NOTE_FILE), { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code === 'EPERM';
  }
}

/** The `ota sandbox` running on this folder, if any (a note left by a process that is gone is ignored). */
export async function findRunningSandbox(dir: string): Promise<RunningNote | undefined> {
  let note: Partial<RunningNote>;
  try {
    note = JSON.parse(await readFile(join(dir, RUNNING_NOTE_FILE), 'utf8')) as Partial<RunningNote>;
  } catch {
    return undefined;
  }
  if (typeof note.pid !== 'number' || typeof note.url !== 'string' || !processAlive(note.pid)) return undefined;
  return { pid: note.pid, url: note.url, iotInstanceId: note.iotInstanceId ?? null, startedAt: String(note.startedAt ?? '') };
}

/** What a command needs to talk to a sandbox, and how to let go of it. */
export interface SandboxConnection {
  aliyunEndpoint: string;
  iotaapBaseUrl: string;
  accessKeyId: string;
  accessKeySecret: string;
  regionId: string;
  iotInstanceId: string | null;
  iotaapToken: string;
  /** A sandbox started for this command has no simulation timer: one step of its simulation. Else undefined. */
  tick?: () => Promise<void>;
  close(): Promise<void>;
}

/**
 * The running `ota sandbox` of `dir`, or a new one in this process on `dir` (seeded with the demo account on first
 * use, QPS limits on, no simulation timer) that `close()` stops, its state saved.
 */
export async function connectSandbox(dir: string, iotInstanceId: string | undefined): Promise<SandboxConnection> {
  const common = {
    accessKeyId: SANDBOX_ACCESS_KEY_ID,
    accessKeySecret: SANDBOX_ACCESS_KEY_SECRET,
    regionId: SANDBOX_REGION_ID,
    iotaapToken: SANDBOX_IOTAAP_TOKEN,
  };
  const running = await findRunningSandbox(dir);
  if (running) {
    return {
      ...common,
      aliyunEndpoint: running.url,
      iotaapBaseUrl: `${running.url}/iotaap/v1`,
      iotInstanceId: iotInstanceId ?? running.iotInstanceId,
      close: () => Promise.resolve(),
    };
  }
  const sandbox = await startSandbox({ dataDir: dir, tickMs: 0, qps: true, iotInstanceId });
  return {
    ...common,
    aliyunEndpoint: sandbox.aliyunEndpoint,
    iotaapBaseUrl: sandbox.iotaapBaseUrl,
    iotInstanceId: sandbox.credentials.iotInstanceId,
    tick: () => sandbox.tick(),
    close: () => sandbox.close(),
  };
}
