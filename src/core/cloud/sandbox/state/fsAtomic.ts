// Crash-safe file writes for the sandbox's data folder: write a temporary file next to the target, fsync it, rename
// it over the target (atomic on POSIX and NTFS) and fsync the directory, so a reader sees the old or the new file,
// never half of one. Plus a lock file so two sandboxes never share one data folder.
import { open, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
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

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
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

/**
 * Takes the data folder's lock file, or fails naming the process that holds it. A lock left by a process that no
 * longer runs is taken over. Returns the function that releases it.
 */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, 'sandbox.lock');
  const content = JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, content, { flag: 'wx' });
      return async () => {
        await unlink(file).catch(() => undefined);
      };
    } catch (e) {
      if (errorCode(e) !== 'EEXIST') throw e;
      const held = await readJsonFile<{ pid?: number }>(file).catch(() => undefined);
      const pid = held?.pid;
      if (typeof pid === 'number' && processAlive(pid)) {
        throw new Error(
          `The sandbox data folder ${dir} is in use by another sandbox (process ${pid}). Stop it or choose another folder.`,
          { cause: e },
        );
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw new Error(`Could not lock the sandbox data folder ${dir}.`);
}
