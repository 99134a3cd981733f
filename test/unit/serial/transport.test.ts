import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { OtaError } from '../../../src/core/errors';
import { LinkReader } from '../../../src/core/serial/linkReader';
import { describeOpenError, openSerialLink, withPort } from '../../../src/core/serial/transport';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';

const hasCode = (code: string) => (e: unknown) => e instanceof OtaError && e.code === code;

describe('serial transport over a real pty pair', function () {
  this.timeout(10_000);
  let pair: PtyPair;

  beforeEach(async () => {
    pair = await openPtyPair();
  });
  afterEach(async () => {
    await pair.close();
  });

  it('carries bytes both ways with the given settings', async () => {
    const a = await openSerialLink(pair.a, { baudRate: 921600, parity: 'even', dataBits: 8, stopBits: 2, rtscts: false });
    const b = await openSerialLink(pair.b, { baudRate: 921600 });
    try {
      const ra = new LinkReader(a);
      const rb = new LinkReader(b);
      const payload = Buffer.alloc(70_000);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 13) & 0xff;
      await a.write(payload);
      assert.deepEqual(await rb.readExact(payload.length, 5000), payload);
      await b.write(Buffer.from('pong'));
      assert.equal((await ra.readExact(4, 2000)).toString(), 'pong');
      ra.dispose();
      rb.dispose();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('says the port is busy, naming it and the serial monitor, when another opener holds the lock', async () => {
    const first = await openSerialLink(pair.a);
    try {
      await assert.rejects(openSerialLink(pair.a), (e: unknown) => {
        assert.ok(e instanceof OtaError);
        assert.equal(e.code, 'port-busy');
        assert.ok(e.message.includes(pair.a));
        assert.match(e.message, /Close the serial monitor/);
        return true;
      });
    } finally {
      await first.close();
    }
    // Once closed, it opens again.
    const again = await openSerialLink(pair.a);
    await again.close();
  });

  it('says there is no such port', async () => {
    await assert.rejects(openSerialLink('/dev/ttyUSB-not-here'), (e: unknown) => {
      assert.ok(e instanceof OtaError);
      assert.equal(e.kind, 'not-found');
      assert.equal(e.code, 'port-not-found');
      assert.match(e.message, /There is no serial port \/dev\/ttyUSB-not-here/);
      return true;
    });
  });

  it('rejects impossible settings before touching the port', async () => {
    await assert.rejects(openSerialLink(pair.a, { baudRate: -5 }), /Baud rate must be a positive whole number/);
    await assert.rejects(openSerialLink(pair.a, { dataBits: 9 as 8 }), /Data bits must be 5, 6, 7 or 8/);
    await assert.rejects(openSerialLink(pair.a, { parity: 'sideways' as 'none' }), /Parity must be one of/);
  });

  it('explains "permission denied" with the dialout group when a user without access opens the port', async function () {
    if (process.getuid?.() !== 0) this.skip(); // needs root to run the opener as another user
    const transport = path.join(__dirname, '../../../src/core/serial/transport.js');
    const script = `require(${JSON.stringify(transport)}).openSerialLink(${JSON.stringify(pair.a)}).then(
      (l) => { console.log('opened'); return l.close(); },
      (e) => console.log(JSON.stringify({ code: e.code, message: e.message })))`;
    const out = await new Promise<string>((resolve, reject) => {
      execFile('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], (err, stdout) => {
        if (err) reject(new Error(err.message));
        else resolve(stdout);
      });
    });
    const { code, message } = JSON.parse(out) as { code: string; message: string };
    assert.equal(code, 'port-permission');
    assert.ok(message.includes(pair.a));
    assert.ok(message.includes('sudo usermod -aG dialout $USER, then log in again'));
  });

  it('notices the device going away: the link closes with a disconnect error and pending reads fail', async () => {
    const link = await openSerialLink(pair.a);
    const reader = new LinkReader(link);
    const closed = new Promise<Error | null>((resolve) => link.onClose(resolve));
    const pending = assert.rejects(reader.readByte(5000), hasCode('port-disconnected'));
    await pair.close(); // the adapter is gone
    const error = await closed;
    assert.ok(error instanceof OtaError);
    assert.equal(error.code, 'port-disconnected');
    assert.match(error.message, new RegExp(`The device on ${pair.a} was disconnected`));
    await pending;
    assert.equal(link.isClosed, true);
    await link.close(); // still fine to call
    reader.dispose();
  });

  it('withPort closes the port even when the work throws', async () => {
    await assert.rejects(
      withPort(pair.a, { baudRate: 115200 }, async (link) => {
        await link.write(Buffer.from('x'));
        throw new Error('boom');
      }),
      /boom/,
    );
    const again = await openSerialLink(pair.a);
    await again.close();
  });
});

describe('describeOpenError', () => {
  it('maps serialport messages and error codes to actionable errors', () => {
    const p = '/dev/ttyUSB0';
    assert.equal(describeOpenError(p, new Error('Error Resource temporarily unavailable Cannot lock port')).code, 'port-busy');
    assert.equal(describeOpenError(p, Object.assign(new Error('open failed'), { code: 'EBUSY' })).code, 'port-busy');
    assert.equal(describeOpenError(p, new Error('Error: Permission denied, cannot open /dev/ttyUSB0')).code, 'port-permission');
    assert.equal(describeOpenError(p, Object.assign(new Error('x'), { code: 'EACCES' })).code, 'port-permission');
    assert.equal(describeOpenError(p, new Error('Error: No such file or directory, cannot open /dev/ttyUSB0')).code, 'port-not-found');
    assert.equal(describeOpenError('COM3', new Error('Opening COM3: Access denied'), 'win32').code, 'port-busy');
    assert.doesNotMatch(describeOpenError(p, new Error('Permission denied'), 'darwin').message, /dialout/);
    const other = describeOpenError(p, new Error('Error: Input/output error, cannot open /dev/ttyUSB0'));
    assert.equal(other.code, 'port-open-failed');
    assert.match(other.message, /Could not open serial port \/dev\/ttyUSB0: .*Input\/output error/);
  });
});
