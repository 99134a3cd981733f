// What `pio run -t upload` flashes for an Espressif environment: the images PlatformIO lists in its project metadata
// (`pio project metadata --json-output -e ENV`: extra.flash_images, e.g. bootloader at 0x1000, partitions at 0x8000,
// boot_app0 at 0xe000) plus the application (firmware.bin) at extra.application_offset (0x10000 when not given).

import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { OtaError } from '../errors';
import { say } from '../sentences';
import { hex32 } from '../serial/protocols/regions';
import { type FlashRegion } from '../serial/protocols/types';
import { findArtifact } from './artifact';
import { runCommand } from './process';

export const DEFAULT_ESP_APP_OFFSET = 0x10000;

export interface EspImagePlan {
  images: { address: number; path: string }[];
  appOffset: number;
  /** Where PlatformIO says the program is (…/firmware.elf); the .bin beside it is the application. */
  progPath: string | null;
}

function parseOffset(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(value) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new OtaError('unexpected-response', say`pio project metadata gave ${what} the offset ${String(JSON.stringify(value))}, which is not a number.`);
  return n;
}

/** The flash plan of `env` from the JSON `pio project metadata --json-output` prints. */
export function parseEspMetadata(json: unknown, env: string): EspImagePlan {
  const bad = (why: string): OtaError => new OtaError('unexpected-response', say`pio project metadata printed JSON of an unknown shape: ${why}.`);
  if (!json || typeof json !== 'object') throw bad(say`not an object`);
  const entry = (json as Record<string, unknown>)[env];
  if (!entry || typeof entry !== 'object') throw bad(say`no entry for environment "${env}"`);
  const extra = (entry as { extra?: unknown }).extra;
  const ex = extra && typeof extra === 'object' ? (extra as { flash_images?: unknown; application_offset?: unknown }) : {};
  const list = ex.flash_images ?? [];
  if (!Array.isArray(list)) throw bad(say`extra.flash_images is not a list`);
  const images = list.map((item: unknown, i) => {
    const it = item as { offset?: unknown; path?: unknown } | null;
    if (!it || typeof it.path !== 'string') throw bad(say`flash image ${i + 1} has no path`);
    return { address: parseOffset(it.offset, it.path), path: it.path };
  });
  const appOffset = ex.application_offset === undefined ? DEFAULT_ESP_APP_OFFSET : parseOffset(ex.application_offset, say`the application`);
  const prog = (entry as { prog_path?: unknown }).prog_path;
  return { images, appOffset, progPath: typeof prog === 'string' ? prog : null };
}

export interface EspImageSetOptions {
  /** The pio executable. */
  pio: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * The regions of the last build of `envName` in `projectDir`, in flash order: every image PlatformIO would flash,
 * read from disk, and the application. Throws an OtaError saying what is missing when the build is incomplete.
 */
export async function espImageSet(projectDir: string, envName: string, options: EspImageSetOptions): Promise<FlashRegion[]> {
  const run = await runCommand({
    command: options.pio,
    args: ['project', 'metadata', '--json-output', '-e', envName, '-d', projectDir],
    cwd: projectDir,
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    timeoutMs: 120000,
  });
  if (run.cancelled) throw new OtaError('cancelled', say`Reading the project metadata was cancelled.`);
  if (run.exitCode !== 0) {
    throw new OtaError('failed', say`pio project metadata failed for environment "${envName}": ${(run.stderr || run.stdout).trim().split('\n').pop() ?? ''}`, {
      hint: say`Build the environment once (pio run -e ENV) and check that its platform is installed.`,
    });
  }
  const jsonText = run.stdout.slice(run.stdout.indexOf('{'));
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch {
    throw new OtaError('unexpected-response', say`pio project metadata did not print JSON.`);
  }
  const plan = parseEspMetadata(json, envName);
  const regions: FlashRegion[] = [];
  for (const image of plan.images) {
    let data: Buffer;
    try {
      data = await fs.readFile(image.path);
    } catch {
      throw new OtaError('invalid-input', say`${path.basename(image.path)} (for ${hex32(image.address)}) is missing at ${image.path}: build environment "${envName}" first.`);
    }
    regions.push({ address: image.address, data, name: path.basename(image.path) });
  }
  const app = plan.progPath
    ? { path: plan.progPath.replace(/\.elf$/i, '.bin') }
    : await findArtifact(projectDir, envName, options.env ? { env: options.env } : {});
  let appData: Buffer;
  try {
    appData = await fs.readFile(app.path);
  } catch {
    throw new OtaError('invalid-input', say`The application image ${app.path} is missing: build environment "${envName}" first.`);
  }
  if (appData.length === 0) throw new OtaError('invalid-input', say`${app.path} is empty (0 bytes): rebuild environment "${envName}".`);
  regions.push({ address: plan.appOffset, data: appData, name: path.basename(app.path) });
  return regions.sort((a, b) => (a.address ?? 0) - (b.address ?? 0));
}
