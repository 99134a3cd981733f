// `ota rollout` on IoTaaP: the built CLI (dist/cli.js, a real subprocess each time) against the sandbox's IoTaaP
// emulation (--provider sandbox, its state kept in a data folder between the commands), and the CLI in process with
// the IoTaaP account settings (--provider iotaap, IOTAAP_TOKEN, --endpoint). Each wave deploys per device; a wave
// with a device lacking a token deploys nothing and says which; status says deployed, never succeeded; no device
// token shows in any output or the rollout file.
import * as assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_IOTAAP_DEVICES, SANDBOX_IOTAAP_TOKEN } from '../../../src/core/cloud/sandbox';
import { childEnv, cli, openSandbox, runBundle, tempDir, type Result } from './helpers';

const NAME = 'greenhouse-3.1';
const byName = (name: string) => {
  const d = SANDBOX_IOTAAP_DEVICES.find((x) => x.name === name);
  assert.ok(d);
  return d;
};

function tokensCsv(names: string[]): string {
  return `device,token\n${names.map((n) => `${byName(n).id},${byName(n).token}`).join('\n')}\n`;
}

function assertNoToken(texts: string[]): void {
  const all = texts.join('\n');
  for (const d of SANDBOX_IOTAAP_DEVICES) assert.ok(!all.includes(d.token), `the token of ${d.name} appears`);
}

