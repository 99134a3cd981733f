import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Response } from 'undici';
import { IotaapClient } from '../../../src/core/cloud/iotaap/client';
import type { IotaapClientConfig } from '../../../src/core/cloud/iotaap/session';
import { isSemver } from '../../../src/core/cloud/iotaap/validate';
import { OtaError } from '../../../src/core/errors';
import { sendJson, startLoopback, type Loopback, type ReceivedRequest } from '../net/loopback';

const EMAIL = 'dev@example.com';
const PASSWORD = 'pa55+word/ü';
const DEVICE_TOKEN = 'FSouSAJRiJ3v';

interface Deployed {
  fields: Record<string, string>;
  fileName: string;
  bytes: Buffer;
  path: string;
}

/** An IoTaaP look-alike: login, bearer tokens it can expire, the OTA listings and multipart deploys. */
class FakeIotaap {
  server!: Loopback;
  valid = new Set<string>(['given-token']);
  refuseAll = false;
  logins = 0;
  failListing = 0;
  /** A lying server: every listing answers with the first page and this many records. */
  repeatFirstPage: number | null = null;
  deployed: Deployed[] = [];
  devices = Array.from({ length: 250 }, (_, i) => ({
    _id: `ota${i}`,
    device: `5e1b57808711f904f5df${String(i).padStart(4, '0')}`,
    __v: 0,
    last_updated: '2020-01-21T22:59:29.940Z',
    owner: '5e10fc5e77ba18070312e171',
    // As IoTaaP stores it: a folder named by the device id followed by the device token.
    path: `ota/device/5e1b57808711f904f5df${String(i).padStart(4, '0')}Tk${i}secret/${i % 2 ? 'odd' : 'even'}-${i}.bin`,
    version: `1.2.${i}`,
  }));
  groups = [{ _id: 'g-ota1', group: 'grp-1', owner: 'o', path: 'ota/group/grp-1/firmware.bin', version: '2.0.0', last_updated: '2021-01-01T00:00:00Z' }];

  get url(): string {
    return `${this.server.url}v1`;
  }

  get requests(): ReceivedRequest[] {
    return this.server.requests;
  }

