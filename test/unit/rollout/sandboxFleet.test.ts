// The rollout engine against the sandbox playing its fleet (real loopback HTTP, the sandbox's own simulation): the
// release candidate that fails on 30 % of hardware rev-B passes a canary, then the next wave (235 devices, so a
// device-list file) is stopped by its failure gate; every failure is a rev-B device; resume restarts exactly the
// devices the gate left out; abort cancels what is unfinished. The sandbox is restarted mid-rollout on the way.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AliyunDevices } from '../../../src/core/cloud/aliyun/devices';
import { AliyunOtaClient } from '../../../src/core/cloud/aliyun/otaClient';
import { AliyunRpcClient } from '../../../src/core/cloud/aliyun/rpcClient';
import { SANDBOX_DEMO, fleetProfile, startSandbox, type Sandbox } from '../../../src/core/cloud/sandbox';
import { AliyunRolloutCloud } from '../../../src/core/rollout/aliyunCloud';
import {
  abortRollout,
  advanceRollout,
  collectTasks,
  createRollout,
  resumeRollout,
  rolloutStatus,
  type RolloutContext,
} from '../../../src/core/rollout/engine';
import { rolloutPath } from '../../../src/core/rollout/planFile';

const FLEET = SANDBOX_DEMO.fleet;
const NAME = 'Smart-Plug-Fleet-2.2.0-rc1';

