import assert from 'node:assert/strict';
import { OtaError } from '../../../src/core/errors';
import { LinkReader, LinkTimeoutError } from '../../../src/core/serial/linkReader';
import { createVirtualLinkPair } from '../../../src/core/serial/virtualLink';

describe('virtual link and LinkReader', () => {
  it('delivers bytes written before anyone listened, in order', async () => {
    const [a, b] = createVirtualLinkPair();
    await a.write(Buffer.from('first '));
    await a.write(Buffer.from('second'));
    const reader = new LinkReader(b);
    assert.equal((await reader.readExact(12, 1000)).toString(), 'first second');
    reader.dispose();
  });

  it('keeps write order even when writes are not awaited, paced or not', async () => {
    for (const bytesPerSecond of [undefined, 200_000]) {
      const [a, b] = createVirtualLinkPair(bytesPerSecond ? { bytesPerSecond } : {});
      const reader = new LinkReader(b);
      const parts = Array.from({ length: 20 }, (_, i) => Buffer.alloc(300, i));
      const writes = parts.map((p) => a.write(p));
      const got = await reader.readExact(6000, 5000);
      await Promise.all(writes);
      assert.deepEqual(got, Buffer.concat(parts));
      reader.dispose();
    }
  });

  it('splits lines on CR, LF and CRLF, also when CRLF is split across chunks', async () => {
    const [a, b] = createVirtualLinkPair();
    const reader = new LinkReader(b);
    await a.write(Buffer.from('one\rtwo\nthree\r'));
    assert.equal(await reader.readLine(1000), 'one');
    assert.equal(await reader.readLine(1000), 'two');
    assert.equal(await reader.readLine(1000), 'three');
    await a.write(Buffer.from('\nDATA'));
    // The LF of the CRLF pair is dropped, not taken as data.
    assert.equal((await reader.readExact(4, 1000)).toString(), 'DATA');
    await a.write(Buffer.from('\r\n\r\nx\r\n'));
    assert.equal(await reader.readLine(1000), '');
    assert.equal(await reader.readLine(1000), '');
    assert.equal(await reader.readLine(1000), 'x');
    reader.dispose();
  });

  it('returns over-long lines in pieces instead of growing without bound', async () => {
    const [a, b] = createVirtualLinkPair();
    const reader = new LinkReader(b);
    await a.write(Buffer.alloc(10, 0x41));
    assert.equal(await reader.readLine(1000, 4), 'AAAA');
    reader.dispose();
  });

  it('times out with LinkTimeoutError, keeping what arrived', async () => {
    const [a, b] = createVirtualLinkPair();
    const reader = new LinkReader(b);
    await a.write(Buffer.from('ab'));
    await assert.rejects(reader.readExact(3, 30), LinkTimeoutError);
    assert.equal(reader.buffered, 2);
    await a.write(Buffer.from('c'));
    assert.equal((await reader.readExact(3, 1000)).toString(), 'abc');
    reader.dispose();
  });

  it('rejects a waiting read with the disconnect error when the other end is unplugged', async () => {
    const [a, b] = createVirtualLinkPair({ names: ['host', 'dev'] });
    const reader = new LinkReader(a);
    const pending = reader.readByte(5000);
    b.unplug();
    await assert.rejects(pending, (e: unknown) => e instanceof OtaError && e.code === 'port-disconnected');
    await assert.rejects(a.write(Buffer.from('x')), /disconnected/);
    reader.dispose();
  });

  it('tells the other end when one end closes', async () => {
    const [a, b] = createVirtualLinkPair({ names: ['host', 'dev'] });
    const seen: (Error | null)[] = [];
    b.onClose((e) => seen.push(e));
    await a.close();
    assert.equal(a.isClosed, true);
    assert.equal(seen.length, 1);
    assert.match(String(seen[0]?.message), /host closed the connection/);
    // A listener added after the close still hears about it.
    const late = await new Promise<Error | null>((resolve) => a.onClose(resolve));
    assert.equal(late, null);
  });

  it('ends a wait promptly with a cancelled OtaError when the signal aborts', async () => {
    const [, b] = createVirtualLinkPair();
    const controller = new AbortController();
    const reader = new LinkReader(b, controller.signal);
    const pending = reader.readLine(60_000);
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof OtaError && e.kind === 'cancelled');
    reader.dispose();
  });

  it('drainQuiet drops what arrives until the line is quiet', async () => {
    const [a, b] = createVirtualLinkPair();
    const reader = new LinkReader(b);
    await a.write(Buffer.from('junk'));
    const late = setTimeout(() => void a.write(Buffer.from('more')), 5);
    const dropped = await reader.drainQuiet(40, 1000);
    clearTimeout(late);
    assert.equal(dropped.toString(), 'junkmore');
    assert.equal(reader.buffered, 0);
    reader.dispose();
  });
});
