// `ota ... 2>&1 | head -1`: the reader of the output goes away after the first line. The command must finish its
// work anyway (the upload lands, the sandbox saves and unlocks its folder), never crash on EPIPE. Through the built
// bundle with real pipes, once as the shell pipeline itself and once with both pipes closed by the test.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundle, childEnv, collect, spawnBundle, tempDir } from './helpers';

describe('cli with its output pipes closed early', function () {
  this.timeout(60_000);

  const homes: string[] = [];
  afterEach(async () => {
    for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
  });

  async function setup() {
    const home = await tempDir('ota-epipe-');
    homes.push(home);
    const data = join(home, 'sandbox');
    const fw = join(home, 'fw.bin');
    await writeFile(fw, Buffer.alloc(3 << 20, 5));
    return { home, data, fw };
  }

  const listVersions = async (home: string, data: string): Promise<string> => {
    const r = await collect(spawnBundle(['--provider', 'sandbox', '--data', data, 'firmware', 'list', '--product-key', 'a1PlugEsp32', '--json'], childEnv(home)));
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  it('an upload piped to head -1 (stdout and stderr) still lands, and the sandbox folder is unlocked', async () => {
    const { home, data, fw } = await setup();
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(bundle)} --provider sandbox --data ${JSON.stringify(data)} firmware upload ${JSON.stringify(fw)} --product-key a1PlugEsp32 --version 7.7.7 --no-verify 2>&1 | head -1; echo "exit=\${PIPESTATUS[0]}"`;
    const r = await collect(spawn('bash', ['-c', cmd], { env: childEnv(home), stdio: ['ignore', 'pipe', 'pipe'] }));
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2, r.stdout);
    assert.equal(lines[1], 'exit=0', `${r.stdout}${r.stderr}`);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at /);
    assert.match(await listVersions(home, data), /"7\.7\.7"/);
    assert.ok(!existsSync(join(data, 'sandbox.lock')), 'the sandbox folder is left locked');
  });

  it('both pipes closed by the reader mid-upload: the upload still lands', async () => {
    const { home, data, fw } = await setup();
    const child = spawnBundle(['--provider', 'sandbox', '--data', data, 'firmware', 'upload', fw, '--product-key', 'a1PlugEsp32', '--version', '8.8.8', '--no-verify'], childEnv(home));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stderr!.once('data', () => resolve()));
    child.stdout!.destroy();
    child.stderr!.destroy();
    assert.equal(await exited, 0);
    assert.match(await listVersions(home, data), /"8\.8\.8"/);
    assert.ok(!existsSync(join(data, 'sandbox.lock')));
  });
});