  async start(): Promise<void> {
    this.server = await startLoopback(async (req, res) => {
      const path = req.url.pathname;
      if (req.method === 'POST' && path === '/v1/auth/login') {
        const body = JSON.parse(req.body.toString('utf8')) as { email: string; password: string; rememberMe: boolean };
        if (body.email !== EMAIL || body.password !== PASSWORD) return sendJson(res, 401, { message: 'Wrong email or password.' });
        const token = `tok-${++this.logins}`;
        this.valid.add(token);
        return sendJson(res, 200, { user: { id: 'u1', role: 'user' }, token });
      }
      const auth = req.headers.authorization ?? '';
      if (this.refuseAll || !auth.startsWith('Bearer ') || !this.valid.has(auth.slice(7))) return sendJson(res, 401, { message: 'Unauthorized' });
      if (req.method === 'GET' && (path === '/v1/ota/device' || path === '/v1/ota/group')) {
        if (this.failListing > 0) {
          this.failListing--;
          return sendJson(res, 500, { message: "Error when getting device OTA's.", error: 'MongoError: pool destroyed' });
        }
        const q = req.url.searchParams;
        const source = path.endsWith('group') ? this.groups : this.devices;
        const search = q.get('search_value') ?? '';
        let list = source.filter((o) => o.path.includes(search));
        if (q.get('order_dir') === 'desc') list = [...list].reverse();
        const offset = this.repeatFirstPage === null ? Number(q.get('offset') ?? 0) : 0;
        const limit = Number(q.get('limit') ?? 10);
        if (this.repeatFirstPage !== null) {
          return sendJson(res, 200, { otas: list.slice(0, limit), recordsTotal: this.repeatFirstPage, recordsFiltered: this.repeatFirstPage, draw: '' });
        }
        return sendJson(res, 200, {
          otas: list.slice(offset, offset + limit),
          recordsTotal: source.length,
          recordsFiltered: list.length,
          draw: q.get('draw') ?? '',
        });
      }
      if (req.method === 'POST' && (path === '/v1/ota/device' || path === '/v1/ota/group')) {
        const form = await new Response(req.body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
        const target = path.endsWith('group') ? 'group' : 'device';
        for (const field of ['firmware', target, 'token', 'version']) {
          if (!form.has(field)) return sendJson(res, 400, { message: `${field} is a mandatory field` });
        }
        const raw = form.get(target);
        const id = typeof raw === 'string' ? raw : '';
        if (!/^[0-9a-z-]+$/.test(id)) return sendJson(res, 400, { message: 'Device ID is not valid' });
        if (id.startsWith('missing')) return sendJson(res, 404, { message: 'No such device' });
        if (id.startsWith('broken')) return sendJson(res, 500, { message: 'Error when uploading firmware file', error: 'S3 timeout' });
        const file = form.get('firmware') as unknown as Blob & { name: string };
        const fields: Record<string, string> = {};
        for (const [k, v] of form.entries()) if (typeof v === 'string') fields[k] = v;
        this.deployed.push({ fields, fileName: file.name, bytes: Buffer.from(await file.arrayBuffer()), path });
        return sendJson(res, 201, { message: 'Firmware successfully deployed' });
      }
      sendJson(res, 404, { message: 'Not found' });
    });
  }
}

const isKind = (k: string) => (e: unknown) => e instanceof OtaError && e.kind === k;

describe('iotaap/client', () => {
  let fake: FakeIotaap;
  let logs: string[];

  beforeEach(async () => {
    fake = new FakeIotaap();
    await fake.start();
    logs = [];
  });
  afterEach(() => fake.server.close());

  function client(extra: Partial<IotaapClientConfig> = {}): IotaapClient {
    return new IotaapClient({
      baseUrl: fake.url,
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      log: (level, message) => logs.push(`${level} ${message}`),
      ...extra,
    });
  }

  it('logs in with email and password, then sends the bearer token', async () => {
    const c = client({ email: EMAIL, password: PASSWORD });
    const page = await c.listDeviceOtas({ limit: 5 });
    assert.equal(page.items.length, 5);
    const [login, list] = fake.requests;
    assert.equal(login.url.pathname, '/v1/auth/login');
    assert.deepEqual(JSON.parse(login.body.toString('utf8')), { email: EMAIL, password: PASSWORD, rememberMe: true });
    assert.equal(list.headers.authorization, 'Bearer tok-1');
    assert.equal(c.token, 'tok-1');
  });

  it('parallel requests share one login', async () => {
    const c = client({ email: EMAIL, password: PASSWORD });
    await Promise.all([c.listDeviceOtas(), c.listGroupOtas(), c.listDeviceOtas({ offset: 100 })]);
    assert.equal(fake.logins, 1);
  });

  it('uses a given token without logging in', async () => {
    await client({ token: 'given-token' }).listDeviceOtas();
    assert.equal(fake.logins, 0);
    assert.equal(fake.requests[0].headers.authorization, 'Bearer given-token');
  });

  it('maps a page of OTAs with offset, limit, order and draw', async () => {
    const page = await client({ token: 'given-token' }).listDeviceOtas({ offset: 20, limit: 10, orderDir: 'desc', draw: 'warp' });
    const q = fake.requests[0].url.searchParams;
    assert.deepEqual([q.get('offset'), q.get('limit'), q.get('order_dir'), q.get('draw'), q.get('search_value')], ['20', '10', 'desc', 'warp', '']);
    assert.deepEqual([page.total, page.page, page.pageSize, page.offset, page.recordsTotal, page.draw], [250, 3, 10, 20, 250, 'warp']);
    assert.deepEqual(page.items[0], {
      id: 'ota229',
      device: '5e1b57808711f904f5df0229',
      owner: '5e10fc5e77ba18070312e171',
      path: 'ota/device/5e1b57808711f904f5df0229****/odd-229.bin', // the device token masked
      version: '1.2.229',
      lastUpdated: '2020-01-21T22:59:29.940Z',
    });
  });

  it('pages through every OTA, with or without a search', async () => {
    const c = client({ token: 'given-token' });
    const all = await c.listAllDeviceOtas();
    assert.equal(all.length, 250);
    assert.deepEqual(all.map((o) => o.id), fake.devices.map((d) => d._id));
    assert.deepEqual(fake.requests.map((r) => r.url.searchParams.get('offset')), ['0', '100', '200']);
    fake.requests.length = 0;
    const odd = await c.listAllDeviceOtas('odd-');
    assert.equal(odd.length, 125);
    assert.ok(odd.every((o) => o.path?.includes('odd-')));
    assert.ok(all.every((o) => o.path && !o.path.includes('secret') && o.path.includes(`${o.device}****/`)), 'a device token shown');
    assert.ok(fake.requests.every((r) => r.url.searchParams.get('search_value') === 'odd-'));
    assert.equal(fake.requests.length, 2);
  });

  it('stops paging when a server repeats its first page and claims 1e8 records', async () => {
    fake.repeatFirstPage = 1e8;
    const all = await client({ token: 'given-token' }).listAllDeviceOtas();
    assert.deepEqual(all.map((o) => o.id), fake.devices.slice(0, 100).map((d) => d._id));
    assert.equal(fake.requests.length, 2, 'one page, then one that brought nothing new');
  });

  it('lists group OTAs', async () => {
    const groups = await client({ token: 'given-token' }).listAllGroupOtas();
    assert.equal(groups.length, 1);
    assert.equal(groups[0].group, 'grp-1');
    assert.equal(groups[0].version, '2.0.0');
  });

  it('logs in again once when the token is refused (401) and keeps going', async () => {
    const c = client({ token: 'expired-token', email: EMAIL, password: PASSWORD });
    await c.listDeviceOtas();
    assert.equal(fake.logins, 1);
    assert.deepEqual(fake.requests.map((r) => r.url.pathname), ['/v1/ota/device', '/v1/auth/login', '/v1/ota/device']);
    assert.equal(fake.requests[2].headers.authorization, 'Bearer tok-1');
    fake.refuseAll = true;
    fake.requests.length = 0;
    await assert.rejects(c.listDeviceOtas(), isKind('credentials'));
    assert.equal(fake.logins, 2, 'only one re-login per request');
    assert.deepEqual(fake.requests.map((r) => r.url.pathname), ['/v1/ota/device', '/v1/auth/login', '/v1/ota/device']);
    assert.ok(logs.every((l) => !l.includes(PASSWORD) && !l.includes('tok-')));
  });

  it('a refused token without email/password is a credentials error that does not show the token', async () => {
    await assert.rejects(client({ token: 'expired-token-XYZ' }).listDeviceOtas(), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'credentials');
      assert.equal(e.httpStatus, 401);
      assert.match(e.hint ?? '', /30 days/);
      assert.ok(!e.describe().includes('expired-token-XYZ'));
      return true;
    });
  });

