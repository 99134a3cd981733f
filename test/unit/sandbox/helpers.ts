// Test helpers: a sandbox in a temporary folder, signed RPC calls made with plain undici requests and the shared
// signer, OSS uploads with undici's FormData.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { FormData, request } from 'undici';
import { canonicalizedQuery, percentEncode, sign, timestamp } from '../../../src/core/cloud/aliyun/signer';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/core/cloud/sandbox';

export type Json = Record<string, unknown>;

export interface TestSandbox {
  sandbox: Sandbox;
  dir: string;
  /** Closes the sandbox and removes its folder. */
  dispose(): Promise<void>;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ota-sandbox-test-'));
}

/** Sandboxes running on a test clock: requests to them are timestamped with that clock. */
const clocks = new WeakMap<Sandbox, () => number>();

export async function openSandbox(options: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dir = options.dataDir ?? (await tempDir());
  const sandbox = await startSandbox({ tickMs: 0, seed: false, qps: false, randomSeed: 7, ...options, dataDir: dir });
  if (options.now) clocks.set(sandbox, options.now);
  return {
    sandbox,
    dir,
    dispose: async () => {
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A clock tests can move. */
export class TestClock {
  constructor(public ms: number = Date.now()) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface RpcOptions {
  method?: 'GET' | 'POST';
  accessKeyId?: string;
  secret?: string;
  timestamp?: string;
  nonce?: string;
  /** Applied after signing, to prove the signature covers the parameters. */
  tamper?: (params: Record<string, string>) => void;
  /** Sign for this method (default: the method sent). */
  signAs?: 'GET' | 'POST';
  /** Leave these common parameters out. */
  omit?: string[];
}

export interface RpcResponse {
  status: number;
  body: Json;
}

export async function rpc(
  sandbox: Sandbox,
  action: string,
  params: Record<string, string | number | boolean> = {},
  options: RpcOptions = {},
): Promise<RpcResponse> {
  const method = options.method ?? 'GET';
  const all: Record<string, string> = {
    Action: action,
    Format: 'JSON',
    Version: '2018-01-20',
    AccessKeyId: options.accessKeyId ?? sandbox.credentials.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: options.nonce ?? randomUUID(),
    Timestamp: options.timestamp ?? timestamp(new Date((clocks.get(sandbox) ?? Date.now)())),
    RegionId: 'cn-shanghai',
  };
  for (const [k, v] of Object.entries(params)) all[k] = String(v);
  for (const name of options.omit ?? []) delete all[name];
  const signature = sign(options.signAs ?? method, all, options.secret ?? sandbox.credentials.accessKeySecret);
  options.tamper?.(all);
  const query = `${canonicalizedQuery(all)}&Signature=${percentEncode(signature)}`;
  const response =
    method === 'GET'
      ? await request(`${sandbox.aliyunEndpoint}/?${query}`)
      : await request(`${sandbox.aliyunEndpoint}/`, {
          method: 'POST',
          body: query,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
  const body = (await response.body.json()) as Json;
  return { status: response.statusCode, body };
}

/** Calls and asserts success. */
export async function ok(
  sandbox: Sandbox,
  action: string,
  params: Record<string, string | number | boolean> = {},
  options: RpcOptions = {},
): Promise<Json> {
  const { status, body } = await rpc(sandbox, action, params, options);
  assert.equal(status, 200, `${action}: HTTP ${status} ${JSON.stringify(body)}`);
  assert.equal(body.Success, true, `${action}: ${JSON.stringify(body)}`);
  return body;
}

/** Calls and asserts a failure with this code; returns the body. */
export async function fails(
  sandbox: Sandbox,
  action: string,
  params: Record<string, string | number | boolean>,
  code: string,
  options: RpcOptions = {},
): Promise<RpcResponse> {
  const response = await rpc(sandbox, action, params, options);
  assert.equal(response.body.Code, code, `${action}: expected ${code}, got ${JSON.stringify(response.body)}`);
  return response;
}

export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

export function firmwareBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17) & 0xff;
  return bytes;
}

export interface UploadTicket {
  Key: string;
  Host: string;
  Policy: string;
  OSSAccessKeyId: string;
  Signature: string;
  FirmwareUrl: string;
}

export async function uploadTicket(sandbox: Sandbox): Promise<UploadTicket> {
  return (await ok(sandbox, 'GenerateOTAUploadURL', { FileSuffix: 'bin' })).Data as UploadTicket;
}

/** Posts an OSS form; `fields` in the order given, the file where `fileAt` says (default last). */
export async function postForm(
  host: string,
  fields: [string, string][],
  file: Uint8Array | null,
  fileAt = fields.length,
): Promise<{ status: number; text: string }> {
  const form = new FormData();
  const entries: [string, string | Blob][] = [...fields];
  if (file) entries.splice(fileAt, 0, ['file', new Blob([file])]);
  for (const [name, value] of entries) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, 'firmware.bin');
  }
  const response = await request(host, { method: 'POST', body: form });
  return { status: response.statusCode, text: await response.body.text() };
}

export function ticketFields(ticket: UploadTicket): [string, string][] {
  return [
    ['key', ticket.Key],
    ['policy', ticket.Policy],
    ['OSSAccessKeyId', ticket.OSSAccessKeyId],
    ['signature', ticket.Signature],
    ['success_action_status', '200'],
  ];
}

/** GenerateOTAUploadURL + PostObject; returns the FirmwareUrl to create firmware from. */
export async function upload(sandbox: Sandbox, bytes: Uint8Array): Promise<string> {
  const ticket = await uploadTicket(sandbox);
  const { status, text } = await postForm(ticket.Host, ticketFields(ticket), bytes);
  assert.equal(status, 200, text);
  return ticket.FirmwareUrl;
}

/** Uploads and creates a firmware package; returns its id. */
export async function createFirmware(
  sandbox: Sandbox,
  params: Record<string, string | number | boolean>,
  bytes: Uint8Array = firmwareBytes(4096),
): Promise<string> {
  const url = await upload(sandbox, bytes);
  const body = await ok(sandbox, 'CreateOTAFirmware', {
    FirmwareName: 'test-fw',
    FirmwareUrl: url,
    FirmwareSign: md5Hex(bytes),
    SignMethod: 'MD5',
    FirmwareSize: bytes.length,
    ...params,
  });
  return (body.Data as Json).FirmwareId as string;
}

export async function allTasks(sandbox: Sandbox, jobId: string): Promise<Json[]> {
  const tasks: Json[] = [];
  for (let page = 1; ; page++) {
    const body = await ok(sandbox, 'ListOTATaskByJob', { JobId: jobId, CurrentPage: page, PageSize: 100 });
    const items = (body.Data as Json).SimpleOTATaskInfo as Json[];
    tasks.push(...items);
    if (page >= (body.PageCount as number)) return tasks;
  }
}

export async function jobStatus(sandbox: Sandbox, jobId: string): Promise<string> {
  return ((await ok(sandbox, 'QueryOTAJob', { JobId: jobId })).Data as Json).JobStatus as string;
}

/** Ticks until the job reaches a status (or fails after `max` ticks). */
export async function tickUntilJob(sandbox: Sandbox, jobId: string, status: string, max = 200): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await jobStatus(sandbox, jobId)) === status) return;
    await sandbox.tick();
  }
  assert.fail(`job ${jobId} did not reach ${status} in ${max} ticks (now ${await jobStatus(sandbox, jobId)})`);
}

export function countBy(tasks: Json[], key = 'TaskStatus'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of tasks) counts[t[key] as string] = (counts[t[key] as string] ?? 0) + 1;
  return counts;
}
