// The relay itself: exact fault positions, the cut, and the command-line form used by benchmarks.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { LinkReader } from '../../../src/core/serial/linkReader';
import { openSerialLink } from '../../../src/core/serial/transport';
import { createVirtualLinkPair } from '../../../src/core/serial/virtualLink';
import { openPtyPair } from '../../sims/ptyPair';
import { Relay } from '../../sims/relay';

describe('relay', function () {
  this.timeout(10_000);

  it('corrupts and drops exactly the bytes asked for, in both directions, paced or not', async () => {
    for (const baudRate of [0, 2_000_000]) {
      const [host, relayA] = createVirtualLinkPair();
      const [relayB, device] = createVirtualLinkPair();
      const relay = Relay.between(relayA, relayB, { baudRate, aToB: { corruptAt: [1], dropAt: [3] }, bToA: { dropAt: [0] } });
      const atDevice = new LinkReader(device);
      const atHost = new LinkReader(host);
      await host.write(Buffer.from('abcdef'));
      const got = await atDevice.readExact(5, 2000);
      assert.equal(got.toString('latin1', 0, 1), 'a');
      assert.notEqual(got[1], 'b'.charCodeAt(0));
      assert.equal(got.toString('latin1', 2), 'cef');
      await device.write(Buffer.from('xyz'));
      assert.equal((await atHost.readExact(2, 2000)).toString(), 'yz');
      assert.deepEqual(relay.stats.aToB, { received: 6, forwarded: 5, corrupted: 1, dropped: 1, stalls: 0 });
      assert.equal(relay.stats.bToA.dropped, 1);
      atDevice.dispose();
      atHost.dispose();
      await relay.close();
    }
  });

  it('cuts the link for good once a direction has carried cutAfterBytes', async () => {
    const [host, relayA] = createVirtualLinkPair();
    const [relayB, device] = createVirtualLinkPair();
    const relay = Relay.between(relayA, relayB, { aToB: { cutAfterBytes: 4 } });
    const atDevice = new LinkReader(device);
    const atHost = new LinkReader(host);
    await host.write(Buffer.from('123456'));
    assert.equal((await atDevice.readExact(4, 2000)).toString(), '1234');
    assert.equal(relay.isCut, true);
    await device.write(Buffer.from('back'));
    await assert.rejects(atHost.readByte(100), /No byte within 100 ms/);
    assert.equal(atDevice.buffered, 0);
    atDevice.dispose();
    atHost.dispose();
    await relay.close();
  });

  it('runs as a process between two pty pairs and passes bytes both ways', async () => {
    const [one, two] = await Promise.all([openPtyPair(), openPtyPair()]);
    const script = path.join(__dirname, '../../sims/relay.js');
    const child = spawn(process.execPath, [script, '--a', one.b, '--b', two.a, '--baud', '921600'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`relay did not start: ${stderr}`)), 5000);
        child.stderr.on('data', () => {
          if (stderr.includes('ready')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const a = await openSerialLink(one.a);
      const b = await openSerialLink(two.b);
      const ra = new LinkReader(a);
      const rb = new LinkReader(b);
      const payload = Buffer.alloc(5000, 0x5a);
      await a.write(payload);
      assert.deepEqual(await rb.readExact(5000, 3000), payload);
      await b.write(Buffer.from('ok'));
      assert.equal((await ra.readExact(2, 2000)).toString(), 'ok');
      ra.dispose();
      rb.dispose();
      await Promise.all([a.close(), b.close()]);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(stderr, /"forwarded":5000/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      await Promise.all([one.close(), two.close()]);
    }
  });
});
