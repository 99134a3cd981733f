// Malformed requests get a 4xx like the services they emulate, never a 500 with a stack trace in the log: a path
// with broken %-encoding (OSS, IoTaaP), and JSON bodies that parse but are no object (`null`, a list, a number).
import assert from 'node:assert/strict';
import { request } from 'undici';
import { SANDBOX_OSS_BUCKET } from '../../../src/core/cloud/sandbox';
import { openSandbox, type TestSandbox } from './helpers';

describe('sandbox: malformed requests', () => {
  let t: TestSandbox;
  const logged: string[] = [];
  before(async () => {
    t = await openSandbox({ seed: true, log: (level, message) => logged.push(`${level} ${message}`) });
  });
  after(() => t.dispose());
  beforeEach(() => (logged.length = 0));

  async function call(method: 'GET' | 'POST', path: string, body?: string, type = 'application/json') {
    const res = await request(`${t.sandbox.url}${path}`, { method, body, headers: body === undefined ? {} : { 'content-type': type } });
    return { status: res.statusCode, text: await res.body.text() };
  }

  function assertNoStack(): void {
    assert.ok(!logged.some((l) => l.startsWith('error') || /\n\s+at /.test(l)), logged.join('\n'));
  }

  for (const path of [`/oss/${SANDBOX_OSS_BUCKET}/fw/%E0%A4%A.bin`, '/oss/%ZZbucket/x', `/oss/${SANDBOX_OSS_BUCKET}/%`]) {
    it(`answers ${path} with 400 InvalidURI, as OSS does`, async () => {
      const r = await call('GET', path);
      assert.equal(r.status, 400, r.text);
      assert.match(r.text, /<Code>InvalidURI<\/Code>/);
      assertNoStack();
    });
  }

  it('answers a malformed IoTaaP device path with 400', async () => {
    const r = await call('GET', '/iotaap/ota/device/latest/%E0%A4%A');
    assert.equal(r.status, 400, r.text);
    assert.match(r.text, /not valid %-encoding/);
    assertNoStack();
  });

  for (const body of ['null', '[]', '42', '"text"', '{"email":', '']) {
    it(`answers an IoTaaP login with the body ${JSON.stringify(body)} with 400`, async () => {
      const r = await call('POST', '/iotaap/v1/auth/login', body);
      assert.equal(r.status, 400, r.text);
      assert.match((JSON.parse(r.text) as { message: string }).message, /mandatory field|not valid JSON/);
      assertNoStack();
    });
  }
});
