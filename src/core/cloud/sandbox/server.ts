// startSandbox: the loopback HTTP server that emulates Alibaba IoT OTA (RPC at `/`), OSS (`/oss/<bucket>`) and
// IoTaaP (`/iotaap/v1`), with its state in a data folder and simulated devices moving through their tasks. Runs
// inside the extension host and standalone from the CLI, so everything lives in the returned instance.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  LIMITS,
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_SECRET,
  SANDBOX_IOTAAP_EMAIL,
  SANDBOX_IOTAAP_PASSWORD,
  SANDBOX_IOTAAP_TOKEN,
  SANDBOX_OSS_BUCKET,
  SANDBOX_REGION_ID,
} from './constants';
import { emptyStats, type SandboxContext, type SandboxLog, type SandboxStats } from './context';
import { FaultInjector, type FaultSpec } from './faults';
import { acquireLock } from './state/fsAtomic';
import { sendJson } from './http';
import { handleIotaap } from './iotaap/api';
import { handleOss } from './oss/api';
import { QpsLimiter } from './rpc/qps';
import { seededRandom, unseededRandom } from './random';
import { handleAliyunRpc } from './rpc/api';
import { seedStore, type SandboxBulkSeed } from './seed/seed';
import { Simulator } from './simulation/simulator';
import { SandboxStore } from './state/store';

export interface SandboxOptions {
  /** Folder for the sandbox's state (created if missing). */
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Interval of the automatic simulation tick, ms (default 1000); 0 ticks only when `tick()` is called. */
  tickMs?: number;
  /** Chance that one upgrade attempt of a simulated device fails, 0-1 (default 0.1). */
  failureRate?: number;
  /** Enforce Alibaba's per-operation QPS limits (default true). */
  qps?: boolean;
  /** Seed the demo account on first start (default true); false seeds only the products and devices. */
  seed?: boolean;
  /** Extra data for benchmarks, added on first start. */
  bulk?: SandboxBulkSeed;
  /** Seed of the simulation's PRNG, for replayable runs. */
  randomSeed?: number;
  /** The sandbox's clock (ms since 1970); tests move it to expire policies or reach schedules. */
  now?: () => number;
  /** Upload size limit of the OSS policy (default 1000 MB). */
  maxUploadBytes?: number;
  /** Make the account an Enterprise Edition one whose requests must carry this IotInstanceId. */
  iotInstanceId?: string;
  log?: SandboxLog;
}

export interface SandboxCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  regionId: string;
  iotInstanceId: string | null;
  iotaap: { email: string; password: string; token: string };
}

