// What the streamed-upload tests share (OSS PostObject and IoTaaP deploys): large images that differ in every
// megabyte, the sandbox in a process of its own whose memory is measured (uploadMemoryChild.ts), the temporary files
// of the objects folder, and the MD5 of what was stored.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, readdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Sandbox } from '../../../src/core/cloud/sandbox';
import { OtaError } from '../../../src/core/errors';
import { tempDir } from './helpers';

export const MB = 1024 * 1024;

/** Writes `size` bytes that differ in every megabyte; returns their MD5. */
export async function writeImage(file: string, size: number): Promise<string> {
  const block = randomBytes(MB);
  const md5 = createHash('md5');
  const out = createWriteStream(file);
  for (let offset = 0; offset < size; offset += MB) {
    const chunk = Buffer.from(block.subarray(0, Math.min(MB, size - offset)));
    chunk.writeUInt32LE(offset / MB, 0);
    md5.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return md5.digest('hex');
}

/** The temporary files of uploads under way in a sandbox's data folder. */
export function tempFiles(dir: string): string[] {
  return readdirSync(join(dir, 'objects')).filter((n) => n.endsWith('.tmp'));
}

export async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The MD5 of the bytes stored for `key` (read back from the data folder) and the one the sandbox recorded. */
export async function storedMd5(dataDir: string, key: string): Promise<{ onDisk: string; recorded: string }> {
  const records = JSON.parse(await readFile(join(dataDir, 'objects.json'), 'utf8')) as { key: string; md5: string; file: string }[];
  const record = records.find((r) => r.key === key);
  assert.ok(record, `no object recorded for ${key}`);
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(join(dataDir, 'objects', record.file))) md5.update(chunk as Buffer);
  return { onDisk: md5.digest('hex'), recorded: record.md5 };
}

export interface MeasuredSandbox {
  /** How to reach it (as `Sandbox`), once started. */
  sandbox: Sandbox;
  /** Its resident memory once started. */
  baseline: number;
  /** Its peak resident memory so far (the sampled peak and the kernel's high-water mark); then it closes. */
  report(): Promise<{ peak: number; vmHwm: number }>;
  kill(): void;
}

/** A sandbox on `dataDir` in a process of its own; `ready` runs meanwhile (say, writing the image). */
export async function startMeasuredSandbox(dataDir: string, maxUploadBytes: number, ready?: Promise<unknown>): Promise<MeasuredSandbox> {
  const child = spawn(process.execPath, [join(__dirname, 'uploadMemoryChild.js'), dataDir, String(maxUploadBytes)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    assert.ok(!line.done, `the sandbox process ended: ${stderr}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  try {
    const [started] = await Promise.all([next(), ready]);
    return {
      sandbox: started as unknown as Sandbox,
      baseline: started.baseline as number,
      report: async () => {
        child.stdin.write('report\n');
        return (await next()) as { peak: number; vmHwm: number };
      },
      kill: () => child.kill(),
    };
  } catch (e) {
    child.kill();
    throw e;
  }
}

export interface MeasuredUpload {
  sandbox: Sandbox;
  dataDir: string;
  /** A `size`-byte image beside the sandbox, and its MD5. */
  image: string;
  md5: string;
}

/**
 * One measured upload: a sandbox in a process of its own (uploads up to 256 MB), a `size`-byte image written
 * meanwhile, `upload` run with them; then checks that no temporary file was left, and removes everything.
 * Resolves with how much the sandbox's memory grew over its start.
 */
export async function measureUpload(size: number, upload: (u: MeasuredUpload) => Promise<void>): Promise<number> {
  const dir = await tempDir();
  const dataDir = join(dir, 'data');
  const image = join(dir, 'big.bin');
  try {
    let md5 = '';
    const measured = await startMeasuredSandbox(dataDir, 256 * MB, writeImage(image, size).then((m) => (md5 = m)));
    try {
      await upload({ sandbox: measured.sandbox, dataDir, image, md5 });
      const { peak, vmHwm } = await measured.report();
      assert.deepEqual(tempFiles(dataDir), []);
      return Math.max(peak, vmHwm) - measured.baseline;
    } finally {
      measured.kill();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Starts an upload (`start` gets the signal and progress listener to pass on), abandons it once 4 MB are sent and its
 * temporary file is seen in `dataDir`, and checks that it failed and that the temporary file goes.
 */
export async function abandonMidway(
  dataDir: string,
  what: string,
  start: (signal: AbortSignal, onProgress: (sent: number) => void) => Promise<unknown>,
): Promise<void> {
  const abort = new AbortController();
  let sawTemp = false;
  const upload = start(abort.signal, (sent) => {
    if (sent < 4 * MB || abort.signal.aborted) return;
    if (tempFiles(dataDir).length > 0) {
      sawTemp = true;
      abort.abort();
    }
  });
  await assert.rejects(upload, (e: unknown) => e instanceof OtaError || (e instanceof Error && e.name === 'AbortError'));
  assert.ok(sawTemp, `the ${what} was never seen going to a temporary file`);
  await until('the temporary file is removed', () => tempFiles(dataDir).length === 0);
}
