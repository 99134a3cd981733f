// Benchmark: the rollout dashboard with 10,000 tasks, in Chromium, under the page's own strict CSP. The page is the
// one the extension serves (dashboardHtml) with the built bundle (dist/webview/rollout.js); a stand-in for
// acquireVsCodeApi collects what the webview posts. It measures the time to first render (init message to painted
// page) and per update (2 % of the devices change state, one more history sample), as the webview reports it and as
// seen from outside (message posted to `rendered` received), plus a device search over the 10,000. Each median is
// printed against its limit; exits 1 when one is over, or the page broke its CSP.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { launchBrowser } from '../harness/browser';
import type { Task } from '../../src/core/model';
import { rolloutView } from '../../src/extension/rollout/dashboardView';
import { parsePlan } from '../../src/core/rollout/plan';
import { emptyCounts, type RolloutState, type WaveState } from '../../src/core/rollout/state';
import { dashboardHtml } from '../../src/extension/rollout/dashboardHtml';
import { formatTable } from '../../src/cli/support/table';
import type { DashboardView } from '../../src/shared/rolloutDashboardMessages';

const DEVICES = 10_000;
const UPDATES = 20;
const SAMPLES = 600;
/** Limits (ms) for the medians. */
const LIMITS = { firstRender: 1500, update: 150, search: 150 };
const root = join(__dirname, '..', '..', '..');

/** What the page's functions (run in the browser by page.evaluate) use of it, typed without the DOM library. */
interface Posted {
  type: string;
  phase?: string;
  ms?: number;
}
interface PageElement {
  value: string;
  textContent: string | null;
  dispatchEvent(event: unknown): boolean;
}
interface PageGlobals {
  __posted: Posted[];
  acquireVsCodeApi: () => unknown;
  postMessage(message: unknown, origin: string): void;
  document: { getElementById(id: string): PageElement | null };
}

