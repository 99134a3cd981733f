// Shared by the deploy tests: a sandbox in a temporary folder (real loopback HTTP), an Alibaba client pointed at it
// with no client-side pacing to wait on, firmware images on disk, and a poll wait that moves the simulation one tick.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AliyunOtaClient } from '../../../src/core/cloud/aliyun/otaClient';
import { AliyunRpcClient, type AliyunClientConfig } from '../../../src/core/cloud/aliyun/rpcClient';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/core/cloud/sandbox';
import { OtaError, type OtaErrorKind } from '../../../src/core/errors';

export interface DeploySandbox {
  sandbox: Sandbox;
  client: AliyunOtaClient;
  /** A scratch folder for images and device lists. */
  tmp: string;
  /** One simulation step per poll: what `PollOptions.wait` gets in tests. */
  tick: (ms: number, signal?: AbortSignal) => Promise<void>;
  image(name: string, size: number, seed?: number): Promise<string>;
  dispose(): Promise<void>;
}

export function clientFor(sandbox: Sandbox, extra: Partial<AliyunClientConfig> = {}): AliyunOtaClient {
  return new AliyunOtaClient(
    new AliyunRpcClient({
      accessKeyId: sandbox.credentials.accessKeyId,
      accessKeySecret: sandbox.credentials.accessKeySecret,
      regionId: sandbox.credentials.regionId,
      endpoint: sandbox.aliyunEndpoint,
      rateLimit: { windowMs: 1, marginMs: 0 },
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      ...extra,
    }),
  );
}

export async function openDeploySandbox(options: Partial<SandboxOptions> = {}): Promise<DeploySandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'ota-deploy-test-'));
  const sandbox = await startSandbox({ tickMs: 0, seed: false, qps: false, failureRate: 0, randomSeed: 11, ...options, dataDir: join(dir, 'sandbox') });
  const tmp = join(dir, 'files');
  await mkdir(tmp);
  return {
    sandbox,
    client: clientFor(sandbox),
    tmp,
    tick: async (_ms, signal) => {
      if (signal?.aborted) return;
      await sandbox.tick();
    },
    image: async (name, size, seed = 1) => {
      const path = join(tmp, name);
      await writeFile(path, imageBytes(size, seed));
      return path;
    },
    dispose: async () => {
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function imageBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + seed * 29 + (i >> 8)) & 0xff;
  return bytes;
}

export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** `names(prefix, 1, 3)` -> prefix0001, prefix0002, prefix0003. */
export function names(prefix: string, from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(from + i).padStart(4, '0')}`);
}

/** Awaits a rejection with an OtaError of this kind whose message matches. */
export async function rejectsWith(promise: Promise<unknown>, kind: OtaErrorKind, message: RegExp): Promise<OtaError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OtaError, `expected an OtaError, got ${String(error)}`);
    assert.equal(error.kind, kind, `kind of: ${error.message}`);
    assert.match(error.message, message);
    return error;
  }
  return assert.fail('expected a rejection');
}
