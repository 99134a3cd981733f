// Temporary folders of the integration suites, each removed when the suite that made it ends (its `after` hook):
// nothing of a run stays in the temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new folder `ota-<prefix>-XXXXXX` in the temporary folder; `removeTempFolders` removes it. */
export function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ota-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every folder tempFolder made so far. */
export function removeTempFolders(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
