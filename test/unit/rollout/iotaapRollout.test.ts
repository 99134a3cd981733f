// The rollout engine on IoTaaP, against a loopback IoTaaP that records every call (recordingIotaap.ts): each wave is
// one POST /ota/device per device with its own token, the waves never overlap and have the planned sizes, a wave
// with a device lacking a token sends nothing, refused deploys fail with IoTaaP's message and trip the gate, advance
// is idempotent, a step killed between deploys deploys nobody twice, pause/resume/abort/retry make the calls they
// say, and no device token reaches the rollout file, a report or an error.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AliyunRpcClient } from '../../../src/core/cloud/aliyun/rpcClient';
import { errorMessage } from '../../../src/core/errors';
import { AliyunRolloutCloud } from '../../../src/core/rollout/aliyunCloud';
import { planFileTokens } from '../../../src/core/rollout/deviceTokens';
import {
  EXIT_FOR_STATUS,
  abortRollout,
  advanceRollout,
  collectTasks,
  createRollout,
  pauseRollout,
  resumeRollout,
  retryRollout,
  rolloutStatus,
  type ActionReport,
  type RolloutContext,
} from '../../../src/core/rollout/engine';
import { DEPLOYED_TEXT, IotaapRolloutCloud } from '../../../src/core/rollout/iotaapCloud';
import { parsePlan } from '../../../src/core/rollout/plan';
import { rolloutPath } from '../../../src/core/rollout/planFile';
import type { RolloutState } from '../../../src/core/rollout/state';
import { rolloutView } from '../../../src/extension/rollout/dashboardView';
import { startRecordingIotaap, type RecordingIotaap } from './recordingIotaap';

const T0 = Date.parse('2026-12-01T08:00:00Z');
const NAME = 'meters-1.4';
const IMAGE = Buffer.from('\x7fELF meter firmware 1.4.0 '.repeat(400));

