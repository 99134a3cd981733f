// Crash-safe file writes for the sandbox's data folder: write a temporary file next to the target, fsync it, rename
// it over the target (atomic on POSIX and NTFS) and fsync the directory, so a reader sees the old or the new file,
// never half of one. Plus a lock file so two sandboxes never share one data folder.
import { open, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

let tempCounter = 0;

const RETRYABLE_RENAME = new Set(['EPERM', 'EACCES', 'EBUSY']);

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e).code) : undefined;
}

async function syncDirectory(dir: string): Promise<void> {
  // Directories cannot be opened for fsync on Windows; the rename is still atomic there.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  // On Windows a virus scanner or indexer may hold the target for a moment.
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (e) {
      if (attempt >= 5 || process.platform !== 'win32' || !RETRYABLE_RENAME.has(errorCode(e) ?? '')) throw e;
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
  }
}

/** A fresh temporary name next to `file`; `removeStaleTempFiles` removes what a crash leaves under such names. */
export function tempFileFor(file: string): string {
  return `${file}.${process.pid}.${++tempCounter}.tmp`;
}

/** Puts a finished (fsynced, closed) temporary file in place of `file` atomically. */
export async function commitTempFile(temp: string, file: string): Promise<void> {
  await renameWithRetry(temp, file);
  await syncDirectory(dirname(file));
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = tempFileFor(file);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameWithRetry(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await syncDirectory(dirname(file));
}

/** Reads a JSON file; undefined when it does not exist. A damaged file is an error naming the file. */
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(
      `The sandbox data file ${file} is damaged (${(e as Error).message}). Move the data folder away to start afresh.`,
      { cause: e },
    );
  }
}

/** Removes temporary files a crash may have left behind (they never replaced anything). */
export async function removeStaleTempFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return;
    throw e;
  }
  await Promise.all(names.filter((n) => n.endsWith('.tmp')).map((n) => rm(join(dir, n), { force: true })));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === 'EPERM';
  }
}

/** The error thrown when a live process holds the data folder's lock. */
export class LockHeldError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
    options?: ErrorOptions,
  ) {
    super(`The sandbox data folder ${dir} is in use by another sandbox (process ${pid}). Stop it or choose another folder.`, options);
    this.name = 'LockHeldError';
  }
}

/** A takeover marker older than this was left by a process that died while taking over; it is removed. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Takes the data folder's lock file, or fails (LockHeldError) naming the process that holds it. A lock left by a
 * process that no longer runs is taken over atomically: only the process that creates the takeover marker (an
 * exclusive create, like the lock itself) may remove the stale lock, after reading it again, so two processes that
 * both saw the stale lock can never both end up holding a fresh one. Returns the function that releases it.
 */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, 'sandbox.lock');
  const marker = `${file}.takeover`;
  const content = JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await writeFile(file, content, { flag: 'wx' });
      return async () => {
        await unlink(file).catch(() => undefined);
      };
    } catch (e) {
      if (errorCode(e) !== 'EEXIST') throw e;
      const pid = await lockHolder(file);
      if (pid !== undefined && processAlive(pid)) throw new LockHeldError(dir, pid, { cause: e });
      if (!(await takeStaleLock(file, marker, pid))) await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }
  throw new Error(`Could not lock the sandbox data folder ${dir}.`);
}

/** The pid in a lock file; undefined when it holds none (damaged, being written, gone). */
async function lockHolder(file: string): Promise<number | undefined> {
  const held = await readJsonFile<{ pid?: unknown }>(file).catch(() => undefined);
  return typeof held?.pid === 'number' ? held.pid : undefined;
}

/**
 * Removes a stale lock held by `stalePid` (dead), if this process wins the takeover marker and the lock still names
 * the same dead process. False when another process is taking over (the caller waits and tries again).
 */
async function takeStaleLock(file: string, marker: string, stalePid: number | undefined): Promise<boolean> {
  try {
    await writeFile(marker, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
  } catch (e) {
    if (errorCode(e) !== 'EEXIST') throw e;
    const age = await stat(marker).then((st) => Date.now() - st.mtimeMs, () => 0);
    if (age > TAKEOVER_STALE_MS) await unlink(marker).catch(() => undefined);
    return false;
  }
  try {
    const now = await lockHolder(file);
    // Still the same stale lock (or an unreadable one that is not being written: read twice)?
    if (now === stalePid && (now === undefined || !processAlive(now))) {
      if (now === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if ((await lockHolder(file)) !== undefined) return false;
      }
      await unlink(file).catch(() => undefined);
    }
    return true;
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}
