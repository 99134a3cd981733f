// The cloud commands through run(), against a real sandbox (demo account plus 250 firmware, real QPS limits).
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_DEMO, SANDBOX_IOTAAP_DEVICES, SANDBOX_IOTAAP_EMAIL, SANDBOX_IOTAAP_PASSWORD, SANDBOX_IOTAAP_TOKEN, startSandbox } from '../../../src/core/cloud/sandbox';
import {
  assertIso,
  assertOneLineError,
  cli,
  demoRollout,
  FIRMWARE_KEYS,
  JOB_KEYS,
  openSandbox,
  parseJson,
  TASK_KEYS,
  tempDir,
  type Env,
  type Row,
  type TestSandbox,
} from './helpers';

describe('cli cloud commands', () => {
  let sb: TestSandbox;
  let env: Env;
  let args: string[];
  let rollout: { firmwareId: string; jobId: string };

  before(async () => {
    sb = await openSandbox({ bulk: { firmware: 250 } });
    env = sb.aliyunEnv;
    args = sb.aliyunArgs;
    rollout = await demoRollout(args, env);
  });
  after(async () => {
    await sb.dispose();
  });

  describe('firmware', () => {
    it('lists every page as a JSON array of exactly the contract keys', async () => {
      const list = parseJson(await cli([...args, 'firmware', 'list', '--json'], env));
      assert.equal(list.length, 250);
      assert.equal(new Set(list.map((f) => f.id)).size, 250);
      for (const f of list) {
        assert.deepEqual(Object.keys(f), FIRMWARE_KEYS);
        assertIso(f.createdAt, 'createdAt');
      }
      const delta = list.find((f) => f.type === 'delta' && f.productKey === SANDBOX_DEMO.plug.productKey);
      assert.equal(delta?.srcVersion, '1.2.0');
    });

    it('filters by product key, with options before the command words too', async () => {
      const list = parseJson(await cli(['--json', '--product-key', SANDBOX_DEMO.weather.productKey, ...args, 'firmware', 'list'], env));
      assert.ok(list.length >= 3);
      assert.ok(list.every((f) => f.productKey === SANDBOX_DEMO.weather.productKey));
    });

    it('prints an aligned table with statuses in words and a count', async () => {
      const r = await cli([...args, 'firmware', 'list', '--product-key', SANDBOX_DEMO.plug.productKey], env);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^ID\s+PRODUCT\s+NAME\s+VERSION\s+TYPE\s+STATUS\s+SIZE\s+CREATED \(UTC\)$/);
      const statusAt = lines[0].indexOf('STATUS');
      const body = lines.slice(1, -1);
      assert.equal(lines[lines.length - 1], `${body.length} firmware packages`);
      assert.ok(body.every((l) => l.slice(statusAt - 2, statusAt) === '  '), 'the STATUS column is aligned');
      assert.ok(body.some((l) => /verification failed/.test(l)));
      assert.ok(body.some((l) => /delta from 1\.2\.0/.test(l)));
      assert.ok(!r.stdout.includes('VERIFICATION_FAILED'));
    });

    it('shows one firmware with its download URL', async () => {
      const f = parseJson<Row>(await cli([...args, 'firmware', 'show', rollout.firmwareId, '--json'], env));
      assert.deepEqual(Object.keys(f), FIRMWARE_KEYS);
      assert.equal(f.id, rollout.firmwareId);
      assert.equal(f.version, '1.2.0');
      assert.equal(f.status, 'VERIFIED');
      assert.match(String(f.url), /^http:\/\/127\.0\.0\.1:\d+\/oss\//);
      const human = await cli([...args, 'firmware', 'show', rollout.firmwareId], env);
      assert.match(human.stdout, /^ID: +\S+\nName: +plug-main\nVersion: +1\.2\.0\n/);
      assert.match(human.stdout, /\nSize: +\d+ bytes \(\d+\.\d KiB\)\n/);
      assert.match(human.stdout, /\nProduct: +a1PlugEsp32 \(Smart Plug\)\n/);
    });

    it('says "not found" for an unknown firmware id, in one line, exit 1', async () => {
      const r = await cli([...args, 'firmware', 'show', 'NoSuchFirmware0100', '--json'], env);
      assertOneLineError(r, 1, /not found: The firmware NoSuchFirmware0100 does not exist/);
    });

    it('needs the firmware id', async () => {
      assertOneLineError(await cli([...args, 'firmware', 'show'], env), 2, /'ota firmware show' needs FIRMWARE_ID/);
      assertOneLineError(await cli([...args, 'firmware', 'show', 'a', 'b'], env), 2, /unexpected argument 'b'/);
    });
  });

  describe('jobs', () => {
    it('lists the jobs of a firmware with exactly the contract keys', async () => {
      const jobs = parseJson(await cli([...args, 'job', 'list', rollout.firmwareId, '--json'], env));
      assert.deepEqual(Object.keys(jobs[0]), JOB_KEYS);
      assert.equal(jobs[0].firmwareId, rollout.firmwareId);
      assert.equal(jobs[0].status, 'IN_PROGRESS');
      assertIso(jobs[0].startedAt, 'startedAt');
    });

    it('shows a job, with its task counts for people', async () => {
      const job = parseJson<Row>(await cli([...args, 'job', 'show', rollout.jobId, '--json'], env));
      assert.deepEqual(Object.keys(job), JOB_KEYS);
      assert.equal(job.targetSelection, 'ALL');
      const human = await cli([...args, 'job', 'show', rollout.jobId], env);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /\nStatus: +in progress\n/);
      assert.match(
        human.stdout,
        /\nTasks: +300 tasks: 15 confirm, 30 queued, 25 notified, 40 in progress, 150 succeeded, 30 failed, 10 canceled\n$/,
      );
    });

    it('says "not found" for an unknown job', async () => {
      assertOneLineError(await cli([...args, 'job', 'show', 'NoSuchJob0200'], env), 1, /not found/);
    });
  });

  describe('tasks', () => {
    it('lists every task of the job (all pages) with exactly the contract keys', async () => {
      const tasks = parseJson(await cli([...args, 'task', 'list', rollout.jobId, '--json'], env));
      assert.equal(tasks.length, 300);
      assert.equal(new Set(tasks.map((t) => t.deviceName)).size, 300);
      for (const t of tasks) {
        assert.deepEqual(Object.keys(t), TASK_KEYS);
        assert.equal(t.jobId, rollout.jobId);
        assert.equal(typeof t.progress, 'number');
        assert.ok((t.progress as number) >= 0 && (t.progress as number) <= 100);
      }
      assert.ok(tasks.filter((t) => t.status === 'SUCCEEDED').every((t) => t.progress === 100));
    });

    it('filters by status in any spelling', async () => {
      const failed = parseJson(await cli([...args, 'task', 'list', rollout.jobId, '--status', 'failed', '--json'], env));
      assert.equal(failed.length, 30);
      assert.ok(failed.every((t) => t.status === 'FAILED' && typeof t.description === 'string'));
      const human = await cli([...args, 'task', 'list', rollout.jobId, '--status', 'in-progress'], env);
      assert.equal(human.code, 0, human.stderr);
      const lines = human.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^DEVICE\s+PRODUCT\s+STATUS\s+PROGRESS\s+FROM\s+TO\s+MODIFIED \(UTC\)\s+REASON$/);
      assert.equal(lines.length, 42);
      assert.ok(lines.slice(1, -1).every((l) => / in progress +\d+ % /.test(l)));
      assert.equal(lines[41], '40 tasks: 40 in progress');
    });

    it('ends the human listing with the count in each status', async () => {
      const r = await cli([...args, 'task', 'list', rollout.jobId], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\n300 tasks: 15 confirm, 30 queued, 25 notified, 40 in progress, 150 succeeded, 30 failed, 10 canceled\n$/);
    });

    it('refuses an unknown status with the valid ones', async () => {
      assertOneLineError(await cli([...args, 'task', 'list', rollout.jobId, '--status', 'done'], env), 2, /unknown task status 'done': use one of CONFIRM, QUEUED/);
    });
  });

  describe('credentials and providers', () => {
    it('names the credential problem without printing the secret', async () => {
      const secret = 'Wr0ng-Secret-Do-Not-Print';
      const r = await cli([...args, 'firmware', 'list'], { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret });
      assertOneLineError(r, 1, /rejected the credentials of account sandbox-access-key-id .*Check the AccessKey secret/);
      assert.ok(!r.stderr.includes(secret));
      assert.ok(!r.stderr.includes(encodeURIComponent(secret)));
    });

    it('says which variables to set when credentials are missing', async () => {
      assertOneLineError(
        await cli(['firmware', 'list'], {}),
        2,
        /no Alibaba Cloud credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or use --provider sandbox/,
      );
      assertOneLineError(
        await cli(['firmware', 'list'], { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' }),
        2,
        /ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set/,
      );
      assertOneLineError(
        await cli(['firmware', 'list'], { IOTAAP_TOKEN: 't' }),
        2,
        /IoTaaP, whose credentials are set, has no firmware packages.*set ALIBABA_CLOUD_ACCESS_KEY_ID/,
      );
      assertOneLineError(await cli(['iotaap', 'list'], env), 2, /no IoTaaP credentials: set IOTAAP_TOKEN, or IOTAAP_EMAIL and IOTAAP_PASSWORD/);
      assertOneLineError(await cli(['iotaap', 'list', '--provider', 'iotaap'], { IOTAAP_EMAIL: 'a@b.c' }), 2, /IOTAAP_PASSWORD is not set/);
    });

    it('refuses unknown providers and options that do not apply', async () => {
      assertOneLineError(await cli(['--provider', 'aws', 'firmware', 'list'], env), 2, /unknown provider 'aws': use aliyun, iotaap or sandbox/);
      assertOneLineError(await cli(['--provider', 'iotaap', 'firmware', 'list'], env), 2, /IoTaaP has no firmware packages/);
      assertOneLineError(await cli([...args, '--data', '/tmp/x', 'firmware', 'list'], env), 2, /--data does not apply to --provider aliyun/);
      assertOneLineError(await cli(['--provider', 'sandbox', '--endpoint', 'http://127.0.0.1:1/', 'firmware', 'list'], env), 2, /--endpoint does not apply to --provider sandbox/);
    });

    it('reads the region from ALIBABA_CLOUD_REGION_ID and refuses a malformed one as a usage error (exit 2)', async () => {
      const r = await cli(['firmware', 'list'], { ...env, ALIBABA_CLOUD_REGION_ID: 'not a region' });
      assertOneLineError(r, 2, /ALIBABA_CLOUD_REGION_ID 'not a region' is not a region id/);
      assertOneLineError(await cli(['--region', 'Shanghai!', 'firmware', 'list'], env), 2, /--region 'Shanghai!' is not a region id/);
      assertOneLineError(await cli(['--provider', 'sandbox', '--region', 'Shanghai!', 'firmware', 'list'], env), 2, /--region 'Shanghai!' is not a region id/);
    });

    it('refuses an invalid --endpoint as a usage error (exit 2), and one with user:password@ without echoing it', async () => {
      assertOneLineError(await cli(['--endpoint', 'not a url', 'firmware', 'list'], env), 2, /--endpoint 'not a url' is not a URL/);
      assertOneLineError(await cli(['--endpoint', 'ftp://example.com/', 'firmware', 'list'], env), 2, /must start with https:\/\/ or http:\/\//);
      for (const endpoint of ['https://admin:Hunter2pw@iot.example.com/', 'https://admin@iot.example.com/', 'http://a:Hunter2pw with space@x/']) {
        for (const argv of [['firmware', 'list'], ['--provider', 'iotaap', 'iotaap', 'list']]) {
          const r = await cli(['--endpoint', endpoint, ...argv], { ...env, IOTAAP_TOKEN: 't' });
          assertOneLineError(r, 2, /--endpoint must not hold a user name or password \(user:password@\)/);
          assert.ok(!r.stderr.includes('Hunter2pw') && !r.stderr.includes('admin'), r.stderr);
        }
      }
    });

    it('exits 130 with "Cancelled." when the command is cancelled', async () => {
      const r = await cli([...args, 'task', 'list', rollout.jobId], env, AbortSignal.abort());
      assertOneLineError(r, 130, /^ota: Cancelled\.\n$/);
    });
  });

  describe('iotaap', () => {
    const iotaapArgs = (): string[] => ['--provider', 'iotaap', '--endpoint', sb.sandbox.iotaapBaseUrl];

    it('logs in with IOTAAP_EMAIL and IOTAAP_PASSWORD and lists the device OTAs', async () => {
      const creds = { IOTAAP_EMAIL: SANDBOX_IOTAAP_EMAIL, IOTAAP_PASSWORD: SANDBOX_IOTAAP_PASSWORD };
      const otas = parseJson(await cli([...iotaapArgs(), 'iotaap', 'list', '--json'], creds));
      assert.equal(otas.length, 5);
      for (const o of otas) {
        assert.deepEqual(Object.keys(o), ['id', 'device', 'owner', 'path', 'version', 'lastUpdated']);
        assertIso(o.lastUpdated, 'lastUpdated');
      }
      const human = await cli([...iotaapArgs(), 'iotaap', 'list'], creds);
      assert.match(human.stdout, /^DEVICE\s+VERSION\s+LAST UPDATED \(UTC\)\s+PATH\n/);
      assert.match(human.stdout, /\n5 device OTAs\n$/);
      // IoTaaP keeps each image under <device id><device token>/: the token is masked wherever the path is shown.
      for (const { id, token } of SANDBOX_IOTAAP_DEVICES) {
        assert.ok(!human.stdout.includes(token) && !JSON.stringify(otas).includes(token), `device token of ${id} shown`);
      }
      assert.ok(otas.every((o) => String(o.path).includes(`${String(o.device)}****/`)), JSON.stringify(otas));
    });

    it('uses IOTAAP_TOKEN, searches, and lists group OTAs', async () => {
      const creds = { IOTAAP_TOKEN: SANDBOX_IOTAAP_TOKEN };
      const all = parseJson(await cli([...iotaapArgs(), 'iotaap', 'list', '--json'], creds));
      const target = all[0];
      const found = parseJson(await cli([...iotaapArgs(), 'iotaap', 'list', '--search', String(target.device), '--json'], creds));
      assert.deepEqual(found, [target]);
      const groups = parseJson(await cli([...iotaapArgs(), 'iotaap', 'list', '--groups', '--json'], creds));
      assert.equal(groups.length, 1);
      assert.deepEqual(Object.keys(groups[0]), ['id', 'group', 'owner', 'path', 'version', 'lastUpdated']);
    });

    it('names the rejected account, never the password', async () => {
      const password = 'Not-The-Password-42';
      const r = await cli([...iotaapArgs(), 'iotaap', 'list'], { IOTAAP_EMAIL: SANDBOX_IOTAAP_EMAIL, IOTAAP_PASSWORD: password });
      assertOneLineError(r, 1, /IoTaaP rejected the email or password of demo@sandbox\.local/);
      assert.ok(!r.stderr.includes(password));
    });
  });
});

describe('cli command line', () => {
  it('names the subcommands of a command group', async () => {
    assertOneLineError(await cli(['firmware'], {}), 2, /^ota: 'ota firmware' needs a subcommand: list, show, upload, delete\. Run 'ota --help'/);
    assertOneLineError(await cli(['--provider', 'sandbox', 'task', 'frob'], {}), 2, /^ota: unknown command 'task frob': list, retry, confirm\./);
    assertOneLineError(await cli(['--provider', 'sandbox'], {}), 2, /^ota: no command given\./);
  });

  it('prints a command\'s help with its own and the global options', async () => {
    const r = await cli(['help', 'task', 'list'], {});
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: ota task list JOB_ID \[options\]\n/);
    assert.match(r.stdout, /\n {2}--status S +Only tasks in this status: CONFIRM, QUEUED/);
    assert.match(r.stdout, /\n {2}--provider aliyun\|iotaap\|sandbox +/);
  });

  it('refuses an option the command does not know', async () => {
    assertOneLineError(await cli(['firmware', 'list', '--status', 'x'], {}), 2, /Unknown option '--status'.*'ota firmware list --help'/);
  });
});