describe('rollout engine on IoTaaP (loopback IoTaaP)', function () {
  this.timeout(60_000);
  let iot: RecordingIotaap;
  let ws: string;
  let clock: number;
  let ctx: RolloutContext;
  let ids: string[];

  /** The tokens file: every device's token, except those left out or given wrong. */
  async function writeTokens(options: { without?: string[]; wrong?: string[] } = {}): Promise<void> {
    const lines = iot.devices
      .filter((d) => !options.without?.includes(d.id))
      .map((d) => `${d.id},${options.wrong?.includes(d.id) ? 'NotTheToken1' : d.token}`);
    await writeFile(join(ws, 'plans', 'tokens.csv'), `device,token\n# written by the test\n${lines.join('\n')}\n`);
  }

  function plan(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: NAME,
      provider: 'iotaap',
      image: '../build/meter.bin',
      version: '1.4.0',
      deviceTokensFile: 'tokens.csv',
      population: { devices: ids, sourceVersions: ['1.3.0'] },
      waves: [{ devices: [ids[0], ids[1]] }, { count: 6 }, { percent: 50 }, { percent: 100 }],
      gates: { maxFailurePercent: 10, minFinished: 5, soakMinutes: 30 },
      seed: 3,
      ...extra,
    };
  }

  async function state(): Promise<RolloutState> {
    return (await rolloutStatus(ctx)).state;
  }

  /** Deploy calls IoTaaP answered 201, by device. */
  function deployedCount(device: string): number {
    return iot.deploys.filter((c) => c.device === device && c.status === 201).length;
  }

  /** No token in the rollout file, the reports or the message of an error. */
  async function assertNoToken(texts: string[]): Promise<void> {
    const all = [await readFile(ctx.path, 'utf8'), ...texts].join('\n');
    for (const d of iot.devices) assert.ok(!all.includes(d.token), `the token of ${d.id} appears`);
  }

  const said = (r: ActionReport): string => [...r.did, r.summary].join('\n');

  beforeEach(async () => {
    clock = T0;
    // 40 devices: every tenth on 1.2.0 (not in the population), the others last given 1.3.0.
    iot = await startRecordingIotaap({ devices: 40, clock: () => clock, versionOf: (i) => (i % 10 === 9 ? '1.2.0' : '1.3.0') });
    ids = iot.devices.map((d) => d.id);
    ws = await mkdtemp(join(tmpdir(), 'ota-rollout-iotaap-'));
    await mkdir(join(ws, 'plans'));
    await mkdir(join(ws, 'build'));
    await writeFile(join(ws, 'build', 'meter.bin'), IMAGE);
    await writeTokens();
    ctx = {
      cloud: new IotaapRolloutCloud({ client: iot.client, tokens: planFileTokens }),
      path: rolloutPath(ws, NAME),
      baseDir: join(ws, 'plans'),
      now: () => clock,
    };
  });

  afterEach(async () => {
    await iot.close();
    await rm(ws, { recursive: true, force: true });
  });

  it('refuses plans IoTaaP cannot follow, saying why and what to use instead', () => {
    const base = plan();
    assert.throws(() => parsePlan({ ...base, gates: { minSuccessPercent: 90 } }), /minSuccessPercent of the plan cannot be used with "provider": "iotaap"\. IoTaaP never reports whether a device installed an image.*maxFailurePercent.*soakMinutes.*"auto": false/);
    assert.throws(() => parsePlan({ ...base, waves: [{ count: 2, gates: { minSuccessPercent: 50 } }] }), /minSuccessPercent of wave 1 cannot be used/);
    assert.throws(() => parsePlan({ ...base, population: { groupId: 'g1' } }), /groupId" does not apply to "provider": "iotaap": its API cannot list the devices of a group/);
    assert.throws(() => parsePlan({ ...base, population: {} }), /names its devices: add "population.devices"/);
    assert.throws(() => parsePlan({ ...base, firmwareId: 'fw-1' }), /"firmwareId" is an Alibaba Cloud field/);
    assert.throws(() => parsePlan({ ...base, version: 'v1.4' }), /"version": .*semantic/i);
    assert.throws(() => parsePlan({ ...base, image: undefined }), /no "image"/);
    const { provider: _p, ...aliyun } = base;
    void _p;
    assert.throws(() => parsePlan(aliyun), /"image" belongs to IoTaaP plans: add "provider": "iotaap"/);
  });

  it('create records the image SHA-256 and the waves, and deploys the canary, one POST per device with its own token', async () => {
    const r = await createRollout(ctx, plan());
    const st = await state();
    assert.equal(st.populationSize, 36, 'the 4 devices last given 1.2.0 are left out (GET /ota/device)');
    assert.deepEqual(st.waves.map((w) => w.devices.length), [2, 6, 10, 18]);
    const all = st.waves.flatMap((w) => w.devices);
    assert.equal(new Set(all).size, all.length, 'no device is in two waves');
    assert.equal(st.delivery?.image.sha256, createHash('sha256').update(IMAGE).digest('hex'));
    assert.equal(st.delivery?.image.path, 'build/meter.bin', 'kept relative to the workspace');
    assert.equal(st.delivery?.deviceTokensFile, 'plans/tokens.csv');

    assert.equal(iot.deploys.length, 2);
    for (const [i, call] of iot.deploys.entries()) {
      const d = iot.devices.find((x) => x.id === call.device);
      assert.ok(d);
      assert.equal(call.device, ids[i]);
      assert.equal(call.token, d.token, 'the device token of that very device');
      assert.equal(call.version, '1.4.0');
      assert.equal(call.fileName, 'meter.bin');
      assert.equal(call.bytes, IMAGE.length);
      assert.equal(call.sha256, st.delivery?.image.sha256);
    }
    assert.match(said(r), /Deployed 1\.4\.0 to 2 of 2 devices of wave 1 \(POST \/ota\/device\)\. Not confirmed by the devices: IoTaaP does not report installs\./);
    assert.doesNotMatch(said(r), /succeeded/i);
    assert.equal(r.confirmedByDevices, false);
    assert.equal(st.waves[0].status, 'soaking');
    assert.deepEqual(st.waves[0].counts, { queued: 0, inProgress: 0, succeeded: 0, deployed: 2, failed: 0, canceled: 0 });
    assert.match(st.waves[0].decision?.reason ?? '', /2 of 2 devices were deployed to or refused \(100 %\): 2 deployed, not confirmed by the devices; 0 refused/);
    const tasks = await collectTasks(ctx.cloud, st);
    assert.deepEqual([...(tasks.get(0)?.values() ?? [])].map((t) => [t.status, t.description]), [
      ['DEPLOYED', DEPLOYED_TEXT],
      ['DEPLOYED', DEPLOYED_TEXT],
    ]);
    await assertNoToken([said(r)]);
  });

  it('runs every wave to the end, one after the other: each wave deploys exactly its devices once the one before passed', async () => {
    await createRollout(ctx, plan());
    for (let i = 0; i < 10; i++) {
      clock += 30 * 60_000;
      if ((await advanceRollout(ctx)).status === 'done') break;
    }
    const st = await state();
    assert.equal(st.status, 'done');
    assert.match((await rolloutStatus(ctx)).report.summary, /is done: all 4 waves passed; the image was deployed to 36 devices \(not confirmed by the devices\)\./);
    // The deploys, in order, are the waves, in order: no deploy of a wave before the last of the one before.
    const order = iot.deploys.map((c) => c.device);
    assert.deepEqual(order, st.waves.flatMap((w) => w.devices));
    for (const d of st.waves.flatMap((w) => w.devices)) assert.equal(iot.storedFor(d), 1, `${d} deployed once`);
    assert.deepEqual(st.waves.map((w) => w.jobs.length), [1, 1, 1, 1]);
    const started = st.events.filter((e) => e.kind === 'wave-started').map((e) => e.wave);
    const passed = st.events.filter((e) => e.kind === 'gate-passed').map((e) => e.wave);
    assert.deepEqual(started, [0, 1, 2, 3]);
    assert.deepEqual(passed, [0, 1, 2, 3]);
    assert.equal(EXIT_FOR_STATUS[st.status], 0);
    const view = rolloutView(parsePlan(plan()), st, await collectTasks(ctx.cloud, st), { now: () => clock });
    assert.equal(view.confirmedByDevices, false);
    assert.deepEqual(view.states, ['deployed', 'failed', 'canceled', 'queued']);
    assert.equal(view.waves.reduce((n, w) => n + w.counts.deployed, 0), 36);
    assert.equal(view.waves.reduce((n, w) => n + w.counts.succeeded, 0), 0);
    assert.match(view.notice ?? '', /does not report whether a device installed/);
  });

  it('advance is idempotent: a second run makes no call to IoTaaP that changes anything and leaves the file as it was', async () => {
    await createRollout(ctx, plan());
    const before = await readFile(ctx.path, 'utf8');
    const deploys = iot.deploys.length;
    const listings = iot.listings;
    const r = await advanceRollout(ctx);
    const again = await advanceRollout(ctx);
    assert.deepEqual([r.did, again.did], [[], []]);
    assert.equal(iot.deploys.length, deploys);
    assert.equal(iot.listings, listings, 'nothing queued, so nothing to look up either');
    assert.equal(await readFile(ctx.path, 'utf8'), before);
  });

  it('a wave with a device that has no token deploys nothing and names it; with the token added it goes on', async () => {
    await createRollout(ctx, plan());
    const wave2 = (await state()).waves[1].devices;
    await writeTokens({ without: [wave2[3]] });
    clock += 30 * 60_000;
    const deploys = iot.deploys.length;
    await assert.rejects(advanceRollout(ctx), (e: unknown) => {
      const text = errorMessage(e);
      assert.match(text, new RegExp(`Wave 2 of ${NAME} deployed nothing: 1 of its 6 devices to deploy has no device token: ${wave2[3]}\\.`));
      assert.match(text, /plans[\\/]tokens\.csv \(the plan's deviceTokensFile\)/);
      for (const d of iot.devices) assert.ok(!text.includes(d.token));
      return true;
    });
    assert.equal(iot.deploys.length, deploys, 'not one deploy of the wave');
    assert.equal((await state()).waves[1].jobs[0].deliveries?.every((d) => d.status === 'QUEUED'), true);
    await writeTokens();
    const r = await advanceRollout(ctx);
    assert.match(said(r), /Deployed 1\.4\.0 to 6 of 6 devices of wave 2/);
    assert.deepEqual(iot.deploys.slice(deploys).map((c) => c.device), wave2);
  });

  it('refused deploys fail with IoTaaP\'s message and trip maxFailurePercent; the rest are left; retry re-deploys them', async () => {
    await createRollout(ctx, plan());
    const wave2 = (await state()).waves[1].devices;
    // One device IoTaaP no longer knows, one whose token in the file is wrong.
    iot.refuse.set(wave2[0], { status: 404, message: 'No such device' });
    await writeTokens({ wrong: [wave2[1]] });
    clock += 30 * 60_000;
    const before = iot.deploys.length;
    const r = await advanceRollout(ctx);
    assert.equal(r.status, 'paused');
    assert.equal(r.pausedBy, 'gate');
    assert.match(r.reason ?? '', /the gate of wave 2 failed: 2 of 5 deploys were refused \(40 %\), more than the 10 % the gate allows\./);
    assert.equal(iot.deploys.length - before, 5, 'judged after 5 (minFinished): the 6th is never sent');
    assert.match(said(r), /Deployed 1\.4\.0 to 3 of 5 devices of wave 2 \(POST \/ota\/device\); 2 refused: (No such device|Device token is not valid)/);
    assert.match(said(r), /Stopped with 1 device of the list not deployed: the wave's gate failed\./);
    const st = await state();
    assert.equal(st.waves[1].status, 'stopped');
    assert.deepEqual(st.waves[1].left, [wave2[5]]);
    assert.equal(st.waves[2].status, 'pending');
    const tasks = [...((await collectTasks(ctx.cloud, st)).get(1)?.values() ?? [])];
    assert.deepEqual(
      tasks.map((t) => [t.deviceName, t.status, t.description]),
      [
        [wave2[0], 'FAILED', 'No such device'],
        [wave2[1], 'FAILED', 'Device token is not valid'],
        [wave2[2], 'DEPLOYED', DEPLOYED_TEXT],
        [wave2[3], 'DEPLOYED', DEPLOYED_TEXT],
        [wave2[4], 'DEPLOYED', DEPLOYED_TEXT],
        [wave2[5], 'CANCELED', 'not deployed: the wave was stopped before its turn'],
      ],
    );
    await assertNoToken([said(r)]);
    assert.ok(!(await readFile(ctx.path, 'utf8')).includes('NotTheToken1'), 'not the wrong token either');

    // Fixed: retry deploys the two refused devices again, and the one the gate left out.
    iot.refuse.clear();
    await writeTokens();
    const mark = iot.deploys.length;
    const retried = await retryRollout(ctx);
    assert.deepEqual(iot.deploys.slice(mark).map((c) => c.device).sort(), [wave2[0], wave2[1], wave2[5]].sort());
    assert.match(said(retried), /Queued 2 refused devices of iotaap-[0-9a-f]{12} to deploy again\./);
    assert.equal(retried.status, 'running');
    const after = await state();
    assert.deepEqual(after.waves[1].counts, { queued: 0, inProgress: 0, succeeded: 0, deployed: 6, failed: 0, canceled: 0 });
    for (const d of wave2) assert.equal(deployedCount(d), 1, `${d} was deployed once`);
  });

  it('a step killed between deploys loses nothing and deploys nobody twice', async () => {
    await createRollout(ctx, plan({ gates: { maxFailurePercent: 10, minFinished: 5, soakMinutes: 0, auto: false } }));
    await resumeRollout(ctx); // wave 2
    const wave3 = (await state()).waves[2].devices;
    assert.equal(wave3.length, 10);
    // The step dies right after IoTaaP stored the 4th deploy of wave 3, before it heard the answer.
    const kill = new AbortController();
    let n = 0;
    iot.afterStore = async (call) => {
      if (!wave3.includes(call.device) || ++n !== 4) return;
      kill.abort();
      await new Promise((r) => setImmediate(r));
    };
    await assert.rejects(resumeRollout({ ...ctx, signal: kill.signal }), /cancel/i);
    iot.afterStore = null;
    const mid = (await state()).waves[2].jobs[0].deliveries ?? [];
    assert.deepEqual(mid.map((d) => d.status), ['DEPLOYED', 'DEPLOYED', 'DEPLOYED', 'QUEUED', 'QUEUED', 'QUEUED', 'QUEUED', 'QUEUED', 'QUEUED', 'QUEUED'], 'three outcomes kept; the fourth never heard');
    assert.equal(iot.storedFor(wave3[3]), 1, 'but IoTaaP has it');

    const r = await advanceRollout(ctx);
    assert.match(said(r), /Found 1 device of wave 3 deployed before an interruption \(GET \/ota\/device lists 1\.4\.0 for it since the wave's list was made\): not deployed again\./);
    assert.match(said(r), /Deployed 1\.4\.0 to 6 of 6 devices of wave 3/);
    for (const d of wave3) assert.equal(iot.storedFor(d), 1, `${d} deployed exactly once`);
    const st = await state();
    assert.equal(st.waves[2].counts.deployed, 10);
    assert.equal(st.status, 'paused');
    assert.equal(st.pausedBy, 'approval');
  });

  it('pause asked for mid-wave stops the deploys after the current one; resume deploys exactly who was left; abort drops the rest', async () => {
    await createRollout(ctx, plan({ gates: { maxFailurePercent: 10, minFinished: 5, soakMinutes: 0, auto: false } }));
    await resumeRollout(ctx); // wave 2
    const wave3 = (await state()).waves[2].devices;
    let n = 0;
    let pausing: Promise<ActionReport> | null = null;
    iot.afterStore = async (call) => {
      if (!wave3.includes(call.device) || ++n !== 3) return;
      // A person presses Pause while the 3rd device of wave 3 is being deployed (the step holds the lock).
      pausing = pauseRollout(ctx);
      for (let i = 0; i < 200; i++) {
        try {
          await readFile(`${ctx.path}.stop`);
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const step = await resumeRollout(ctx); // approves wave 3, which starts deploying
    iot.afterStore = null;
    assert.match(said(step), /Deployed 1\.4\.0 to 3 of 3 devices of wave 3/);
    assert.match(said(step), /Stopped with 7 devices of the list not deployed: a pause was asked for\./);
    assert.ok(pausing, 'the pause was asked for');
    const paused = await (pausing as Promise<ActionReport>);
    assert.equal(paused.status, 'paused');
    assert.equal(paused.pausedBy, 'user');
    assert.match(said(paused), /Stopped deploying iotaap-[0-9a-f]{12}: 7 devices not deployed yet are left out \(IoTaaP keeps no queue, so nothing was cancelled there\)\./);
    let st = await state();
    assert.deepEqual(st.waves[2].left, [...wave3.slice(3)].sort());
    assert.equal(iot.deploys.filter((c) => wave3.includes(c.device)).length, 3);
    // Paused: advancing sends nothing.
    const quiet = iot.deploys.length;
    await advanceRollout(ctx);
    assert.equal(iot.deploys.length, quiet);

    const resumed = await resumeRollout(ctx);
    assert.equal(resumed.status, 'paused', 'wave 3 passed; wave 4 waits for approval');
    assert.deepEqual(iot.deploys.slice(quiet).map((c) => c.device).sort(), [...wave3.slice(3)].sort());
    for (const d of wave3) assert.equal(iot.storedFor(d), 1);
    st = await state();
    assert.equal(st.waves[2].jobs.length, 2, 'the restart is a list of its own');

    const aborted = await abortRollout(ctx);
    assert.equal(aborted.status, 'aborted');
    assert.match(said(aborted), /Nothing to cancel in the cloud/);
    assert.equal(iot.deploys.length, quiet + 7, 'abort sends nothing');
    st = await state();
    assert.deepEqual(st.waves.map((w) => w.status), ['passed', 'passed', 'passed', 'aborted']);
    assert.equal(EXIT_FOR_STATUS[st.status], 5);
    await assertNoToken([said(step), said(paused), said(resumed), said(aborted)]);
  });

  it('later steps refuse an image that changed since create, and deploy nothing', async () => {
    await createRollout(ctx, plan());
    await writeFile(join(ws, 'build', 'meter.bin'), Buffer.concat([IMAGE, Buffer.from('patched')]));
    clock += 30 * 60_000;
    const deploys = iot.deploys.length;
    await assert.rejects(advanceRollout(ctx), (e: unknown) => {
      assert.match(
        errorMessage(e),
        /The image .*meter\.bin changed since rollout meters-1\.4 was created \(SHA-256 [0-9a-f]{12}…, \d+ bytes; now [0-9a-f]{12}…, \d+ bytes\): wave 2 deployed nothing\..*Put the image the rollout was created with back, or create a new rollout/,
      );
      return true;
    });
    assert.equal(iot.deploys.length, deploys);
    // Aborted now: the 6 devices listed for wave 2 are dropped; nothing is sent.
    const aborted = await abortRollout(ctx);
    assert.match(said(aborted), /Dropped the 6 devices of iotaap-[0-9a-f]{12} not deployed yet; the 0 deploys IoTaaP accepted stay \(IoTaaP cannot take a deploy back\)\./);
    assert.equal(iot.deploys.length, deploys);
  });

  it('skips devices IoTaaP last gave the version already, and an Alibaba cloud is refused for an IoTaaP rollout', async () => {
    // Two devices of the population were given 1.4.0 long ago: deploying again would not update them.
    iot.otas.set(ids[0], { version: '1.4.0', lastUpdated: T0 - 86_400_000 });
    const r = await createRollout(ctx, plan({ population: { devices: ids.slice(0, 8) }, waves: [{ percent: 100 }], gates: { soakMinutes: 0 } }));
    assert.match(said(r), /Skipped 1 device of wave 1 whose last OTA at IoTaaP is 1\.4\.0 already \(GET \/ota\/device\): deploying it again would not update it\./);
    assert.match(said(r), /Deployed 1\.4\.0 to 7 of 7 devices of wave 1/);
    assert.equal(r.status, 'done');
    assert.equal(iot.storedFor(ids[0]), 0);
    const st = await state();
    assert.equal(st.waves[0].tasks, 7, 'the skipped device has no task');
    const aliyun = new AliyunRolloutCloud(new AliyunRpcClient({ accessKeyId: 'ak', accessKeySecret: 'sk', regionId: 'cn-shanghai', endpoint: 'http://127.0.0.1:9/' }));
    await assert.rejects(advanceRollout({ ...ctx, cloud: aliyun }), /The rollout meters-1\.4 \(.*\) is for IoTaaP \("provider": "iotaap"\): follow it with an IoTaaP account \(or the sandbox\)\./);
  });
});

describe('device tokens files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ota-tokens-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads device,token lines (header, comments and blank lines skipped; ids without case); a bad line is named by number, never shown', async () => {
    const file = join(dir, 'tokens.csv');
    await writeFile(file, 'device,token\r\n# a comment\r\n\r\n5E1B57808711F904F5DF4BAD , FSXuSmJRiJ4v\r\n5e1b57808711f904f5df4bae,Kq7TbW2mZx9L\r\n');
    const tokens = await planFileTokens.lookup(['5e1b57808711f904f5df4bad', '5e1b57808711f904f5df4bae', '5e1b57808711f904f5df4baf'], { planFile: file });
    assert.deepEqual([...tokens.entries()], [
      ['5e1b57808711f904f5df4bad', 'FSXuSmJRiJ4v'],
      ['5e1b57808711f904f5df4bae', 'Kq7TbW2mZx9L'],
    ]);
    await writeFile(file, '5e1b57808711f904f5df4bad,FSXuSmJRiJ4v\nFSXuSmJRiJ4vNoComma\n');
    await assert.rejects(planFileTokens.lookup(['x'], { planFile: file }), (e: unknown) => {
      assert.match(errorMessage(e), /Line 2 of the device tokens file .*tokens\.csv is not a "device,token" line\./);
      assert.ok(!errorMessage(e).includes('FSXuSmJRiJ4v'));
      return true;
    });
    await writeFile(file, '5e1b57808711f904f5df4bad,FSXuSmJRiJ4v\n5e1b57808711f904f5df4bad,Other0000000\n');
    await assert.rejects(planFileTokens.lookup(['x'], { planFile: file }), /gives the device 5e1b57808711f904f5df4bad two different tokens \(lines 1 and 2\): keep one\./);
    await assert.rejects(planFileTokens.lookup(['x'], { planFile: join(dir, 'none.csv') }), /The device tokens file .*none\.csv cannot be read: it does not exist\./);
  });
});
