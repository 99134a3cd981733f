// The PlatformIO projects of a workspace: every directory holding a `platformio.ini`, among the workspace folders
// themselves and up to two levels below them (build output, dependencies and VCS data skipped).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PROJECT_FILE } from './projectConfig';

const SKIPPED_DIRS = new Set(['.pio', 'node_modules', '.git']);
export const PROJECT_SEARCH_DEPTH = 2;

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !SKIPPED_DIRS.has(e.name))
      .map((e) => e.name)
      .sort()
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/**
 * Absolute paths of the project directories under `folders`, each folder's own project first, then the ones below
 * it in name order; no duplicates. Folders that do not exist are skipped.
 */
export async function findProjects(folders: string[]): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = async (dir: string, depth: number): Promise<void> => {
    if (await isFile(path.join(dir, PROJECT_FILE))) {
      if (!seen.has(dir)) {
        seen.add(dir);
        found.push(dir);
      }
    }
    if (depth >= PROJECT_SEARCH_DEPTH) return;
    for (const sub of await subdirectories(dir)) await visit(sub, depth + 1);
  };
  for (const folder of folders) await visit(path.resolve(folder), 0);
  return found;
}