describe('cli --provider sandbox', () => {
  let home: string;

  before(async () => {
    home = await tempDir();
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('starts a sandbox in the default data folder for the command and saves it', async () => {
    const env = { HOME: home, XDG_DATA_HOME: join(home, 'xdg') };
    const list = parseJson(await cli(['--provider', 'sandbox', 'firmware', 'list', '--json'], env));
    assert.ok(list.length >= 9);
    const dir = join(home, 'xdg', 'firmware-ota', 'sandbox');
    assert.ok(existsSync(join(dir, 'meta.json')), 'the demo data is saved in the default folder');
    assert.ok(!existsSync(join(dir, 'sandbox.lock')), 'the sandbox was stopped');
    // The same folder, again: the same records.
    const again = parseJson(await cli(['--provider', 'sandbox', 'firmware', 'list', '--json'], env));
    assert.deepEqual(again.map((f) => f.id), list.map((f) => f.id));
  });

  it('uses --data, serves the IoTaaP emulation, and stops the sandbox after a failure too', async () => {
    const dir = join(home, 'custom');
    const otas = parseJson(await cli(['iotaap', 'list', '--provider', 'sandbox', '--data', dir, '--json'], {}));
    assert.equal(otas.length, 5);
    const r = await cli(['--provider', 'sandbox', '--data', dir, 'job', 'show', 'NoSuchJob0200'], {});
    assertOneLineError(r, 1, /not found/);
    const sandbox = await startSandbox({ dataDir: dir, tickMs: 0 });
    await sandbox.close();
  });
});
