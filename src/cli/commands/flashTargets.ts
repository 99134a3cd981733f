// What `ota flash` writes and where: the image (FILE, repeated --image HEX:FILE, or --project DIR --env NAME for
// the PlatformIO build: all of an ESP32 build's images at their offsets) and the ports (--port, repeatable: the
// same build goes to every board, in parallel).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isOtaError } from '../../core/errors';
import { espImageSet, findArtifact } from '../../core/platformio';
import { isIntelHexName, readFlashImage } from '../../core/serial/imageFile';
import { listPorts } from '../../core/serial/ports';
import type { FlashRegion } from '../../core/serial/protocols/types';
import type { CommandContext, OptionSpec } from '../support/command';
import { UsageError } from '../support/io';
import { listOption, nonEmptyOption } from '../support/options';
import { resolvePioProject } from '../support/pioProject';

export const FLASH_TARGET_OPTIONS: Record<string, OptionSpec> = {
  port: { type: 'string', multiple: true, usage: '--port PATH', description: "The serial port ('ota ports' lists them); repeat it to flash several boards at once." },
  image: {
    type: 'string',
    multiple: true,
    usage: '--image HEX:FILE',
    description: 'Also write FILE (a .bin) at flash address HEX; repeatable (esp: bootloader, partitions...).',
  },
  project: { type: 'string', usage: '--project DIR', description: "Flash this PlatformIO project's last build instead of FILE (esp: every image of the build at its offset)." },
  env: { type: 'string', usage: '--env NAME', description: "With --project: the environment (default: the project's default_envs, or its only one)." },
};

export interface FlashImage {
  regions: FlashRegion[];
  /** For messages and the panel: the file, or "ENV (4 images)". */
  name: string;
}

async function readBin(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new UsageError(`cannot read the image ${file}${typeof code === 'string' ? ` (${code})` : ''}.`);
  }
}

/** `--image 0x8000:partitions.bin` -> a region at 0x8000. */
export async function parseImageOption(text: string): Promise<FlashRegion> {
  const m = /^(0x[0-9a-f]+|\d+):(.+)$/i.exec(text);
  if (!m) throw new UsageError(`--image must be ADDRESS:FILE, e.g. --image 0x8000:partitions.bin (got '${text}').`);
  const address = Number(m[1]);
  if (address > 0xffffffff) throw new UsageError(`--image address ${m[1]} is beyond 0xffffffff.`);
  const file = m[2];
  if (isIntelHexName(file)) throw new UsageError(`--image takes a .bin; an Intel HEX file carries its own addresses: give ${file} as FILE.`);
  return { address, data: await readBin(file), name: basename(file) };
}

async function readFileRegions(file: string): Promise<FlashRegion[]> {
  try {
    return await readFlashImage(file);
  } catch (e) {
    if (isOtaError(e)) throw new UsageError(e.hint ? `${e.message} ${e.hint}` : e.message);
    const code = (e as { code?: unknown }).code;
    throw new UsageError(`cannot read the image ${file}${typeof code === 'string' ? ` (${code})` : ''}.`);
  }
}

/** The regions to flash, from FILE, --image or --project; `file` is the positional argument (if any). */
export async function flashImage(ctx: CommandContext, file: string | undefined, protocolId: string): Promise<FlashImage> {
  const images = listOption(ctx, 'image');
  const project = nonEmptyOption(ctx, 'project');
  if (project !== undefined || nonEmptyOption(ctx, 'env') !== undefined) {
    if (file !== undefined || images.length) throw new UsageError('give either FILE (and --image) or --project/--env, not both.');
    const pio = await resolvePioProject(ctx);
    const env = pio.environment.name;
    if (protocolId === 'esp') {
      const regions = await espImageSet(pio.projectDir, env, { pio: pio.pio, env: ctx.io.env, signal: ctx.signal }).catch((e: unknown) => {
        throw isOtaError(e) ? new UsageError(e.hint ? `${e.message} ${e.hint}` : e.message) : e;
      });
      return { regions, name: `${env} (${regions.length} ${regions.length === 1 ? 'image' : 'images'})` };
    }
    const artifact = await findArtifact(pio.projectDir, env, { env: ctx.io.env }).catch((e: unknown) => {
      throw isOtaError(e) ? new UsageError(e.hint ? `${e.message} ${e.hint}` : e.message) : e;
    });
    return { regions: [{ address: null, data: await readBin(artifact.path), name: basename(artifact.path) }], name: basename(artifact.path) };
  }
  if (file === undefined && !images.length) throw new UsageError("'ota flash' needs FILE, --image HEX:FILE or --project DIR.");
  const regions: FlashRegion[] = file === undefined ? [] : await readFileRegions(file);
  for (const text of images) regions.push(await parseImageOption(text));
  return { regions, name: file !== undefined ? basename(file) : `${regions.length} images` };
}

/** The ports, in the order given; each once. */
export function flashPorts(ctx: CommandContext): string[] {
  const value = ctx.options.port;
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const ports: string[] = [];
  for (const v of values) {
    if (typeof v !== 'string' || !v.trim()) throw new UsageError('--port needs a path.');
    if (!ports.includes(v.trim())) ports.push(v.trim());
  }
  if (!ports.length) throw new UsageError("'ota flash' needs --port PATH ('ota ports' lists them).");
  return ports;
}

/** USB "vvvv:pppp" of each port that the system lists with one (the esp protocol picks its reset sequence by it). */
export async function usbIdsOf(ports: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  try {
    for (const p of await listPorts()) {
      if (p.vendorId && p.productId && (ports.includes(p.path) || (p.byIdPath && ports.includes(p.byIdPath)))) {
        out.set(ports.includes(p.path) ? p.path : p.byIdPath!, `${p.vendorId}:${p.productId}`);
      }
    }
  } catch {
    // No listing: the classic reset sequence is used.
  }
  return out;
}
