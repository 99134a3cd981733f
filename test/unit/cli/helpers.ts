// Test helpers for the CLI: run() with captured output, the built bundle as a real subprocess, a sandbox in a
// temporary folder, and the demo records the tests look at.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/cli/run';
import type { CliIO } from '../../../src/cli/support/io';
import { SANDBOX_DEMO, startSandbox, type Sandbox, type SandboxOptions } from '../../../src/core/cloud/sandbox';

export const root = join(__dirname, '..', '..', '..', '..');
export const bundle = join(root, 'dist', 'cli.js');

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type Env = Record<string, string | undefined>;

export function captureIO(env: Env = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env,
    out: () => out,
    err: () => err,
  };
}

/** Runs the CLI in this process. */
export async function cli(argv: string[], env: Env, signal?: AbortSignal): Promise<Result> {
  const io = captureIO(env);
  const code = await run(argv, io, signal);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** A clean environment for subprocesses: no credentials but those given, HOME and XDG_DATA_HOME in `home`. */
export function childEnv(home: string, extra: Env = {}): Env {
  return { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: join(home, 'data'), ...extra };
}

export function spawnBundle(args: string[], env: Env): ChildProcess {
  assert.ok(existsSync(bundle), `${bundle} is missing: run 'node scripts/build.mjs' first`);
  return spawn(process.execPath, [bundle, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the built `dist/cli.js` as a real subprocess (asynchronously: an in-process sandbox must keep answering). */
export function runBundle(args: string[], env: Env): Promise<Result> {
  const child = spawnBundle(args, env);
  return collect(child);
}

export function collect(child: ChildProcess): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function tempDir(prefix = 'ota-cli-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface TestSandbox {
  sandbox: Sandbox;
  dir: string;
  /** ALIBABA_CLOUD_* for the sandbox account. */
  aliyunEnv: Env;
  /** The global options that point the CLI at it. */
  aliyunArgs: string[];
  dispose(): Promise<void>;
}

/** A sandbox with the demo account and real QPS limits, in a temporary folder. */
export async function openSandbox(options: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dir = await tempDir('ota-cli-sandbox-');
  const sandbox = await startSandbox({ dataDir: dir, tickMs: 0, qps: true, ...options });
  return {
    sandbox,
    dir,
    aliyunEnv: {
      ALIBABA_CLOUD_ACCESS_KEY_ID: sandbox.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: sandbox.credentials.accessKeySecret,
    },
    aliyunArgs: ['--provider', 'aliyun', '--endpoint', `${sandbox.aliyunEndpoint}/`],
    dispose: async () => {
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const FIRMWARE_KEYS = [
  'id',
  'name',
  'version',
  'srcVersion',
  'size',
  'sign',
  'signMethod',
  'status',
  'type',
  'productKey',
  'productName',
  'moduleName',
  'description',
  'url',
  'createdAt',
  'modifiedAt',
];
export const JOB_KEYS = ['id', 'firmwareId', 'status', 'type', 'selection', 'targetSelection', 'createdAt', 'startedAt', 'endedAt'];
export const TASK_KEYS = ['id', 'jobId', 'deviceName', 'productKey', 'status', 'progress', 'description', 'srcVersion', 'destVersion', 'modifiedAt'];

export type Row = Record<string, unknown>;

export function parseJson<T = Row[]>(r: Result): T {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout) as T;
}

export function assertIso(value: unknown, what: string): void {
  assert.equal(typeof value, 'string', `${what} is ${String(value)}`);
  assert.equal(new Date(value as string).toISOString(), value, `${what} is not ISO-8601: ${String(value)}`);
}

/** One failure: a non-zero exit, nothing on stdout, exactly one `ota: ...` line on stderr. */
export function assertOneLineError(r: Result, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^ota: [^\n]+\n$/);
  assert.match(r.stderr, pattern);
}

/** The 1.2.0 plug firmware and its fleet rollout job (300 tasks in every status) of the demo account. */
export async function demoRollout(args: string[], env: Env): Promise<{ firmwareId: string; jobId: string }> {
  const list = parseJson(await cli([...args, 'firmware', 'list', '--json', '--product-key', SANDBOX_DEMO.plug.productKey, '--dest-version', '1.2.0'], env));
  assert.equal(list.length, 1);
  const firmwareId = list[0].id as string;
  const jobs = parseJson(await cli([...args, 'job', 'list', firmwareId, '--json'], env));
  assert.equal(jobs.length, 1);
  return { firmwareId, jobId: jobs[0].id as string };
}

/** Awaits `running` while moving the sandbox's simulation (tickMs 0) one step at a time, as its timer would. */
export async function whileTicking<T>(sandbox: Sandbox, running: Promise<T>): Promise<T> {
  let settled = false;
  const result = running.finally(() => {
    settled = true;
  });
  while (!settled) {
    await sandbox.tick();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return result;
}

/** The last line of a text, without its line break. */
export function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop() ?? '';
}

/** The JSON a successful command printed on stdout (its stderr may hold progress). */
export function parseJsonOut<T = Row>(r: Result): T {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
