// The rollout file: the plan as the user wrote it (unknown fields kept) plus the engine's `state`, written whole
// through a temporary file and a rename so that a reader (the extension, a CI job) sees the old or the new file,
// never half of one; and a lock file so two `advance` runs never act at once.
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OtaError } from '../errors';
import { say } from '../sentences';
import { NAME_PATTERN, parsePlan, type RolloutPlan } from './plan';
import type { RolloutState } from './state';

export const ROLLOUTS_DIR = join('.ota', 'rollouts');
/** A lock older than this is taken to be left by a crashed process. */
const STALE_LOCK_MS = 10 * 60_000;

export interface RolloutFile {
  path: string;
  /** The plan fields as written, without `state`. */
  raw: Record<string, unknown>;
  plan: RolloutPlan;
  state: RolloutState | null;
}

export function rolloutsDir(workspace: string): string {
  return join(workspace, ROLLOUTS_DIR);
}

/** The workspace of a rollout file (the folder holding its .ota/rollouts). */
export function workspaceOfRolloutFile(path: string): string {
  return dirname(dirname(dirname(path)));
}

export function rolloutPath(workspace: string, name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new OtaError('invalid-input', say`"${name}" is not a rollout name: names hold only letters, digits, ".", "_" and "-".`);
  }
  return join(rolloutsDir(workspace), `${name}.json`);
}

export async function readRolloutFile(path: string): Promise<RolloutFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OtaError('not-found', say`There is no rollout file ${path}: create the rollout first (ota rollout create PLAN.json).`);
    throw new OtaError('failed', say`The rollout file ${path} cannot be read (${code ?? String(e)}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new OtaError('invalid-input', say`The rollout file ${path} is not valid JSON (${(e as Error).message}): fix it or restore it from version control.`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OtaError('invalid-input', say`The rollout file ${path} must hold a JSON object.`);
  }
  const { state, ...raw } = json as Record<string, unknown>;
  const plan = parsePlan(raw);
  return { path, raw, plan, state: (state as RolloutState | undefined) ?? null };
}

export function serialize(raw: Record<string, unknown>, state: RolloutState | null): string {
  return `${JSON.stringify(state ? { ...raw, state } : raw, null, 2)}\n`;
}

let counter = 0;

export async function writeRolloutFile(path: string, raw: Record<string, unknown>, state: RolloutState | null): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${++counter}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(serialize(raw, state), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

/** Rollout names in a workspace, from their files. */
export async function listRollouts(workspace: string): Promise<string[]> {
  try {
    return (await readdir(rolloutsDir(workspace)))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .filter((n) => NAME_PATTERN.test(n))
      .sort();
  } catch {
    return [];
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding `<file>.lock`; a lock of a dead process on this machine, or a stale one, is taken over. Waits
 * `waitMs` (default 5 s) for another holder to let go.
 */
export async function withRolloutLock<T>(path: string, fn: () => Promise<T>, options: { waitMs?: number } = {}): Promise<T> {
  const lock = `${path}.lock`;
  const attempts = Math.max(1, Math.ceil((options.waitMs ?? 5_000) / 100));
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
      await handle.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner: { pid?: number } = {};
      let age = 0;
      try {
        owner = JSON.parse(await readFile(lock, 'utf8')) as { pid?: number };
        age = Date.now() - (await stat(lock)).mtimeMs;
      } catch {
        /* being written or removed right now: try again */
      }
      const dead = typeof owner.pid === 'number' && owner.pid !== process.pid && !pidAlive(owner.pid);
      if (dead || age > STALE_LOCK_MS) {
        await rm(lock, { force: true });
        continue;
      }
      if (attempt >= attempts) {
        throw new OtaError('failed', say`The rollout ${path} is being changed by another process (pid ${owner.pid ?? '?'}): try again in a moment.`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * A pause or abort asked for while another step holds the lock (a wave being deployed device by device): the step
 * sees `<file>.stop` after its current deploy and stops sending, so the pause can take the lock and act.
 */
export async function requestStop(path: string, action: 'pause' | 'abort'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.stop`, JSON.stringify({ action, pid: process.pid, at: new Date().toISOString() }));
}

export async function clearStopRequest(path: string): Promise<void> {
  await rm(`${path}.stop`, { force: true });
}

/** Whether a pause or abort is waiting; a request older than a stale lock (its asker is gone) is dropped. */
export async function stopRequested(path: string): Promise<'pause' | 'abort' | null> {
  try {
    const file = `${path}.stop`;
    const age = Date.now() - (await stat(file)).mtimeMs;
    if (age > STALE_LOCK_MS) {
      await rm(file, { force: true });
      return null;
    }
    const { action } = JSON.parse(await readFile(file, 'utf8')) as { action?: unknown };
    return action === 'abort' ? 'abort' : 'pause';
  } catch {
    return null;
  }
}

/** Writes a plan file that does not exist yet (refuses to replace one). */
export async function writeNewPlan(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, { flag: 'wx' });
}
