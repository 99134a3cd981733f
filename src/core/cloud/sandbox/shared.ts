// One sandbox per data folder, shared by everything that uses the folder: every VS Code window (they share the
// extension's global storage) and the CLI. The process that holds the folder's lock serves it and leaves a running
// note (pid and URL) in the folder; the others join it through that note. A joiner watches the owner: when the owner
// goes away, one joiner takes over (on the same port when it is free, so URLs keep working) from the saved state,
// which holds every acknowledged change. A short-lived user (one CLI command) that finds the folder locked by a
// process still starting waits for its turn instead of failing.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_SECRET,
  SANDBOX_IOTAAP_EMAIL,
  SANDBOX_IOTAAP_PASSWORD,
  SANDBOX_IOTAAP_TOKEN,
  SANDBOX_REGION_ID,
} from './constants';
import { startSandbox, type Sandbox, type SandboxCredentials, type SandboxOptions } from './server';
import { LockHeldError } from './state/fsAtomic';

/** Written into the data folder by the process that serves it, while it serves. */
export const RUNNING_NOTE_FILE = 'cli-server.json';

export interface RunningNote {
  pid: number;
  url: string;
  iotInstanceId: string | null;
  startedAt: string;
}

/** Where a sandbox answers, and with which credentials: the same for its owner and for those who join it. */
export interface SandboxEndpoint {
  url: string;
  aliyunEndpoint: string;
  iotaapBaseUrl: string;
  credentials: SandboxCredentials;
}

export async function writeRunningNote(dir: string, note: RunningNote): Promise<void> {
  await writeFile(join(dir, RUNNING_NOTE_FILE), `${JSON.stringify(note, null, 2)}\n`);
}

