// `ota rollout ...` against the sandbox fleet, in process: the exit codes tell CI where the rollout stands (3
// running, 4 paused, 5 aborted), advance run twice changes nothing, each action prints what it did in the cloud.
import * as assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import { cli, openSandbox, tempDir, type TestSandbox } from './helpers';

const NAME = 'fleet-rc';

describe('cli: ota rollout', function () {
  this.timeout(120_000);
  let sb: TestSandbox;
  let ws: string;
  let args: string[];

  before(async () => {
    sb = await openSandbox({ qps: false, failureRate: 0 });
    ws = await tempDir('ota-cli-rollout-');
    args = [...sb.aliyunArgs, '--workspace', ws];
  });

  after(async () => {
    await sb.dispose();
    await rm(ws, { recursive: true, force: true });
  });

  const ota = (...rest: string[]) => cli([...args, ...rest], sb.aliyunEnv);

  it('create starts the canary and exits 3 (running); advance twice in a row changes nothing', async () => {
    const list = await cli([...sb.aliyunArgs, 'firmware', 'list', '--product-key', SANDBOX_DEMO.fleet.productKey, '--json'], sb.aliyunEnv);
    const rc = (JSON.parse(list.stdout) as { id: string; version: string }[]).find((f) => f.version === '2.2.0-rc1');
    assert.ok(rc);
    const plan = join(ws, 'plan.json');
    await writeFile(
      plan,
      JSON.stringify({
        name: NAME,
        firmwareId: rc.id,
        productKey: SANDBOX_DEMO.fleet.productKey,
        population: {},
        waves: [{ count: 5 }, { percent: 10 }, { percent: 100 }],
        gates: { maxFailurePercent: 5, minFinishedPercent: 90 },
        seed: 11,
      }),
    );
    const created = await ota('rollout', 'create', plan);
    assert.equal(created.code, 3, created.stderr);
    assert.match(created.stdout, /^Rollout file: .*\.ota\/rollouts\/fleet-rc\.json$/m);
    assert.match(created.stdout, /^Created job \S+ for 5 named devices \(CreateOTAStaticUpgradeJob, SPECIFIC\)\.$/m);
    assert.match(created.stdout, /wave 1 of 3 \(canary \(5 sampled\)\) running/);

    const file = join(ws, '.ota', 'rollouts', `${NAME}.json`);
    const before = await readFile(file, 'utf8');
    const a = await ota('rollout', 'advance', NAME);
    const b = await ota('rollout', 'advance', NAME);
    assert.equal(a.code, 3);
    assert.equal(b.code, 3);
    assert.doesNotMatch(b.stdout, /Created|Cancelled/);
    assert.equal(await readFile(file, 'utf8'), before, 'nothing moved, nothing written');
  });

  it('advance from a scheduled job until a gate stops the rollout: exit 4; status tells why; abort exits 5', async () => {
    let last = 3;
    for (let i = 0; i < 300 && last === 3; i++) {
      await sb.sandbox.tick();
      last = (await ota('rollout', 'advance', NAME)).code ?? -1;
    }
    assert.equal(last, 4, 'paused by the gate of a wave');
    const status = await ota('rollout', 'status', NAME, '--json');
    assert.equal(status.code, 4);
    const s = JSON.parse(status.stdout) as { status: string; pausedBy: string; exitCode: number; waves: { status: string; decision: { result: string } | null; devices: number }[] };
    assert.equal(s.status, 'paused');
    assert.equal(s.pausedBy, 'gate');
    assert.equal(s.exitCode, 4);
    assert.deepEqual(s.waves.map((w) => w.devices), [5, 235, 2160]);
    const stopped = s.waves.findIndex((w) => w.status === 'stopped');
    assert.ok(stopped >= 0);
    assert.equal(s.waves[stopped].decision?.result, 'fail');

    const human = await ota('rollout', 'status', NAME);
    assert.equal(human.code, 4);
    assert.match(human.stdout, /^Rollout fleet-rc is paused at wave \d of 3: the gate of wave \d failed/);
    assert.match(human.stdout, /\n# +WAVE +STATUS +DEVICES +SUCCEEDED +FAILED/);

    const aborted = await ota('rollout', 'abort', NAME);
    assert.equal(aborted.code, 5);
    assert.match(aborted.stdout, /Cancelled every unfinished task of job \S+, in progress too \(CancelOTATaskByJob\)\./);
    assert.match(aborted.stdout, /Rollout fleet-rc was aborted: aborted by a person\./);
    assert.equal((await ota('rollout', 'advance', NAME)).code, 5);
  });

  it('says what is wrong with a missing name or rollout', async () => {
    const missing = await ota('rollout', 'advance');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs NAME/);
    const none = await ota('rollout', 'status', 'nope');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /There is no rollout file .*nope\.json: create the rollout first/);
  });
});
