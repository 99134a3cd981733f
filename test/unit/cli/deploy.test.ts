// `ota deploy` through run(), with the fake pio of the test fixtures building a copy of the blink project, against a
// real sandbox whose simulation the test moves: end to end, a failing build (nothing uploaded), input refused before
// any request, a step failing after the upload, and a deploy cancelled while it follows.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import type { CommandContext } from '../../../src/cli/support/command';
import type { AliyunSession } from '../../../src/cli/support/connect';
import { pollOptions } from '../../../src/cli/support/deployReport';
import { connectSandbox } from '../../../src/cli/support/localSandbox';
import { run } from '../../../src/cli/run';
import { FAKE_PIO, TempDirs } from '../platformio/helpers';
import { assertOneLineError, captureIO, cli, lastLine, openSandbox, parseJsonOut, whileTicking, type Env, type Row, type TestSandbox } from './helpers';

const WX = SANDBOX_DEMO.weather.productKey;

describe('cli deploy', function () {
  this.timeout(20_000);
  const temp = new TempDirs();
  let sb: TestSandbox;
  let env: Env;
  let args: string[];
  let project: string;

  before(async () => {
    sb = await openSandbox({ qps: false, seed: false, failureRate: 0 });
    args = sb.aliyunArgs;
  });
  beforeEach(() => {
    project = temp.project('blink');
    env = { ...sb.aliyunEnv, PATH: process.env.PATH, HOME: temp.make('ota-home-'), OTA_PIO: FAKE_PIO };
    sb.sandbox.resetStats();
  });
  after(async () => {
    await sb.dispose();
    temp.cleanup();
  });

  describe('deploy', () => {
    it('builds, uploads, creates the job and follows it to the end', async () => {
      const r = await whileTicking(
        sb.sandbox,
        cli([...args, 'deploy', '--project', project, '--product-key', WX, '--module', 'mcu', '--no-verify', '--devices', 'wx-0001,wx-0002', '--follow', '--poll-interval', '0.01', '--json'], env),
      );
      const out = parseJsonOut(r);
      const image = join(project, '.pio', 'build', 'esp32dev', 'firmware.bin');
      assert.deepEqual(Object.keys(out), ['firmwareId', 'version', 'productKey', 'uploaded', 'builtImage', 'verifyJobId', 'jobId', 'rollout']);
      assert.deepEqual([out.version, out.productKey, out.uploaded, out.builtImage, out.verifyJobId], ['1.4.2', WX, true, image, null]);
      assert.deepEqual(out.rollout, { outcome: 'completed', jobStatus: 'COMPLETED', total: 2, succeeded: 2, failed: 0, canceled: 0, pending: 0, stoppedBecause: null });
      assert.match(r.stderr, /^Version 1\.4\.2 \(from -D FIRMWARE_VERSION\)\nBuilding environment "esp32dev" of blink\n/);
      assert.match(r.stderr, /\nJob \S+ created\nFollowing job \S+\n/);
      const bytes = readFileSync(image);
      const fw = parseJsonOut(await cli([...args, 'firmware', 'show', String(out.firmwareId), '--json'], env));
      assert.deepEqual([fw.version, fw.size, fw.sign, fw.moduleName], ['1.4.2', bytes.length, createHash('md5').update(bytes).digest('hex'), 'mcu']);
    });

    it('deploys a given file, and prints what it made for people', async () => {
      const file = join(project, 'given.bin');
      writeFileSync(file, Buffer.alloc(5000, 0x5a));
      const r = await cli([...args, 'deploy', file, '--product-key', WX, '--module', 'mcu', '--version', '8.0.0', '--no-verify', '--group', SANDBOX_DEMO.groups.rooftop], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Firmware 8\.0\.0 uploaded as ID \S+; job \S+ created\.\n$/);
      assert.ok(!existsSync(join(project, '.pio')), 'nothing was built');
    });

    it('stops a failing build before the upload: nothing reaches the cloud', async () => {
      const r = await cli([...args, 'deploy', '--project', project, '--product-key', WX, '--no-verify', '--all'], { ...env, FAKE_PIO_FAIL: '1' });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /\nCompiler error:\nsrc\/main\.cpp:12:5: error: 'foo' was not declared in this scope\n/);
      assert.match(lastLine(r.stderr), /^ota: Deploy stopped while building: The build of environment "esp32dev" failed: .* Nothing was created in the cloud\./);
      assert.equal(sb.sandbox.stats.requests, 0);
    });

    it('refuses bad input before building or sending anything', async () => {
      const base = [...args, 'deploy', '--project', project, '--product-key', WX];
      assertOneLineError(await cli([...base, '--version', '1.0/beta', '--no-verify', '--all'], env), 2, /The version "1\.0\/beta" contains "\/"/);
      assertOneLineError(await cli([...base, '--all'], env), 2, /an upgrade job needs verified firmware: .*--verify-devices a,b.*--no-verify/);
      assertOneLineError(await cli([...base, '--no-verify'], env), 2, /name the devices to upgrade with one of --all, --devices, --devices-file, --gray, --group/);
      assertOneLineError(await cli([...args, 'deploy', 'x.bin', '--env', 'esp32dev', '--no-verify', '--all'], env), 2, /--env applies only when deploy builds the image/);
      assertOneLineError(await cli([...args, 'deploy', '--firmware-id', 'F1', '--version', '1.0', '--all'], env), 2, /--version describes a new upload; --firmware-id deploys firmware that exists/);
      const ini = join(project, 'platformio.ini');
      writeFileSync(ini, readFileSync(ini, 'utf8').replace(/-D FIRMWARE_VERSION=1\.4\.2/, ''));
      assertOneLineError(await cli([...base, '--no-verify', '--all'], env), 2, /no firmware version: give --version V, or define -D FIRMWARE_VERSION=V/);
      assert.equal(sb.sandbox.stats.requests, 0);
      assert.ok(!existsSync(join(project, '.pio')), 'nothing was built');
    });

    it('says what exists when the job cannot be created, and continues from the uploaded firmware', async () => {
      const r = await cli([...args, 'deploy', '--project', project, '--product-key', WX, '--module', 'mcu', '--no-verify', '--version', '8.1.0', '--devices', 'no-such-station'], env);
      assert.equal(r.code, 1);
      const firmwareId = /^ota: Firmware 8\.1\.0 uploaded as ID (\S+), job not created: .*no-such-station.*; run Deploy on it to continue\./.exec(lastLine(r.stderr))?.[1];
      assert.ok(firmwareId, r.stderr);
      const again = parseJsonOut(await cli([...args, 'deploy', '--firmware-id', firmwareId, '--devices', 'wx-0030', '--json'], env));
      assert.deepEqual([again.firmwareId, again.version, again.uploaded, typeof again.jobId], [firmwareId, '8.1.0', false, 'string']);
    });

    it('tells what exists when cancelled (Ctrl-C) while following, and exits 130', async () => {
      const stop = new AbortController();
      let err = '';
      const io = {
        stdout: { write: (t: string) => t.length },
        stderr: {
          write: (t: string) => {
            err += t;
            if (/^Following job /m.test(t)) stop.abort();
          },
        },
        env,
      };
      const code = await run([...args, 'deploy', '--project', project, '--product-key', WX, '--module', 'mcu', '--no-verify', '--version', '8.2.0', '--devices', 'wx-0031', '--follow', '--poll-interval', '30'], io, stop.signal);
      assert.equal(code, 130);
      const list = parseJsonOut<Row[]>(await cli([...args, 'firmware', 'list', '--product-key', WX, '--dest-version', '8.2.0', '--json'], env));
      assert.equal(list.length, 1);
      assert.match(lastLine(err), new RegExp(`^ota: Firmware 8\\.2\\.0 \\(ID ${String(list[0].id)}\\) is rolling out in job \\S+, which keeps running in the cloud; following it stopped: cancelled\\.$`));
    });
  });
});