describe('rollout engine on the sandbox fleet', function () {
  this.timeout(120_000);
  let dir: string;
  let sandbox: Sandbox;
  let ctx: RolloutContext;
  let firmwareId: string;
  let rpc: AliyunRpcClient;

  const open = async (): Promise<void> => {
    sandbox = await startSandbox({ dataDir: join(dir, 'sandbox'), tickMs: 0, qps: false, failureRate: 0, randomSeed: 3 });
    rpc = new AliyunRpcClient({
      accessKeyId: sandbox.credentials.accessKeyId,
      accessKeySecret: sandbox.credentials.accessKeySecret,
      regionId: sandbox.credentials.regionId,
      endpoint: sandbox.aliyunEndpoint,
      rateLimit: { windowMs: 1, marginMs: 0 },
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    });
    const client = new AliyunOtaClient(rpc);
    const firmware = await client.listFirmware({ productKey: FLEET.productKey });
    firmwareId = firmware.find((f) => f.version === '2.2.0-rc1')?.id ?? '';
    ctx = { cloud: new AliyunRolloutCloud(rpc), path: rolloutPath(dir, NAME), baseDir: dir };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ota-rollout-sandbox-'));
    await open();
  });

  after(async () => {
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function runUntil(done: () => Promise<boolean>, steps = 400): Promise<void> {
    for (let i = 0; i < steps; i++) {
      if (await done()) return;
      await sandbox.tick();
      await advanceRollout(ctx);
    }
    throw new Error('the rollout did not get there');
  }

  it('the demo data holds a rollout that its failure gate stopped; following it changes nothing', async () => {
    const demo: RolloutContext = { ...ctx, path: rolloutPath(join(dir, 'sandbox'), 'fleet-2.1.9-beta') };
    const before = await readFile(demo.path, 'utf8');
    const { state } = await rolloutStatus(demo);
    assert.equal(state.status, 'paused');
    assert.equal(state.pausedBy, 'gate');
    assert.deepEqual(state.waves.map((w) => w.status), ['passed', 'stopped', 'pending', 'pending']);
    assert.match(state.waves[1].decision?.reason ?? '', /finished devices failed .* more than the 5 % the gate allows/);
    const tasks = await collectTasks(demo.cloud, state);
    const wave2 = [...(tasks.get(1)?.values() ?? [])];
    assert.equal(wave2.length, 235);
    assert.deepEqual(wave2.filter((t) => t.status === 'CANCELED').map((t) => t.deviceName).sort(), state.waves[1].left);
    for (const t of wave2.filter((x) => x.status === 'FAILED')) {
      assert.equal(t.description, 'watchdog reset after flash');
      assert.equal(fleetProfile(t.deviceName)?.hardware, 'rev-C');
    }
    const r = await advanceRollout(demo);
    assert.equal(r.status, 'paused');
    assert.deepEqual(r.did, []);
    assert.equal(await readFile(demo.path, 'utf8'), before, 'the file agrees with the cloud: nothing to write');
  });

  it('the canary passes; the next wave is stopped by its failure gate, and every failure is a rev-B device', async () => {
    assert.ok(firmwareId, 'the demo has the 2.2.0-rc1 release candidate');
    const plan = {
      name: NAME,
      firmwareId,
      productKey: FLEET.productKey,
      population: {},
      waves: [{ count: 5 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
      gates: { maxFailurePercent: 5, minFinishedPercent: 90, soakMinutes: 0, auto: true },
      job: { timeoutInMinutes: 10 },
    };
    const created = await createRollout(ctx, plan);
    assert.equal(created.status, 'running');
    let st = (await rolloutStatus(ctx)).state;
    assert.equal(st.populationSize, FLEET.devices);
    assert.deepEqual(st.waves.map((w) => w.devices.length), [5, 235, 960, 1200]);

    // Half-way through the canary the sandbox restarts: the rollout goes on from the file and the cloud.
    await sandbox.tick();
    await sandbox.close();
    await open();

    await runUntil(async () => (await rolloutStatus(ctx)).state.status !== 'running');
    st = (await rolloutStatus(ctx)).state;
    assert.equal(st.status, 'paused');
    assert.equal(st.pausedBy, 'gate');
    assert.deepEqual(st.waves.map((w) => w.status), ['passed', 'stopped', 'pending', 'pending']);
    assert.match(st.waves[1].decision?.reason ?? '', /finished devices failed .* more than the 5 % the gate allows/);
    assert.ok(st.waves[1].left.length > 0, 'queued devices were cancelled and remembered');

    const tasks = await collectTasks(ctx.cloud, st);
    const wave2 = [...(tasks.get(1)?.values() ?? [])];
    assert.equal(wave2.length, 235);
    const failed = wave2.filter((t) => t.status === 'FAILED');
    assert.ok(failed.length > 0);
    for (const t of failed) {
      assert.equal(t.description, 'flash write failed');
      assert.equal(fleetProfile(t.deviceName)?.hardware, 'rev-B', `${t.deviceName} failed`);
    }
    const canceled = wave2.filter((t) => t.status === 'CANCELED').map((t) => t.deviceName).sort();
    assert.deepEqual(canceled, [...st.waves[1].left].sort());
    // Waves never overlap: every device has one task in all the rollout's jobs.
    const all = [...tasks.values()].flatMap((m) => [...m.keys()]);
    assert.equal(new Set(all).size, all.length);
  });

  it('resume restarts exactly the devices the gate left out, and abort cancels every unfinished task', async () => {
    const left = [...(await rolloutStatus(ctx)).state.waves[1].left].sort();
    const r = await resumeRollout(ctx);
    assert.equal(r.status, 'running');
    assert.ok(r.did.some((d) => /device-list file of \d+ devices|for \d+ named devices/.test(d)), r.did.join('\n'));
    let st = (await rolloutStatus(ctx)).state;
    assert.equal(st.waves[1].jobs.length, 2);
    assert.equal(st.waves[1].overridden, true);
    const restart = await ctx.cloud.listTasks(st.waves[1].jobs[1]);
    assert.deepEqual(restart.map((t) => t.deviceName).sort(), left);

    await sandbox.tick();
    const aborted = await abortRollout(ctx);
    assert.equal(aborted.status, 'aborted');
    st = (await rolloutStatus(ctx)).state;
    const tasks = await collectTasks(ctx.cloud, st);
    for (const t of tasks.get(1)?.values() ?? []) assert.ok(['SUCCEEDED', 'FAILED', 'CANCELED'].includes(t.status), `${t.deviceName} ${t.status}`);
  });

  it('answers BatchQueryDeviceDetail with each known device’s default-module version, 100 names a call at most', async () => {
    const devices = new AliyunDevices(rpc);
    const names = [`${FLEET.devicePrefix}0001`, `${FLEET.devicePrefix}0002`, 'no-such-device'];
    const versions = await devices.defaultModuleVersions(FLEET.productKey, names);
    assert.equal(versions.size, 2, 'an unknown device is left out');
    for (const v of versions.values()) assert.match(v, /^\d+\.\d+\.\d+/);
    const many = Array.from({ length: 250 }, (_, i) => `${FLEET.devicePrefix}${String(i + 1).padStart(4, '0')}`);
    assert.equal((await devices.defaultModuleVersions(FLEET.productKey, many)).size, 250, 'the client batches by 100');
    await assert.rejects(
      rpc.call('BatchQueryDeviceDetail', { ProductKey: FLEET.productKey, DeviceName: many.slice(0, 101) }),
      /DeviceName/,
    );
  });
});