  it('a wrong password is a credentials error that does not show the password', async () => {
    const wrong = 'WrongPass!234';
    await assert.rejects(client({ email: EMAIL, password: wrong }).listDeviceOtas(), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'credentials');
      assert.match(e.message, /email or password of dev@example\.com: Wrong email or password/);
      assert.ok(!`${e.describe()}${e.stack}`.includes(wrong));
      return true;
    });
    assert.throws(() => client({}), isKind('credentials'));
  });

  it('retries a 500 on a listing, then reports it as service-unavailable with its message', async () => {
    fake.failListing = 1;
    assert.equal((await client({ token: 'given-token' }).listDeviceOtas()).items.length, 100);
    fake.failListing = 5;
    await assert.rejects(client({ token: 'given-token' }).listDeviceOtas(), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'service-unavailable');
      assert.match(e.message, /Error when getting device OTA's\. \(MongoError: pool destroyed\)/);
      return true;
    });
  });

  it('deploys an image as multipart: fields and file bytes arrive identical, progress reaches the total', async () => {
    const image = randomBytes(300_000);
    const progress: number[] = [];
    const result = await client({ token: 'given-token' }).deployToDevice({
      file: image,
      fileName: 'firmware.bin',
      device: '5e1b57808711ff04f5df4bbd',
      deviceToken: DEVICE_TOKEN,
      version: '1.2.7',
      onProgress: (sent, total) => {
        assert.ok(total > image.length);
        progress.push(sent / total);
      },
    });
    assert.equal(result.message, 'Firmware successfully deployed');
    const [d] = fake.deployed;
    assert.equal(d.path, '/v1/ota/device');
    assert.deepEqual(d.fields, { device: '5e1b57808711ff04f5df4bbd', token: DEVICE_TOKEN, version: '1.2.7' });
    assert.equal(d.fileName, 'firmware.bin');
    assert.ok(d.bytes.equals(image));
    assert.equal(progress[progress.length - 1], 1);
    assert.ok(progress.every((p, i) => i === 0 || p > progress[i - 1]));
  });

  it('deploys from a file path, and to a group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iotaap-'));
    try {
      const file = join(dir, 'app.bin');
      const image = randomBytes(1000);
      await writeFile(file, image);
      await client({ token: 'given-token' }).deployToGroup({ file, group: 'grp-1', token: 'group-token', version: '2.0.1-rc.1' });
      const [d] = fake.deployed;
      assert.equal(d.path, '/v1/ota/group');
      assert.deepEqual(d.fields, { group: 'grp-1', token: 'group-token', version: '2.0.1-rc.1' });
      assert.equal(d.fileName, 'app.bin');
      assert.ok(d.bytes.equals(image));
      await assert.rejects(
        client({ token: 'given-token' }).deployToDevice({ file: join(dir, 'nope.bin'), device: 'd', deviceToken: 't', version: '1.0.0' }),
        (e: unknown) => isKind('invalid-input')(e) && /ENOENT/.test((e as Error).message),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('maps deploy failures: 404 not-found, 400 invalid-input, 500 service-unavailable; the device token never shows', async () => {
    const c = client({ token: 'given-token' });
    const base = { file: Buffer.from('img'), deviceToken: DEVICE_TOKEN, version: '1.0.0' };
    const check = async (device: string, kind: string, message: RegExp) =>
      assert.rejects(c.deployToDevice({ ...base, device }), (e: unknown) => {
        assert.ok(e instanceof OtaError);
        assert.equal(e.kind, kind);
        assert.match(e.message, message);
        assert.ok(!e.describe().includes(DEVICE_TOKEN));
        return true;
      });
    await check('missing-1', 'not-found', /No such device/);
    await check('Bad Device!', 'invalid-input', /Device ID is not valid/);
    await check('broken-1', 'service-unavailable', /Error when uploading firmware file \(S3 timeout\)/);
    const posts = fake.requests.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 3, 'a failed upload is not sent twice');
  });

  it('checks the version and the image before sending anything', async () => {
    const c = client({ token: 'given-token' });
    const base = { file: Buffer.from('img'), device: 'd1', deviceToken: DEVICE_TOKEN };
    await assert.rejects(c.deployToDevice({ ...base, version: '1.2' }), isKind('invalid-input'));
    await assert.rejects(c.deployToDevice({ ...base, version: 'v1.2.3' }), isKind('invalid-input'));
    await assert.rejects(c.deployToDevice({ ...base, version: '1.0.0', file: new Uint8Array(0) }), isKind('invalid-input'));
    await assert.rejects(c.deployToDevice({ ...base, version: '1.0.0', deviceToken: ' ' }), isKind('invalid-input'));
    assert.throws(() => new IotaapClient({ baseUrl: 'ftp://example.com/v1', token: 't' }), isKind('invalid-input'));
    assert.equal(fake.requests.length, 0);
    assert.deepEqual(['1.5.7', '0.0.1', '1.0.0-alpha.1+build.5', '01.0.0', '1.0', '1.0.0.0'].map(isSemver), [true, true, true, false, false, false]);
  });

  it('an answer that is not JSON is an unexpected response', async () => {
    const html = await startLoopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><title>Login portal</title></html>');
    });
    try {
      await assert.rejects(new IotaapClient({ baseUrl: html.url, token: 't' }).listDeviceOtas(), isKind('unexpected-response'));
    } finally {
      await html.close();
    }
  });
});