export async function removeRunningNote(dir: string): Promise<void> {
  await rm(join(dir, RUNNING_NOTE_FILE), { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code === 'EPERM';
  }
}

/** The sandbox serving this folder, if any (a note left by a process that is gone is ignored). */
export async function findRunningSandbox(dir: string): Promise<RunningNote | undefined> {
  let note: Partial<RunningNote>;
  try {
    note = JSON.parse(await readFile(join(dir, RUNNING_NOTE_FILE), 'utf8')) as Partial<RunningNote>;
  } catch {
    return undefined;
  }
  if (typeof note !== 'object' || note === null) return undefined;
  if (typeof note.pid !== 'number' || typeof note.url !== 'string' || !processAlive(note.pid)) return undefined;
  return { pid: note.pid, url: note.url, iotInstanceId: note.iotInstanceId ?? null, startedAt: String(note.startedAt ?? '') };
}

export function endpointOfNote(note: RunningNote): SandboxEndpoint {
  return {
    url: note.url,
    aliyunEndpoint: note.url,
    iotaapBaseUrl: `${note.url}/iotaap/v1`,
    credentials: {
      accessKeyId: SANDBOX_ACCESS_KEY_ID,
      accessKeySecret: SANDBOX_ACCESS_KEY_SECRET,
      regionId: SANDBOX_REGION_ID,
      iotInstanceId: note.iotInstanceId,
      iotaap: { email: SANDBOX_IOTAAP_EMAIL, password: SANDBOX_IOTAAP_PASSWORD, token: SANDBOX_IOTAAP_TOKEN },
    },
  };
}

function endpointOfSandbox(s: Sandbox): SandboxEndpoint {
  return { url: s.url, aliyunEndpoint: s.aliyunEndpoint, iotaapBaseUrl: s.iotaapBaseUrl, credentials: s.credentials };
}

export interface SharedSandboxOptions extends SandboxOptions {
  /**
   * Serve others: leave the running note so that they join this sandbox, and take over when the owner this one
   * joined goes away. False for a short-lived user (one CLI command): it joins a running sandbox, or runs its own
   * unannounced, and others wait for it to finish.
   */
  serve: boolean;
  /** How long to wait for a folder locked by a process that is not serving yet (starting, or a CLI command). */
  waitMs?: number;
  /** How often a joiner checks that the owner is still there. Default 1 s. */
  watchMs?: number;
}

export interface SharedSandbox {
  /** Whether this process serves the folder. */
  readonly role: 'owner' | 'guest';
  /** Where the sandbox answers now (it changes when a joiner takes over on another port). */
  readonly endpoint: SandboxEndpoint;
  /** The sandbox this process runs; undefined while it only joins another process's sandbox. */
  readonly sandbox: Sandbox | undefined;
  /** Called after this process took over from an owner that went away. */
  onTakeover(listener: (endpoint: SandboxEndpoint) => void): void;
  /** Stops serving (removing the note) or stops watching. Safe to call twice. */
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Joins the sandbox serving `dataDir`, or starts it here; see SharedSandboxOptions. */
export async function openSharedSandbox(options: SharedSandboxOptions): Promise<SharedSandbox> {
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const note = await findRunningSandbox(options.dataDir);
    if (note) return new Shared(options, null, note);
    try {
      return new Shared(options, await startOwned(options), null);
    } catch (e) {
      if (!(e instanceof LockHeldError) || Date.now() + delay > deadline) throw e;
      // Another process holds the folder and is not serving yet (starting, or a CLI command): wait for it.
      await sleep(delay + Math.random() * delay);
    }
  }
}

async function startOwned(options: SharedSandboxOptions, port = options.port): Promise<Sandbox> {
  const { serve: _serve, waitMs: _waitMs, watchMs: _watchMs, ...sandboxOptions } = options;
  const sandbox = await startSandbox({ ...sandboxOptions, port });
  if (options.serve) {
    try {
      await writeRunningNote(options.dataDir, { pid: process.pid, url: sandbox.url, iotInstanceId: sandbox.credentials.iotInstanceId, startedAt: new Date().toISOString() });
    } catch (e) {
      await sandbox.close();
      throw e;
    }
  }
  return sandbox;
}

class Shared implements SharedSandbox {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly listeners: ((endpoint: SandboxEndpoint) => void)[] = [];
  private takingOver: Promise<void> | undefined;

  constructor(
    private readonly options: SharedSandboxOptions,
    private owned: Sandbox | null,
    private note: RunningNote | null,
  ) {
    if (!owned && options.serve) {
      this.timer = setInterval(() => void this.watch().catch(() => undefined), options.watchMs ?? 1000);
      this.timer.unref();
    }
  }

  get role(): 'owner' | 'guest' {
    return this.owned ? 'owner' : 'guest';
  }

  get endpoint(): SandboxEndpoint {
    return this.owned ? endpointOfSandbox(this.owned) : endpointOfNote(this.note!);
  }

  get sandbox(): Sandbox | undefined {
    return this.owned ?? undefined;
  }

  onTakeover(listener: (endpoint: SandboxEndpoint) => void): void {
    this.listeners.push(listener);
  }

  /** A joiner's check of its owner; takes over when the owner is gone. */
  private watch(): Promise<void> {
    if (this.closed || this.owned || !this.note || processAlive(this.note.pid)) return Promise.resolve();
    this.takingOver ??= this.takeOver().finally(() => (this.takingOver = undefined));
    return this.takingOver;
  }

  private async takeOver(): Promise<void> {
    const gone = this.note!;
    const next = await findRunningSandbox(this.options.dataDir);
    if (next) {
      // Another joiner took over first: follow it.
      this.note = next;
      return;
    }
    const port = Number(new URL(gone.url).port) || 0;
    let sandbox: Sandbox;
    try {
      sandbox = await startOwned(this.options, port).catch((e: unknown) => {
        if (e instanceof LockHeldError) throw e;
        return startOwned(this.options, 0); // the old port is taken by something else
      });
    } catch (e) {
      if (e instanceof LockHeldError) return; // someone else is taking over; its note shows up on a later check
      throw e;
    }
    if (this.closed) {
      await removeRunningNote(this.options.dataDir).catch(() => undefined);
      await sandbox.close();
      return;
    }
    this.owned = sandbox;
    if (this.timer) clearInterval(this.timer);
    for (const l of this.listeners) l(this.endpoint);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.takingOver?.catch(() => undefined);
    const owned = this.owned;
    if (!owned) return;
    if (this.options.serve) await removeRunningNote(this.options.dataDir).catch(() => undefined);
    await owned.close();
  }
}
