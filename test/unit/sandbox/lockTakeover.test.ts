// Taking over a stale lock (left by a process that is gone) is atomic: of processes that start together on such a
// folder, exactly one gets the lock, in every trial. Real processes, as the race needs distinct pids: small ones
// that only take the lock (many trials), and `ota sandbox` from the bundle (a few).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, collect, spawnBundle } from '../cli/helpers';

const FS_ATOMIC = join(__dirname, '..', '..', '..', 'src', 'core', 'cloud', 'sandbox', 'state', 'fsAtomic.js');

/** A pid no process has now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid;
}

/** A process that takes the lock and says "locked" (holding it until killed) or "refused". */
function locker(dir: string) {
  const script = `require(${JSON.stringify(FS_ATOMIC)}).acquireLock(${JSON.stringify(dir)}).then(
    () => { process.stdout.write('locked\\n'); setInterval(() => {}, 1000); },
    (e) => { process.stdout.write((e.name === 'LockHeldError' ? 'refused' : 'error ' + e.message) + '\\n'); process.exit(0); })`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const answer = new Promise<string>((resolve) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (t: string) => {
      out += t;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', () => resolve(out.trim() || 'exited'));
  });
  return { child, answer };
}

describe('sandbox lock: atomic takeover of a stale lock', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ota-lock-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('two processes racing for a stale lock: exactly one gets it (30 trials)', async () => {
    for (let trial = 0; trial < 30; trial++) {
      await rm(join(dir, 'sandbox.lock.takeover'), { force: true });
      await writeFile(join(dir, 'sandbox.lock'), JSON.stringify({ pid: deadPid(), startedAt: '2020-01-01T00:00:00Z' }));
      const racers = [locker(dir), locker(dir), ...(trial % 4 === 0 ? [locker(dir)] : [])];
      const answers = await Promise.all(racers.map((r) => r.answer));
      for (const r of racers) r.child.kill('SIGKILL');
      await Promise.all(racers.map((r) => new Promise((resolve) => (r.child.exitCode !== null || r.child.signalCode !== null ? resolve(null) : r.child.once('exit', resolve)))));
      assert.equal(answers.filter((a) => a === 'locked').length, 1, `trial ${trial}: ${answers.join(', ')}`);
      assert.equal(answers.filter((a) => a === 'refused').length, racers.length - 1, `trial ${trial}: ${answers.join(', ')}`);
    }
  });

  it('two ota sandbox started together on a folder with a stale lock: exactly one serves (4 trials)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'ota-lock-home-'));
    try {
      for (let trial = 0; trial < 4; trial++) {
        const data = join(dir, `sb-${trial}`);
        // A folder that a sandbox used, left locked by a process that is gone.
        const first = spawnBundle(['--provider', 'sandbox', '--data', data, 'firmware', 'list', '--json'], childEnv(home));
        assert.equal((await collect(first)).code, 0);
        await writeFile(join(data, 'sandbox.lock'), JSON.stringify({ pid: deadPid(), startedAt: '2020-01-01T00:00:00Z' }));
        const servers = [0, 1].map(() => {
          const child = spawnBundle(['sandbox', '--data', data, '--json'], childEnv(home));
          let stdout = '';
          child.stdout?.on('data', (t: string) => (stdout += t));
          return { child, done: collect(child), serving: () => stdout.includes('"url"') };
        });
        // One of them fails at once; the other serves until stopped.
        const firstDone = await Promise.race([
          ...servers.map((s, i) => s.done.then((r) => ({ i, r }))),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000)),
        ]);
        if (firstDone === null) for (const s of servers) s.child.kill('SIGTERM');
        assert.ok(firstDone, `trial ${trial}: both serve the same folder`);
        assert.equal(firstDone.r.code, 1, firstDone.r.stderr);
        assert.match(firstDone.r.stderr, /in use by another sandbox|a sandbox already runs on/);
        const other = servers[1 - firstDone.i];
        for (let i = 0; i < 200 && !other.serving(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
        assert.ok(other.serving(), `trial ${trial}: the other one does not serve`);
        other.child.kill('SIGTERM');
        assert.equal((await other.done).code, 0);
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