describe('cli: ota rollout on IoTaaP', function () {
  this.timeout(120_000);
  let home: string;
  let ws: string;
  let outputs: string[];

  before(async () => {
    home = await tempDir('ota-cli-rollout-iotaap-');
    ws = join(home, 'ws');
    await mkdir(join(ws, 'plans'), { recursive: true });
    await mkdir(join(ws, 'build'));
    await writeFile(join(ws, 'build', 'greenhouse.bin'), Buffer.from('greenhouse controller 3.1.0 '.repeat(300)));
    outputs = [];
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function ota(args: string[], env: Record<string, string> = {}): Promise<Result> {
    const where = args[0] === 'rollout' ? ['--workspace', ws] : [];
    const r = await runBundle(['--provider', 'sandbox', '--data', join(home, 'sandbox'), ...args, ...where], childEnv(home, env));
    outputs.push(r.stdout, r.stderr);
    return r;
  }

  it('deploys a canary per device, refuses a wave missing a token, then finishes; status says deployed, not succeeded', async () => {
    const names = SANDBOX_IOTAAP_DEVICES.map((d) => d.name);
    // The plan's tokens file lacks the water meter's; the file the environment names has it (added later).
    await writeFile(join(ws, 'plans', 'tokens.csv'), tokensCsv(names.filter((n) => n !== 'water-meter')));
    const extra = join(home, 'ci-tokens.csv');
    await writeFile(extra, 'device,token\n');
    const env = { OTA_IOTAAP_DEVICE_TOKENS_FILE: extra };
    const plan = join(ws, 'plans', 'plan.json');
    await writeFile(
      plan,
      JSON.stringify({
        name: NAME,
        provider: 'iotaap',
        image: '../build/greenhouse.bin',
        version: '3.1.0',
        deviceTokensFile: 'tokens.csv',
        population: { devices: SANDBOX_IOTAAP_DEVICES.map((d) => d.id) },
        waves: [{ devices: [byName('greenhouse-1').id] }, { percent: 100 }],
        gates: { maxFailurePercent: 0, soakMinutes: 0, auto: false },
      }),
    );

    const created = await ota(['rollout', 'create', plan], env);
    assert.equal(created.code, 4, created.stderr);
    assert.match(created.stdout, /^Listed 1 device to deploy 3\.1\.0 to, one POST \/ota\/device each, as iotaap-[0-9a-f]{12}/m);
    assert.match(created.stdout, /^Deployed 3\.1\.0 to 1 of 1 device of wave 1 \(POST \/ota\/device\)\. Not confirmed by the devices: IoTaaP does not report installs\.$/m);
    assert.match(created.stdout, /is paused at wave 2 of 2: wave 1 passed its gate; resume to start wave 2\./);

    const status = await ota(['rollout', 'status', NAME, '--json']);
    assert.equal(status.code, 4, status.stderr);
    const s = JSON.parse(status.stdout) as { provider: string; confirmedByDevices: boolean; waves: { status: string; counts: Record<string, number> }[] };
    assert.equal(s.provider, 'iotaap');
    assert.equal(s.confirmedByDevices, false);
    assert.deepEqual(s.waves[0].counts, { deployed: 1, failed: 0, queued: 0, canceled: 0 });
    assert.equal(s.waves[1].status, 'pending');

    const refused = await ota(['rollout', 'resume', NAME], env);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, new RegExp(`^ota: Wave 2 of ${NAME.replace('.', '\\.')} deployed nothing: 1 of its 5 devices to deploy has no device token: ${byName('water-meter').id}\\.`));
    assert.match(refused.stderr, /ci-tokens\.csv \(\$OTA_IOTAAP_DEVICE_TOKENS_FILE\), or a "device,token" line in .*tokens\.csv \(the plan's deviceTokensFile\)/);
    const otas = JSON.parse((await ota(['iotaap', 'list', '--json'])).stdout) as { device: string; version: string }[];
    assert.equal(otas.filter((o) => o.version === '3.1.0').length, 1, 'only the canary has 3.1.0');

    await writeFile(extra, tokensCsv(['water-meter']));
    const done = await ota(['rollout', 'advance', NAME], env);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /^Deployed 3\.1\.0 to 5 of 5 devices of wave 2 \(POST \/ota\/device\)\./m);
    assert.match(done.stdout, /is done: all 2 waves passed; the image was deployed to 6 devices \(not confirmed by the devices\)\./);
    const after = JSON.parse((await ota(['iotaap', 'list', '--json'])).stdout) as { device: string; version: string }[];
    for (const d of SANDBOX_IOTAAP_DEVICES) assert.equal(after.find((o) => o.device === d.id)?.version, '3.1.0', d.name);

    const table = await ota(['rollout', 'status', NAME]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /\n# +WAVE +STATUS +DEVICES +DEPLOYED +FAILED +QUEUED +CANCELLED +GATE/);
    assert.match(table.stdout, /DEPLOYED: IoTaaP accepted the image for the device; IoTaaP does not report whether the device installed it\./);
    assert.doesNotMatch(table.stdout, /succeeded/i);
    assert.equal((await ota(['rollout', 'advance', NAME], env)).stdout.split('\n')[0], `Rollout ${NAME} is done: all 2 waves passed; the image was deployed to 6 devices (not confirmed by the devices).`);

    assertNoToken([...outputs, await readFile(join(ws, '.ota', 'rollouts', `${NAME}.json`), 'utf8')]);
  });

  it('runs with the IoTaaP account settings (--provider iotaap, IOTAAP_TOKEN); a plan without a provider takes it', async () => {
    const sb = await openSandbox({ qps: false });
    try {
      const args = ['--provider', 'iotaap', '--endpoint', sb.sandbox.iotaapBaseUrl, '--workspace', ws];
      const env = { IOTAAP_TOKEN: SANDBOX_IOTAAP_TOKEN };
      const plan = join(ws, 'plans', 'second.json');
      await writeFile(
        plan,
        JSON.stringify({
          name: 'meter-2.1',
          image: '../build/greenhouse.bin',
          version: '2.1.0',
          deviceTokensFile: 'tokens.csv',
          population: { devices: [byName('greenhouse-2').id, byName('garage-door').id], sourceVersions: ['1.2.7'] },
          waves: [{ percent: 100 }],
        }),
      );
      const r = await cli(['rollout', 'create', plan, ...args], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Deployed 2\.1\.0 to 1 of 1 device of wave 1/, 'only greenhouse-2 was last given 1.2.7');
      const file = JSON.parse(await readFile(join(ws, '.ota', 'rollouts', 'meter-2.1.json'), 'utf8')) as { provider: string };
      assert.equal(file.provider, 'iotaap', 'recorded for the later steps');
      const status = await cli(['rollout', 'status', 'meter-2.1', '--json', ...args], env);
      assert.equal(status.code, 0, status.stderr);
      const wrong = await cli(['rollout', 'status', 'meter-2.1', '--provider', 'aliyun', '--workspace', ws], { ALIBABA_CLOUD_ACCESS_KEY_ID: 'a', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b' });
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /the rollout meter-2\.1 is for IoTaaP \(its plan says "provider": "iotaap"\): use --provider iotaap or sandbox\./);
      assertNoToken([r.stdout, r.stderr, status.stdout, wrong.stderr]);
    } finally {
      await sb.dispose();
    }
  });
});