describe('cli polling', () => {
  const temp = new TempDirs();
  after(() => temp.cleanup());

  it('waits the --poll-interval asked for, and moves a sandbox it started itself one step per poll', async () => {
    const ctx = (options: CommandContext['options']): CommandContext => ({ io: captureIO(), words: ['deploy'], args: [], options, signal: new AbortController().signal });
    let steps = 0;
    const advance = (): Promise<void> => {
      steps++;
      return Promise.resolve();
    };
    const client = {} as AliyunSession['client'];
    const own = pollOptions(ctx({ 'poll-interval': '0' }), { client, advance });
    assert.equal(own.pollIntervalMs, 0);
    await own.wait!(0);
    await own.wait!(0);
    assert.equal(steps, 2);
    assert.equal(pollOptions(ctx({}), { client, advance }).pollIntervalMs, 1000);
    assert.equal(pollOptions(ctx({ 'poll-interval': '2.5' }), { client }).pollIntervalMs, 2500);
    assert.equal(pollOptions(ctx({}), { client }).pollIntervalMs, 5000);
    assert.throws(() => pollOptions(ctx({ 'poll-interval': 'soon' }), { client }), /--poll-interval must be a number from 0 to 3600/);

    // A sandbox the command starts has no timer: its connection offers the step; a running one does not.
    const sandbox = await connectSandbox(temp.make('ota-own-sandbox-'), undefined);
    try {
      assert.equal(typeof sandbox.tick, 'function');
      await sandbox.tick!();
    } finally {
      await sandbox.close();
    }
  });
});
