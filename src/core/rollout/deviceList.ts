// A population's device-list file (population.deviceListFile): one device name (IoTaaP: device id) a line.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { OtaError } from '../errors';
import { say } from '../sentences';

/** A path of the plan: absolute as written, else relative to the plan's folder. */
export function planPath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(join(baseDir, path));
}

/** How a path is kept in the rollout file: relative to the workspace when inside it (so the file moves with a checkout), else absolute. */
export function recordedPath(workspace: string, absolute: string): string {
  const rel = relative(workspace, absolute);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : absolute;
}

/** A path kept by recordedPath, made absolute again. */
export function recordedToAbsolute(workspace: string, recorded: string): string {
  return isAbsolute(recorded) ? recorded : resolve(workspace, recorded);
}

/** One device name a line; blank lines and lines starting with # are skipped; a CSV's first column is taken. */
export async function readDeviceList(file: string): Promise<string[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (e) {
    throw new OtaError('invalid-input', say`The device-list file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}): check the path in population.deviceListFile.`);
  }
  const names = content
    .split(/\r?\n/)
    .map((l) => l.split(',')[0].trim())
    .filter((l) => l && !l.startsWith('#') && l.toLowerCase() !== 'devicename' && l.toLowerCase() !== 'device');
  if (names.length === 0) throw new OtaError('invalid-input', say`The device-list file ${file} names no device: put one device name on each line.`);
  return [...new Set(names)];
}
