// Root hooks of the unit tier (loaded with `mocha --require out/test/support/unitTier.js`, see scripts/test-all.mjs):
//  - the tests run with a temporary folder of their own as TMPDIR; anything they leave in it fails the tier, by name;
//  - a handle still open after the last test (a server, a socket, a child process, a timer) fails the tier, by name,
//    instead of keeping the process alive; a process that still does not end is stopped with the handles listed.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Mocha from 'mocha';
import { SerialPort } from 'serialport';

const runTemp = mkdtempSync(join(tmpdir(), 'ota-unit-tier-'));
for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = runTemp;
// Also when mocha ends without running the hooks (no test files, an error while loading them).
process.once('exit', () => rmSync(runTemp, { recursive: true, force: true }));

/** How long the handles of the last tests get to close after it (servers closing, children exiting). */
const SETTLE_MS = 5000;
/** How long the process may live on after the tier's last hook before it is stopped. */
const HANG_MS = 15_000;

// --- which test made each timer --------------------------------------------------------------------------------
// Node lists ref'd timers only as "Timeout": the global timer functions record the test that was running when each
// one was made, so that a timer left running can be named. (Mocha keeps its own timer functions.)

let currentTest = '(outside any test)';
const timers = new Map<NodeJS.Timeout, string>();

type TimerFn = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => NodeJS.Timeout;

function recording(original: TimerFn, what: string): TimerFn {
  return (callback, ms, ...args) => {
    const timer = original(callback, ms, ...args);
    timers.set(timer, `${what}(${ms ?? 0} ms) made in "${currentTest}"`);
    if (timers.size > 2000) for (const t of timers.keys()) if (isDone(t)) timers.delete(t);
    return timer;
  };
}

const isDone = (t: NodeJS.Timeout): boolean => (t as unknown as { _destroyed?: boolean })._destroyed === true;

// Object.assign keeps what hangs off the originals (util.promisify.custom).
const globalTimers = globalThis as unknown as Record<'setTimeout' | 'setInterval', TimerFn>;
for (const name of ['setTimeout', 'setInterval'] as const) globalTimers[name] = Object.assign(recording(globalTimers[name], name), globalTimers[name]);

// --- which test opened each serial port ------------------------------------------------------------------------
// An open port keeps the process alive through serialport's poller, a libuv handle of its own that Node does not
// list: ports opened and not closed are listed here.

const ports = new Map<SerialPort, string>();
type Open = SerialPort['open'];
const openPort: (this: SerialPort, ...args: Parameters<Open>) => void = Reflect.get(SerialPort.prototype, 'open');
SerialPort.prototype.open = function (this: SerialPort, ...args: Parameters<Open>): void {
  const opener = currentTest;
  this.once('open', () => ports.set(this, `serial port ${this.path} opened in "${opener}"`));
  openPort.apply(this, args);
};

function openPorts(): string[] {
  for (const p of ports.keys()) if (!p.isOpen) ports.delete(p);
  return [...ports.values()];
}

// --- what is open ------------------------------------------------------------------------------------------------

interface Handle {
  constructor?: { name?: string };
  hasRef?: () => boolean;
}

const activeHandles = (): Handle[] =>
  (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles().filter((h) => h.hasRef?.() !== false);

function describeHandle(h: Handle): string {
  const type = h.constructor?.name ?? 'handle';
  const any = h as Record<string, unknown>;
  if (typeof any.spawnfile === 'string') return `child process ${String(any.pid)} (${((any.spawnargs as string[] | undefined) ?? [any.spawnfile]).join(' ')})`;
  if (typeof any.address === 'function') {
    try {
      const a = (any.address as () => unknown).call(h) as { address?: string; port?: number } | string | null;
      const remote = typeof any.remoteAddress === 'string' ? ` to ${any.remoteAddress}:${String(any.remotePort)}` : '';
      if (a && typeof a === 'object' && a.port !== undefined) return `${type} on ${a.address ?? ''}:${a.port}${remote}`;
      if (typeof a === 'string') return `${type} on ${a}`;
    } catch {
      /* not bound */
    }
  }
  const fd = (any._handle as { fd?: number } | undefined)?.fd;
  return fd !== undefined && fd >= 0 ? `${type} (fd ${fd})` : type;
}

/** The resources Node counts as keeping the process alive, as a multiset. */
function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

// What was open before any test file was loaded: the standard output streams (made here, so they are counted).
void process.stdout;
void process.stderr;
const baseline = resourceCounts();
const baselineHandles = new Set(activeHandles());

/**
 * What is open now that was not before; `allowed` is what the caller itself holds (mocha's timer of a running hook).
 * Empty when nothing more is open.
 */
function leaks(allowed: Record<string, number> = {}): string[] {
  const extra: string[] = [];
  for (const [r, n] of resourceCounts()) {
    const more = n - (baseline.get(r) ?? 0) - (allowed[r] ?? 0);
    if (more > 0) extra.push(`${more} × ${r}`);
  }
  const portsOpen = openPorts();
  if (!extra.length && !portsOpen.length) return [];
  return [`open: ${[...extra, ...(portsOpen.length ? [`${portsOpen.length} × serial port`] : [])].join(', ')}`, ...openNow()];
}

/** Every handle and recorded timer holding the process, whatever was open before. */
function openNow(): string[] {
  const named = activeHandles()
    .filter((h) => !baselineHandles.has(h) && h !== process.stdin && h !== process.stdout && h !== process.stderr)
    .map(describeHandle);
  for (const [t, origin] of timers) if (!isDone(t) && t.hasRef()) named.push(origin);
  named.push(...openPorts());
  return named.map((n) => `  - ${n}`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export const mochaHooks: Mocha.RootHookObject = {
  beforeEach(this: Mocha.Context) {
    currentTest = this.currentTest?.fullTitle() ?? currentTest;
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(SETTLE_MS + 10_000);
    currentTest = '(after the last test)';
    const end = Date.now() + SETTLE_MS;
    // Mocha's timer of this hook is the one timer allowed.
    const mine = { Timeout: 1 };
    let open = leaks(mine);
    while (open.length && Date.now() < end) {
      await sleep(50);
      open = leaks(mine);
    }
    const left = readdirSync(runTemp);
    rmSync(runTemp, { recursive: true, force: true });
    // Should something still keep the process alive, it ends anyway, saying what.
    setTimeout(() => {
      const all = [`open: ${process.getActiveResourcesInfo().join(', ')}`, ...openNow()];
      process.stderr.write(`\nThe unit tier did not end ${HANG_MS / 1000} s after its last test; still open:\n${all.join('\n')}\n`);
      process.exit(1);
    }, HANG_MS).unref();
    const problems: string[] = [];
    if (open.length) problems.push(`The unit tests left handles open that keep the process alive:\n${open.join('\n')}`);
    if (left.length) problems.push(`The unit tests left ${left.length} entries in the temporary folder (each test removes what it makes): ${left.sort().join(', ')}`);
    if (problems.length) throw new Error(problems.join('\n\n'));
  },
};
