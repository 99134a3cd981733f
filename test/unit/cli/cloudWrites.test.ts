// The cloud write commands through run(), against a real sandbox (products and devices only, simulation moved by
// hand): firmware upload and delete, job create for every target kind, job cancel, task confirm and retry, the
// rollout guard, and IoTaaP deploys.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_DEMO, SANDBOX_IOTAAP_DEVICES, SANDBOX_IOTAAP_GROUP_ID, SANDBOX_IOTAAP_TOKEN } from '../../../src/core/cloud/sandbox';
import { assertOneLineError, cli, lastLine, openSandbox, parseJsonOut, whileTicking, type Env, type Row, type TestSandbox } from './helpers';

const WX = SANDBOX_DEMO.weather.productKey;
const PLUG = SANDBOX_DEMO.plug.productKey;
const ROOFTOP = SANDBOX_DEMO.groups.rooftop;

function image(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff;
  return b;
}

describe('cli cloud writes', function () {
  this.timeout(20_000);
  let sb: TestSandbox;
  let env: Env;
  let args: string[];
  let fwFile: string;
  let firmwareId: string;

  /** Uploads the test image as firmware `version` of `product`, usable without verification; resolves with its id. */
  async function upload(version: string, product: string = WX): Promise<string> {
    const module = product === WX ? ['--module', 'mcu'] : [];
    const out = parseJsonOut(await cli([...args, 'firmware', 'upload', fwFile, '--product-key', product, ...module, '--version', version, '--no-verify', '--json'], env));
    return out.firmwareId as string;
  }

  async function tasksOf(jobId: string): Promise<Row[]> {
    return parseJsonOut<Row[]>(await cli([...args, 'task', 'list', jobId, '--json'], env));
  }

  before(async () => {
    sb = await openSandbox({ qps: false, seed: false, failureRate: 0 });
    env = sb.aliyunEnv;
    args = sb.aliyunArgs;
    fwFile = join(sb.dir, 'app.bin');
    await writeFile(fwFile, image(70_001, 1));
    firmwareId = await upload('3.0.0');
  });
  after(async () => {
    await sb.dispose();
  });

  describe('firmware upload', () => {
    it('uploads with byte progress; the firmware is listed with the file\'s MD5 and size', async () => {
      const r = await cli([...args, 'firmware', 'upload', fwFile, '--product-key', WX, '--module', 'mcu', '--version', '3.0.1', '--name', 'wx-app', '--desc', 'CLI test', '--no-verify'], env);
      assert.equal(r.code, 0, r.stderr);
      const id = /^Firmware 3\.0\.1 uploaded as ID (\S+) \(70001 bytes, MD5 ([0-9a-f]{32})\)\.\n$/.exec(r.stdout);
      assert.ok(id, r.stdout);
      assert.match(r.stderr, /\nUploading app\.bin \(68\.4 KiB\)\n/);
      assert.match(r.stderr, /\nUploaded 100 % \(68\.4 KiB of \d+\.\d KiB\)\n/);
      const md5 = createHash('md5').update(await readFile(fwFile)).digest('hex');
      assert.equal(id[2], md5);
      const list = parseJsonOut<Row[]>(await cli([...args, 'firmware', 'list', '--product-key', WX, '--dest-version', '3.0.1', '--json'], env));
      assert.equal(list.length, 1);
      assert.deepEqual([list[0].id, list[0].sign, list[0].signMethod, list[0].size, list[0].name, list[0].moduleName, list[0].description, list[0].status], [
        id[1],
        md5,
        'MD5',
        70_001,
        'wx-app',
        'mcu',
        'CLI test',
        'NO_VERIFICATION_NEEDED',
      ]);
    });

    it('verifies on the devices given and waits for it; --json prints the created firmware', async () => {
      const out = parseJsonOut(
        await whileTicking(
          sb.sandbox,
          cli([...args, 'firmware', 'upload', fwFile, '--product-key', WX, '--module', 'mcu', '--version', '3.0.2', '--verify-devices', 'wx-0039,wx-0040', '--poll-interval', '0.01', '--json'], env),
        ),
      );
      assert.deepEqual(Object.keys(out), ['firmwareId', 'version', 'productKey', 'size', 'md5', 'verifyJobId']);
      assert.equal(typeof out.verifyJobId, 'string');
      const shown = parseJsonOut(await cli([...args, 'firmware', 'show', String(out.firmwareId), '--json'], env));
      assert.equal(shown.status, 'VERIFIED');
    });

    it('refuses a bad version, a bad type and an empty file before any request', async () => {
      sb.sandbox.resetStats();
      const base = [...args, 'firmware', 'upload', fwFile, '--product-key', WX];
      assertOneLineError(await cli([...base, '--version', '1.0 beta'], env), 2, /The version "1\.0 beta" contains a space: Alibaba Cloud accepts only letters/);
      assertOneLineError(await cli([...base, '--version', '1.0', '--type', 'patch'], env), 2, /--type must be full or delta/);
      assertOneLineError(await cli([...base, '--version', '1.0', '--type', 'delta'], env), 2, /--type delta needs the version it applies to/);
      assertOneLineError(await cli([...base], env), 2, /'ota firmware upload' needs --version V/);
      const empty = join(sb.dir, 'empty.bin');
      await writeFile(empty, '');
      assertOneLineError(await cli([...args, 'firmware', 'upload', empty, '--product-key', WX, '--version', '1.0'], env), 2, /empty\.bin is empty \(0 bytes\)/);
      assert.equal(sb.sandbox.stats.requests, 0);
    });
  });

  describe('job create', () => {
    it('targets all devices, named devices, a device file, a percentage and a group; --json prints {jobId}', async () => {
      const list = join(sb.dir, 'devices.txt');
      await writeFile(list, '# stations on the roof\nwx-0011\nwx-0012, wx-0013\n\n');
      // Named weather stations; the whole-fleet kinds on the plugs (a device keeps the task it has: overwrite mode 1).
      const cases: Array<[string, string[], string, string[] | null]> = [
        [WX, ['--devices', 'wx-0001,wx-0002'], 'SPECIFIC', ['wx-0001', 'wx-0002']],
        [WX, ['--devices-file', list], 'SPECIFIC', ['wx-0011', 'wx-0012', 'wx-0013']],
        [PLUG, ['--group', SANDBOX_DEMO.groups.betaTesters], 'GROUP', null],
        [PLUG, ['--gray', '12.5'], 'GRAY', null],
        [PLUG, ['--all'], 'ALL', null],
      ];
      for (const [i, [product, target, selection, devices]] of cases.entries()) {
        const fw = await upload(`4.0.${i}`, product);
        const out = parseJsonOut(await cli([...args, 'job', 'create', fw, '--product-key', product, ...target, '--json'], env));
        assert.deepEqual(Object.keys(out), ['jobId', 'rollout']);
        assert.equal(out.rollout, null);
        const job = parseJsonOut(await cli([...args, 'job', 'show', String(out.jobId), '--json'], env));
        assert.deepEqual([job.firmwareId, job.targetSelection, job.selection], [fw, selection, 'STATIC'], target.join(' '));
        const tasks = await tasksOf(String(out.jobId));
        if (devices) assert.deepEqual(tasks.map((t) => t.deviceName).sort(), devices);
        if (selection === 'GROUP') assert.equal(tasks.length, 20, 'the 20 beta testers');
      }
    });

    it('creates a dynamic job with its settings, and says so for people', async () => {
      const fw = await upload('4.1.0');
      const r = await cli([...args, 'job', 'create', fw, '--product-key', WX, '--group', ROOFTOP, '--dynamic', '--src-version', '1.9.3', '--retry-interval', '10', '--retry-count', '2', '--timeout', '30', '--rate', '100'], env);
      assert.equal(r.code, 0, r.stderr);
      const jobId = /^Job (\S+) created\.\n$/.exec(r.stdout)?.[1];
      assert.ok(jobId, r.stdout);
      const shown = await cli([...args, 'job', 'show', jobId], env);
      assert.match(shown.stdout, /\nType: +upgrade firmware\n/);
      assert.match(shown.stdout, /\nSelection: +dynamic\n/);
      assert.match(shown.stdout, /\nFrom versions: +1\.9\.3\n/);
      assert.match(shown.stdout, /\nRetry interval: +10 min\nRetry count: +2\nTimeout: +30 min\nMax per minute: +100\n/);
    });

    it('needs exactly one target option, naming them', async () => {
      const base = [...args, 'job', 'create', firmwareId, '--product-key', WX];
      const names = /--all, --devices, --devices-file, --gray, --group/;
      assertOneLineError(await cli(base, env), 2, names);
      assertOneLineError(await cli([...base, '--all', '--group', ROOFTOP], env), 2, /give only one of .*\(got --all and --group\)/);
      assertOneLineError(await cli([...base, '--devices-file', join(sb.dir, 'missing.txt')], env), 2, /Cannot read the device list .*missing\.txt \(ENOENT\)/);
      assertOneLineError(await cli([...base, '--gray', '10', '--dynamic'], env), 2, /A dynamic job targets ALL devices or a GROUP, not GRAY/);
      assertOneLineError(await cli([...base, '--all', '--abort-after', '5'], env), 2, /needs both --abort-failure-rate PCT and --abort-after N/);
      assertOneLineError(await cli([...args, 'job', 'create', firmwareId, '--all'], env), 2, /'ota job create' needs --product-key PK/);
    });
  });

  describe('job and task actions', () => {
    it('confirms tasks by id and by job', async () => {
      const fw = await upload('5.0.0');
      const { jobId } = parseJsonOut(await cli([...args, 'job', 'create', fw, '--product-key', WX, '--devices', 'wx-0021,wx-0022,wx-0023', '--confirm', '--json'], env));
      const tasks = await tasksOf(String(jobId));
      assert.deepEqual(tasks.map((t) => t.status), ['CONFIRM', 'CONFIRM', 'CONFIRM']);
      const first = String(tasks[0].id);
      assert.deepEqual(parseJsonOut(await cli([...args, 'task', 'confirm', first, '--json'], env)), { taskIds: [first] });
      const after = await tasksOf(String(jobId));
      assert.equal(after.find((t) => t.id === first)?.status, 'QUEUED');
      const r = await cli([...args, 'task', 'confirm', '--job', String(jobId)], env);
      assert.equal(r.stdout, 'Confirmed 2 tasks.\n');
      assert.ok((await tasksOf(String(jobId))).every((t) => t.status === 'QUEUED'));
      assertOneLineError(await cli([...args, 'task', 'confirm'], env), 2, /needs the TASK_IDs to confirm/);
    });

    it('cancels tasks by state, and refuses a state that cannot be cancelled', async () => {
      const fw = await upload('5.1.0');
      const { jobId } = parseJsonOut(await cli([...args, 'job', 'create', fw, '--product-key', WX, '--devices', 'wx-0024,wx-0025', '--json'], env));
      const r = await cli([...args, 'job', 'cancel', String(jobId), '--status', 'queued,notified'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Cancelled the queued, notified tasks of job ${String(jobId)}.\n`);
      assert.ok((await tasksOf(String(jobId))).every((t) => t.status === 'CANCELED'));
      assertOneLineError(await cli([...args, 'job', 'cancel', String(jobId), '--status', 'done'], env), 2, /"done" is not a task state that can be cancelled/);
      assertOneLineError(await cli([...args, 'job', 'cancel', String(jobId)], env), 2, /needs --status queued,notified/);
    });

    it('deletes firmware, but not while one of its jobs runs', async () => {
      const busy = await upload('5.2.0');
      parseJsonOut(await cli([...args, 'job', 'create', busy, '--product-key', WX, '--devices', 'wx-0026', '--json'], env));
      assertOneLineError(await cli([...args, 'firmware', 'delete', busy], env), 1, new RegExp(`Firmware ${busy} cannot be deleted while its job \\S+ \\(IN_PROGRESS\\) runs`));
      const idle = await upload('5.3.0');
      assert.deepEqual(parseJsonOut(await cli([...args, 'firmware', 'delete', idle, '--json'], env)), { firmwareId: idle, deleted: true });
      assertOneLineError(await cli([...args, 'firmware', 'show', idle], env), 1, /not found/);
    });
  });

  describe('with devices that always fail', () => {
    let failing: TestSandbox;
    before(async () => {
      failing = await openSandbox({ qps: false, seed: false, failureRate: 1 });
    });
    after(async () => {
      await failing.dispose();
    });

    it('the rollout guard stops the job: CANCELED, non-zero exit, one clear line; failed tasks can be retried', async () => {
      const fargs = failing.aliyunArgs;
      const up = parseJsonOut(await cli([...fargs, 'firmware', 'upload', fwFile, '--product-key', PLUG, '--version', '6.6.6', '--no-verify', '--json'], env));
      const fw = String(up.firmwareId);
      // 300 plugs notified at 10 a minute (one per simulation step): most are still queued when the guard judges.
      const r = await whileTicking(
        failing.sandbox,
        cli([...fargs, 'job', 'create', fw, '--product-key', PLUG, '--all', '--rate', '10', '--abort-failure-rate', '50', '--abort-after', '5', '--poll-interval', '0.01', '--json'], env),
      );
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout) as { jobId: string; rollout: Row };
      assert.equal(out.rollout.outcome, 'stopped-by-guard');
      assert.equal(out.rollout.jobStatus, 'CANCELED');
      const { succeeded, failed, canceled, pending } = out.rollout as Record<string, number>;
      assert.deepEqual([succeeded, pending, failed + canceled], [0, 0, 300]);
      assert.ok(canceled > 0 && failed >= 5, `failed ${failed}, canceled ${canceled}`);
      assert.match(r.stderr, /\nRollout guard: \d+ of \d+ finished devices failed \(100 %\), more than the 50 % allowed once 5 have finished; cancelling/);
      assert.match(
        lastLine(r.stderr),
        new RegExp(`^ota: Job ${out.jobId} stopped by the rollout guard: \\d+ of \\d+ finished devices failed \\(100 %\\), more than the 50 % allowed once 5 have finished; 0 succeeded, \\d+ failed, \\d+ canceled of 300\\.$`),
      );
      const job = parseJsonOut(await cli([...fargs, 'job', 'show', out.jobId, '--json'], env));
      assert.equal(job.status, 'CANCELED');

      const failedTasks = parseJsonOut<Row[]>(await cli([...fargs, 'task', 'list', out.jobId, '--status', 'failed', '--json'], env));
      assert.ok(failedTasks.length >= 5);
      const one = String(failedTasks[0].id);
      assert.deepEqual(parseJsonOut(await cli([...fargs, 'task', 'retry', out.jobId, one, '--json'], env)), { jobId: out.jobId, taskIds: [one] });
      const rest = await cli([...fargs, 'task', 'retry', out.jobId], env);
      assert.equal(rest.stdout, `Queued ${failedTasks.length - 1} task${failedTasks.length === 2 ? '' : 's'} of job ${out.jobId} again.\n`);
      const again = parseJsonOut<Row[]>(await cli([...fargs, 'task', 'list', out.jobId, '--status', 'failed', '--json'], env));
      assert.equal(again.length, 0);
    });
  });

  describe('iotaap deploy', () => {
    const iotaap = (): string[] => ['--provider', 'iotaap', '--endpoint', sb.sandbox.iotaapBaseUrl];
    const creds = { IOTAAP_TOKEN: SANDBOX_IOTAAP_TOKEN };
    const [device] = SANDBOX_IOTAAP_DEVICES;

    it('deploys to a device with byte progress and says when it updates', async () => {
      const out = parseJsonOut(await cli([...iotaap(), 'iotaap', 'deploy', fwFile, '--device', device.id, '--device-token', device.token, '--version', '2.3.4', '--json'], creds));
      assert.deepEqual(out, {
        target: 'device',
        id: device.id,
        version: '2.3.4',
        previousVersion: null,
        message: 'Firmware successfully deployed',
        willUpdate: true,
        note: 'IoTaaP devices update only when the version differs from the last one deployed to them; deploy a new version to update again.',
      });
      const otas = parseJsonOut<Row[]>(await cli([...iotaap(), 'iotaap', 'list', '--search', device.id, '--json'], creds));
      assert.deepEqual(otas.map((o) => [o.device, o.version]), [[device.id, '2.3.4']]);
      const human = await cli([...iotaap(), 'iotaap', 'deploy', fwFile, '--device', device.id, '--device-token', device.token, '--version', '2.3.5'], creds);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, new RegExp(`^Version 2\\.3\\.5 deployed to IoTaaP device ${device.id}: Firmware successfully deployed\\.\\nThe device moves from 2\\.3\\.4 to 2\\.3\\.5\\. `));
      assert.match(human.stderr, /\nUploaded 100 % /);
    });

    it('deploys to a group through the sandbox provider', async () => {
      const r = await cli(['--provider', 'sandbox', '--data', join(sb.dir, 'own'), 'iotaap', 'deploy', fwFile, '--group', SANDBOX_IOTAAP_GROUP_ID, '--group-token', 'any', '--version', '3.0.0', '--json'], {});
      assert.equal(parseJsonOut(r).target, 'group');
    });

    it('refuses a version that is not semver and an incomplete target, before any request', async () => {
      sb.sandbox.resetStats();
      const base = [...iotaap(), 'iotaap', 'deploy', fwFile];
      assertOneLineError(await cli([...base, '--device', device.id, '--device-token', device.token, '--version', 'v1.2'], creds), 2, /The version "v1\.2" is not a semantic version/);
      assertOneLineError(await cli([...base, '--device', device.id, '--version', '1.2.3'], creds), 2, /needs --device-token T with --device/);
      assertOneLineError(await cli([...base, '--version', '1.2.3'], creds), 2, /give --device ID with --device-token T, or --group ID with --group-token T/);
      assert.equal(sb.sandbox.stats.requests, 0);
    });
  });
});
