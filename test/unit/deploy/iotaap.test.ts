import assert from 'node:assert/strict';
import { request } from 'undici';
import { IotaapClient } from '../../../src/core/cloud/iotaap/client';
import { SANDBOX_IOTAAP_DEVICES, SANDBOX_IOTAAP_GROUP_ID, SANDBOX_IOTAAP_TOKEN } from '../../../src/core/cloud/sandbox';
import { DeployError } from '../../../src/core/deploy/errors';
import { deployToIotaap } from '../../../src/core/deploy/iotaap';
import { FAKE_PIO, fakePioEnv, TempDirs } from '../platformio/helpers';
import { openDeploySandbox, rejectsWith, type DeploySandbox } from './helpers';

const [DEVICE, OTHER] = SANDBOX_IOTAAP_DEVICES;

describe('deploy: IoTaaP', () => {
  const temp = new TempDirs();
  let t: DeploySandbox;
  let client: IotaapClient;
  before(async () => {
    t = await openDeploySandbox();
    client = new IotaapClient({ baseUrl: t.sandbox.iotaapBaseUrl, token: SANDBOX_IOTAAP_TOKEN, retry: { attempts: 1 } });
  });
  after(async () => {
    await t.dispose();
    temp.cleanup();
  });
  beforeEach(() => t.sandbox.resetStats());

  async function latest(deviceId: string): Promise<unknown> {
    const res = await request(`${t.sandbox.iotaapDeviceBaseUrl}/ota/device/latest/${deviceId}`);
    return res.body.json();
  }

  it('deploys to a device, reporting bytes, and explains when the device updates', async () => {
    const file = await t.image('iotaap.bin', 150_000);
    const sent: Array<[number, number]> = [];
    const result = await deployToIotaap(client, { file, version: '2.0.0', device: { id: DEVICE.id, token: DEVICE.token } }, {
      onProgress: (p) => sent.push([p.done, p.total]),
    });
    assert.equal(result.message, 'Firmware successfully deployed');
    assert.deepEqual([result.target, result.id, result.version, result.previousVersion, result.willUpdate], ['device', DEVICE.id, '2.0.0', null, true]);
    assert.match(result.note, /update only when the version differs from the last one deployed to them/);
    const [done, total] = sent.at(-1)!;
    assert.equal(done, total, 'every byte was reported sent');
    assert.ok(total > 150_000, 'the request body holds the file');
    assert.ok(sent.length > 1, 'in steps');
    assert.deepEqual(await latest(DEVICE.id), { ver: '2.0.0' });

    const next = await deployToIotaap(client, { file, version: '2.0.1', device: { id: DEVICE.id, token: DEVICE.token } });
    assert.equal(next.previousVersion, '2.0.0');
    assert.match(next.note, /^The device moves from 2\.0\.0 to 2\.0\.1\. /);
    assert.deepEqual(await latest(DEVICE.id), { ver: '2.0.1' });
  });

  it('refuses the version the device already has, before uploading, unless told to', async () => {
    const file = await t.image('same.bin', 1000);
    await deployToIotaap(client, { file, version: '3.0.0', device: { id: OTHER.id, token: OTHER.token } });
    t.sandbox.resetStats();
    await rejectsWith(
      deployToIotaap(client, { file, version: '3.0.0', device: { id: OTHER.id, token: OTHER.token } }),
      'invalid-input',
      /was last given version 3\.0\.0: deploying it again would not update it/,
    );
    assert.equal(t.sandbox.stats.requests, 1, 'only the listing of its last OTA');
    const forced = await deployToIotaap(client, { file, version: '3.0.0', device: { id: OTHER.id, token: OTHER.token }, allowSameVersion: true });
    assert.equal(forced.willUpdate, false);
    assert.match(forced.note, /already had version 3\.0\.0: it will not update/);
  });

  it('deploys to a group', async () => {
    const file = await t.image('group.bin', 1000);
    const result = await deployToIotaap(client, { file, version: '4.0.0', group: { id: SANDBOX_IOTAAP_GROUP_ID, token: 'group-token' } });
    assert.equal(result.target, 'group');
    assert.deepEqual(await latest(SANDBOX_IOTAAP_DEVICES[2].id), { ver: '4.0.0' }, 'greenhouse-3 is in the group');
  });

  it('builds first when no file is given', async () => {
    const project = temp.project('blink');
    const result = await deployToIotaap(client, {
      build: { pio: FAKE_PIO, projectDir: project, env: 'nodemcuv2', processEnv: fakePioEnv() },
      version: '5.0.0',
      device: { id: SANDBOX_IOTAAP_DEVICES[3].id, token: SANDBOX_IOTAAP_DEVICES[3].token },
    });
    assert.ok(result.builtImage?.endsWith('firmware.bin'));
    assert.deepEqual(await latest(SANDBOX_IOTAAP_DEVICES[3].id), { ver: '5.0.0' });
  });

  const refusals: Array<[string, Parameters<typeof deployToIotaap>[1], RegExp]> = [
    ['a version that is not semver', { file: 'x.bin', version: '1.0', device: { id: DEVICE.id, token: DEVICE.token } }, /"1\.0" is not a semantic version: it must start with three numbers/],
    ['a v-prefixed version', { file: 'x.bin', version: 'v1.0.0', device: { id: DEVICE.id, token: DEVICE.token } }, /remove the leading "v"/],
    ['a malformed device id', { file: 'x.bin', version: '1.0.0', device: { id: 'greenhouse-1', token: 'x' } }, /"greenhouse-1" is not an IoTaaP device id: ids are 24 hex digits/],
    ['no device token', { file: 'x.bin', version: '1.0.0', device: { id: DEVICE.id, token: ' ' } }, /No device token given/],
    ['both a device and a group', { file: 'x.bin', version: '1.0.0', device: { id: DEVICE.id, token: 'x' }, group: { id: SANDBOX_IOTAAP_GROUP_ID, token: 'x' } }, /exactly one/],
  ];
  for (const [what, input, message] of refusals) {
    it(`refuses ${what} before any request`, async () => {
      const error = await rejectsWith(deployToIotaap(client, input), 'invalid-input', message);
      assert.ok(error instanceof DeployError && error.stage === 'validate');
      assert.equal(t.sandbox.stats.requests, 0);
    });
  }

  it('passes on what IoTaaP refuses (a wrong device token)', async () => {
    const file = await t.image('wrong-token.bin', 1000);
    await rejectsWith(
      deployToIotaap(client, { file, version: '6.0.0', device: { id: DEVICE.id, token: 'not-its-token' } }),
      'invalid-input',
      /^Deploy stopped while uploading: .*Device token is not valid.*Nothing was created in the cloud\.$/,
    );
  });
});