const STATUSES = ['QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'CANCELED'];
const REASONS = ['download failed', 'timeout', 'verification failed', 'flash write failed', 'upgrade failed'];

function fixture(): { plan: ReturnType<typeof parsePlan>; state: RolloutState; tasks: Map<number, Map<string, Task>> } {
  const plan = parsePlan({
    name: 'bench-10k',
    firmwareId: 'fw-bench',
    productKey: 'pk-bench',
    population: {},
    waves: [{ count: 10 }, { percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
    gates: { maxFailurePercent: 5, minFinishedPercent: 95, soakMinutes: 30 },
    seed: 1,
  });
  const names = Array.from({ length: DEVICES }, (_, i) => `plug-${String(i + 1).padStart(5, '0')}`);
  const cuts = [0, 10, 100, 1000, 5000, DEVICES];
  const t0 = Date.parse('2026-12-01T08:00:00Z');
  const waves: WaveState[] = cuts.slice(0, -1).map((from, i) => ({
    index: i,
    label: plan.waves[i] && 'count' in plan.waves[i] ? 'canary' : `wave ${i + 1}`,
    devices: names.slice(from, cuts[i + 1]),
    status: i < 4 ? 'passed' : 'running',
    jobs: [{ jobId: `job-${i}`, tag: `t${i}`, devices: cuts[i + 1] - from, createdAt: new Date(t0 + i * 3_600_000).toISOString() }],
    pendingJobs: [],
    jobSerial: 1,
    startedAt: new Date(t0 + i * 3_600_000).toISOString(),
    soakUntil: null,
    endedAt: null,
    counts: emptyCounts(),
    tasks: cuts[i + 1] - from,
    left: [],
    overridden: false,
    decision: i < 4 ? { result: 'pass', at: new Date(t0 + i * 3_600_000 + 1_800_000).toISOString(), reason: 'passed' } : null,
  }));
  const history = Array.from({ length: SAMPLES }, (_, i) => ({
    at: new Date(t0 + i * 30_000).toISOString(),
    queued: Math.max(0, 5000 - i * 8),
    inProgress: 200,
    succeeded: i * 8,
    deployed: 0,
    failed: Math.floor(i / 5),
    canceled: 0,
  }));
  const state: RolloutState = {
    version: 1,
    runId: 'bench',
    status: 'running',
    pausedBy: null,
    reason: null,
    createdAt: new Date(t0).toISOString(),
    updatedAt: new Date(t0).toISOString(),
    populationSize: DEVICES,
    seed: 1,
    waves,
    events: waves.flatMap((w) => [
      { at: w.startedAt as string, kind: 'wave-started' as const, wave: w.index, text: '' },
      ...(w.decision ? [{ at: w.decision.at, kind: 'gate-passed' as const, wave: w.index, text: '' }] : []),
    ]),
    history,
  };
  const tasks = new Map<number, Map<string, Task>>();
  for (const w of waves) {
    const m = new Map<string, Task>();
    w.devices.forEach((d, i) => {
      const status = w.index < 4 ? (i % 23 === 0 ? 'FAILED' : 'SUCCEEDED') : STATUSES[i % 5];
      m.set(d, {
        id: `t-${d}`,
        jobId: `job-${w.index}`,
        deviceName: d,
        productKey: 'pk-bench',
        status,
        progress: status === 'SUCCEEDED' ? 100 : (i * 7) % 100,
        description: status === 'FAILED' ? REASONS[i % REASONS.length] : null,
        srcVersion: '1.3.0',
        destVersion: '1.4.0',
        modifiedAt: null,
      });
    });
    tasks.set(w.index, m);
  }
  return { plan, state, tasks };
}

function serve(): Promise<Server> {
  const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end((server as Server & { page?: string }).page);
        return;
      }
      const rel = normalize(url.pathname).replace(/^([/\\])+/, '');
      if (!rel.startsWith('dist/') && !rel.startsWith('media/')) {
        res.writeHead(404);
        res.end();
        return;
      }
      try {
        const body = await readFile(join(root, rel));
        res.writeHead(200, { 'content-type': types[extname(rel)] ?? 'application/octet-stream' });
        res.end(body);
      } catch {
        res.writeHead(404);
        res.end();
      }
    })();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
}

