// Benchmark: loading 500 firmware and the 10,000 tasks of one job from the sandbox at its real QPS limits, through
// AliyunOtaClient and through the `ota` bundle. Prints, for each load, the time against the ideal (pages divided
// by the operation's QPS limit) and how many throttling errors reached the user, which must be none: the client's
// own rate limiter paces the pages, and any throttled answer is retried. Exits 1 when one did, or items are missing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AliyunOtaClient, OTA_QPS } from '../../src/core/cloud/aliyun';
import { SANDBOX_DEMO, startSandbox, type Sandbox } from '../../src/core/cloud/sandbox';
import { isOtaError } from '../../src/core/errors';
import { formatTable } from '../../src/cli/support/table';

const FIRMWARE = 500;
const TASKS = 10_000;
const PAGE_SIZE = 100;
const bundle = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

interface Row {
  load: string;
  via: string;
  action: string;
  expected: number;
  items: number;
  seconds: number;
  /** Throttled answers the sandbox sent (retried by the client, unseen by the user). */
  throttledAnswers: number;
  requests: number;
  /** Throttling errors that reached the user. */
  throttlingErrors: number;
  error: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one load, timed, with the sandbox's counters reset before; a quiet second first so no window carries over. */
async function measure(
  sandbox: Sandbox,
  load: string,
  via: string,
  action: string,
  expected: number,
  fn: () => Promise<number>,
): Promise<Row> {
  await sleep(1100);
  sandbox.resetStats();
  const started = performance.now();
  let items = 0;
  let error: string | null = null;
  let throttlingErrors = 0;
  try {
    items = await fn();
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    if ((isOtaError(e) && e.kind === 'throttled') || /throttl/i.test(error)) throttlingErrors++;
  }
  const seconds = (performance.now() - started) / 1000;
  const stats = sandbox.stats;
  return {
    load,
    via,
    action,
    expected,
    items,
    seconds,
    throttledAnswers: stats.throttledByAction[action] ?? 0,
    requests: stats.rpcRequests,
    throttlingErrors,
    error,
  };
}

/** `ota ... --json` as a subprocess; resolves with the number of records it printed. */
function cliCount(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(err.trim() || `ota exited with ${code}`));
      else resolve((JSON.parse(Buffer.concat(out).toString('utf8')) as unknown[]).length);
    });
  });
}

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'ota-bench-'));
  const sandbox = await startSandbox({ dataDir: dir, tickMs: 0, qps: true, bulk: { firmware: FIRMWARE, tasks: TASKS } });
  const rows: Row[] = [];
  try {
    const { accessKeyId, accessKeySecret, regionId } = sandbox.credentials;
    const endpoint = `${sandbox.aliyunEndpoint}/`;
    const client = new AliyunOtaClient({ accessKeyId, accessKeySecret, regionId, endpoint });
    const [first] = await client.listFirmware({ productKey: SANDBOX_DEMO.bench.productKey, destVersion: '0.1.1' });
    const [job] = await client.listJobsByFirmware(first.id);

    rows.push(await measure(sandbox, `${FIRMWARE} firmware`, 'AliyunOtaClient', 'ListOTAFirmware', FIRMWARE, async () => (await client.listFirmware()).length));
    rows.push(
      await measure(sandbox, `${TASKS} tasks`, 'AliyunOtaClient', 'ListOTATaskByJob', TASKS, async () => new Set((await client.listTasks(job.id)).map((t) => t.id)).size),
    );
    if (existsSync(bundle)) {
      const env = { PATH: process.env.PATH, ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret };
      const global = ['--provider', 'aliyun', '--endpoint', endpoint];
      rows.push(await measure(sandbox, `${FIRMWARE} firmware`, 'ota firmware list', 'ListOTAFirmware', FIRMWARE, () => cliCount([...global, 'firmware', 'list'], env)));
      rows.push(await measure(sandbox, `${TASKS} tasks`, 'ota task list', 'ListOTATaskByJob', TASKS, () => cliCount([...global, 'task', 'list', job.id], env)));
    } else {
      process.stdout.write(`(${bundle} is missing: build it to measure the CLI too)\n`);
    }
  } finally {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
  report(rows);
  const bad = rows.filter((r) => r.throttlingErrors > 0 || r.error !== null || r.items !== r.expected);
  return bad.length > 0 ? 1 : 0;
}

function report(rows: Row[]): void {
  const right = 'right' as const;
  const table = formatTable(
    [
      { header: 'LOAD' },
      { header: 'VIA' },
      { header: 'OPERATION' },
      { header: 'ITEMS', align: right },
      { header: 'PAGES', align: right },
      { header: 'QPS', align: right },
      { header: 'SECONDS', align: right },
      { header: 'IDEAL S', align: right },
      { header: 'ACTUAL/IDEAL', align: right },
      { header: 'REQUESTS', align: right },
      { header: 'THROTTLED (RETRIED)', align: right },
      { header: 'THROTTLING ERRORS TO USER', align: right },
    ],
    rows.map((r) => {
      const pages = Math.ceil(r.expected / PAGE_SIZE);
      const qps = OTA_QPS[r.action];
      const ideal = pages / qps;
      return [
        r.load,
        r.via,
        r.action,
        String(r.items),
        String(pages),
        String(qps),
        r.seconds.toFixed(2),
        ideal.toFixed(2),
        (r.seconds / ideal).toFixed(2),
        String(r.requests),
        String(r.throttledAnswers),
        String(r.throttlingErrors),
      ];
    }),
  );
  process.stdout.write('cloudLoad: the sandbox at its real QPS limits, 100 records a page\n\n');
  process.stdout.write(table);
  process.stdout.write(
    '\nIdeal = pages / QPS limit. The limit is per sliding second, so the first second\'s pages go at once and a\n' +
      'ratio below 1 is possible; REQUESTS counts every RPC the sandbox answered during the load (pages and retries).\n',
  );
  for (const r of rows) if (r.error) process.stdout.write(`${r.via}, ${r.load}: FAILED: ${r.error}\n`);
  for (const r of rows) if (!r.error && r.items !== r.expected) process.stdout.write(`${r.via}, ${r.load}: got ${r.items} of ${r.expected}\n`);
  const surfaced = rows.reduce((n, r) => n + r.throttlingErrors, 0);
  process.stdout.write(`Throttling errors that reached the user: ${surfaced}\n`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`cloudLoad: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
