// One sandbox per data folder, shared: processes that each open it as a long-lived user (VS Code windows) get one
// owner and guests on the same URL; the CLI joins; when the owner dies a guest takes over with nothing lost; and
// short-lived CLI commands started together on one folder all succeed (they wait their turn or join).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, collect, spawnBundle } from '../cli/helpers';

const SHARED = join(__dirname, '..', '..', '..', 'src', 'core', 'cloud', 'sandbox', 'shared.js');

/** A process that opens the shared sandbox as a window does, and reports its role and endpoint (and takeovers). */
function windowProcess(dataDir: string) {
  const script = `const { openSharedSandbox } = require(${JSON.stringify(SHARED)});
    openSharedSandbox({ dataDir: ${JSON.stringify(dataDir)}, serve: true, tickMs: 0, watchMs: 100 }).then((s) => {
      console.log(JSON.stringify({ role: s.role, url: s.endpoint.url }));
      s.onTakeover((e) => console.log(JSON.stringify({ role: 'owner', url: e.url, takeover: true })));
      process.on('SIGTERM', () => s.close().then(() => process.exit(0)));
      setInterval(() => {}, 1000);
    }, (e) => { console.log(JSON.stringify({ error: e.message })); process.exit(1); });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  child.stdout!.setEncoding('utf8');
  let buf = '';
  child.stdout!.on('data', (t: string) => {
    buf += t;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  const line = async (n: number, ms = 15_000): Promise<Record<string, unknown>> => {
    for (const until = Date.now() + ms; lines.length <= n; ) {
      if (Date.now() > until) throw new Error(`no line ${n} from the window process`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return lines[n];
  };
  return { child, line };
}

describe('sandbox shared by windows and the CLI', function () {
  this.timeout(90_000);
  let home: string;
  let data: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'ota-shared-'));
    data = join(home, 'sandbox');
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await rm(home, { recursive: true, force: true });
  });

  const ota = async (...args: string[]) => collect(spawnBundle(['--provider', 'sandbox', '--data', data, ...args], childEnv(home)));

  it('a second window joins the first; the CLI uses it; when the owner dies the other takes over, nothing lost', async () => {
    const first = windowProcess(data);
    children.push(first.child);
    const a = await first.line(0);
    assert.equal(a.role, 'owner', JSON.stringify(a));
    const second = windowProcess(data);
    children.push(second.child);
    const b = await second.line(0);
    assert.deepEqual(b, { role: 'guest', url: a.url });

    // A change made through the CLI while the first window serves.
    const fw = join(home, 'fw.bin');
    await import('node:fs/promises').then((fs) => fs.writeFile(fw, Buffer.alloc(4096, 7)));
    const up = await ota('firmware', 'upload', fw, '--product-key', 'a1PlugEsp32', '--version', '9.9.9', '--no-verify', '--json');
    assert.equal(up.code, 0, up.stderr);
    const before = await ota('firmware', 'list', '--json');
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /9\.9\.9/);

    first.child.kill('SIGKILL'); // the first window goes away without any goodbye
    const taken = await second.line(1);
    assert.equal(taken.takeover, true);
    assert.equal(taken.url, a.url, 'taken over on the same port, so URLs keep working');
    const after = await ota('firmware', 'list', '--json');
    assert.equal(after.code, 0, after.stderr);
    assert.deepEqual(JSON.parse(after.stdout), JSON.parse(before.stdout));
    second.child.kill('SIGTERM');
  });

  it('four ota --provider sandbox firmware list at once on one folder all succeed', async () => {
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([0, 1, 2, 3].map(() => ota('firmware', 'list', '--json')));
      for (const r of results) assert.equal(r.code, 0, `round ${round}: ${r.stderr}`);
      assert.ok(results.every((r) => r.stdout === results[0].stdout));
    }
  });
});
