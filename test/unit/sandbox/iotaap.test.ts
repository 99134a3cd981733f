import assert from 'node:assert/strict';
import { FormData, request } from 'undici';
import { SANDBOX_IOTAAP_DEVICES, SANDBOX_IOTAAP_GROUP_ID, SANDBOX_IOTAAP_TOKEN } from '../../../src/core/cloud/sandbox';
import { firmwareBytes, openSandbox, TestClock, type Json, type TestSandbox } from './helpers';

const [GREENHOUSE, , , , , SPARE] = SANDBOX_IOTAAP_DEVICES;

interface Reply {
  status: number;
  body: Json;
}

describe('sandbox: IoTaaP', () => {
  const clock = new TestClock();
  let t: TestSandbox;
  let token: string;

  async function call(path: string, init: { method?: string; body?: string | FormData; headers?: Record<string, string>; auth?: string | null } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers };
    const auth = init.auth === undefined ? token : init.auth;
    if (auth !== null) headers.authorization = `Bearer ${auth}`;
    const response = await request(`${t.sandbox.iotaapBaseUrl}${path}`, { method: (init.method ?? 'GET') as 'GET', body: init.body, headers });
    return { status: response.statusCode, body: (await response.body.json()) as Json };
  }

  function deployForm(fields: Record<string, string>, file: Uint8Array | null = firmwareBytes(1000)): FormData {
    const form = new FormData();
    if (file) form.append('firmware', new Blob([file]), 'firmware.bin');
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    return form;
  }

  before(async () => {
    t = await openSandbox({ seed: true, now: clock.now });
  });
  after(async () => {
    await t.dispose();
  });

  it('logs in with the demo user and refuses a wrong password', async () => {
    const login = await call('/auth/login', {
      method: 'POST',
      auth: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'demo@sandbox.local', password: 'sandbox', rememberMe: true }),
    });
    assert.equal(login.status, 200);
    assert.equal(typeof login.body.token, 'string');
    assert.equal((login.body.user as Json).role, 'user');
    token = login.body.token as string;
    const wrong = await call('/auth/login', {
      method: 'POST',
      auth: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'demo@sandbox.local', password: 'nope' }),
    });
    assert.equal(wrong.status, 401);
    assert.equal(typeof wrong.body.message, 'string');
    const missing = await call('/auth/login', { method: 'POST', auth: null, headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.deepEqual(missing, { status: 400, body: { message: 'email is a mandatory field' } });
  });

  it('lists the last OTA of each device, with paging, search, order and draw', async () => {
    const all = await call('/ota/device?offset=0&limit=10&draw=warp&order_dir=desc');
    assert.equal(all.status, 200);
    assert.equal(all.body.recordsTotal, 5);
    assert.equal(all.body.recordsFiltered, 5);
    assert.equal(all.body.draw, 'warp');
    const otas = all.body.otas as Json[];
    const times = otas.map((o) => Date.parse(o.last_updated as string));
    assert.deepEqual([...times].sort((a, b) => b - a), times);
    const first = otas[0];
    for (const key of ['_id', 'device', '__v', 'last_updated', 'owner', 'path', 'version']) assert.ok(key in first, key);
    const page = await call('/ota/device?offset=2&limit=2&order_dir=asc');
    assert.equal((page.body.otas as Json[]).length, 2);
    assert.equal(page.body.recordsTotal, 5);
    const search = await call(`/ota/device?search_value=${GREENHOUSE?.id ?? ''}`);
    assert.equal(search.body.recordsFiltered, 1);
    assert.equal(((search.body.otas as Json[])[0]).version, '1.2.7');
  });

  it('needs a valid bearer token, accepts the demo API token, and expires login tokens after 30 days', async () => {
    assert.equal((await call('/ota/device', { auth: null })).status, 401);
    assert.equal((await call('/ota/device', { auth: 'made-up' })).status, 401);
    assert.equal((await call('/ota/device', { auth: SANDBOX_IOTAAP_TOKEN })).status, 200);
    clock.advance(30 * 24 * 3_600_000 + 1);
    const expired = await call('/ota/device');
    assert.equal(expired.status, 401);
    assert.match(expired.body.message as string, /expired/);
    token = SANDBOX_IOTAAP_TOKEN;
  });

  it('deploys firmware to a device and reports it to the device', async () => {
    const deployed = await call('/ota/device', {
      method: 'POST',
      body: deployForm({ device: SPARE?.id ?? '', token: SPARE?.token ?? '', version: '3.1.4' }),
    });
    assert.deepEqual(deployed, { status: 201, body: { message: 'Firmware successfully deployed' } });
    const list = await call(`/ota/device?search_value=${SPARE?.id ?? ''}`);
    assert.equal(((list.body.otas as Json[])[0]).version, '3.1.4');
    assert.equal(list.body.recordsTotal, 6);
    const latest = await request(`${t.sandbox.iotaapDeviceBaseUrl}/ota/device/latest/${SPARE?.id ?? ''}`);
    assert.deepEqual(await latest.body.json(), { ver: '3.1.4' });
    const unknown = await request(`${t.sandbox.iotaapDeviceBaseUrl}/ota/device/latest/5e1b57808711f904f5df0000`);
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(await unknown.body.json(), { message: 'No such device' });
  });

  it('answers deploy errors with IoTaaP\'s messages', async () => {
    const base = { device: GREENHOUSE?.id ?? '', token: GREENHOUSE?.token ?? '', version: '1.3.0' };
    const post = (fields: Record<string, string>, file?: Uint8Array | null): Promise<Reply> =>
      call('/ota/device', { method: 'POST', body: deployForm(fields, file === undefined ? firmwareBytes(100) : file) });
    for (const field of ['device', 'token', 'version'] as const) {
      const fields: Record<string, string> = { ...base };
      delete fields[field];
      assert.deepEqual(await post(fields), { status: 400, body: { message: `${field} is a mandatory field` } });
    }
    assert.deepEqual(await post({ ...base, device: 'not-an-id' }), { status: 400, body: { message: 'Device ID is not valid' } });
    assert.deepEqual(await post(base, null), { status: 400, body: { message: 'No file uploaded' } });
    assert.deepEqual(await post({ ...base, device: '5e1b57808711f904f5df0000' }), { status: 404, body: { message: 'No such device' } });
    assert.equal((await post({ ...base, token: 'wrong-token1' })).status, 400);
    assert.equal((await post({ ...base, version: 'one.two' })).status, 400);
    const plain = await call('/ota/device', { method: 'POST', body: 'device=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual(plain, { status: 400, body: { message: 'device is a mandatory field' } });
  });

  it('lists and deploys group OTAs; the device sees its group\'s newer version', async () => {
    const list = await call('/ota/group');
    assert.equal(list.body.recordsTotal, 1);
    assert.equal(((list.body.otas as Json[])[0]).group, SANDBOX_IOTAAP_GROUP_ID);
    const deployed = await call('/ota/group', { method: 'POST', body: deployForm({ group: SANDBOX_IOTAAP_GROUP_ID, version: '1.4.0' }) });
    assert.equal(deployed.status, 201);
    const latest = await request(`${t.sandbox.iotaapDeviceBaseUrl}/ota/device/latest/${GREENHOUSE?.id ?? ''}`);
    assert.deepEqual(await latest.body.json(), { ver: '1.4.0' });
    const missing = await call('/ota/group', { method: 'POST', body: deployForm({ group: '5e1c0a1f8711f904f5df0000', version: '1.4.0' }) });
    assert.deepEqual(missing, { status: 404, body: { message: 'No such group' } });
  });

  it('answers 500 with {message, error} when a fault is injected', async () => {
    t.sandbox.injectFaults({ kind: 'unavailable', target: 'iotaap' });
    const failed = await call('/ota/device');
    assert.equal(failed.status, 500);
    assert.equal(failed.body.message, "Error when getting device OTA's.");
    assert.equal(typeof failed.body.error, 'string');
    assert.equal((await call('/ota/device')).status, 200);
  });
});