export interface Sandbox {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The Alibaba RPC endpoint (requests go to `<endpoint>/`). */
  readonly aliyunEndpoint: string;
  /** The OSS PostObject host GenerateOTAUploadURL hands out. */
  readonly ossHost: string;
  /** IoTaaP API base, like `https://api.iotaap.io/v1`. */
  readonly iotaapBaseUrl: string;
  /** IoTaaP device-side base: `<base>/ota/device/latest/<deviceId>`. */
  readonly iotaapDeviceBaseUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly credentials: SandboxCredentials;
  /** A snapshot of the counters. */
  readonly stats: SandboxStats;
  resetStats(): void;
  /** One simulation step, then its changes are written. Resolves when both are done. */
  tick(): Promise<void>;
  /** The next matching requests fail (see FaultSpec). */
  injectFaults(spec: FaultSpec): void;
  clearFaults(): void;
  /** Stops the ticker and the server and writes everything. Safe to call twice. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on ${host} is already in use; choose another port (0 picks a free one).`)
          : e,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

function route(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.stats.requests++;
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const path = url.pathname;
  if (path === '/') return handleAliyunRpc(ctx, req, res, url.searchParams);
  if (path.startsWith('/oss/')) return handleOss(ctx, req, res, path.slice('/oss/'.length), url.searchParams);
  if (path.startsWith('/iotaap/')) return handleIotaap(ctx, req, res, path.slice('/iotaap'.length), url.searchParams);
  if (path === '/_sandbox/stats' && req.method === 'GET') {
    sendJson(res, 200, ctx.stats);
  } else {
    req.resume();
    sendJson(res, 404, { message: `Nothing at ${path}` });
  }
  return Promise.resolve();
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const dataDir = resolve(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const log: SandboxLog = options.log ?? (() => undefined);
  const tickMs = options.tickMs ?? 1000;
  const failureRate = options.failureRate ?? 0.1;
  if (!(failureRate >= 0 && failureRate <= 1)) throw new Error(`failureRate must be between 0 and 1, got ${failureRate}`);
  if (!(tickMs >= 0)) throw new Error(`tickMs must be 0 or more, got ${tickMs}`);

  await mkdir(dataDir, { recursive: true });
  const releaseLock = await acquireLock(dataDir);
  let server: Server | undefined;
  try {
    const { store, initialized } = await SandboxStore.open(dataDir);
    if (!initialized) {
      await seedStore(store, now(), { demo: options.seed !== false, bulk: options.bulk });
      await store.initialize(now());
      log('info', `sandbox: new data folder ${dataDir} seeded${options.seed === false ? ' (registry only)' : ''}`);
    }
    const ctx: SandboxContext = {
      store,
      now,
      random: options.randomSeed === undefined ? unseededRandom() : seededRandom(options.randomSeed),
      ids: unseededRandom(),
      urls: { base: '', ossHost: '' },
      qps: options.qps === false ? null : new QpsLimiter(now),
      faults: new FaultInjector(),
      stats: emptyStats(),
      log,
      failureRate,
      tickSpanMs: tickMs || 1000,
      maxUploadBytes: options.maxUploadBytes ?? LIMITS.uploadMaxBytes,
      iotInstanceId: options.iotInstanceId ?? null,
      nonces: new Map(),
    };
    const simulator = new Simulator(ctx);
    const srv = createServer((req, res) => {
      route(ctx, req, res).catch((e: unknown) => {
        log('error', `sandbox: ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        if (!res.headersSent) sendJson(res, 500, { message: 'Internal sandbox error' });
        else res.destroy();
      });
    });
    server = srv;
    const port = await listen(srv, options.port ?? 0, host);
    const base = `http://${urlHost(host)}:${port}`;
    ctx.urls.base = base;
    ctx.urls.ossHost = `${base}/oss/${SANDBOX_OSS_BUCKET}`;

    let tickChain: Promise<void> = Promise.resolve();
    let closing: Promise<void> | undefined;
    const tick = (): Promise<void> => {
      if (closing) return Promise.reject(new Error('The sandbox is closed.'));
      const run = tickChain.then(() => {
        simulator.step();
        return store.flush();
      });
      tickChain = run.catch((e: unknown) => log('error', `sandbox: tick failed: ${e instanceof Error ? e.message : String(e)}`));
      return run;
    };
    let ticking = false;
    const timer =
      tickMs > 0
        ? setInterval(() => {
            if (ticking) return;
            ticking = true;
            tick()
              .catch(() => undefined)
              .finally(() => {
                ticking = false;
              });
          }, tickMs)
        : undefined;
    timer?.unref();

    const close = (): Promise<void> => {
      closing ??= (async () => {
        if (timer) clearInterval(timer);
        await new Promise<void>((done) => {
          srv.close(() => done());
          srv.closeAllConnections();
        });
        await tickChain;
        await store.flush();
        await releaseLock();
        log('info', 'sandbox: stopped');
      })();
      return closing;
    };

    log('info', `sandbox: listening on ${base} (data ${dataDir})`);
    return {
      url: base,
      aliyunEndpoint: base,
      ossHost: ctx.urls.ossHost,
      iotaapBaseUrl: `${base}/iotaap/v1`,
      iotaapDeviceBaseUrl: `${base}/iotaap`,
      port,
      dataDir,
      credentials: {
        accessKeyId: SANDBOX_ACCESS_KEY_ID,
        accessKeySecret: SANDBOX_ACCESS_KEY_SECRET,
        regionId: SANDBOX_REGION_ID,
        iotInstanceId: ctx.iotInstanceId,
        iotaap: { email: SANDBOX_IOTAAP_EMAIL, password: SANDBOX_IOTAAP_PASSWORD, token: SANDBOX_IOTAAP_TOKEN },
      },
      get stats(): SandboxStats {
        return structuredClone(ctx.stats);
      },
      resetStats: () => {
        ctx.stats = emptyStats();
      },
      tick,
      injectFaults: (spec) => ctx.faults.add(spec),
      clearFaults: () => ctx.faults.clear(),
      close,
    };
  } catch (e) {
    if (server?.listening) server.close();
    await releaseLock();
    throw e;
  }
}
