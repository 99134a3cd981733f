// Reads and writes of SerialLink at their edges over a real pty pair: writes the driver cannot take at once (they
// go on through the port's queue, in order), and closing while a read waits.

import assert from 'node:assert/strict';
import { OtaError } from '../../../src/core/errors';
import { LinkReader } from '../../../src/core/serial/linkReader';
import { openSerialLink } from '../../../src/core/serial/transport';
import { openPtyPair, type PtyPair } from '../../sims/ptyPair';

describe('serial transport reads and writes over a real pty pair', function () {
  this.timeout(10_000);
  let pair: PtyPair;

  beforeEach(async () => {
    pair = await openPtyPair();
  });
  afterEach(async () => {
    await pair.close();
  });

  it('keeps the order of writes made while a big earlier write is still queued', async () => {
    const a = await openSerialLink(pair.a, { baudRate: 921600 });
    const b = await openSerialLink(pair.b, { baudRate: 921600 });
    const rb = new LinkReader(b);
    try {
      const big = Buffer.alloc(1_000_000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 8)) & 0xff;
      const writes = [a.write(big)];
      // Part of `big` has gone through, the rest is still queued: the small writes must wait behind it even though
      // the driver has room again by now.
      const head = await rb.readExact(100_000, 5000);
      const smalls = Array.from({ length: 20 }, (_, i) => Buffer.from(`<${i}>`));
      writes.push(...smalls.map((s) => a.write(s)));
      const expected = Buffer.concat([big, ...smalls]);
      assert.deepEqual(Buffer.concat([head, await rb.readExact(expected.length - head.length, 8000)]), expected);
      await Promise.all(writes);
      // And once the queue is empty, a small write still goes through on its own.
      await a.write(Buffer.from('end'));
      assert.equal((await rb.readExact(3, 2000)).toString(), 'end');
    } finally {
      rb.dispose();
      await a.close();
      await b.close();
    }
  });

  it('closes while a read waits for bytes: no error for the link, the port free again, later bytes unharmed', async () => {
    const link = await openSerialLink(pair.a);
    const reader = new LinkReader(link);
    const closed = new Promise<Error | null>((resolve) => link.onClose(resolve));
    const pending = assert.rejects(
      reader.readByte(5000),
      (e: unknown) => e instanceof OtaError && e.code === 'link-closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50)); // the port's read is now waiting on the poller
    await link.close();
    assert.equal(await closed, null);
    await pending;
    reader.dispose();
    await assert.rejects(link.write(Buffer.from('x')), (e: unknown) => e instanceof OtaError && e.code === 'link-closed');

    const again = await openSerialLink(pair.a);
    const peer = await openSerialLink(pair.b);
    const r = new LinkReader(again);
    try {
      await peer.write(Buffer.from('hello'));
      assert.equal((await r.readExact(5, 2000)).toString(), 'hello');
    } finally {
      r.dispose();
      await again.close();
      await peer.close();
    }
  });
});
