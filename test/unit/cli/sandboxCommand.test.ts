// `ota sandbox` in the foreground: through run() with an AbortSignal standing for Ctrl-C, and as the built bundle
// stopped by SIGTERM. Other commands find the running sandbox through its data folder.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox } from '../../../src/core/cloud/sandbox';
import { RUNNING_NOTE_FILE } from '../../../src/cli/support/localSandbox';
import { assertOneLineError, captureIO, childEnv, cli, collect, parseJson, runBundle, spawnBundle, tempDir, type Row } from './helpers';
import { run } from '../../../src/cli/run';

interface Info {
  url: string;
  dataDir: string;
  pid: number;
  aliyun: { endpoint: string; accessKeyId: string; accessKeySecret: string; regionId: string; iotInstanceId: string | null };
  iotaap: { baseUrl: string; token: string };
  env: Record<string, string>;
}

/** Resolves with the first line `read()` returns, polling the captured output. */
async function firstLine(read: () => string): Promise<string> {
  for (;;) {
    const text = read();
    const end = text.indexOf('\n');
    if (end >= 0) return text.slice(0, end);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('cli sandbox command', () => {
  let home: string;

  beforeEach(async () => {
    home = await tempDir();
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('runs until cancelled, is used by --provider sandbox meanwhile, then stops and saves', async () => {
    const dir = join(home, 'sb');
    const io = captureIO({ HOME: home });
    const stop = new AbortController();
    const running = run(['sandbox', '--data', dir, '--json', '--instance-id', 'iot-cli-test'], io, stop.signal);
    try {
      const info = JSON.parse(await firstLine(io.out)) as Info;
      assert.equal(info.dataDir, dir);
      assert.equal(info.aliyun.iotInstanceId, 'iot-cli-test');
      const note = JSON.parse(await readFile(join(dir, RUNNING_NOTE_FILE), 'utf8')) as Row;
      assert.equal(note.url, info.url);

      // --provider sandbox talks to the running sandbox (it holds the folder's lock), with its instance id.
      const f = parseJson(await cli(['--provider', 'sandbox', '--data', dir, 'firmware', 'list', '--json'], {}));
      const shown = parseJson<Row>(await cli(['--provider', 'sandbox', '--data', dir, 'firmware', 'show', String(f[0].id), '--json'], {}));
      assert.ok(String(shown.url).startsWith(`${info.url}/oss/`), `${String(shown.url)} is served by ${info.url}`);
      // So do the printed credentials, which need the instance id this sandbox was started with.
      const env = info.env;
      parseJson(await cli(['--endpoint', info.aliyun.endpoint, '--instance-id', 'iot-cli-test', 'firmware', 'list', '--json'], env));
      const wrong = await cli(['--endpoint', info.aliyun.endpoint, 'firmware', 'list'], env);
      assert.equal(wrong.code, 1);
      // A second sandbox on the same folder is refused, naming the running one.
      assertOneLineError(await cli(['sandbox', '--data', dir], {}), 1, new RegExp(`a sandbox already runs on .* at ${info.url} \\(process ${process.pid}\\)`));
    } finally {
      stop.abort();
    }
    assert.equal(await running, 0);
    assert.ok(!existsSync(join(dir, RUNNING_NOTE_FILE)), 'the note is removed');
    assert.ok(!existsSync(join(dir, 'sandbox.lock')), 'the lock is released');
    assert.ok(existsSync(join(dir, 'meta.json')), 'the state is saved');
    assert.match(io.err(), /info: sandbox: stopped\n$/);
  });

  it('prints the URL, credentials and the commands to use it', async () => {
    const dir = join(home, 'banner');
    const io = captureIO({ HOME: home });
    const stop = new AbortController();
    const running = run(['sandbox', '--data', dir], io, stop.signal);
    try {
      await firstLine(io.out);
      for (let i = 0; !io.out().includes('Press Ctrl-C'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      stop.abort();
    }
    assert.equal(await running, 0);
    const out = io.out();
    const url = /^Sandbox running at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out)?.[1];
    assert.ok(url, out);
    assert.ok(out.includes(`export ALIBABA_CLOUD_ACCESS_KEY_ID=sandbox-access-key-id ALIBABA_CLOUD_ACCESS_KEY_SECRET=sandbox-access-key-secret`));
    assert.ok(out.includes(`ota --provider aliyun --endpoint ${url}/ firmware list`));
    assert.ok(out.includes(`IOTAAP_TOKEN=sandbox-iotaap-api-token ota --provider iotaap --endpoint ${url}/iotaap/v1 iotaap list`));
    assert.ok(out.includes(`ota --provider sandbox --data ${JSON.stringify(dir)} firmware list`));
    assert.match(out, /\nSandbox stopped; its state is saved in .*\n$/);
  });

  it('refuses options that do not apply and a bad port', async () => {
    assertOneLineError(await cli(['sandbox', '--provider', 'aliyun'], {}), 2, /--provider aliyun does not apply/);
    assertOneLineError(await cli(['sandbox', '--endpoint', 'http://x/'], {}), 2, /--endpoint does not apply to 'ota sandbox'/);
    assertOneLineError(await cli(['sandbox', '--port', '70000'], {}), 2, /--port must be a whole number from 0 to 65535/);
  });

  it('runs from the bundle and stops cleanly on SIGTERM, its state saved', async function () {
    this.timeout(15_000);
    const dir = join(home, 'bundle');
    const child = spawnBundle(['sandbox', '--data', dir, '--json'], childEnv(home));
    const done = collect(child);
    let stdout = '';
    child.stdout?.on('data', (t: string) => (stdout += t));
    let info: Info;
    try {
      info = JSON.parse(await firstLine(() => stdout)) as Info;
      assert.equal(info.pid, child.pid);
      const otas = parseJson(await runBundle(['--endpoint', info.iotaap.baseUrl, 'iotaap', 'list', '--json'], childEnv(home, { IOTAAP_TOKEN: info.iotaap.token })));
      assert.equal(otas.length, 5);
    } finally {
      child.kill('SIGTERM');
    }
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /info: sandbox: stopped\n$/);
    assert.ok(!existsSync(join(dir, RUNNING_NOTE_FILE)));
    // The folder is unlocked, and the saved state opens again.
    assert.ok(existsSync(join(dir, 'meta.json')));
    const sandbox = await startSandbox({ dataDir: dir, tickMs: 0 });
    await sandbox.close();
  });
});
