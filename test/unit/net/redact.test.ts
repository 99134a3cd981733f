// Redaction: every spelling of every secret, before any transformation; and through a real loopback server that
// echoes the password back in error pages of every kind, the IoTaaP client's errors and log never hold it.
import assert from 'node:assert/strict';
import { IotaapClient } from '../../../src/core/cloud/iotaap/client';
import { OtaError } from '../../../src/core/errors';
import { excerpt, redact, secretForms } from '../../../src/core/net/redact';
import { escapeHtml, leakedPieces as leaks, spellings } from '../../support/secretSpellings';
import { startLoopback, type Loopback } from './loopback';

/** A password with everything that gets escaped somewhere: quote, backslash, tab, a tag, &, /, +, space, non-ASCII. */
const NASTY = 'p"a\\s\ts<b>w&o/r+d ü\'';

describe('net/redact: every spelling of every secret', () => {
  for (const [name, form] of Object.entries(spellings(NASTY))) {
    it(`redacts the ${name} spelling`, () => {
      const text = `error: bad password "${form}" given`;
      const out = redact(text, [NASTY]);
      assert.equal(out, 'error: bad password "***" given');
      assert.deepEqual(secretForms(NASTY).length > 10, true);
    });
  }

  it('redacts several secrets, the longest spelling whole, and skips empty ones', () => {
    assert.equal(redact('key=a+b/c and a%2Bb%2Fc and a%2bb%2fc', ['a+b/c', undefined, '', '   ']), 'key=*** and *** and ***');
    assert.equal(redact('abc abcdef', ['abc', 'abcdef']), '*** ***');
    assert.equal(redact('nothing', [undefined, '']), 'nothing');
  });

  it('excerpt redacts before stripping tags and folding whitespace', () => {
    const page = `<html><body><p>Login failed for password ${NASTY}</p></body></html>`;
    const out = excerpt(page, [NASTY]);
    assert.equal(out, 'Login failed for password ***');
    assert.deepEqual(leaks(out, NASTY), []);
    const titled = `<html><head><title>Bad ${escapeHtml(NASTY)}</title></head></html>`;
    assert.equal(excerpt(titled, [NASTY]), 'Bad ***');
    assert.equal(excerpt('<div>\n  Oops <b>broken</b>\n</div>'), 'Oops broken');
  });
});

describe('net/redact through a server that echoes the password', () => {
  let server: Loopback;
  let mode = '';

  before(async () => {
    server = await startLoopback((req, res) => {
      const sent = (JSON.parse(req.body.toString('utf8') || '{}') as { password?: string }).password ?? '';
      const forms = spellings(sent);
      const form = forms[mode.split(':')[1]];
      if (mode.startsWith('json:')) {
        res.writeHead(401, { 'content-type': 'application/json' });
        // The echo is put in the body as-is: the server did the escaping (or not) itself.
        res.end(`{"message":"Wrong password ${form}","error":"password ${form} refused"}`);
      } else {
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end(`<html><body><h1>Error</h1><p>password=${form}</p><pre>\n\t${form}\n</pre></body></html>`);
      }
    });
  });
  after(() => server.close());

  for (const kind of ['json', 'html']) {
    for (const name of Object.keys(spellings(NASTY))) {
      it(`keeps the password out of the error and the log when a ${kind} error page echoes it (${name})`, async () => {
        mode = `${kind}:${name}`;
        const logged: string[] = [];
        const client = new IotaapClient({
          baseUrl: `${server.url}v1`,
          email: 'dev@example.com',
          password: NASTY,
          retry: { attempts: 1 },
          log: (_level, message) => logged.push(message),
        });
        const error = await client.login().then(
          () => assert.fail('login should fail'),
          (e: unknown) => e as OtaError,
        );
        assert.ok(error instanceof OtaError, String(error));
        const shown = [error.message, String(error.hint ?? ''), ...logged].join('\n');
        for (const form of Object.values(spellings(NASTY))) assert.ok(!shown.includes(form), `${name} spelling leaked: ${shown}`);
        assert.deepEqual(leaks(shown, NASTY), [], shown);
      });
    }
  }
});