async function main(): Promise<number> {
  const server = await serve();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  (server as Server & { page?: string }).page = dashboardHtml({
    cspSource: origin,
    nonce: randomBytes(16).toString('base64'),
    script: `${origin}/dist/webview/rollout.js`,
    codicons: `${origin}/dist/webview/codicons/codicon.css`,
    uplotCss: `${origin}/dist/webview/uPlot.min.css`,
    css: `${origin}/media/rollout-dashboard.css`,
  });
  const browser = await launchBrowser();
  const violations: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
    await page.addInitScript(() => {
      const w = globalThis as unknown as PageGlobals;
      w.__posted = [];
      w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.__posted.push(m as Posted), setState: () => undefined, getState: () => undefined });
    });
    await page.goto(origin);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__posted.some((m) => m.type === 'ready'));

    const { plan, state, tasks } = fixture();
    let clock = Date.parse(state.history[state.history.length - 1].at);
    const build = (): DashboardView => rolloutView(plan, state, tasks, { now: () => clock });

    /** Posts a message and waits for the webview's `rendered` answer; returns [webview ms, outside ms]. */
    const post = async (message: unknown, phase: 'init' | 'update'): Promise<[number, number]> =>
      page.evaluate(
        async ({ message, phase }) => {
          const w = globalThis as unknown as PageGlobals;
          const seen = w.__posted.length;
          const started = performance.now();
          w.postMessage(message, '*');
          for (;;) {
            await new Promise((r) => setTimeout(r, 1));
            const got = w.__posted.slice(seen).find((m) => m.type === 'rendered' && m.phase === phase);
            if (got) return [got.ms ?? NaN, performance.now() - started] as [number, number];
          }
        },
        { message, phase },
      );

    const [firstInside, firstOutside] = await post({ type: 'init', view: build() }, 'init');
    const rows = await page.$$eval('#devices-body tr:not([hidden])', (r) => r.length);
    const failures = await page.$$eval('#failures .failure', (r) => r.length);

    const inside: number[] = [];
    const outside: number[] = [];
    const last = tasks.get(4) as Map<string, Task>;
    const lastTasks = [...last.values()];
    for (let u = 0; u < UPDATES; u++) {
      for (let k = 0; k < DEVICES / 50; k++) {
        const t = lastTasks[(u * 211 + k * 37) % lastTasks.length];
        t.status = STATUSES[(STATUSES.indexOf(t.status) + 1) % STATUSES.length];
        t.description = t.status === 'FAILED' ? REASONS[k % REASONS.length] : null;
      }
      clock += 30_000;
      state.history.push({ at: new Date(clock).toISOString(), queued: 900, inProgress: 200, succeeded: 8000 + u, deployed: 0, failed: 300, canceled: 0 });
      const [a, b] = await post({ type: 'update', view: build() }, 'update');
      inside.push(a);
      outside.push(b);
    }

    // A search over the 10,000 names: typed into the field, timed until the table shows the match.
    const searchTimes: number[] = [];
    for (const q of ['plug-0999', 'plug-07', 'failed']) {
      const ms = await page.evaluate(async (q) => {
        const doc = (globalThis as unknown as PageGlobals).document;
        const field = doc.getElementById('search') as PageElement;
        const count = doc.getElementById('search-count') as PageElement;
        const before = count.textContent;
        const started = performance.now();
        field.value = q;
        field.dispatchEvent(new Event('input'));
        while (count.textContent === before) await new Promise((r) => setTimeout(r, 1));
        return performance.now() - started;
      }, q);
      // The search waits 80 ms for typing to pause; that wait is not its cost.
      searchTimes.push(Math.max(0, ms - 80));
    }

    // OTA_BENCH_SCREENSHOT=file.png keeps a picture of the page after the updates.
    if (process.env.OTA_BENCH_SCREENSHOT) await page.screenshot({ path: process.env.OTA_BENCH_SCREENSHOT, fullPage: true });
    const table = formatTable(
      [{ header: 'MEASURE' }, ...['MEDIAN MS', 'P95 MS', 'LIMIT MS', 'RATIO'].map((header) => ({ header, align: 'right' as const }))],
      [
        ['first render (webview)', firstInside.toFixed(1), firstInside.toFixed(1), String(LIMITS.firstRender), (firstInside / LIMITS.firstRender).toFixed(2)],
        ['first render (post to painted)', firstOutside.toFixed(1), firstOutside.toFixed(1), String(LIMITS.firstRender), (firstOutside / LIMITS.firstRender).toFixed(2)],
        ['update (webview)', median(inside).toFixed(1), p95(inside).toFixed(1), String(LIMITS.update), (median(inside) / LIMITS.update).toFixed(2)],
        ['update (post to painted)', median(outside).toFixed(1), p95(outside).toFixed(1), String(LIMITS.update), (median(outside) / LIMITS.update).toFixed(2)],
        ['device search', median(searchTimes).toFixed(1), p95(searchTimes).toFixed(1), String(LIMITS.search), (median(searchTimes) / LIMITS.search).toFixed(2)],
      ],
    );
    process.stdout.write(`rolloutDashboard: ${DEVICES} tasks in 5 waves, ${SAMPLES}+ chart samples, ${UPDATES} updates of 2 % of the devices\n\n`);
    process.stdout.write(table);
    process.stdout.write(`\nDevice rows in the DOM: ${rows}; failure groups: ${failures}; CSP violations or page errors: ${violations.length}\n`);
    for (const v of violations) process.stdout.write(`  ${v}\n`);
    const over =
      firstOutside > LIMITS.firstRender || median(outside) > LIMITS.update || median(searchTimes) > LIMITS.search || violations.length > 0 || rows !== 100;
    return over ? 1 : 0;
  } finally {
    await browser.close();
    server.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`rolloutDashboard: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
