// The local sandbox as the CLI uses it: its default data folder, the note a running `ota sandbox` leaves in that
// folder so that other commands use it instead of starting their own, and a sandbox started in-process for the
// duration of one command.
import { homedir } from 'node:os';
import { posix, resolve, win32 } from 'node:path';
import {
  findRunningSandbox,
  openSharedSandbox,
  removeRunningNote,
  RUNNING_NOTE_FILE,
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_SECRET,
  SANDBOX_IOTAAP_TOKEN,
  SANDBOX_REGION_ID,
  writeRunningNote,
  type RunningNote,
} from '../../core/cloud/sandbox';

export { findRunningSandbox, removeRunningNote, RUNNING_NOTE_FILE, writeRunningNote, type RunningNote };

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
  // Joins the sandbox serving the folder (`ota sandbox`, a VS Code window), or runs one for this command; a folder
  // another command is using is waited for, not refused.
  const shared = await openSharedSandbox({ dataDir: dir, tickMs: 0, qps: true, iotInstanceId, serve: false });
  const sandbox = shared.sandbox;
  if (!sandbox) {
    const endpoint = shared.endpoint;
    return {
      ...common,
      aliyunEndpoint: endpoint.aliyunEndpoint,
      iotaapBaseUrl: endpoint.iotaapBaseUrl,
      iotInstanceId: iotInstanceId ?? endpoint.credentials.iotInstanceId,
      close: () => shared.close(),
    };
  }
  return {
    ...common,
    aliyunEndpoint: sandbox.aliyunEndpoint,
    iotaapBaseUrl: sandbox.iotaapBaseUrl,
    iotInstanceId: sandbox.credentials.iotInstanceId,
    tick: () => sandbox.tick(),
    close: () => shared.close(),
  };
}
