// The built `dist/cli.js` as a real subprocess, as CI scripts run it: the JSON contract, all pages, filters, exit
// codes and one-line errors without secrets.
import * as assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { SANDBOX_IOTAAP_TOKEN } from '../../../src/core/cloud/sandbox';
import {
  assertIso,
  assertOneLineError,
  childEnv,
  FIRMWARE_KEYS,
  JOB_KEYS,
  openSandbox,
  parseJson,
  runBundle,
  TASK_KEYS,
  tempDir,
  type Env,
  type Row,
  type TestSandbox,
} from './helpers';

describe('cli bundle (subprocess)', function () {
  // A hang detector, not a speed limit: a test here starts up to six Node processes one after another, which takes
  // several seconds each on a loaded machine (15 s was exceeded under `stress-ng --cpu 2`).
  this.timeout(90_000);
  let sb: TestSandbox;
  let home: string;
  let env: Env;
  let args: string[];

  before(async () => {
    sb = await openSandbox({ bulk: { firmware: 250 } });
    home = await tempDir();
    env = childEnv(home, sb.aliyunEnv);
    args = sb.aliyunArgs;
  });
  after(async () => {
    await sb.dispose();
    await rm(home, { recursive: true, force: true });
  });

  it('prints firmware, jobs and tasks as JSON with exactly the contract keys, every page', async () => {
    const firmware = parseJson(await runBundle([...args, 'firmware', 'list', '--json'], env));
    assert.equal(firmware.length, 250);
    assert.ok(firmware.every((f) => JSON.stringify(Object.keys(f)) === JSON.stringify(FIRMWARE_KEYS)));
    const rollout = firmware.find((f) => f.productKey === 'a1PlugEsp32' && f.version === '1.2.0') as Row;

    const shown = parseJson<Row>(await runBundle([...args, 'firmware', 'show', String(rollout.id), '--json'], env));
    assert.deepEqual(Object.keys(shown), FIRMWARE_KEYS);
    assert.equal(typeof shown.size, 'number');
    assertIso(shown.modifiedAt, 'modifiedAt');

    const jobs = parseJson(await runBundle([...args, 'job', 'list', String(rollout.id), '--json'], env));
    assert.deepEqual(Object.keys(jobs[0]), JOB_KEYS);
    const job = parseJson<Row>(await runBundle([...args, 'job', 'show', String(jobs[0].id), '--json'], env));
    assert.deepEqual(job, jobs[0]);

    const tasks = parseJson(await runBundle([...args, 'task', 'list', String(job.id), '--json'], env));
    assert.equal(tasks.length, 300);
    assert.deepEqual(Object.keys(tasks[0]), TASK_KEYS);
    const queued = parseJson(await runBundle([...args, 'task', 'list', String(job.id), '--status', 'QUEUED', '--json'], env));
    assert.equal(queued.length, tasks.filter((t) => t.status === 'QUEUED').length);
    assert.ok(queued.length > 0 && queued.every((t) => t.status === 'QUEUED'));
  });

  it('exits 1 with one line for an unknown firmware', async () => {
    assertOneLineError(await runBundle([...args, 'firmware', 'show', 'NoSuchFirmware0100'], env), 1, /^ota: QueryOTAFirmware: not found: /);
  });

  it('exits 1 with a credential message that does not contain the wrong secret', async () => {
    const secret = 'subprocess-Wrong-Secret-77';
    const r = await runBundle([...args, 'firmware', 'list', '--json'], { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret });
    assertOneLineError(r, 1, /rejected the credentials of account sandbox-access-key-id/);
    assert.ok(!r.stderr.includes(secret));
  });

  it('exits 2 naming the variables to set when the environment has no credentials', async () => {
    const r = await runBundle(['firmware', 'list'], childEnv(home));
    assertOneLineError(r, 2, /set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or use --provider sandbox/);
    const i = await runBundle(['iotaap', 'list'], childEnv(home));
    assertOneLineError(i, 2, /set IOTAAP_TOKEN, or IOTAAP_EMAIL and IOTAAP_PASSWORD/);
  });

  it('lists IoTaaP device OTAs through the sandbox emulation', async () => {
    const otas = parseJson(
      await runBundle(['--endpoint', sb.sandbox.iotaapBaseUrl, 'iotaap', 'list', '--json'], childEnv(home, { IOTAAP_TOKEN: SANDBOX_IOTAAP_TOKEN })),
    );
    assert.equal(otas.length, 5);
  });

  it('works out of the box with --provider sandbox', async () => {
    const r = await runBundle(['--provider', 'sandbox', 'task', 'list', '--help'], childEnv(home));
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: ota task list JOB_ID \[options\]/);
    const list = await runBundle(['--provider', 'sandbox', 'firmware', 'list'], childEnv(home));
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ID +PRODUCT +NAME/);
    assert.match(list.stdout, /\n13 firmware packages\n$/);
  });
});
